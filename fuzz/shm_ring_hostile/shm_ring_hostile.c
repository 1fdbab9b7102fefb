/*
 * Fuzz target: the shared-memory ring (impl/ring) against a hostile peer.
 *
 * The ring promises that a peer writing anything into the shared region,
 * at any moment, cannot make it read or write outside the region.  Two
 * peers test that here, both driven by the input:
 *   - between calls (ACT_POKE_*), any bytes of the header and of data[],
 *     header fields by name, record headers with near-valid values;
 *   - during calls (ACT_STRIKE, in_call_peer.h), through the ring's
 *     RING_PEER hook points (//impl/ring:ring_peer_hooked): a header field
 *     or record header rewritten between two reads of one call -- in
 *     attach (ACT_ATTACH re-attaches during the run), push, pop, capacity
 *     changes.  No threads, so every finding replays exactly.
 *
 * Memory (guarded_map.h): the region is a guarded mapping made once per
 * data size and layout and reinitialised per input.  Layout 0 ends the
 * region at the upper guard page (an overrun of data[] faults at once);
 * LAYOUT_LOW starts it at the lower one (an underrun faults) and fills
 * the rest of its page with a canary checked after each input.  The
 * caller's buffers sit against a guard page the same way, with a canary
 * on each side: a pop must not touch a byte outside the buffer it is
 * given.
 *
 * Oracles, none of which is the ring's own validator (ring_judge.h judges
 * the region from its bytes by the documented layout; the validators are
 * checked against it instead):
 *   - each result is one the API documents for that call, and within
 *     bounds: a count at most what was asked and at most the data area,
 *     an attached handle's geometry inside the region;
 *   - while the ring is sound (ring_judge.h) and no peer touched it during
 *     a call, the call's result is exactly what the documented rules give
 *     for the used bytes and room the header showed (a pop returns what
 *     was buffered, in order; a push at most the room), the counters move
 *     by exactly the result, and the ring is still sound afterwards;
 *   - attach succeeds exactly when the header is a sound ring, unless a
 *     peer struck during it; ring_recover() refuses exactly what is not a
 *     ring and leaves a sound, empty ring otherwise;
 *   - after every step ring_check() and ring_record_check() give the
 *     verdict the judge gives.
 *
 * Only non-blocking calls: try_* and the blocking calls with nonblock
 * set.  A lock word is the one thing a peer can use to stall us for good
 * (a word naming another live thread is indistinguishable from a holder;
 * ring.h: ring_recover() is the way out), and liveness is not what this
 * target tests, so after every step both lock words are cleared (nobody
 * holds a lock between calls).  The in-call peer never writes them.
 *
 * Input: see shm_ring_hostile.h; at most MAX_OPS steps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/engine/guarded_map.h"
#include "fuzz/shm_ring_hostile/hostile_calls.h"
#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_hostile/input_cursor.h"
#include "fuzz/shm_ring_hostile/ring_judge.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"
#include "fuzz/shm_ring_hostile/shm_ring_hostile.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_record.h"

#define PAGE 4096u
#define SIZES 7 /* data sizes 64 << 0..6 */
#define MAX_OPS 128
#define CANARY 0xa5

/* Regions, one per data size and layout, mapped the first time they are needed. */
static unsigned char *maps[SIZES][2];
static size_t map_lens[SIZES][2];

static struct hostile h;
static struct judgement judged[2];
/* The region as judged now (after the last step), and room for the next judgement. */
static struct judgement *now = &judged[0], *spare = &judged[1];

static size_t page_round(size_t n)
{
	return (n + PAGE - 1) / PAGE * PAGE;
}

/* The region for data size 64 << k: flush with the upper guard, or (low) the lower. */
static unsigned char *region(int k, bool low, size_t len)
{
	size_t map_len = low ? page_round(len) : len;

	if (maps[k][low] == NULL) {
		maps[k][low] = guarded_map(map_len);
		map_lens[k][low] = map_len;
		FUZZ_CHECK(maps[k][low] != NULL);
	}
	return maps[k][low];
}

