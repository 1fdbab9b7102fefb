/*
 * Fuzz target: the shared-memory ring (impl/ring) driven through its API,
 * every result checked against a model.
 *
 * Memory (guarded_map.h): the region is a guarded mapping, made once per
 * data size and layout and reinitialised per input.  Byte 0's bit 7
 * picks the layout: the region ends at the upper guard page (a copy one
 * byte past data[] faults, sanitizers or not), or starts at the lower one
 * (an underrun faults) with the rest of its page a canary checked after
 * each input.  No call can sleep: the blocking calls run with nonblock
 * set, so where the model says one completes at once, a wrong prediction
 * is a wrong result and a failed check, never a wait.  Deterministic, no
 * fork, no sleep.
 *
 * Input: byte 0 picks data_size (64 << (b % 7)) and the layout (bit 7),
 * byte 1 the mode (bit 7: records) and capacity (1 << (b & 0x7f) % (log2
 * data_size + 1)); then ops of two bytes, an opcode and an argument (a
 * size, a capacity), at most MAX_OPS of them; the typed-record ops take
 * one or two more bytes (shm_ring_ops.h).  Opcode bit 7 is a flag:
 * all_or_nothing for a byte push, atomic_max = 4096 for a blocking byte
 * push, "the other side is gone" for a blocking pop of the oldest record
 * or of bytes, RING_REC_TRUNC for a selecting pop, a blocking call for a
 * typed push.
 *
 * The model: head and tail, as the ring counts them (both modes count
 * bytes, record headers included), the capacity, and in record mode the
 * records from head to tail in stream order: length, type, and whether it
 * was taken out of order (a hole that still occupies its bytes until head
 * passes it, or a push compacts the ring).  The model is written from the
 * rules in ring.h and ring_record.h, not from the implementation: none of
 * impl/ring's sizes or helpers (the region's size, a record's size and
 * alignment and the smallest record capacity are restated from the
 * documentation, ring_layout.h), its own selection (find the wanted type
 * first, then the oldest record of it), its own compaction.  Where the
 * documentation allows two results (an empty push or pop on a ring of the
 * other mode: "0 for n == 0", and "-EPROTO on a record-mode ring"), either
 * is accepted.  Payload bytes are not stored: byte i of the byte stream
 * is pattern[i % PERIOD], and record s carries pattern from an offset
 * derived from s, so a check is one memcmp.  PERIOD is prime, so data
 * misplaced by a whole lap (a power of two) never looks right.
 *
 * Checked after every op: the op's result, the bytes or record it
 * returned, the end of file a pop told the other side is gone reports,
 * and the header's counters and capacity (read at their documented
 * offsets) against the model; after every op that changed the model's
 * state also ring_used() and ring_capacity() against the model; and
 * ring_check() == 0, in record mode with the full record walk of
 * ring_record_check(), where check_state() says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/engine/guarded_map.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"
#include "fuzz/shm_ring_ops/shm_ring_ops.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_record.h"

#define DATA_MAX 4096u
#define SIZES 7 /* data sizes 64 << 0..6 */
#define PAGE 4096u
#define CANARY 0xa5
#define MAX_OPS 128 /* bounds the cost of one run: runs per second find bugs */
#define PERIOD 8191u
/* The documented sizes (ring.h, ring_record.h), restated in ring_layout.h. */
#define MODEL_HDR LAYOUT_HDR_SIZE
#define MODEL_REC_HDR LAYOUT_REC_HDR
#define MODEL_REC_ALIGN LAYOUT_REC_ALIGN
#define MODEL_FORMAT_MIN_CAP LAYOUT_REC_MIN_CAPACITY
#define QMAX (DATA_MAX / MODEL_REC_HDR) /* records of one header at least */

static unsigned char pattern[PERIOD + SIZE_ARG_MAX];
/*
 * Pops write at the end of a guarded mapping, so a copy longer than asked
 * faults; a fence before the buffer sees one that starts too early.
 */
#define OUT_LEN (2 * PAGE)
#define FENCE 64
static unsigned char *out;
static unsigned char fence[FENCE];

_Static_assert(FENCE + SIZE_ARG_MAX <= OUT_LEN, "the largest buffer and its fence fit");

struct model {
	uint16_t mode;
	uint32_t data_size, cap;
	uint64_t head, tail;
	/* Record mode: from head, in stream order; q[0] is never a hole. */
	struct mrec {
		uint32_t len, serial;
		uint16_t type;
		bool gone;
	} q[QMAX];
	uint32_t qn, next_serial;
	bool changed; /* since the last check_state() that asked the ring */
	bool moved;   /* records moved as a block since the last record walk */
};

