/*
 * Fuzz target: the lock-free SPSC ring (impl/ring/ring_spsc.h), the one
 * the benchmark's verdicts are computed on, against a model.
 *
 * One producer handle and one consumer handle on one region, in this one
 * process and thread: the input interleaves their try_push / try_pop /
 * push / pop (the blocking calls with nonblock set, so nothing can wait)
 * of input-chosen sizes, re-attaches either side, and calls a side's
 * function on the other side's handle.
 *
 * The model is the byte stream: head and tail as ring.h counts them, the
 * capacity, and the bytes (stream byte i is pattern[(i - start) %
 * PERIOD], PERIOD prime so that data misplaced by a whole lap never looks
 * right).  Each result must be exactly what the documented rules give for
 * the room (capacity - used) and the used bytes the model computes --
 * whatever each side's cached view of the other's counter -- the bytes
 * popped must be the next ones of the stream, none lost, none repeated,
 * and the header's counters (read at their documented offsets,
 * ring_layout.h) must equal the model's after every op.
 *
 * Some inputs also arm the in-call peer (OP_STRIKE, in_call_peer.h), which
 * rewrites header fields or data in the middle of a call through the
 * ring's RING_PEER hook points (//impl/ring:ring_peer_hooked).  Once it
 * has changed anything the model no longer applies, and for the rest of
 * the input only what the ring promises a hostile peer holds: every
 * result is -EUCLEAN, -EAGAIN or a count within what was asked and what
 * the handle's capacity allows, an attached handle's geometry lies inside
 * the region, and no access falls outside the region or the caller's
 * buffer.
 *
 * Memory (guarded_map.h): the region is a guarded mapping made once per
 * data size and layout, reinitialised per input, and flush with the upper
 * guard page or (LAYOUT_LOW) the lower one, the rest of its pages a
 * canary checked after each input.  Pops write into a guarded buffer with
 * a fence on each side.  No threads, no sleeps: every input replays alike.
 *
 * Input: see shm_ring_spsc.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/engine/guarded_map.h"
#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_hostile/input_cursor.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"
#include "fuzz/shm_ring_spsc/shm_ring_spsc.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_spsc.h"

#define PAGE 4096u
#define SIZES 7 /* data sizes 64 << 0..6 */
#define MAX_OPS 128
#define PERIOD 8191u
#define CANARY 0xa5
#define FENCE 64
#define FENCE_BYTE 0x5c
#define IO_LEN (2 * PAGE)

_Static_assert(2 * FENCE + SIZE_ARG_MAX <= IO_LEN, "a buffer and its fences fit");

/* Regions, one per data size and layout, mapped the first time they are needed. */
static unsigned char *maps[SIZES][2];
static size_t map_lens[SIZES][2];
static unsigned char *mem, *slack_end;
static size_t mem_len;
static bool low;

static unsigned char *io; /* pops' buffers, between fences */
static unsigned char pattern[PERIOD + SIZE_ARG_MAX];
static unsigned char canary[PAGE], fence[FENCE];

static struct ring_spsc producer, consumer;

/* The model; valid until the in-call peer changes something (hostile). */
static struct {
	uint32_t cap;
	uint64_t start, head, tail;
	bool hostile;
} m;

static void setup_once(void)
{
	if (io != NULL)
		return;
	io = guarded_map(IO_LEN);
	FUZZ_CHECK(io != NULL);
	for (uint32_t i = 0; i < sizeof pattern; i++) {
		uint32_t x = (i % PERIOD) * 2654435761u;

		pattern[i] = (unsigned char)(x >> 24 ^ x >> 11);
	}
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
	unsigned char *dst = low ? io + FENCE : io + IO_LEN - FENCE - n;

	memcpy(dst - FENCE, fence, FENCE);
	memcpy(dst + n, fence, FENCE);
	return dst;
}

