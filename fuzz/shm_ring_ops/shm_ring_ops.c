/*
 * Fuzz target: the shared-memory ring (impl/ring) driven through its API,
 * every result checked against a model.
 *
 * The ring lives in private heap memory of exactly its region's size: a
 * copy one byte past data[] is caught by ASan, and without sanitizers the
 * model sees the damage.  Only calls that cannot block are made: a
 * blocking push or pop is called only when the model says it completes at
 * once, otherwise with nonblock set.  Deterministic, no fork, no sleep.
 *
 * Input: byte 0 picks data_size (64 << (b % 7)), byte 1 the mode (bit 7:
 * records) and capacity (1 << (b & 0x7f) % (log2 data_size + 1)); then
 * ops of two bytes, an opcode and an argument (a size, a capacity), at
 * most MAX_OPS of them; the typed-record ops take one or two more bytes
 * (shm_ring_ops.h).  Opcode bit 7 is a flag: all_or_nothing for a byte
 * push, atomic_max = 4096 for a blocking byte push, RING_REC_TRUNC for a
 * selecting pop, a blocking call for a typed push.
 *
 * The model: head and tail, as the ring counts them (both modes count
 * bytes, record headers included), the capacity, and in record mode the
 * records from head to tail in stream order: length, type, and whether it
 * was taken out of order (a hole that still occupies its bytes until head
 * passes it, or a push compacts the ring).  The model is written from the
 * rules in ring_record.h, not from the implementation: its own record
 * size, its own selection (find the wanted type first, then the oldest
 * record of it), its own compaction.  Payload bytes are not stored: byte i of the
 * byte stream is pattern[i % PERIOD], and record s carries pattern from
 * an offset derived from s, so a check is one memcmp.  PERIOD is prime, so
 * data misplaced by a whole lap (a power of two) never looks right.
 *
 * Checked after every op: the op's result, the bytes or record it
 * returned, ring_check() == 0, ring_used() and ring_capacity() against the
 * model, and in record mode the full record walk of ring_record_check().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/shm_ring_ops/shm_ring_ops.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_record.h"

#define DATA_MAX 4096u
#define MAX_OPS 128 /* bounds the cost of one run: runs per second find bugs */
#define PERIOD 8191u
/* The record rules as ring_record.h states them, restated for the model. */
#define MODEL_REC_HDR 16u
#define MODEL_REC_ALIGN 8u
#define MODEL_FORMAT_MIN_CAP 16u
#define QMAX (DATA_MAX / MODEL_REC_HDR) /* records of one header at least */

_Static_assert(MODEL_REC_HDR == RING_REC_HDR_SIZE, "the model restates ring_record.h");
_Static_assert(MODEL_FORMAT_MIN_CAP == RING_REC_MIN_CAPACITY, "the model restates ring_record.h");

static unsigned char pattern[PERIOD + SIZE_ARG_MAX];
/* Pops write at the end of out[], so a copy longer than asked overflows it. */
static unsigned char out[SIZE_ARG_MAX];

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
};

static struct model m;
static struct ring r;
static void *mem;
static size_t mem_len;