static struct model m;
static struct ring r;
static unsigned char *mem;
static size_t mem_len;
static unsigned char *slack_end; /* the layout with the region at the lower guard: canary up to here */

/* Regions, one per data size and layout, mapped the first time they are needed. */
static unsigned char *maps[SIZES][2];
static size_t map_lens[SIZES][2];
static unsigned char canary[PAGE];

/* A pop's buffer of n bytes, its fence set. */
static unsigned char *dst_for(size_t n)
{
	unsigned char *dst = out + OUT_LEN - n;

	memcpy(dst - FENCE, fence, FENCE);
	return dst;
}

/* Not a byte before the buffer changed (one after it is the guard page). */
static void check_fence(const unsigned char *dst)
{
	FUZZ_CHECK(memcmp(dst - FENCE, fence, FENCE) == 0);
}

/* What every input shares: the pattern, the pops' buffer. */
static void setup_once(void)
{
	static bool made;

	if (made)
		return;
	made = true;
	out = guarded_map(OUT_LEN);
	FUZZ_CHECK(out != NULL);
	memset(fence, 0x5c, FENCE);
	for (uint32_t i = 0; i < sizeof pattern; i++) {
		uint32_t x = (i % PERIOD) * 2654435761u;

		pattern[i] = (unsigned char)(x >> 24 ^ x >> 11);
	}
}

static const unsigned char *record_bytes(uint32_t serial)
{
	return pattern + (serial * 40503u) % PERIOD;
}

static uint64_t used(void)
{
	return m.tail - m.head;
}

static uint64_t model_rec_size(uint64_t len)
{
	return MODEL_REC_HDR + (len + MODEL_REC_ALIGN - 1) / MODEL_REC_ALIGN * MODEL_REC_ALIGN;
}

static uint64_t hole_bytes(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < m.qn; i++)
		if (m.q[i].gone)
			sum += model_rec_size(m.q[i].len);
	return sum;
}

static int model_init(uint16_t mode, uint32_t cap)
{
	int err = mode == RING_MODE_RECORDS ? ring_record_init(mem, mem_len, m.data_size, cap)
					    : ring_init(mem, mem_len, m.data_size, cap);
	bool valid = cap <= m.data_size && (mode == RING_MODE_BYTES || cap >= MODEL_FORMAT_MIN_CAP);

	FUZZ_CHECK(err == (valid ? 0 : -EINVAL));
	if (err < 0)
		return err;
	FUZZ_CHECK(ring_attach(&r, mem, mem_len) == 0);
	m.mode = mode;
	m.cap = cap;
	m.head = m.tail = 0;
	m.qn = 0;
	m.changed = true;
	return 0;
}

/* ---- byte mode ---- */

static ssize_t expect_byte_push(size_t n, bool all_or_nothing)
{
	uint64_t room = m.cap - used();

	if (m.mode != RING_MODE_BYTES)
		return -EPROTO;
	if (n == 0)
		return 0;
	if (room == 0 || (all_or_nothing && room < n))
		return -EAGAIN;
	return (ssize_t)(n < room ? n : room);
}

static ssize_t expect_byte_pop(size_t n)
{
	if (m.mode != RING_MODE_BYTES)
		return -EPROTO;
	if (n == 0)
		return 0;
	if (used() == 0)
		return -EAGAIN;
	return (ssize_t)(n < used() ? n : used());
}

/*
 * The model's answer, or for an empty call on a ring of the other mode
 * the other documented one: "0 for n == 0" and "-EPROTO on a record-mode
 * ring" both apply, and ring.h does not say which comes first.
 */
static bool as_modelled(ssize_t got, ssize_t want, size_t n)
{
	return got == want || (n == 0 && want == -EPROTO && got == 0);
}

static void after_byte_push(ssize_t got, ssize_t want, size_t n)
{
	FUZZ_CHECK(as_modelled(got, want, n));
	if (got > 0) {
		m.tail += (uint64_t)got;
		m.changed = true;
	}
}

static void after_byte_pop(const unsigned char *dst, ssize_t got, ssize_t want, size_t n)
{
	check_fence(dst);
	FUZZ_CHECK(as_modelled(got, want, n));
	if (got <= 0)
		return;
	FUZZ_CHECK(memcmp(dst, pattern + m.head % PERIOD, (size_t)got) == 0);
	m.head += (uint64_t)got;
	m.changed = true;
}