/* ---- what a peer does between calls ---- */

/* Any bytes anywhere in the region. */
static void poke_bytes(struct cursor *c)
{
	size_t off = (size_t)take(c, 2) % h.mem_len;
	size_t n = 1 + take8(c) % 16;

	for (size_t i = 0; i < n && off + i < h.mem_len; i++)
		h.mem[off + i] = take8(c);
}

/* A header field by name: set, or (counters) moved by a small amount. */
static void poke_field(struct cursor *c)
{
	unsigned char *m = h.mem;
	uint8_t which = take8(c);
	int64_t delta = (int16_t)take(c, 2);

	switch (which % FIELD_COUNT) {
	case FIELD_HEAD_ADD: layout_put64(m + OFF_HEAD, layout_get64(m + OFF_HEAD) + (uint64_t)delta); break;
	case FIELD_TAIL_ADD: layout_put64(m + OFF_TAIL, layout_get64(m + OFF_TAIL) + (uint64_t)delta); break;
	case FIELD_HEAD_SET: layout_put64(m + OFF_HEAD, take(c, 8)); break;
	case FIELD_TAIL_SET: layout_put64(m + OFF_TAIL, take(c, 8)); break;
	case FIELD_CAPACITY_POW2: layout_put32(m + OFF_CAPACITY, (uint32_t)1 << (delta & 31)); break;
	case FIELD_CAPACITY_SET: layout_put32(m + OFF_CAPACITY, (uint32_t)take(c, 4)); break;
	case FIELD_DATA_SIZE_POW2: layout_put32(m + OFF_DATA_SIZE, (uint32_t)1 << (delta & 31)); break;
	case FIELD_MODE: memcpy(m + OFF_MODE, &(uint16_t){ (uint16_t)delta }, 2); break;
	case FIELD_FLAGS: layout_put32(m + OFF_FLAGS, (uint32_t)delta); break;
	default: layout_put32(m + OFF_MAGIC, (uint32_t)take(c, 4)); break;
	}
}

/* A record header at head, or at an aligned place near it, with near-valid fields. */
static void poke_record(struct cursor *c)
{
	unsigned char rh[LAYOUT_REC_HDR] = { 0 };
	uint8_t how = take8(c);
	uint64_t pos = layout_get64(h.mem + OFF_HEAD) + (uint64_t)(how & 0x0f) * LAYOUT_REC_ALIGN;
	uint32_t cap = layout_get32(h.mem + OFF_CAPACITY);
	uint16_t kind = how & 0x40 ? LAYOUT_KIND_GONE : LAYOUT_KIND_DATA;
	uint16_t tag = layout_record_tag(pos) ^ (how & 0x20 ? 1 : 0);
	size_t off;

	layout_put32(rh + REC_OFF_LENGTH, (uint32_t)take(c, 4));
	if (how & 0x10)
		kind = (uint16_t)take(c, 2);
	memcpy(rh + REC_OFF_KIND, &kind, 2);
	memcpy(rh + REC_OFF_TAG, &tag, 2);
	if (how & 0x80)
		memcpy(rh + REC_OFF_TYPE, &(uint16_t){ (uint16_t)take(c, 2) }, 2);
	/* Where a consumer would look for it; the header's capacity only if it could use it. */
	if (cap < LAYOUT_REC_ALIGN || (cap & (cap - 1)) != 0 || cap > h.region_data)
		cap = h.region_data;
	off = (size_t)(pos & (cap - 1)) & ~(size_t)(LAYOUT_REC_ALIGN - 1);
	/* A header may wrap, as the ring's own do (ring_record.h). */
	for (size_t i = 0; i < sizeof rh; i++)
		h.mem[LAYOUT_HDR_SIZE + (off + i) % cap] = rh[i];
}

