/*
 * mode_model.h -- shm_ring_adaptive's oracle for who holds each side of
 * the adaptive ring, restated from ring_adaptive.h (MODES, GOING
 * EXCLUSIVE, GOING SHARED, CAPACITY) and ring.h's layout, sharing no code
 * with impl/ring:
 *
 *   - a side's mode word (p_mode, c_mode) has bit 31 set while some
 *     view's claim is installed (EXCLUSIVE), clear while it is SHARED;
 *   - a successful claim installs a new EXCLUSIVE word, never one that was
 *     installed before, and the claiming view then owns the side
 *     (ring_adaptive_exclusive() is true for it, false for every other);
 *   - claiming a side the view owns already changes nothing; a claim that
 *     sole() refuses changes nothing;
 *   - an attempt through a view that does not own the side takes the side
 *     away (the word goes SHARED): the former owner is no longer
 *     exclusive; the owner's own attempts leave the word alone (no lock,
 *     so no change: mode words change only under the side lock);
 *   - ring_adaptive_share() makes the side SHARED; a capacity change or a
 *     reset makes both sides SHARED, whatever its result;
 *   - a view that attaches afresh owns nothing; the EXCLUSIVE word its old
 *     self installed stays in place (an orphan, as a dead owner's) until
 *     someone's attempt takes the side;
 *   - between calls no lock is held and no owner is inside: the side
 *     locks, the busy words, the ring's own locks and the waiter counts
 *     (nothing sleeps: every call is non-blocking) are all 0.
 *
 * Whether a call of 0 bytes counts as an attempt is not documented: after
 * one through a view that does not own the side, either outcome is
 * accepted and the model follows what the header then says.
 *
 * The words are judged by value and bit 31 only, never by the thread ids
 * the ring keeps beside them: a finding replays the same in any thread.
 */
#ifndef IPCCONF_FUZZ_MODE_MODEL_H
#define IPCCONF_FUZZ_MODE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* The adaptive ring's words: byte offsets in the region (ring.h REGION LAYOUT). */
enum {
	OFF_C_MODE = 88,
	OFF_C_MODE_LOCK = 92,
	OFF_C_MODE_BUSY = 96,
	OFF_P_MODE = 192,
	OFF_P_MODE_LOCK = 196,
	OFF_P_MODE_BUSY = 200,
};

#define MODE_EXCLUSIVE_BIT 0x80000000u

enum mode_side { MODE_PRODUCERS, MODE_CONSUMERS, MODE_SIDES };

#define MODE_NO_VIEW (-1)
#define MODE_MAX_WORDS 256 /* EXCLUSIVE words remembered per side; one input installs fewer */

/* What a side's word may have become during one step. */
enum mode_change {
	WORD_SAME,           /* untouched */
	WORD_SHARED,         /* bit 31 clear; any generation */
	WORD_SAME_OR_SHARED, /* a call of 0 bytes by a non-owner */
	WORD_NEW_EXCLUSIVE,  /* bit 31 set, a word never installed before */
};

struct mode_model {
	int owner[MODE_SIDES]; /* the view that owns the side, or MODE_NO_VIEW */
	bool exclusive[MODE_SIDES];
	uint32_t word[MODE_SIDES];
	enum mode_change change[MODE_SIDES];
	uint32_t installed[MODE_SIDES][MODE_MAX_WORDS];
	unsigned ninstalled[MODE_SIDES];
};

/* A ring just laid out by ring_init(): both sides SHARED, nobody owns anything. */
void mode_init(struct mode_model *m, const unsigned char *region);

/* A push (pop) through `view`; empty: of 0 bytes. */
void mode_attempt(struct mode_model *m, enum mode_side side, int view, bool empty);

/* ring_adaptive_claim() by `view`, sole() answering `yes`: the result it must return, 1 or 0. */
int mode_claim(struct mode_model *m, enum mode_side side, int view, bool yes);

void mode_share(struct mode_model *m, enum mode_side side);

/* ring_adaptive_set_capacity() or _reset(), whatever it returned. */
void mode_resize(struct mode_model *m);

/* The view attached afresh. */
void mode_reattach(struct mode_model *m, int view);

/* After the step's call: each side's word is what the step allows; the model follows it. */
void mode_judge_words(struct mode_model *m, const unsigned char *region);

/*
 * Under a hostile peer, instead: nothing is judged, the words are only
 * read, and the EXCLUSIVE ones remembered (for OP_MODE_WRITE to restore).
 */
void mode_follow_words(struct mode_model *m, const unsigned char *region);

/* What ring_adaptive_exclusive() must say for `view` now. */
bool mode_expect_exclusive(const struct mode_model *m, enum mode_side side, int view);

/* The number and the value of the EXCLUSIVE words installed on a side so far. */
unsigned mode_installed_count(const struct mode_model *m, enum mode_side side);
uint32_t mode_installed_word(const struct mode_model *m, enum mode_side side, unsigned i);

/* Between calls, whatever happened before (a hostile peer included): no lock held, nobody inside or asleep. */
void mode_judge_idle(const unsigned char *region);

#endif
