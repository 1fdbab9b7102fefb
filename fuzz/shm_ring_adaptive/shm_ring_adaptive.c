/*
 * Fuzz target: the adaptive ring (impl/ring/ring_adaptive.h), what ref's
 * pipes and FIFOs run on, against a model that knows nothing of modes.
 *
 * One region and VIEWS views of it in this one thread, each view "a
 * process of its own" (ring_adaptive.h, VIEWS).  The input interleaves,
 * through any view: claims of either side with sole() answering yes or no
 * (or absent), explicit shares, non-blocking pushes and pops of any size
 * (ring_adaptive_try_push/_try_pop, and ring_adaptive_push/_pop with
 * ring_block.nonblock set, which never sleep: a wrong "completes at once"
 * is then a failed check, never a wait), capacity changes and resets, and
 * a view attaching afresh.  So each side goes EXCLUSIVE and SHARED again
 * and again, by claims, by strangers' attempts (GOING SHARED), by shares
 * and capacity changes, and by views that restart while they own it.
 *
 * The oracles (stream_model.h, mode_model.h) restate the documentation
 * and share no code with the ring:
 *   - the byte stream is one and the same whatever the modes: every
 *     result is exactly what ring_try_push()'s and ring_try_pop()'s rules
 *     give for the room (capacity - used) and the bytes used the model
 *     counts, every byte popped is the next one of the stream (a pattern
 *     of prime period), and the header's head, tail and capacity (read at
 *     ring.h's offsets) are the model's after every op;
 *   - after a claim that succeeds, ring_adaptive_exclusive() is true for
 *     that view and side and false for every other view; after a push
 *     (pop) through another view, false for the former owner too; every
 *     view's answer for every side is checked after every op, and the
 *     mode words' EXCLUSIVE bit with it (no EXCLUSIVE word installed
 *     twice; the owner's own calls leave the word alone);
 *   - sole() is asked with the side lock held; peer() is never asked by a
 *     non-blocking push, nor by a pop that finds bytes, and decides end of
 *     file (0, peer_gone) against -EAGAIN for one that finds none;
 *   - between calls no lock is held, no owner is inside, nobody sleeps.
 *
 * Some inputs add a hostile peer: the in-call peer of shm_ring_hostile
 * (OP_STRIKE, in_call_peer.h), which rewrites header fields or data in the
 * middle of a call through the ring's RING_PEER hook points
 * (//impl/ring:ring_peer_hooked), and OP_MODE_WRITE, which rewrites a mode
 * word between calls (flips a bit, or writes back an EXCLUSIVE word a
 * claim installed before, so that a view whose claim is stale takes the
 * SPSC path again).  Once either has changed anything the models no
 * longer apply, and for the rest of the input only what the ring promises
 * a hostile peer holds: results are documented errors or counts within
 * what was asked and what the region's data area allows, every view's
 * geometry lies inside the region, no lock is left held, and no access
 * falls outside the region or the callers' buffers.
 *
 * Which fields a hostile peer may write (strike_allowed()).  The side
 * locks, the busy words and the ring's own locks name thread ids and are
 * trusted for liveness only (ring_adaptive.h, SHARED-MEMORY DISCIPLINE):
 * a busy word naming this thread would make the next taker wait for an
 * owner that never comes out (a hang, not a finding), and one naming a
 * thread that does not exist costs a sleep of a whole slice before the
 * ring finds it dead -- a judgement that would rest on which ids are
 * alive on the machine and on timing.  So no strike writes them: the
 * peer's targets are the identity and geometry, the counters, `gone` and
 * bytes of data[], which the ring validates (single fetch), and the mode
 * words, which the ring promises to survive with the region intact.
 *
 * Memory (guarded_map.h): the region is a guarded mapping made once per
 * data size and layout, reinitialised per input, flush with the upper
 * guard page or (LAYOUT_LOW) the lower one, the rest of its pages a
 * canary checked after each input.  Pushes read from, and pops write
 * into, buffers against a guard page, pops' with a fence on each side.
 * No threads, no sleeps, no thread id in any judgement: every input
 * replays alike.
 *
 * Input: see shm_ring_adaptive.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/engine/guarded_map.h"
#include "fuzz/shm_ring_adaptive/mode_model.h"
#include "fuzz/shm_ring_adaptive/shm_ring_adaptive.h"
#include "fuzz/shm_ring_adaptive/stream_model.h"
#include "fuzz/shm_ring_adaptive/view_judge.h"
#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_hostile/input_cursor.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"
#include "impl/ring/ring_adaptive.h"

#define PAGE 4096u
#define SIZES 7 /* data sizes 64 << 0..6 */
#define CANARY 0xa5
#define FENCE 64
#define FENCE_BYTE 0x5c
#define IO_LEN (2 * PAGE)