static void op_byte_try_push(size_t n, bool flag)
{
	ssize_t want = expect_byte_push(n, flag);

	after_byte_push(ring_try_push(&r, pattern + m.tail % PERIOD, n, flag), want, n);
}

static void op_byte_try_pop(size_t n)
{
	unsigned char *dst = dst_for(n);
	ssize_t want = expect_byte_pop(n);

	after_byte_pop(dst, ring_try_pop(&r, dst, n), want, n);
}

/* ring_push(): atomic when n <= atomic_max and n <= capacity (ring.h). */
static void op_byte_push(size_t n, bool flag)
{
	/* Never a sleep: see the top comment. */
	struct ring_block b = { .nonblock = 1, .atomic_max = flag ? 4096 : 0 };
	bool atomic = n <= b.atomic_max && n <= m.cap;
	ssize_t want = expect_byte_push(n, atomic);

	after_byte_push(ring_push(&r, pattern + m.tail % PERIOD, n, &b), want, n);
	FUZZ_CHECK(b.peer_gone == 0);
}

/* The other side, as a pop told it is gone asks about it. */
static int gone(void *ctx)
{
	(void)ctx;
	return 0;
}

/* With the producer gone, an empty ring is end of file: 0, and peer_gone says why. */
static void op_byte_pop(size_t n, bool producer_gone)
{
	unsigned char *dst = dst_for(n);
	struct ring_block b = { .nonblock = 1, .peer = producer_gone ? gone : NULL };
	ssize_t want = expect_byte_pop(n);
	bool eof = producer_gone && want == -EAGAIN;
	ssize_t got = ring_pop(&r, dst, n, &b);

	FUZZ_CHECK(b.peer_gone == eof);
	after_byte_pop(dst, got, eof ? 0 : want, n);
}

/* ---- record mode ---- */

/* What a push of n bytes must give; *compacts: only after the holes go. */
static ssize_t expect_record_push(size_t n, bool *compacts)
{
	uint64_t need = model_rec_size(n), holes = hole_bytes();

	*compacts = false;
	if (m.mode != RING_MODE_RECORDS)
		return -EPROTO;
	if (n > m.cap - MODEL_REC_HDR)
		return -EMSGSIZE;
	if (need <= m.cap - used())
		return (ssize_t)n;
	if (holes > 0 && need <= m.cap - used() + holes) {
		*compacts = true;
		return (ssize_t)n;
	}
	return -EAGAIN;
}

static void after_record_push(ssize_t got, ssize_t want, bool compacts, uint16_t type)
{
	FUZZ_CHECK(got == want);
	if (got < 0)
		return;
	if (compacts) {
		/* The live records, in order, end at tail: head moves up by the holes. */
		uint32_t k = 0;

		m.moved = true;
		m.head += hole_bytes();
		for (uint32_t i = 0; i < m.qn; i++)
			if (!m.q[i].gone)
				m.q[k++] = m.q[i];
		m.qn = k;
	}
	FUZZ_CHECK(m.qn < QMAX);
	m.q[m.qn].len = (uint32_t)got;
	m.q[m.qn].serial = m.next_serial++;
	m.q[m.qn].type = type;
	m.q[m.qn].gone = false;
	m.qn++;
	m.tail += model_rec_size((uint64_t)got);
	m.changed = true;
}

/* A selector from its input byte: one value in six is none (-EINVAL). */
static struct ring_rec_sel sel_of(uint8_t b, uint16_t type, bool trunc)
{
	static const enum ring_rec_match matches[] = { RING_REC_ANY, RING_REC_EQ, RING_REC_LE,
						       RING_REC_NE, RING_REC_HIGHEST };
	struct ring_rec_sel sel = { .type = type, .flags = trunc ? RING_REC_TRUNC : 0 };

	sel.match = b % 6 < 5 ? matches[b % 6] : (enum ring_rec_match)77;
	return sel;
}

static bool sel_valid(const struct ring_rec_sel *sel)
{
	return sel->match == RING_REC_ANY || sel->match == RING_REC_EQ ||
	       sel->match == RING_REC_LE || sel->match == RING_REC_NE ||
	       sel->match == RING_REC_HIGHEST;
}

/*
 * The index of the record sel picks, or -1.  First the type wanted (for
 * LE the lowest at most sel->type, for HIGHEST the highest), then the
 * oldest live record that has it.
 */