/* Not a byte around the buffer changed. */
static void check_fences(const unsigned char *dst, size_t n)
{
	FUZZ_CHECK(memcmp(dst - FENCE, fence, FENCE) == 0);
	FUZZ_CHECK(memcmp(dst + n, fence, FENCE) == 0);
}

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* What any handle that attached must say, whatever a peer did: its geometry is inside the region. */
static void check_handle(const struct ring_spsc *s, enum ring_spsc_side side)
{
	FUZZ_CHECK(s->side == side);
	FUZZ_CHECK(s->r.hdr == (struct ring_hdr *)mem && s->r.data == mem + LAYOUT_HDR_SIZE);
	FUZZ_CHECK(pow2(s->r.data_size) && LAYOUT_HDR_SIZE + (uint64_t)s->r.data_size <= mem_len);
	FUZZ_CHECK(s->r.mode == LAYOUT_MODE_BYTES);
	FUZZ_CHECK(pow2(s->cap) && s->cap <= s->r.data_size);
}

/* ---- the ops ---- */

/* Which stream bytes the producer sends: the pattern, from the position it writes at. */
static const unsigned char *stream_at(uint64_t pos)
{
	return pattern + (pos - m.start) % PERIOD;
}

static uint64_t room(void)
{
	return m.cap - (m.tail - m.head);
}

/* The rules of ring_try_push(), which ring_spsc_try_push() follows (ring_spsc.h). */
static long expect_push(size_t n, bool whole)
{
	if (n == 0)
		return 0;
	if (room() == 0 || (whole && room() < n))
		return -EAGAIN;
	return (long)(n < room() ? n : room());
}

static long expect_pop(size_t n)
{
	uint64_t used = m.tail - m.head;

	if (n == 0)
		return 0;
	if (used == 0)
		return -EAGAIN;
	return (long)(n < used ? n : used);
}

/*
 * Under a hostile peer: an error the ring documents, or a count within
 * bounds -- at most what was asked, and for one attempt at most the
 * capacity.  A blocking push keeps going while room appears (a peer that
 * moves head looks like a consumer at work), so only n bounds it.
 */
static void check_bounded(long ret, size_t n, uint64_t limit)
{
	FUZZ_CHECK(ret == -EAGAIN || ret == -EUCLEAN || (ret == 0 && n == 0) ||
		   (ret > 0 && (size_t)ret <= n && (uint64_t)ret <= limit));
}

static void push(size_t n, bool flag, bool blocking)
{
	struct ring_block b = { .nonblock = 1, .atomic_max = flag ? SPSC_ATOMIC_MAX : 0 };
	/* ring_spsc_push(): 1..atomic_max bytes, and at most the capacity, go in whole (ring.h). */
	bool whole = blocking ? n <= b.atomic_max && n <= producer.cap : flag;
	const unsigned char *src = stream_at(m.tail);
	long want = expect_push(n, whole);
	long ret;

	peer_begin();
	ret = blocking ? ring_spsc_push(&producer, src, n, &b) : ring_spsc_try_push(&producer, src, n, flag);
	m.hostile |= peer_end();
	FUZZ_CHECK(b.peer_gone == 0);
	if (m.hostile) {
		check_bounded(ret, n, blocking ? n : producer.cap);
		return;
	}
	FUZZ_CHECK(ret == want);
	if (ret > 0)
		m.tail += (uint64_t)ret;
}

static void pop(size_t n, bool blocking)
{
	struct ring_block b = { .nonblock = 1 };
	unsigned char *dst = dst_for(n);
	long want = expect_pop(n);
	long ret;

	peer_begin();
	ret = blocking ? ring_spsc_pop(&consumer, dst, n, &b) : ring_spsc_try_pop(&consumer, dst, n);
	m.hostile |= peer_end();
	check_fences(dst, n);
	FUZZ_CHECK(b.peer_gone == 0);
	if (m.hostile) {
		check_bounded(ret, n, consumer.cap);
		return;
	}
	FUZZ_CHECK(ret == want);
	if (ret <= 0)
		return;
	/* The next bytes of the stream: none lost, none repeated, none invented. */
	FUZZ_CHECK(memcmp(dst, stream_at(m.head), (size_t)ret) == 0);
	m.head += (uint64_t)ret;
}