static void make_pattern(void)
{
	static bool made;

	if (made)
		return;
	made = true;
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

static void after_byte_push(ssize_t got, ssize_t want)
{
	FUZZ_CHECK(got == want);
	if (got > 0)
		m.tail += (uint64_t)got;
}

static void after_byte_pop(const unsigned char *dst, ssize_t got, ssize_t want)
{
	FUZZ_CHECK(got == want);
	if (got <= 0)
		return;
	FUZZ_CHECK(memcmp(dst, pattern + m.head % PERIOD, (size_t)got) == 0);
	m.head += (uint64_t)got;
}

static void op_byte_try_push(size_t n, bool flag)
{
	ssize_t want = expect_byte_push(n, flag);

	after_byte_push(ring_try_push(&r, pattern + m.tail % PERIOD, n, flag), want);
}

static void op_byte_try_pop(size_t n)
{
	unsigned char *dst = out + sizeof out - n;
	ssize_t want = expect_byte_pop(n);

	after_byte_pop(dst, ring_try_pop(&r, dst, n), want);
}

/* ring_push(): atomic when n <= atomic_max and n <= capacity (ring.h). */
static void op_byte_push(size_t n, bool flag)
{
	struct ring_block b = { .atomic_max = flag ? 4096 : 0 };
	bool atomic = n <= b.atomic_max && n <= m.cap;
	ssize_t want;

	/* ring_push() returns 0 for n == 0 before it looks at the mode. */
	want = n == 0 ? 0 : expect_byte_push(n, atomic);
	/* Sleep only where the model says the whole push goes in at once. */
	b.nonblock = want != (ssize_t)n;
	after_byte_push(ring_push(&r, pattern + m.tail % PERIOD, n, &b), want);
}

static void op_byte_pop(size_t n)
{
	unsigned char *dst = out + sizeof out - n;
	struct ring_block b = { 0 };
	ssize_t want = n == 0 ? 0 : expect_byte_pop(n);

	b.nonblock = want == -EAGAIN;
	after_byte_pop(dst, ring_pop(&r, dst, n, &b), want);
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
	unsigned char *dst = out + sizeof out - n;
	int idx;
	ssize_t want = old_error(expect_record_pop(n, &oldest, false, &idx));

	after_record_pop(dst, n, ring_record_try_pop(&r, dst, n), want, idx,
			 idx >= 0 ? m.q[idx].type : 0);
}

static void op_record_push(size_t n)
{
	struct ring_block b = { 0 };
	bool compacts;
	ssize_t want = expect_record_push(n, &compacts);

	b.nonblock = want == -EAGAIN;
	after_record_push(ring_record_push(&r, record_bytes(m.next_serial), n, &b), want, compacts,
			  0);
}

static void op_record_pop(size_t n)
{
	unsigned char *dst = out + sizeof out - n;
	struct ring_block b = { 0 };
	int idx;
	ssize_t want = old_error(expect_record_pop(n, &oldest, false, &idx));

	b.nonblock = want == -EAGAIN;
	after_record_pop(dst, n, ring_record_pop(&r, dst, n, &b), want, idx,
			 idx >= 0 ? m.q[idx].type : 0);
}

static void op_record_peek(void)
{
	int idx;

	FUZZ_CHECK(ring_record_peek(&r) == expect_record_pop(0, &oldest, true, &idx));
}

static void op_record_push_type(size_t n, uint16_t type, bool blocking)
{
	struct ring_block b = { 0 };
	bool compacts;
	ssize_t want = expect_record_push(n, &compacts);
	const unsigned char *src = record_bytes(m.next_serial);
	ssize_t got;

	b.nonblock = want == -EAGAIN;
	got = blocking ? ring_record_push_type(&r, src, n, type, &b)
		       : ring_record_try_push_type(&r, src, n, type);
	after_record_push(got, want, compacts, type);
}

static void op_record_pop_sel(size_t n, uint8_t sel_byte, uint16_t type, bool trunc,
			      bool blocking)
{
	unsigned char *dst = out + sizeof out - n;
	struct ring_rec_sel sel = sel_of(sel_byte, type, trunc);
	struct ring_block b = { 0 };
	uint16_t got_type = 0xbeef;
	int idx;
	ssize_t want = expect_record_pop(n, &sel, false, &idx);
	ssize_t got;

	/* Sleep only where the model says a record is there. */
	b.nonblock = want == -EAGAIN;
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
	if (discard) {
		m.head = m.tail;
		m.qn = 0;
	}
}

/* ---- the run ---- */

static void check_state(void)
{
	FUZZ_CHECK(ring_check(mem, mem_len) == 0);
	FUZZ_CHECK(ring_used(&r) == (long)used());
	FUZZ_CHECK(ring_capacity(&r) == (long)m.cap);
	if (m.mode == RING_MODE_RECORDS) {
		FUZZ_CHECK(ring_record_check(mem, mem_len) == 0);
		/* White-box: the header's hint is exact while nobody dies. */
		FUZZ_CHECK(atomic_load(&((struct ring_hdr *)mem)->gone) == hole_bytes());
	}
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
	case OP_BYTE_POP: op_byte_pop(n); break;
	case OP_RECORD_TRY_PUSH: op_record_try_push(n); break;
	case OP_RECORD_TRY_POP: op_record_try_pop(n); break;
	case OP_RECORD_PUSH: op_record_push(n); break;
	case OP_RECORD_POP: op_record_pop(n); break;
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
	check_state();
	return used_bytes < left ? used_bytes : left;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t cap;
	uint16_t mode;
	int log2 = 0;

	if (size < 2)
		return 0;
	make_pattern();
	m.data_size = data_size_arg(data[0]);
	while ((1u << log2) < m.data_size)
		log2++;
	mem_len = ring_region_size(m.data_size);
	/*
	 * From the heap, not a static buffer: ASan leaves globals aligned
	 * beyond its redzone granularity unguarded, and the ring needs 64.
	 * mem_len is a multiple of 64, as aligned_alloc() wants.
	 */
	mem = aligned_alloc(64, mem_len);
	FUZZ_CHECK(mem != NULL);
	mode = data[1] & 0x80 ? RING_MODE_RECORDS : RING_MODE_BYTES;
	cap = 1u << ((data[1] & 0x7f) % (log2 + 1));
	if (mode == RING_MODE_RECORDS && cap < MODEL_FORMAT_MIN_CAP)
		cap = MODEL_FORMAT_MIN_CAP;
	FUZZ_CHECK(model_init(mode, cap) == 0);
	m.next_serial = 0;
	data += 2;
	size -= 2;
	for (int ops = 0; size >= 2 && ops < MAX_OPS; ops++) {
		size_t k = step(data, size);

		data += k;
		size -= k;
	}
	free(mem);
	return 0;
}