_Static_assert(2 * FENCE + SIZE_ARG_MAX <= IO_LEN, "a buffer and its fences fit");
_Static_assert(SIZE_ARG_MAX <= STREAM_SPAN_MAX, "the model hands out the bytes of any push");

/* Regions, one per data size and layout, mapped the first time they are needed. */
static unsigned char *maps[SIZES][2];
static size_t map_lens[SIZES][2];
static unsigned char *mem, *slack_end;
static size_t mem_len;
static bool low;

static unsigned char *dst_io, *src_io; /* pops' and pushes' buffers */
static unsigned char canary[PAGE], fence[FENCE];

/* The views; a re-attach fills the spare and swaps it in if it succeeds. */
static struct ring_adaptive pool[VIEWS + 1];
static struct ring_adaptive *view[VIEWS], *spare;

static struct stream_model sm;
static struct mode_model mm;
static bool hostile; /* a peer changed something: the models no longer apply */

static void setup_once(void)
{
	if (dst_io != NULL)
		return;
	dst_io = guarded_map(IO_LEN);
	src_io = guarded_map(IO_LEN);
	FUZZ_CHECK(dst_io != NULL && src_io != NULL);
	memset(canary, CANARY, sizeof canary);
	memset(fence, FENCE_BYTE, sizeof fence);
}

static size_t page_round(size_t n)
{
	return (n + PAGE - 1) / PAGE * PAGE;
}

/* This input's region for data size 64 << k, its slack filled with the canary. */
static void map_region(int k, size_t len)
{
	size_t map_len = low ? page_round(len) : len;

	if (maps[k][low] == NULL) {
		maps[k][low] = guarded_map(map_len);
		map_lens[k][low] = map_len;
		FUZZ_CHECK(maps[k][low] != NULL);
	}
	mem = maps[k][low];
	mem_len = len;
	slack_end = mem + map_lens[k][low];
	memset(mem, 0, mem_len);
	memset(mem + mem_len, CANARY, (size_t)(slack_end - (mem + mem_len)));
}

static void check_slack(void)
{
	for (unsigned char *p = mem + mem_len; p < slack_end; p += PAGE) {
		size_t k = (size_t)(slack_end - p) < PAGE ? (size_t)(slack_end - p) : PAGE;

		FUZZ_CHECK(memcmp(p, canary, k) == 0);
	}
}

/* A pop's buffer of n bytes against a guard page (as the region), fences set. */
static unsigned char *dst_for(size_t n)
{
	unsigned char *dst = low ? dst_io + FENCE : dst_io + IO_LEN - FENCE - n;

	memcpy(dst - FENCE, fence, FENCE);
	memcpy(dst + n, fence, FENCE);
	return dst;
}

static void check_fences(const unsigned char *dst, size_t n)
{
	FUZZ_CHECK(memcmp(dst - FENCE, fence, FENCE) == 0);
	FUZZ_CHECK(memcmp(dst + n, fence, FENCE) == 0);
}

/* A push's n bytes -- the stream's next ones -- flush with a guard page: a read past them faults. */
static const unsigned char *src_for(size_t n)
{
	unsigned char *src = low ? src_io : src_io + IO_LEN - n;

	memcpy(src, stream_bytes(&sm, sm.tail), n);
	return src;
}

/* A callback's answer, and how often it was asked. */
struct ask {
	int answer;
	unsigned calls;
	unsigned lock_off; /* sole(): the side lock it must be asked under */
};