static int model_select(const struct ring_rec_sel *sel)
{
	bool have = false;
	uint32_t want = 0;

	if (sel->match == RING_REC_LE || sel->match == RING_REC_HIGHEST) {
		for (uint32_t i = 0; i < m.qn; i++) {
			uint16_t t = m.q[i].type;

			if (m.q[i].gone || (sel->match == RING_REC_LE && t > sel->type))
				continue;
			if (!have || (sel->match == RING_REC_LE ? t < want : t > want))
				want = t;
			have = true;
		}
		if (!have)
			return -1;
	}
	for (uint32_t i = 0; i < m.qn; i++) {
		uint16_t t = m.q[i].type;
		bool ok;

		if (m.q[i].gone)
			continue;
		switch (sel->match) {
		case RING_REC_EQ: ok = t == sel->type; break;
		case RING_REC_NE: ok = t != sel->type; break;
		case RING_REC_LE:
		case RING_REC_HIGHEST: ok = t == want; break;
		default: ok = true; break;
		}
		if (ok)
			return (int)i;
	}
	return -1;
}

/* The result a pop (or peek) into n bytes must give, and which record (*idx). */
static ssize_t expect_record_pop(size_t n, const struct ring_rec_sel *sel, bool peek, int *idx)
{
	*idx = -1;
	if (m.mode != RING_MODE_RECORDS)
		return -EPROTO;
	if (!sel_valid(sel))
		return -EINVAL;
	*idx = model_select(sel);
	if (*idx < 0)
		return -EAGAIN;
	if (!peek && m.q[*idx].len > n && !(sel->flags & RING_REC_TRUNC))
		return -E2BIG;
	return (ssize_t)m.q[*idx].len;
}

/* Takes record idx out: the oldest moves head over itself and the holes after it. */
static void model_remove(int idx)
{
	m.changed = true;
	if (idx > 0) {
		m.q[idx].gone = true;
		return;
	}
	do {
		m.head += model_rec_size(m.q[0].len);
		memmove(&m.q[0], &m.q[1], (m.qn - 1) * sizeof m.q[0]);
		m.qn--;
	} while (m.qn > 0 && m.q[0].gone);
}

static void after_record_pop(const unsigned char *dst, size_t n, ssize_t got, ssize_t want,
			     int idx, uint16_t type)
{
	size_t copied;

	check_fence(dst);
	FUZZ_CHECK(got == want);
	if (got < 0)
		return;
	copied = (size_t)got < n ? (size_t)got : n;
	FUZZ_CHECK(memcmp(dst, record_bytes(m.q[idx].serial), copied) == 0);
	FUZZ_CHECK(type == m.q[idx].type);
	model_remove(idx);
}

static const struct ring_rec_sel oldest = { .match = RING_REC_ANY };

/* The format-1 calls report a short buffer as -EMSGSIZE. */
static ssize_t old_error(ssize_t e)
{
	return e == -E2BIG ? -EMSGSIZE : e;
}

static void op_record_try_push(size_t n)
{
	bool compacts;
	ssize_t want = expect_record_push(n, &compacts);

	after_record_push(ring_record_try_push(&r, record_bytes(m.next_serial), n), want, compacts,
			  0);
}

static void op_record_try_pop(size_t n)
{
	unsigned char *dst = dst_for(n);
	int idx;
	ssize_t want = old_error(expect_record_pop(n, &oldest, false, &idx));

	after_record_pop(dst, n, ring_record_try_pop(&r, dst, n), want, idx,
			 idx >= 0 ? m.q[idx].type : 0);
}

static void op_record_push(size_t n)
{
	struct ring_block b = { .nonblock = 1 };
	bool compacts;
	ssize_t want = expect_record_push(n, &compacts);

	after_record_push(ring_record_push(&r, record_bytes(m.next_serial), n, &b), want, compacts,
			  0);
}

/* With the producers gone, no record is end of file: 0, and peer_gone says why. */
static void op_record_pop(size_t n, bool producers_gone)
{
	unsigned char *dst = dst_for(n);
	struct ring_block b = { .nonblock = 1, .peer = producers_gone ? gone : NULL };
	int idx;
	ssize_t want = old_error(expect_record_pop(n, &oldest, false, &idx));
	bool eof = producers_gone && want == -EAGAIN;
	ssize_t got = ring_record_pop(&r, dst, n, &b);

	FUZZ_CHECK(b.peer_gone == eof);
	if (eof) {
		check_fence(dst);
		FUZZ_CHECK(got == 0);
		return;
	}
	after_record_pop(dst, n, got, want, idx, idx >= 0 ? m.q[idx].type : 0);
}