/* A side attaches again: its view restarts from the header; a failure keeps the old handle. */
static void reattach(bool consumer_side)
{
	enum ring_spsc_side side = consumer_side ? RING_SPSC_CONSUMER : RING_SPSC_PRODUCER;
	struct ring_spsc s;
	int err;

	memset(&s, 0, sizeof s);
	peer_begin();
	err = ring_spsc_attach(&s, mem, mem_len, side);
	m.hostile |= peer_end();
	FUZZ_CHECK(err == 0 || err == -EPROTO || err == -EUCLEAN);
	if (err == 0)
		check_handle(&s, side);
	if (!m.hostile) {
		FUZZ_CHECK(err == 0);
		FUZZ_CHECK(s.cap == m.cap);
		/* ring_spsc.h: pos is ours (tail or head), peer_pos the other side's. */
		FUZZ_CHECK(s.pos == (consumer_side ? m.head : m.tail));
		FUZZ_CHECK(s.peer_pos == (consumer_side ? m.tail : m.head));
	}
	if (err == 0)
		*(consumer_side ? &consumer : &producer) = s;
}

/* A side's call on the other side's handle is refused, and moves nothing. */
static void wrong_side(size_t n, bool pop_on_producer)
{
	unsigned char *dst = dst_for(n);
	long ret;

	peer_begin();
	ret = pop_on_producer ? ring_spsc_try_pop(&producer, dst, n)
			      : ring_spsc_try_push(&consumer, stream_at(m.tail), n, 0);
	m.hostile |= peer_end();
	check_fences(dst, n);
	/* ring_spsc.h names -EINVAL for the wrong handle; an empty call may say 0 first. */
	FUZZ_CHECK(ret == -EINVAL || (ret == 0 && n == 0));
}

/* The header's counters and capacity, read at their documented offsets, are the model's. */
static void check_header(void)
{
	FUZZ_CHECK(layout_get64(mem + OFF_HEAD) == m.head);
	FUZZ_CHECK(layout_get64(mem + OFF_TAIL) == m.tail);
	FUZZ_CHECK(layout_get32(mem + OFF_CAPACITY) == m.cap);
}

static void step(struct cursor *c)
{
	uint8_t code = take8(c);
	bool flag = code & OP_FLAG;
	struct strike s;

	if ((code & ~OP_FLAG) % OP_COUNT == OP_STRIKE) {
		peer_decode(c, &s);
		peer_arm(&s);
		return;
	}
	switch ((code & ~OP_FLAG) % OP_COUNT) {
	case OP_TRY_PUSH: push(size_arg(take8(c)), flag, false); break;
	case OP_TRY_POP: pop(size_arg(take8(c)), false); break;
	case OP_PUSH: push(size_arg(take8(c)), flag, true); break;
	case OP_POP: pop(size_arg(take8(c)), true); break;
	case OP_REATTACH:
		take8(c);
		reattach(flag);
		break;
	default: wrong_side(size_arg(take8(c)), flag); break;
	}
	if (!m.hostile)
		check_header();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	uint8_t b0, b1;
	uint32_t data_size;
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
	m.cap = 1u << ((b1 & 0x3f) % (6 + k + 1));
	FUZZ_CHECK(ring_init(mem, mem_len, data_size, m.cap) == 0);
	/* Free-running counters (ring.h): a ring that has carried almost 2^64 bytes is as valid. */
	m.start = b1 & START_HIGH ? UINT64_MAX - 2 * (uint64_t)data_size - 2 : 0;
	layout_put64(mem + OFF_HEAD, m.start);
	layout_put64(mem + OFF_TAIL, m.start);
	m.head = m.tail = m.start;
	m.hostile = false;
	peer_install(mem, mem_len);
	FUZZ_CHECK(ring_spsc_attach(&producer, mem, mem_len, RING_SPSC_PRODUCER) == 0);
	FUZZ_CHECK(ring_spsc_attach(&consumer, mem, mem_len, RING_SPSC_CONSUMER) == 0);
	for (int ops = 0; c.left > 0 && ops < MAX_OPS; ops++)
		step(&c);
	peer_reset();
	check_slack();
	return 0;
}