static int sole_cb(void *ctx)
{
	struct ask *a = ctx;

	a->calls++;
	/* "under the side lock, asks sole(ctx)": held means non-zero, whoever holds it. */
	FUZZ_CHECK(layout_get32(mem + a->lock_off) != 0);
	return a->answer;
}

static int peer_cb(void *ctx)
{
	struct ask *a = ctx;

	a->calls++;
	return a->answer;
}

/* ---- the ops ---- */

static void try_push(int v, size_t n, bool all_or_nothing)
{
	const unsigned char *src = src_for(n);
	long want = stream_expect_push(&sm, n, all_or_nothing);
	long ret;

	peer_begin();
	ret = ring_adaptive_try_push(view[v], src, n, all_or_nothing);
	hostile |= peer_end();
	if (hostile) {
		judge_bounded(ret, n, sm.data_size);
		return;
	}
	FUZZ_CHECK(ret == want);
	stream_pushed(&sm, ret);
	mode_attempt(&mm, MODE_PRODUCERS, v, n == 0);
}

static void try_pop(int v, size_t n)
{
	unsigned char *dst = dst_for(n);
	long want = stream_expect_pop(&sm, n);
	long ret;

	peer_begin();
	ret = ring_adaptive_try_pop(view[v], dst, n);
	hostile |= peer_end();
	check_fences(dst, n);
	if (hostile) {
		judge_bounded(ret, n, sm.data_size);
		return;
	}
	FUZZ_CHECK(ret == want);
	stream_popped(&sm, dst, ret);
	mode_attempt(&mm, MODE_CONSUMERS, v, n == 0);
}

/*
 * ring_adaptive_push() with nonblock set: ring_push()'s results, so the
 * rules of a non-blocking push, whole when n is at most atomic_max and
 * fits the capacity.  peer() is asked only before a sleep, and a
 * non-blocking call never sleeps: it is never asked, and a "gone" answer
 * can change nothing.
 */
static void push(int v, size_t n, bool atomic, bool with_gone_peer)
{
	struct ask peer = { .answer = 0 };
	struct ring_block b = {
		.nonblock = 1,
		.atomic_max = atomic ? ADAPTIVE_ATOMIC_MAX : 0,
		.peer = with_gone_peer ? peer_cb : NULL,
		.ctx = &peer,
	};
	bool whole = n <= b.atomic_max && n <= sm.cap;
	const unsigned char *src = src_for(n);
	long want = stream_expect_push(&sm, n, whole);
	long ret;

	peer_begin();
	ret = ring_adaptive_push(view[v], src, n, &b);
	hostile |= peer_end();
	FUZZ_CHECK(peer.calls == 0 && b.peer_gone == 0);
	if (hostile) {
		judge_bounded(ret, n, n);
		return;
	}
	FUZZ_CHECK(ret == want);
	stream_pushed(&sm, ret);
	mode_attempt(&mm, MODE_PRODUCERS, v, n == 0);
}

/*
 * ring_adaptive_pop() with nonblock set: ring_pop()'s results.  A pop
 * that finds bytes takes them without asking peer() (PEER LIVENESS: only
 * when it finds the ring empty); one that finds none asks, and returns 0
 * with peer_gone set (end of file) when the producers are gone, -EAGAIN
 * otherwise.  No peer() at all: always there.
 */
static void pop(int v, size_t n, bool with_peer, bool gone)
{
	struct ask peer = { .answer = !gone };
	struct ring_block b = { .nonblock = 1, .peer = with_peer ? peer_cb : NULL, .ctx = &peer };
	unsigned char *dst = dst_for(n);
	long want = stream_expect_pop(&sm, n);
	bool eof = n > 0 && want == -EAGAIN && with_peer && gone;
	long ret;

	peer_begin();
	ret = ring_adaptive_pop(view[v], dst, n, &b);
	hostile |= peer_end();
	check_fences(dst, n);
	if (hostile) {
		/* End of file only on the word of peer(). */
		FUZZ_CHECK(!b.peer_gone || (ret == 0 && peer.calls > 0 && gone));
		if (!(ret == 0 && b.peer_gone))
			judge_bounded(ret, n, sm.data_size);
		return;
	}
	if (n == 0) {
		FUZZ_CHECK(ret == 0);
		mode_attempt(&mm, MODE_CONSUMERS, v, true);
		return;
	}
	FUZZ_CHECK(ret == (eof ? 0 : want));
	FUZZ_CHECK(b.peer_gone == eof);
	if (want > 0)
		FUZZ_CHECK(peer.calls == 0);
	else if (with_peer)
		FUZZ_CHECK(peer.calls > 0);
	stream_popped(&sm, dst, ret);
	mode_attempt(&mm, MODE_CONSUMERS, v, false);
}