static void op_record_peek(void)
{
	int idx;

	FUZZ_CHECK(ring_record_peek(&r) == expect_record_pop(0, &oldest, true, &idx));
}

static void op_record_push_type(size_t n, uint16_t type, bool blocking)
{
	struct ring_block b = { .nonblock = 1 };
	bool compacts;
	ssize_t want = expect_record_push(n, &compacts);
	const unsigned char *src = record_bytes(m.next_serial);
	ssize_t got;

	got = blocking ? ring_record_push_type(&r, src, n, type, &b)
		       : ring_record_try_push_type(&r, src, n, type);
	after_record_push(got, want, compacts, type);
}

static void op_record_pop_sel(size_t n, uint8_t sel_byte, uint16_t type, bool trunc,
			      bool blocking)
{
	unsigned char *dst = dst_for(n);
	struct ring_rec_sel sel = sel_of(sel_byte, type, trunc);
	struct ring_block b = { .nonblock = 1 };
	uint16_t got_type = 0xbeef;
	int idx;
	ssize_t want = expect_record_pop(n, &sel, false, &idx);
	ssize_t got;

	got = blocking ? ring_record_pop_sel(&r, dst, n, &sel, &got_type, &b)
		       : ring_record_try_pop_sel(&r, dst, n, &sel, &got_type);
	after_record_pop(dst, n, got, want, idx, got >= 0 ? got_type : 0);
}

static void op_record_peek_sel(uint8_t sel_byte, uint16_t type)
{
	struct ring_rec_sel sel = sel_of(sel_byte, type, false);
	uint16_t got_type = 0xbeef;
	int idx;
	ssize_t want = expect_record_pop(0, &sel, true, &idx);

	FUZZ_CHECK(ring_record_peek_sel(&r, &sel, &got_type) == want);
	if (want >= 0)
		FUZZ_CHECK(got_type == m.q[idx].type);
}

/* ---- capacity ---- */

static int expect_capacity(uint32_t cap, bool discard)
{
	if (cap > m.data_size || (m.mode == RING_MODE_RECORDS && cap < MODEL_FORMAT_MIN_CAP))
		return -EINVAL;
	if (!discard && used() > cap)
		return -EBUSY;
	return 0;
}

static void op_set_capacity(uint32_t cap, bool discard)
{
	int want = expect_capacity(cap, discard);
	int got = discard ? ring_reset(&r, cap) : ring_set_capacity(&r, cap);

	FUZZ_CHECK(got == want);
	if (got < 0)
		return;
	m.cap = cap;
	m.changed = true;
	m.moved = true;
	if (discard) {
		m.head = m.tail;
		m.qn = 0;
	}
}

/* ---- the run ---- */

/*
 * After every op the header as ring.h lays it out, read without the
 * ring's help, must hold the model's counters and capacity; after every
 * op that changed the model's state, ring_used() and ring_capacity() must
 * agree with it.  The validators -- ring_check(), and in record mode
 * ring_record_check(), which is ring_check() and a walk of every record
 * (ring_record.h) -- are asked after the changes that move buffered bytes
 * as a block (a capacity change, a compaction) and at the end of the
 * input: after the others the model's own checks see more (every pop
 * walks the records it selects from, and its result is checked), and
 * asked after every op they cost a fifth of the run time.
 * (shm_ring_hostile checks the validators against an independent oracle
 * on sound and corrupted rings alike.)
 */
static void check_state(bool final)
{
	FUZZ_CHECK(layout_get64(mem + OFF_HEAD) == m.head);
	FUZZ_CHECK(layout_get64(mem + OFF_TAIL) == m.tail);
	FUZZ_CHECK(layout_get32(mem + OFF_CAPACITY) == m.cap);
	if (!m.changed && !final)
		return;
	m.changed = false;
	FUZZ_CHECK(ring_used(&r) == (long)used());
	FUZZ_CHECK(ring_capacity(&r) == (long)m.cap);
	/* The header's hint is exact while nobody dies (ring_record.h). */
	if (m.mode == RING_MODE_RECORDS)
		FUZZ_CHECK(layout_get32(mem + OFF_GONE) == hole_bytes());
	if (!m.moved && !final)
		return;
	m.moved = false;
	if (m.mode == RING_MODE_RECORDS)
		FUZZ_CHECK(ring_record_check(mem, mem_len) == 0);
	else
		FUZZ_CHECK(ring_check(mem, mem_len) == 0);
}

