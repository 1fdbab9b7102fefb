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
 * most MAX_OPS of them.  Opcode bit 7 is a flag: all_or_nothing for a byte
 * push, atomic_max = 4096 for a blocking byte push.
 *
 * The model: head and tail, as the ring counts them (both modes count
 * bytes, record headers included), the capacity, and in record mode the
 * queue of record lengths.  Payload bytes are not stored: byte i of the
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
#define QMAX (DATA_MAX / RING_REC_ALIGN) /* records of 8 bytes at least */

static unsigned char pattern[PERIOD + SIZE_ARG_MAX];
/* Pops write at the end of out[], so a copy longer than asked overflows it. */
static unsigned char out[SIZE_ARG_MAX];

struct model {
	uint16_t mode;
	uint32_t data_size, cap;
	uint64_t head, tail;
	struct { uint32_t len, serial; } q[QMAX]; /* record mode: oldest at qfirst */
	uint32_t qfirst, qn, next_serial;
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

static int model_init(uint16_t mode, uint32_t cap)
{
	int err = mode == RING_MODE_RECORDS ? ring_record_init(mem, mem_len, m.data_size, cap)
					    : ring_init(mem, mem_len, m.data_size, cap);
	bool valid = cap <= m.data_size && (mode == RING_MODE_BYTES || cap >= RING_REC_ALIGN);

	FUZZ_CHECK(err == (valid ? 0 : -EINVAL));
	if (err < 0)
		return err;
	FUZZ_CHECK(ring_attach(&r, mem, mem_len) == 0);
	m.mode = mode;
	m.cap = cap;
	m.head = m.tail = 0;
	m.qfirst = m.qn = 0;
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

static ssize_t expect_record_push(size_t n)
{
	if (m.mode != RING_MODE_RECORDS)
		return -EPROTO;
	if (n > m.cap - RING_REC_HDR_SIZE)
		return -EMSGSIZE;
	if (ring_record_size(n) > m.cap - used())
		return -EAGAIN;
	return (ssize_t)n;
}

/* The oldest record's length, or the error a pop into n bytes must give. */
static ssize_t expect_record_pop(size_t n, bool peek)
{
	uint32_t len;

	if (m.mode != RING_MODE_RECORDS)
		return -EPROTO;
	if (m.qn == 0)
		return -EAGAIN;
	len = m.q[m.qfirst].len;
	return !peek && len > n ? -EMSGSIZE : (ssize_t)len;
}

static void after_record_push(ssize_t got, ssize_t want)
{
	uint32_t i = (m.qfirst + m.qn) % QMAX;

	FUZZ_CHECK(got == want);
	if (got < 0)
		return;
	m.q[i].len = (uint32_t)got;
	m.q[i].serial = m.next_serial++;
	m.qn++;
	m.tail += ring_record_size((uint64_t)got);
}

static void after_record_pop(const unsigned char *dst, ssize_t got, ssize_t want)
{
	FUZZ_CHECK(got == want);
	if (got < 0)
		return;
	FUZZ_CHECK(memcmp(dst, record_bytes(m.q[m.qfirst].serial), (size_t)got) == 0);
	m.head += ring_record_size((uint64_t)got);
	m.qfirst = (m.qfirst + 1) % QMAX;
	m.qn--;
}

static void op_record_try_push(size_t n)
{
	ssize_t want = expect_record_push(n);

	after_record_push(ring_record_try_push(&r, record_bytes(m.next_serial), n), want);
}

static void op_record_try_pop(size_t n)
{
	unsigned char *dst = out + sizeof out - n;
	ssize_t want = expect_record_pop(n, false);

	after_record_pop(dst, ring_record_try_pop(&r, dst, n), want);
}

static void op_record_push(size_t n)
{
	struct ring_block b = { 0 };
	ssize_t want = expect_record_push(n);

	b.nonblock = want == -EAGAIN;
	after_record_push(ring_record_push(&r, record_bytes(m.next_serial), n, &b), want);
}

static void op_record_pop(size_t n)
{
	unsigned char *dst = out + sizeof out - n;
	struct ring_block b = { 0 };
	ssize_t want = expect_record_pop(n, false);

	b.nonblock = want == -EAGAIN;
	after_record_pop(dst, ring_record_pop(&r, dst, n, &b), want);
}

static void op_record_peek(void)
{
	FUZZ_CHECK(ring_record_peek(&r) == expect_record_pop(0, true));
}

/* ---- capacity ---- */

static int expect_capacity(uint32_t cap, bool discard)
{
	if (cap > m.data_size || (m.mode == RING_MODE_RECORDS && cap < RING_REC_ALIGN))
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
		m.qfirst = m.qn = 0;
	}
}

/* ---- the run ---- */

static void check_state(void)
{
	FUZZ_CHECK(ring_check(mem, mem_len) == 0);
	FUZZ_CHECK(ring_used(&r) == (long)used());
	FUZZ_CHECK(ring_capacity(&r) == (long)m.cap);
	if (m.mode == RING_MODE_RECORDS)
		FUZZ_CHECK(ring_record_check(mem, mem_len) == 0);
}

static void step(uint8_t code, uint8_t arg)
{
	bool flag = code & 0x80;
	size_t n = size_arg(arg);

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
	default:
		model_init(flag ? RING_MODE_RECORDS : RING_MODE_BYTES, cap_arg(arg));
		break;
	}
	check_state();
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
	if (mode == RING_MODE_RECORDS && cap < RING_REC_ALIGN)
		cap = RING_REC_ALIGN;
	FUZZ_CHECK(model_init(mode, cap) == 0);
	m.next_serial = 0;
	data += 2;
	size -= 2;
	for (int ops = 0; size >= 2 && ops < MAX_OPS; ops++, data += 2, size -= 2)
		step(data[0], data[1]);
	free(mem);
	return 0;
}