/* The side a claim or share names (shm_ring_adaptive.h); false for one that does not exist. */
static bool side_of(bool consumers, uint8_t arg, enum mode_side *s, int *ring_value)
{
	if ((arg & SIDE_ARG_INVALID) == SIDE_ARG_INVALID) {
		*ring_value = arg & SIDE_ARG_THREE ? 3 : 0;
		return false;
	}
	*s = consumers ? MODE_CONSUMERS : MODE_PRODUCERS;
	*ring_value = (int)judge_ring_side(*s);
	return true;
}

static void claim(int v, bool consumers, bool yes, uint8_t arg)
{
	bool no_sole = arg & CLAIM_SOLE_NULL;
	enum mode_side s = MODE_PRODUCERS;
	int side;
	bool valid = side_of(consumers, arg, &s, &side);
	struct ask sole = {
		.answer = yes,
		.lock_off = s == MODE_PRODUCERS ? OFF_P_MODE_LOCK : OFF_C_MODE_LOCK,
	};
	bool mine;
	int ret, want;

	peer_begin();
	ret = ring_adaptive_claim(view[v], (enum ring_spsc_side)side, no_sole ? NULL : sole_cb, &sole);
	hostile |= peer_end();
	if (!valid) {
		/* A side that does not exist: refused before anything is asked or changed. */
		FUZZ_CHECK(ret == -EINVAL && sole.calls == 0);
		FUZZ_CHECK(!ring_adaptive_exclusive(view[v], (enum ring_spsc_side)side));
		return;
	}
	/* 0 means sole() said no, under a hostile peer too. */
	FUZZ_CHECK(ret != 0 || (sole.calls > 0 && !yes));
	if (hostile) {
		/* 1, 0, or ring_spsc_attach()'s errors for a header it cannot use. */
		FUZZ_CHECK(ret == 1 || ret == 0 || ret == -EPROTO || ret == -EUCLEAN);
		return;
	}
	mine = mode_expect_exclusive(&mm, s, v);
	want = mode_claim(&mm, s, v, no_sole || yes);
	FUZZ_CHECK(ret == want);
	/* Not ours yet: the answer decides, so it must have been asked. */
	if (!mine && !no_sole)
		FUZZ_CHECK(sole.calls > 0);
}

static void share(int v, bool consumers, uint8_t arg)
{
	enum mode_side s = MODE_PRODUCERS;
	int side;
	bool valid = side_of(consumers, arg, &s, &side);

	peer_begin();
	ring_adaptive_share(view[v], (enum ring_spsc_side)side);
	hostile |= peer_end();
	if (valid && !hostile)
		mode_share(&mm, s);
}

/* The view attaches afresh, as a process that restarted; a failure keeps the old one. */
static void reattach(int v)
{
	struct ring_adaptive *old = view[v];
	int err;

	memset(spare, 0, sizeof *spare);
	peer_begin();
	err = ring_adaptive_attach(spare, mem, mem_len);
	hostile |= peer_end();
	FUZZ_CHECK(err == 0 || err == -EPROTO || err == -EUCLEAN);
	if (!hostile)
		FUZZ_CHECK(err == 0);
	if (err != 0)
		return;
	view[v] = spare;
	spare = old;
	if (!hostile) {
		mode_reattach(&mm, v);
		/* The view owns no side yet (ring_adaptive_attach). */
		FUZZ_CHECK(!ring_adaptive_exclusive(view[v], RING_SPSC_PRODUCER));
		FUZZ_CHECK(!ring_adaptive_exclusive(view[v], RING_SPSC_CONSUMER));
	}
}

