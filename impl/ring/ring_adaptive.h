/*
 * ring_adaptive.h -- the byte ring (ring.h) on the lock-free SPSC path
 * (ring_spsc.h) while one process produces and one consumes, and on the
 * locked path (ring_try_push, ring_try_pop) while several do.  What ref's
 * pipes and FIFOs use, so that the code users run is the code the
 * benchmark judges (bench/README.md).
 *
 * MODES.  Each side has a mode word in the header (p_mode for producers,
 * c_mode for consumers; ring.h's layout -- the producer's words sit on a
 * cache line of their own, since a consumer waiting for data polls the
 * line of tail and every access of the owner's there would wait for it):
 *   SHARED     (bit 31 clear): every push (pop) holds the side lock,
 *              p_mode_lock (c_mode_lock; sync_lock.h), and goes through
 *              ring_try_push (ring_try_pop): any number of producers
 *              (consumers), in any number of threads and processes;
 *   EXCLUSIVE  (bit 31 set): one thread, through the view whose claim
 *              installed this very word, pushes (pops) as ring_spsc does:
 *              no lock at all, the other side's counter cached, FUTEX_WAKE
 *              only for a sleeper that announced itself.
 * Bits 0-30 are a generation, advanced by every change of the word, so
 * that no EXCLUSIVE word is ever installed twice.  The two sides are
 * independent: an exclusive producer may feed shared consumers.  Mode
 * words change only under the side lock.
 *
 * THE OWNER IS A THREAD.  A claim belongs to the view and the thread that
 * made it (and the fork generation, FORK below).  Another thread of the
 * same process that pushes through the same view is a stranger to the
 * claim, and takes the side to SHARED as another process would; so
 * threads of one process never share the SPSC state, and need no lock in
 * process memory to be serialised on the fast path (such a lock would
 * cost the two atomic read-modify-writes per call that NO LOCK ON THE
 * FAST PATH avoids; on the locked path they are serialised by the side
 * lock, as processes are).  A process with one
 * writing thread -- the case worth making fast -- pays nothing for this;
 * several threads writing one end take turns on the locked path, and the
 * caller's next claim (ref tries every few hundred calls) gives the side
 * to whichever thread asks.
 *
 * NO LOCK ON THE FAST PATH.  Why not the side lock there too: a
 * compare-and-swap and an exchange cost 20-30 ns here after a copy (each
 * waits for the copy's stores to drain), more than a whole SPSC message.
 * Instead the owner marks itself "inside" in a word of its side's (its
 * thread id in p_mode_busy or c_mode_busy) with a plain store, and after
 * sync_barrier_light() checks that the mode word is still its own; at the
 * end it stores 0 and checks the mode word again.  Taking a side away
 * (under the side lock) writes a SHARED word, issues sync_barrier_heavy()
 * and waits until the busy word is 0.  The two fences pair (sync_barrier.h):
 * either the owner sees the new word and stays out (or, at its end, wakes
 * the waiter with FUTEX_WAKE on the busy word), or the taker sees the owner
 * inside and waits for it.  An owner that died inside is found by its
 * thread id (sync_task_alive) at the end of a slice, and its attempt is
 * void: a push or pop publishes with one final store.  (An owner stopped
 * inside holds the taker up until it is continued, as a stopped lock
 * holder does.)  The heavy barrier is paid once per change of hands, not
 * per call.  So even the non-blocking calls may wait, briefly, for
 * another thread's attempt in flight.
 *
 * GOING EXCLUSIVE.  ring_adaptive_claim() takes the side lock, asks the
 * caller whether this process is the only one that holds the side (a
 * callback: the ring knows nothing of holders), and if so takes the side
 * from whoever owned it, attaches the SPSC view afresh from the header
 * (the counters and the capacity as they are now) and installs a new
 * EXCLUSIVE word.  The caller decides when to try: ref tries when a holder
 * has gone away, and now and then.
 *
 * GOING SHARED, lazily.  An attempt that finds an EXCLUSIVE word not its
 * own (on the locked path, under the side lock) takes the side away (a
 * SHARED word, the fences, the wait) and goes on.  So a process that comes
 * to hold a side (a fork child, a second open of a FIFO, an attached
 * published pipe) need do nothing until its first push or pop, and the
 * owner keeps the fast path until then.  A new holder that registered
 * after the claimer's question was answered has not pushed yet, and its
 * first push takes the side away: a claim and a new holder cannot race
 * into two exclusive users.
 *
 * FORK.  A fork child inherits its parent's views and would take the
 * parent's EXCLUSIVE word for its own: a fork handler advances a
 * process-wide fork generation, and a claim counts only in the generation
 * that made it.  (A raw clone() that bypasses pthread_atfork is not
 * supported.)
 *
 * CAPACITY.  ring_adaptive_set_capacity() and ring_adaptive_reset() take
 * both side locks (producer first), make both sides SHARED, and then
 * change the ring under its own locks: both sides are quiescent, and every
 * SPSC view is re-attached at its next claim.
 *
 * WAKE-UPS: one protocol for both modes.  An exclusive publisher bumps the
 * futex word and calls FUTEX_WAKE only when it sees a sleeper counted
 * (after sync_barrier_light(), ring_spsc.h); a locked publisher always
 * bumps the word, then wakes if it sees one.  So a side that is about to
 * sleep, in either mode, first raises its waiters count (data_waiters for
 * consumers, room_waiters for producers), issues sync_barrier_heavy(),
 * reads the futex word, tries once more, and only then sleeps on the word:
 * either the publisher saw the count and will wake it, or the try saw the
 * publication.  The count stays raised until the call returns.  Anybody
 * else who waits on ring_data_seq()/ring_room_seq() (poll) must do the
 * same: raise the count and issue sync_barrier_heavy() *before* looking
 * at the state, and keep it raised while waiting; waiting with
 * sync_waiter_wait()'s own count, which it raises after looking, can miss
 * an exclusive publisher's data for a slice.
 *
 * PEER LIVENESS, as in ring_spsc.h: peer() is asked only when a blocking
 * call is about to sleep (after a spin), and when a pop finds the ring
 * empty and is non-blocking (end of file or -EAGAIN), never on the fast
 * path.  A push never asks before its first attempt: a caller that must
 * fail at once when the consumers are gone (EPIPE) asks itself.
 *
 * SHARED-MEMORY DISCIPLINE (ring.h).  A mode word is read once per
 * decision into a local; the counters and the capacity are read and
 * judged by ring.c and ring_spsc.c.  A hostile writer of the mode words
 * can make two views use one side's SPSC path at once (which garbles the
 * stream) but not make any access leave the region: every copy is bounded
 * by the capacity and data size the view validated privately.  The side
 * lock and busy words name threads, and are trusted for liveness only: a
 * value naming a live thread holds the side up as a held lock would (a
 * fuzz harness leaves them alone, or writes ids no task has).
 *
 * VIEWS.  A struct ring_adaptive is one process's view (process memory).
 * Several views of one ring may live in one process, even in one thread:
 * each behaves as a process of its own (a test or a fuzz harness models a
 * producer process and a consumer process with two views and the
 * non-blocking calls).  Threads may share a view (THE OWNER IS A THREAD).
 */