/* One op from the input; returns the bytes it used. */
static size_t step(const uint8_t *p, size_t left)
{
	uint8_t code = p[0], arg = p[1];
	uint8_t x1 = left > 2 ? p[2] : 0, x2 = left > 3 ? p[3] : 0;
	bool flag = code & 0x80;
	size_t n = size_arg(arg);
	size_t used_bytes = 2;

	switch ((code & 0x7f) % OP_COUNT) {
	case OP_BYTE_TRY_PUSH: op_byte_try_push(n, flag); break;
	case OP_BYTE_TRY_POP: op_byte_try_pop(n); break;
	case OP_BYTE_PUSH: op_byte_push(n, flag); break;
	case OP_BYTE_POP: op_byte_pop(n, flag); break;
	case OP_RECORD_TRY_PUSH: op_record_try_push(n); break;
	case OP_RECORD_TRY_POP: op_record_try_pop(n); break;
	case OP_RECORD_PUSH: op_record_push(n); break;
	case OP_RECORD_POP: op_record_pop(n, flag); break;
	case OP_RECORD_PEEK: op_record_peek(); break;
	case OP_SET_CAPACITY: op_set_capacity(cap_arg(arg), false); break;
	case OP_RESET: op_set_capacity(cap_arg(arg), true); break;
	case OP_REINIT:
		model_init(flag ? RING_MODE_RECORDS : RING_MODE_BYTES, cap_arg(arg));
		break;
	case OP_RECORD_PUSH_TYPE:
		op_record_push_type(n, type_arg(x1), flag);
		used_bytes = 3;
		break;
	case OP_RECORD_POP_SEL:
		op_record_pop_sel(n, x1, type_arg(x2), flag, false);
		used_bytes = 4;
		break;
	case OP_RECORD_POP_SEL_BLOCKING:
		op_record_pop_sel(n, x1, type_arg(x2), flag, true);
		used_bytes = 4;
		break;
	default:
		op_record_peek_sel(x1, type_arg(x2));
		used_bytes = 4;
		break;
	}
	check_state(false);
	return used_bytes < left ? used_bytes : left;
}

static size_t page_round(size_t n)
{
	return (n + PAGE - 1) / PAGE * PAGE;
}

/*
 * This input's region, for data size 64 << k: len bytes that end at the
 * upper guard page, or (low) start at the lower one, with a canary from
 * their end to the end of their last page.
 */
static void map_region(int k, bool low, size_t len)
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
	memset(canary, CANARY, sizeof canary);
	memset(mem + mem_len, CANARY, (size_t)(slack_end - (mem + mem_len)));
}

/* In pieces, not bytes: a byte loop costs a fuzzer's comparison hook per byte. */
static void check_slack(void)
{
	for (unsigned char *p = mem + mem_len; p < slack_end; p += PAGE) {
		size_t k = (size_t)(slack_end - p) < PAGE ? (size_t)(slack_end - p) : PAGE;

		FUZZ_CHECK(memcmp(p, canary, k) == 0);
	}
}

/*
 * An input shorter than its two header bytes reads 0 for the missing
 * ones and still lays out and checks a ring: this harness is compiled
 * without coverage (BUILD), so an empty first input must reach the ring's
 * code for libFuzzer to see anything at all.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
	uint32_t cap;
	uint16_t mode;
	int log2 = 0;

	setup_once();
	m.data_size = data_size_arg(b0);
	while ((1u << log2) < m.data_size)
		log2++;
	/* The region: the header, then data[] (ring.h). */
	map_region(log2 - 6, b0 & LAYOUT_LOW, MODEL_HDR + m.data_size);
	mode = b1 & 0x80 ? RING_MODE_RECORDS : RING_MODE_BYTES;
	cap = 1u << ((b1 & 0x7f) % (log2 + 1));
	if (mode == RING_MODE_RECORDS && cap < MODEL_FORMAT_MIN_CAP)
		cap = MODEL_FORMAT_MIN_CAP;
	FUZZ_CHECK(model_init(mode, cap) == 0);
	m.next_serial = 0;
	m.moved = false;
	data += size < 2 ? size : 2;
	size -= size < 2 ? size : 2;
	for (int ops = 0; size >= 2 && ops < MAX_OPS; ops++) {
		size_t k = step(data, size);

		data += k;
		size -= k;
	}
	check_state(true);
	check_slack();
	return 0;
}