static void capacity(int v, bool reset, uint8_t arg)
{
	uint32_t cap = capacity_arg(arg, (unsigned)__builtin_ctz(sm.data_size));
	int want = stream_expect_resize(&sm, cap, reset);
	int err;

	peer_begin();
	err = reset ? ring_adaptive_reset(view[v], cap) : ring_adaptive_set_capacity(view[v], cap);
	hostile |= peer_end();
	if (hostile) {
		FUZZ_CHECK(err == 0 || err == -EINVAL || err == -EBUSY || err == -ENOMEM ||
			   err == -EUCLEAN);
		return;
	}
	/* -ENOMEM is documented for the move of kept bytes: then nothing changed. */
	FUZZ_CHECK(err == want || (err == -ENOMEM && want == 0 && !reset));
	if (err == 0)
		stream_resized(&sm, cap, reset);
	/* Both sides SHARED first, whatever the change then returns (CAPACITY). */
	mode_resize(&mm);
}

/* A hostile write of a mode word between calls (shm_ring_adaptive.h, OP_MODE_WRITE). */
static void mode_write(bool consumers, uint8_t arg)
{
	enum mode_side s = consumers ? MODE_CONSUMERS : MODE_PRODUCERS;
	unsigned char *p = mem + (consumers ? OFF_C_MODE : OFF_P_MODE);
	unsigned count = mode_installed_count(&mm, s);
	uint32_t old = layout_get32(p), w;

	if (arg >= MODE_ARG_RESTORE && count > 0)
		w = mode_installed_word(&mm, s, (arg % MODE_ARG_RESTORE) % count);
	else
		w = old ^ UINT32_C(1) << (arg % 32);
	if (w == old)
		return; /* only a change counts */
	layout_put32(p, w);
	hostile = true;
}

/*
 * The strikes this target lets through (see the opening comment): header
 * fields the ring validates, and record targets, which in byte mode are
 * bytes of data[].  Anything else -- a target in_call_peer.h may add
 * later, such as a lock word -- is dropped rather than risk a hang.
 */
static bool strike_allowed(const struct strike *s)
{
	switch (s->target) {
	case PEER_MAGIC:
	case PEER_VERSION:
	case PEER_MODE:
	case PEER_FLAGS:
	case PEER_HDR_SIZE:
	case PEER_DATA_SIZE:
	case PEER_CAPACITY:
	case PEER_HEAD:
	case PEER_TAIL:
	case PEER_GONE:
	case PEER_REC_LENGTH:
	case PEER_REC_KIND:
	case PEER_REC_TAG:
	case PEER_REC_TYPE:
	case PEER_REC_ZERO:
		return true;
	default:
		return false;
	}
}

#define SIDE_BIT(s) (1u << (s))
#define BOTH_SIDES (SIDE_BIT(MODE_PRODUCERS) | SIDE_BIT(MODE_CONSUMERS))

/*
 * After an op by view v: the invariants that hold whatever happened, then
 * the models'.  Only what the op can have changed is looked at: v's own
 * view (its SPSC views after a claim, the only call that attaches them),
 * and on the sides it touched, the answers of v and of the view that
 * owned the side before (`was`) -- another view's answer depends only on
 * its own claim, which only its own calls change, and on the mode word,
 * whose every change is judged.  The rest waits for the end of the input
 * (check_all()): asking every view about both sides after every op would
 * cost a third of the target's speed under libFuzzer.
 */
static void check_state(int v, unsigned sides, bool claimed, const int was[MODE_SIDES])
{
	mode_judge_idle(mem);
	judge_view(view[v], mem, mem_len);
	if (claimed)
		judge_view_claims(view[v], mem, mem_len);
	if (hostile) {
		mode_follow_words(&mm, mem);
		return;
	}
	stream_judge_header(&sm, mem);
	mode_judge_words(&mm, mem);
	for (int i = 0; i < MODE_SIDES; i++) {
		enum mode_side s = (enum mode_side)i;

		if (!(sides & SIDE_BIT(i)))
			continue;
		judge_exclusive(&mm, view[v], v, s);
		if (was[i] != MODE_NO_VIEW && was[i] != v)
			judge_exclusive(&mm, view[was[i]], was[i], s);
	}
	FUZZ_CHECK(ring_adaptive_consumed(view[v]) == sm.head);
}