/* ---- attach and recovery ---- */

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Another process attaching (or this one again), perhaps with the peer striking meanwhile. */
static void attach(uint8_t code)
{
	bool records = code & ATTACH_RECORDS;
	struct ring tmp;
	bool struck;
	int err;

	memset(&tmp, 0, sizeof tmp);
	peer_begin();
	err = records ? ring_record_attach(&tmp, h.mem, h.mem_len) : ring_attach(&tmp, h.mem, h.mem_len);
	struck = peer_end();
	FUZZ_CHECK(err == 0 || err == -EPROTO || err == -EUCLEAN ||
		   (records && err == -EPROTONOSUPPORT));
	if (err == 0) {
		/* Whatever the peer did: the trusted copy describes the region we gave, no more. */
		FUZZ_CHECK(tmp.hdr == (struct ring_hdr *)h.mem);
		FUZZ_CHECK(tmp.data == h.mem + LAYOUT_HDR_SIZE);
		FUZZ_CHECK(pow2(tmp.data_size));
		FUZZ_CHECK((uint64_t)LAYOUT_HDR_SIZE + tmp.data_size <= h.mem_len);
		FUZZ_CHECK(tmp.mode == LAYOUT_MODE_RECORDS ||
			   (!records && tmp.mode == LAYOUT_MODE_BYTES));
		FUZZ_CHECK(tmp.data_size >= (tmp.mode == LAYOUT_MODE_RECORDS ? LAYOUT_REC_MIN_CAPACITY : 1));
	}
	if (!struck) {
		/* Attach judges the header, not the records. */
		bool usable = now->verdict >= RECORDS_CORRUPT &&
			      (!records || now->mode == LAYOUT_MODE_RECORDS);

		FUZZ_CHECK((err == 0) == usable);
		if (err == 0)
			FUZZ_CHECK(tmp.data_size == now->data_size && tmp.mode == now->mode);
	}
	if (err == 0)
		h.r = tmp;
}

static int init(uint16_t mode, uint32_t cap)
{
	memset(h.mem, 0, h.mem_len);
	if (mode == LAYOUT_MODE_RECORDS)
		return ring_record_init(h.mem, h.mem_len, h.region_data, cap);
	return ring_init(h.mem, h.mem_len, h.region_data, cap);
}

/* Repairs what ring_recover() can; a region that is no ring any more is laid out anew. */
static void recover(void)
{
	struct judgement *after = spare;
	int err = ring_recover(h.mem, h.mem_len);

	FUZZ_CHECK(err == 0 || err == -EPROTO);
	FUZZ_CHECK((err == -EPROTO) == (now->verdict == NOT_A_RING));
	if (err == 0) {
		judge_ring(h.mem, h.mem_len, after);
		FUZZ_CHECK(after->verdict == SOUND && after->head == after->tail);
		return;
	}
	FUZZ_CHECK(init(h.r.mode, h.r.mode == LAYOUT_MODE_RECORDS ? LAYOUT_REC_MIN_CAPACITY : 1) == 0);
	FUZZ_CHECK(ring_attach(&h.r, h.mem, h.mem_len) == 0);
}

/* ---- the validators, judged ---- */

/*
 * ring_record_check() is ring_check(), then the mode, then the walk
 * (ring_record.h): on a byte ring it can only repeat ring_check()'s
 * verdict or say -EPROTO, so it is asked about record rings only.
 */
static void check_validators(const struct judgement *j)
{
	int err = ring_check(h.mem, h.mem_len);

	switch (j->verdict) {
	case NOT_A_RING:
		FUZZ_CHECK(err == -EPROTO);
		return;
	case HEADER_CORRUPT:
		FUZZ_CHECK(err == -EUCLEAN);
		break;
	default:
		FUZZ_CHECK(err == 0);
		break;
	}
	if (j->mode == LAYOUT_MODE_RECORDS)
		FUZZ_CHECK(ring_record_check(h.mem, h.mem_len) == (j->verdict == SOUND ? 0 : -EUCLEAN));
}