#ifndef IPCCONF_RING_ADAPTIVE_H
#define IPCCONF_RING_ADAPTIVE_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ring/ring.h"
#include "impl/ring/ring_spsc.h"

/*
 * A view's claim on one side: made under the side lock, used by the
 * owning thread alone (the others only read `claim` to see it is not
 * theirs).  Thread and word in one word, so that nobody pairs one
 * claim's thread with another's word.
 */
struct ring_adaptive_side {
	struct ring_spsc spsc;     /* attached by the claim; valid while the claim holds */
	_Atomic uint64_t claim;    /* owner's thread id << 32 | the EXCLUSIVE word; 0: none */
	_Atomic uint32_t fork_gen; /* made in the process of this fork generation */
};

struct ring_adaptive {
	struct ring r;                    /* the locked path's view (ring_attach) */
	void *mem;                        /* what the SPSC views attach to */
	size_t len;
	struct ring_adaptive_side side[2]; /* [RING_SPSC_PRODUCER - 1], [RING_SPSC_CONSUMER - 1] */
};

/*
 * ring_attach() for a byte-mode ring: 0, ring_attach()'s errors, or
 * -EPROTO for a record-mode ring.  The view owns no side yet.
 */
int ring_adaptive_attach(struct ring_adaptive *a, void *mem, size_t len);

/*
 * Tries to make this view the exclusive user of `side`: under the side
 * lock, asks sole(ctx) whether the caller's process is the only one that
 * may push (or pop) -- NULL means yes -- and if it says so, attaches the
 * SPSC view and installs a new EXCLUSIVE word, for the calling thread
 * (THE OWNER IS A THREAD).  1: the side is ours (already, or now); 0:
 * sole() said no (nothing changed); negative: ring_spsc_attach()'s error
 * (the header is unusable; the side is left SHARED).
 */
int ring_adaptive_claim(struct ring_adaptive *a, enum ring_spsc_side side, int (*sole)(void *ctx),
			void *ctx);

/* Makes `side` SHARED, whoever owned it (waits for an attempt in flight). */
void ring_adaptive_share(struct ring_adaptive *a, enum ring_spsc_side side);

/* Whether the calling thread owns `side` through this view now (a look, without the lock). */
bool ring_adaptive_exclusive(const struct ring_adaptive *a, enum ring_spsc_side side);

/*
 * Non-blocking, as ring_try_push(): with all_or_nothing either all n bytes
 * or -EAGAIN; otherwise as many as fit (at least 1) or -EAGAIN.
 */
ssize_t ring_adaptive_try_push(struct ring_adaptive *a, const void *buf, size_t n,
			       int all_or_nothing);

/* Non-blocking, as ring_try_pop(): up to n bytes, or -EAGAIN when empty. */
ssize_t ring_adaptive_try_pop(struct ring_adaptive *a, void *buf, size_t n);

/*
 * Blocking push and pop with the results of ring_push() and ring_pop(),
 * and peer() asked as PEER LIVENESS says.  A push of at most
 * b->atomic_max bytes that fits the capacity never ends partially.
 */
ssize_t ring_adaptive_push(struct ring_adaptive *a, const void *buf, size_t n,
			   struct ring_block *b);
ssize_t ring_adaptive_pop(struct ring_adaptive *a, void *buf, size_t n, struct ring_block *b);

/* ring_set_capacity() and ring_reset() with both sides made SHARED first (CAPACITY). */
int ring_adaptive_set_capacity(struct ring_adaptive *a, uint32_t capacity);
int ring_adaptive_reset(struct ring_adaptive *a, uint32_t capacity);

/* The consumers' counter now (head; one load): it moves only while someone consumes. */
uint64_t ring_adaptive_consumed(const struct ring_adaptive *a);

#endif /* IPCCONF_RING_ADAPTIVE_H */