/* At the end of an input: every view, every side. */
static void check_all(void)
{
	for (int v = 0; v < VIEWS; v++) {
		judge_view(view[v], mem, mem_len);
		judge_view_claims(view[v], mem, mem_len);
		for (int s = 0; s < MODE_SIDES && !hostile; s++)
			judge_exclusive(&mm, view[v], v, (enum mode_side)s);
	}
}

static void step(struct cursor *c)
{
	uint8_t code = take8(c);
	int v = (code >> VIEW_SHIFT) % VIEWS;
	bool a = code & FLAG_A, b = code & FLAG_B;
	struct strike s;
	unsigned sides = 0;
	int was[MODE_SIDES];
	uint8_t arg;

	if ((code & OP_MASK) % OP_COUNT == OP_STRIKE) {
		peer_decode(c, &s);
		if (strike_allowed(&s))
			peer_arm(&s);
		return;
	}
	arg = take8(c);
	was[MODE_PRODUCERS] = mm.owner[MODE_PRODUCERS];
	was[MODE_CONSUMERS] = mm.owner[MODE_CONSUMERS];
	switch ((code & OP_MASK) % OP_COUNT) {
	case OP_TRY_PUSH: try_push(v, size_arg(arg), a); sides = SIDE_BIT(MODE_PRODUCERS); break;
	case OP_TRY_POP: try_pop(v, size_arg(arg)); sides = SIDE_BIT(MODE_CONSUMERS); break;
	case OP_CLAIM: claim(v, a, b, arg); sides = BOTH_SIDES; break;
	case OP_PUSH: push(v, size_arg(arg), a, b); sides = SIDE_BIT(MODE_PRODUCERS); break;
	case OP_POP: pop(v, size_arg(arg), a, b); sides = SIDE_BIT(MODE_CONSUMERS); break;
	case OP_SHARE: share(v, a, arg); sides = BOTH_SIDES; break;
	case OP_REATTACH: reattach(v); sides = BOTH_SIDES; break;
	case OP_CAPACITY: capacity(v, a, arg); sides = BOTH_SIDES; break;
	case OP_MODE_WRITE:
		/* Strikes armed for a call do not carry over a write between calls. */
		peer_reset();
		mode_write(a, arg);
		sides = BOTH_SIDES;
		break;
	}
	check_state(v, sides, (code & OP_MASK) % OP_COUNT == OP_CLAIM, was);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	uint8_t b0, b1;
	uint32_t data_size, cap;
	uint64_t start;
	int k;

	if (size < 2)
		return 0;
	setup_once();
	b0 = take8(&c);
	b1 = take8(&c);
	k = b0 % SIZES;
	low = b0 & LAYOUT_LOW;
	data_size = 64u << k;
	map_region(k, LAYOUT_HDR_SIZE + data_size);
	cap = 1u << ((b1 & 0x3f) % (6 + k + 1));
	FUZZ_CHECK(ring_init(mem, mem_len, data_size, cap) == 0);
	/* Free-running counters (ring.h): a ring that has carried almost 2^64 bytes is as valid. */
	start = b1 & START_HIGH ? UINT64_MAX - 2 * (uint64_t)data_size - 2 : 0;
	layout_put64(mem + OFF_HEAD, start);
	layout_put64(mem + OFF_TAIL, start);
	stream_init(&sm, data_size, cap, start);
	hostile = false;
	peer_install(mem, mem_len);
	for (int v = 0; v < VIEWS; v++) {
		memset(&pool[v], 0, sizeof pool[v]);
		view[v] = &pool[v];
		FUZZ_CHECK(ring_adaptive_attach(view[v], mem, mem_len) == 0);
	}
	spare = &pool[VIEWS];
	mode_init(&mm, mem);
	for (int ops = 0; c.left > 0 && ops < MAX_OPS; ops++)
		step(&c);
	peer_reset();
	check_all();
	check_slack();
	return 0;
}