/*
 * Nobody holds a lock between calls (see the top comment), and nobody
 * sleeps: a waiters count a peer left would only cost a futex wake-up,
 * a system call, in every later call.
 */
static void free_locks(void)
{
	layout_put32(h.mem + OFF_C_LOCK, 0);
	layout_put32(h.mem + OFF_P_LOCK, 0);
	layout_put32(h.mem + OFF_ROOM_WAITERS, 0);
	layout_put32(h.mem + OFF_DATA_WAITERS, 0);
}

static void step(struct cursor *c)
{
	uint8_t code = take8(c);
	struct judgement *t;
	struct strike s;
	bool exact;

	switch (take8(c) % ACT_COUNT) {
	case ACT_POKE_BYTES: poke_bytes(c); break;
	case ACT_POKE_FIELD: poke_field(c); break;
	case ACT_POKE_RECORD: poke_record(c); break;
	case ACT_RECOVER: recover(); break;
	case ACT_ATTACH: attach(code); break;
	case ACT_STRIKE:
		peer_decode(c, &s);
		peer_arm(&s);
		return; /* nothing changed */
	default:
		/*
		 * The call judges the region it leaves: that is the state now
		 * (lock words aside).  A call that kept a sound ring sound, with
		 * no peer at work, leaves the validators nothing new to judge:
		 * their time is better spent on the next input.
		 */
		exact = hostile_call(&h, code, c, now, spare);
		t = now;
		now = spare;
		spare = t;
		free_locks();
		if (!exact)
			check_validators(now);
		return;
	}
	free_locks();
	judge_ring(h.mem, h.mem_len, now);
	check_validators(now);
}

static unsigned char canary[PAGE];

/* In pieces, not bytes: a byte loop costs a fuzzer's comparison hook per byte. */
static void check_slack(void)
{
	for (unsigned char *p = h.mem + h.mem_len; p < h.slack_end; p += PAGE) {
		size_t k = (size_t)(h.slack_end - p) < PAGE ? (size_t)(h.slack_end - p) : PAGE;

		FUZZ_CHECK(memcmp(p, canary, k) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	uint8_t b0, b1;
	uint16_t mode;
	uint32_t cap;
	int k, log2;
	bool low;

	if (size < 2)
		return 0;
	b0 = take8(&c);
	b1 = take8(&c);
	k = b0 % SIZES;
	low = b0 & LAYOUT_LOW;
	h.region_data = 64u << k;
	log2 = 6 + k;
	h.mem_len = LAYOUT_HDR_SIZE + h.region_data;
	h.mem = region(k, low, h.mem_len);
	h.slack_end = h.mem + map_lens[k][low];
	memset(canary, CANARY, sizeof canary);
	memset(h.mem + h.mem_len, CANARY, (size_t)(h.slack_end - (h.mem + h.mem_len)));
	hostile_buffers(&h, low);
	mode = b1 & 0x80 ? LAYOUT_MODE_RECORDS : LAYOUT_MODE_BYTES;
	cap = 1u << ((b1 & 0x7f) % (log2 + 1));
	if (mode == LAYOUT_MODE_RECORDS && cap < LAYOUT_REC_MIN_CAPACITY)
		cap = LAYOUT_REC_MIN_CAPACITY;
	FUZZ_CHECK(init(mode, cap) == 0);
	peer_install(h.mem, h.mem_len);
	FUZZ_CHECK(ring_attach(&h.r, h.mem, h.mem_len) == 0);
	judge_ring(h.mem, h.mem_len, now);
	FUZZ_CHECK(now->verdict == SOUND);
	for (int ops = 0; c.left > 0 && ops < MAX_OPS; ops++)
		step(&c);
	check_slack();
	return 0;
}
