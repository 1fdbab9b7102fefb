/*
 * Unit tests of record mode (ring_record.h): geometry, mode and format
 * checks, whole records through wrap-around, the too-big and too-small
 * cases, capacity changes, every corruption of a record header, typed
 * records and selecting pops (exact, lowest <= N, MSG_EXCEPT, priority),
 * truncation, holes and compaction, blocking and waking (a selecting pop
 * only for a match), and several producers against one consumer (run it under
 * --config=tsan).  Waits are on real events (waiter counts), never on
 * the clock, except where a timeout is what is tested.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "impl/ring/ring.h"
#include "impl/ring/ring_test_main.h"
#include "impl/ring/ring_record.h"

#define DATA_SIZE 4096u

/* A record ring in a MAP_SHARED anonymous region, as a message queue would have it. */
struct fixture {
	void *mem;
	size_t len;
	struct ring r;
};

static void fixture_open(struct fixture *f, uint32_t capacity)
{
	f->len = ring_region_size(DATA_SIZE);
	f->mem = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(f->mem != MAP_FAILED);
	CU_ASSERT_FATAL(ring_record_init(f->mem, f->len, DATA_SIZE, capacity) == 0);
	CU_ASSERT_FATAL(ring_record_attach(&f->r, f->mem, f->len) == 0);
}

static void fixture_close(struct fixture *f)
{
	munmap(f->mem, f->len);
}

/* Byte i of record number `serial`. */
static unsigned char pattern(uint64_t serial, size_t i)
{
	return (unsigned char)(serial * 31 + i * 7 + (i >> 8) + 3);
}

static void fill(unsigned char *buf, uint64_t serial, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(serial, i);
}

static bool matches(const unsigned char *buf, uint64_t serial, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern(serial, i))
			return false;
	return true;
}

static void await_waiter(_Atomic uint32_t *waiters)
{
	while (atomic_load(waiters) == 0)
		sched_yield();
}

/* The header of the oldest record, for the corruption tests. */
static struct ring_rec_hdr *first_record(struct fixture *f)
{
	uint64_t head = atomic_load(&f->r.hdr->head);
	uint32_t cap = atomic_load(&f->r.hdr->capacity);

	return (struct ring_rec_hdr *)(f->r.data + (head & (cap - 1)));
}

static void test_init_and_modes(void)
{
	static unsigned char mem[RING_HDR_SIZE + DATA_SIZE] __attribute__((aligned(64)));
	unsigned char buf[8] = { 0 };
	struct ring r;

	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, 4), -EINVAL);
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, 1000), -EINVAL);
	/* A capacity must hold one 16-byte record header. */
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, 8), -EINVAL);
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, 16), 0);
	CU_ASSERT_EQUAL(ring_check(mem, sizeof(mem)), 0);
	CU_ASSERT_EQUAL(ring_record_check(mem, sizeof(mem)), 0);
	CU_ASSERT_EQUAL(ring_record_attach(&r, mem, sizeof(mem)), 0);
	/* The byte functions refuse a record ring instead of misreading it. */
	CU_ASSERT_EQUAL(ring_try_push(&r, buf, 1, 0), -EPROTO);
	CU_ASSERT_EQUAL(ring_try_pop(&r, buf, 1), -EPROTO);
	CU_ASSERT_EQUAL(ring_set_capacity(&r, 4), -EINVAL);
	/* ... and the other way round. */
	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem), DATA_SIZE, DATA_SIZE), 0);
	CU_ASSERT_EQUAL(ring_record_attach(&r, mem, sizeof(mem)), -EPROTO);
	CU_ASSERT_EQUAL(ring_record_check(mem, sizeof(mem)), -EPROTO);
	CU_ASSERT_EQUAL(ring_attach(&r, mem, sizeof(mem)), 0);
	CU_ASSERT_EQUAL(ring_record_try_push(&r, buf, 1), -EPROTO);
	CU_ASSERT_EQUAL(ring_record_try_pop(&r, buf, 1), -EPROTO);
	/* A record mode with another format is not ours, and says so specifically. */
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, DATA_SIZE), 0);
	((struct ring_hdr *)mem)->flags = RING_REC_FORMAT + 1;
	CU_ASSERT_EQUAL(ring_check(mem, sizeof(mem)), -EPROTO);
	CU_ASSERT_EQUAL(ring_record_attach(&r, mem, sizeof(mem)), -EPROTONOSUPPORT);
}

/* A ring laid out by format 1 (8-byte headers, no type) is refused, never misread. */
static void test_old_format_refused(void)
{
	static unsigned char mem[RING_HDR_SIZE + DATA_SIZE] __attribute__((aligned(64)));
	struct ring r;

	CU_ASSERT_EQUAL(RING_REC_FORMAT, 2u);
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, DATA_SIZE), 0);
	((struct ring_hdr *)mem)->flags = 1; /* what format 1 wrote */
	CU_ASSERT_EQUAL(ring_record_attach(&r, mem, sizeof(mem)), -EPROTONOSUPPORT);
	CU_ASSERT_EQUAL(ring_record_check(mem, sizeof(mem)), -EPROTONOSUPPORT);
	CU_ASSERT_EQUAL(ring_check(mem, sizeof(mem)), -EPROTO);
	/* Not a record ring at all stays plain -EPROTO. */
	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem), DATA_SIZE, DATA_SIZE), 0);
	CU_ASSERT_EQUAL(ring_record_attach(&r, mem, sizeof(mem)), -EPROTO);
}

/* Records of every size 0..40 through a 64-byte ring: whole, in order, sizes accounted. */
static void test_records_wrap_whole(void)
{
	unsigned char in[64], out[64];
	uint64_t pushed = 0, popped = 0;
	struct fixture f;

	fixture_open(&f, 64);
	for (int round = 0; round < 3000; round++) {
		size_t want = (size_t)(round * 7) % 41;
		ssize_t k;

		fill(in, pushed, want);
		k = ring_record_try_push(&f.r, in, want);
		/* CUnit's asserts are braced blocks: no if/else around them. */
		CU_ASSERT(k == (ssize_t)want ||
			  (k == -EAGAIN && ring_used(&f.r) + (long)ring_record_size(want) > 64));
		if (k >= 0)
			pushed++;
		if (round % 3 == 0)
			continue; /* let the ring fill up now and then */
		k = ring_record_try_pop(&f.r, out, sizeof(out));
		if (k == -EAGAIN) {
			CU_ASSERT_EQUAL(pushed, popped);
			continue;
		}
		CU_ASSERT_FATAL(k >= 0);
		CU_ASSERT_FATAL(matches(out, popped, (size_t)k));
		popped++;
		CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	}
	CU_ASSERT(popped > 1000);
	fixture_close(&f);
}

static void test_sizes_and_buffers(void)
{
	unsigned char in[64] = { 0 }, out[64];
	struct fixture f;

	fixture_open(&f, 64);
	CU_ASSERT_EQUAL(ring_record_peek(&f.r), -EAGAIN);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), -EAGAIN);
	/* The largest record fills the ring exactly; one byte more never fits. */
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 49), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 48), 48);
	CU_ASSERT_EQUAL(ring_used(&f.r), 64);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, NULL, 0), -EAGAIN);
	/* A buffer too small keeps the record where it is. */
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, 47), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_peek(&f.r), 48);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, 48), 48);
	/* Zero-length records are records. */
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, NULL, 0), 0);
	CU_ASSERT_EQUAL(ring_used(&f.r), 16);
	CU_ASSERT_EQUAL(ring_record_peek(&f.r), 0);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, NULL, 0), 0);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, 1), -EAGAIN);
	fixture_close(&f);
}

/* Shrinking and growing keep the records; a reset drops them. */
static void test_capacity_changes(void)
{
	unsigned char in[40], out[40];
	struct fixture f;

	fixture_open(&f, 64);
	/* Move head and tail near the end of the lap so the records wrap. */
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 40), 40);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 40);
	for (uint64_t s = 0; s < 2; s++) {
		fill(in, s, 8);
		CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 8), 8);
	}
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 32), -EBUSY);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 4096), 0);
	CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 64), 0);
	CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 49), -EMSGSIZE);
	for (uint64_t s = 0; s < 2; s++) {
		CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 8);
		CU_ASSERT(matches(out, s, 8));
	}
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 10), 10);
	CU_ASSERT_EQUAL(ring_reset(&f.r, 32), 0);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), -EAGAIN);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 17), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 16), 16);
	fixture_close(&f);
}

/* Each corruption of a buffered record, and of the counters around it. */
static void bad_length(struct fixture *f) { first_record(f)->length = 200; }
static void huge_length(struct fixture *f) { first_record(f)->length = UINT32_MAX; }
static void bad_kind(struct fixture *f) { first_record(f)->kind = 0; }
static void bad_tag(struct fixture *f) { first_record(f)->tag ^= 1; }
static void not_zero(struct fixture *f) { first_record(f)->zero32 = 1; }
static void head_misaligned(struct fixture *f) { atomic_fetch_add(&f->r.hdr->head, 4); }
static void tail_misaligned(struct fixture *f) { atomic_fetch_add(&f->r.hdr->tail, 4); }
static void tail_short(struct fixture *f) { atomic_fetch_sub(&f->r.hdr->tail, 8); }

/* Past the one real record, onto one left from the lap before: its tag is wrong here. */
static void tail_ahead(struct fixture *f)
{
	unsigned char out[64];

	CU_ASSERT_EQUAL(ring_record_try_pop(&f->r, out, sizeof(out)), 24);
	atomic_fetch_add(&f->r.hdr->tail, ring_record_size(24));
}

static void cap_tiny(struct fixture *f) { atomic_store(&f->r.hdr->capacity, 8); }

static const struct {
	const char *what;
	void (*corrupt)(struct fixture *f);
	bool header;  /* ring_check() sees it; otherwise only the record walk does */
} corruptions[] = {
	{ "length beyond the buffered bytes", bad_length, false },
	{ "length beyond the capacity", huge_length, false },
	{ "kind", bad_kind, false },
	{ "tag", bad_tag, false },
	{ "zero bytes", not_zero, false },
	{ "head misaligned", head_misaligned, true },
	{ "tail misaligned", tail_misaligned, true },
	{ "tail cuts the last record short", tail_short, false },
	{ "tail moved ahead onto an old lap", tail_ahead, false },
	{ "capacity below a record header", cap_tiny, true },
};

static void test_corruptions_are_refused(void)
{
	unsigned char in[24] = { 0 }, out[64];

	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		struct fixture f;
		int expect_check = corruptions[i].header ? -EUCLEAN : 0;

		fixture_open(&f, 64);
		/* One lap of traffic first, so that "head back" lands on stale records. */
		for (int k = 0; k < 2; k++) {
			CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 24), 24);
			CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 24);
		}
		CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 24), 24);
		corruptions[i].corrupt(&f);
		if (ring_record_try_pop(&f.r, out, sizeof(out)) != -EUCLEAN)
			fprintf(stderr, "corruption not refused: %s\n", corruptions[i].what);
		CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), -EUCLEAN);
		CU_ASSERT_EQUAL(ring_record_peek(&f.r), -EUCLEAN);
		CU_ASSERT_EQUAL(ring_check(f.mem, f.len), expect_check);
		CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), -EUCLEAN);
		CU_ASSERT_EQUAL(ring_recover(f.mem, f.len), 0);
		CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
		CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 8), 8);
		CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 8);
		fixture_close(&f);
	}
}

/* ---- blocking ---- */

struct job {
	struct ring *r;
	struct ring_block b;
	unsigned char buf[64];
	size_t len;
	ssize_t result;
};

static void *pop_thread(void *arg)
{
	struct job *j = arg;

	j->result = ring_record_pop(j->r, j->buf, j->len, &j->b);
	return NULL;
}

static void *push_thread(void *arg)
{
	struct job *j = arg;

	j->result = ring_record_push(j->r, j->buf, j->len, &j->b);
	return NULL;
}

static void test_pop_blocks_until_push(void)
{
	struct job j = { .len = 64 };
	struct fixture f;
	pthread_t t;

	fixture_open(&f, 64);
	j.r = &f.r;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	await_waiter(&f.r.hdr->data_waiters);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, "abc", 3), 3);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 3);
	CU_ASSERT_EQUAL(memcmp(j.buf, "abc", 3), 0);
	fixture_close(&f);
}

/* A record waits for room for all of it: no part goes in early. */
static void test_push_blocks_until_room(void)
{
	struct job j = { .len = 40 };
	unsigned char out[64];
	struct fixture f;
	pthread_t t;

	fixture_open(&f, 64);
	j.r = &f.r;
	fill(j.buf, 7, 40);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, out, 20), 20);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, out, 8), 8);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, push_thread, &j) == 0);
	await_waiter(&f.r.hdr->room_waiters);
	CU_ASSERT_EQUAL(ring_used(&f.r), 40 + 24);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 20);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 8);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 40);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 40);
	CU_ASSERT(matches(out, 7, 40));
	fixture_close(&f);
}

static int peer_absent(void *ctx)
{
	return 0;
}

static void test_peer_gone_nonblock_timeout(void)
{
	struct ring_block gone = { .peer = peer_absent };
	struct ring_block nb = { .nonblock = 1 };
	struct ring_block timed = { .timeout_ms = 10 };
	unsigned char buf[64] = { 0 };
	struct fixture f;

	fixture_open(&f, 64);
	CU_ASSERT_EQUAL(ring_record_pop(&f.r, buf, sizeof(buf), &gone), 0);
	CU_ASSERT_EQUAL(gone.peer_gone, 1);
	CU_ASSERT_EQUAL(ring_record_push(&f.r, buf, 8, &gone), -EPIPE);
	CU_ASSERT_EQUAL(gone.peer_gone, 1);
	CU_ASSERT_EQUAL(ring_record_pop(&f.r, buf, sizeof(buf), &nb), -EAGAIN);
	CU_ASSERT_EQUAL(ring_record_pop(&f.r, buf, sizeof(buf), &timed), -ETIMEDOUT);
	CU_ASSERT_EQUAL(ring_record_push(&f.r, buf, 49, &nb), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_push(&f.r, buf, 48, &nb), 48);
	CU_ASSERT_EQUAL(ring_record_push(&f.r, buf, 1, &nb), -EAGAIN);
	CU_ASSERT_EQUAL(ring_record_push(&f.r, buf, 1, &timed), -ETIMEDOUT);
	/* A record already buffered is delivered before end of file, then EOF. */
	CU_ASSERT_EQUAL(ring_record_pop(&f.r, buf, 10, &gone), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_pop(&f.r, buf, sizeof(buf), &gone), 48);
	CU_ASSERT_EQUAL(gone.peer_gone, 0);
	CU_ASSERT_EQUAL(ring_record_pop(&f.r, buf, sizeof(buf), &gone), 0);
	CU_ASSERT_EQUAL(gone.peer_gone, 1);
	fixture_close(&f);
}

/* ---- types, selectors, truncation ---- */

/*
 * Record `serial` carries its serial in byte 0 and a pattern after it, so
 * a pop says which record it got.
 */
static void push_typed(struct fixture *f, unsigned serial, uint16_t type, size_t len)
{
	unsigned char in[64];

	fill(in, serial, len);
	in[0] = (unsigned char)serial;
	CU_ASSERT_EQUAL_FATAL(ring_record_try_push_type(&f->r, in, len, type), (ssize_t)len);
}

/* Pops with sel; the serial of the record taken (its type checked), or -1 for -EAGAIN. */
static int pop_serial(struct fixture *f, enum ring_rec_match match, uint16_t operand,
		      int expect_type)
{
	struct ring_rec_sel sel = { .match = match, .type = operand };
	unsigned char out[64];
	uint16_t type = 0xdead;
	ssize_t k = ring_record_try_pop_sel(&f->r, out, sizeof(out), &sel, &type);

	CU_ASSERT_EQUAL(ring_record_check(f->mem, f->len), 0);
	if (k == -EAGAIN)
		return -1;
	CU_ASSERT_FATAL(k >= 1);
	CU_ASSERT(type == expect_type);
	return out[0];
}

static void test_typed_selection_orders(void)
{
	static const uint16_t types[] = { 3, 1, 2, 1, 3, 5 };
	struct fixture f;

	fixture_open(&f, 4096);
	for (unsigned s = 0; s < 6; s++)
		push_typed(&f, s, types[s], 8 + s);
	/* Exact type: the oldest of that type, then the next one of it. */
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_EQ, 1, 1), 1);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_EQ, 9, -1), -1);
	/* Lowest type <= 2, oldest among those: the other 1, then the 2. */
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_LE, 2, 1), 3);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_LE, 2, 2), 2);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_LE, 2, -1), -1);
	/* Any: the oldest left, skipping the holes. */
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 3), 0);
	CU_ASSERT_EQUAL(ring_used(&f.r), (long)(ring_record_size(12) + ring_record_size(13)));
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->gone), 0u);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_LE, 0xffff, 3), 4);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_EQ, 5, 5), 5);
	CU_ASSERT_EQUAL(ring_used(&f.r), 0);
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->tail), atomic_load(&f.r.hdr->head));
	fixture_close(&f);
}

/* MSG_EXCEPT: the oldest record of any other type. */
static void test_except_type(void)
{
	static const uint16_t types[] = { 1, 1, 2, 1, 3 };
	struct fixture f;

	fixture_open(&f, 4096);
	for (unsigned s = 0; s < 5; s++)
		push_typed(&f, s, types[s], 4);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_NE, 1, 2), 2);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_NE, 1, 3), 4);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_NE, 1, -1), -1);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_NE, 2, 1), 0);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 1), 1);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 1), 3);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, -1), -1);
	CU_ASSERT_EQUAL(ring_used(&f.r), 0);
	fixture_close(&f);
}

/* POSIX mq order: highest priority first, first in first out within one. */
static void test_priority_order_fifo_ties(void)
{
	static const uint16_t prio[] = { 0, 5, 3, 5, 0, 3, 7, 0xffff };
	static const int order[] = { 7, 6, 1, 3, 2, 5, 0, 4 };
	struct fixture f;

	fixture_open(&f, 4096);
	for (unsigned s = 0; s < 8; s++)
		push_typed(&f, s, prio[s], 1 + s * 5);
	for (unsigned i = 0; i < 8; i++) {
		uint16_t type = 0;
		struct ring_rec_sel sel = { .match = RING_REC_HIGHEST };

		CU_ASSERT_EQUAL(ring_record_peek_sel(&f.r, &sel, &type), (ssize_t)(1 + order[i] * 5));
		CU_ASSERT_EQUAL(type, prio[order[i]]);
		CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_HIGHEST, 0, prio[order[i]]), order[i]);
	}
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_HIGHEST, 0, -1), -1);
	CU_ASSERT_EQUAL(ring_used(&f.r), 0);
	fixture_close(&f);
}

/* Too short a buffer: -E2BIG and the record stays, or (TRUNC) its prefix and it goes. */
static void test_truncation_both_ways(void)
{
	struct ring_rec_sel whole = { .match = RING_REC_EQ, .type = 4 };
	struct ring_rec_sel trunc = { .match = RING_REC_EQ, .type = 4, .flags = RING_REC_TRUNC };
	struct ring_rec_sel discard = { .match = RING_REC_ANY, .flags = RING_REC_TRUNC };
	struct ring_rec_sel unknown = { .match = (enum ring_rec_match)99 };
	unsigned char in[40], out[64];
	uint16_t type = 0;
	long used;
	struct fixture f;

	fixture_open(&f, 4096);
	push_typed(&f, 0, 1, 8);
	fill(in, 7, 40);
	CU_ASSERT_EQUAL(ring_record_try_push_type(&f.r, in, 40, 4), 40);
	push_typed(&f, 2, 1, 8);
	used = ring_used(&f.r);
	/* -E2BIG leaves the record exactly where it was. */
	CU_ASSERT_EQUAL(ring_record_try_pop_sel(&f.r, out, 39, &whole, &type), -E2BIG);
	CU_ASSERT_EQUAL(ring_used(&f.r), used);
	CU_ASSERT_EQUAL(ring_record_peek_sel(&f.r, &whole, &type), 40);
	CU_ASSERT_EQUAL(type, 4);
	/* The format-1 pop keeps its -EMSGSIZE. */
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, 7), -EMSGSIZE);
	/* Truncating: 10 bytes copied, nothing past them, the full length reported. */
	memset(out, 0xee, sizeof(out));
	CU_ASSERT_EQUAL(ring_record_try_pop_sel(&f.r, out, 10, &trunc, &type), 40);
	CU_ASSERT(matches(out, 7, 10));
	CU_ASSERT_EQUAL(out[10], 0xee);
	CU_ASSERT_EQUAL(ring_record_peek_sel(&f.r, &whole, NULL), -EAGAIN);
	CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	/* A buffer of 0 bytes with TRUNC discards a record outright. */
	CU_ASSERT_EQUAL(ring_record_try_pop_sel(&f.r, NULL, 0, &discard, NULL), 8);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 1), 2);
	CU_ASSERT_EQUAL(ring_used(&f.r), 0);
	/* An unknown selector is refused. */
	CU_ASSERT_EQUAL(ring_record_try_pop_sel(&f.r, out, 1, &unknown, NULL), -EINVAL);
	fixture_close(&f);
}

/*
 * Holes left by out-of-order pops count as used until head passes them;
 * a push that fits only without them compacts the ring, and the records
 * keep their order.
 */
static void test_holes_are_compacted(void)
{
	static const uint16_t types[] = { 9, 1, 5, 1 };
	unsigned char in[64] = { 0 };
	struct fixture f;

	fixture_open(&f, 128);
	/* Four records of 16 + 16 bytes: the ring is full. */
	for (unsigned s = 0; s < 4; s++)
		push_typed(&f, s, types[s], 16);
	CU_ASSERT_EQUAL(ring_used(&f.r), 128);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_EQ, 1, 1), 1);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_EQ, 1, 1), 3);
	CU_ASSERT_EQUAL(ring_used(&f.r), 128);
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->gone), 64u);
	/* More than the holes give: refused, nothing moved. */
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 49), -EAGAIN);
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->gone), 64u);
	/* Exactly the holes: compacted, then pushed. */
	in[0] = 4;
	CU_ASSERT_EQUAL(ring_record_try_push_type(&f.r, in, 48, 2), 48);
	CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	CU_ASSERT_EQUAL(ring_used(&f.r), 128);
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->gone), 0u);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 9), 0);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 5), 2);
	CU_ASSERT_EQUAL(pop_serial(&f, RING_REC_ANY, 0, 2), 4);
	CU_ASSERT_EQUAL(ring_used(&f.r), 0);
	fixture_close(&f);
}

/* ---- a blocked selecting pop ---- */

struct sel_job {
	struct ring *r;
	struct ring_rec_sel sel;
	_Atomic int looks; /* attempts made: peer() is asked before each */
	_Atomic int done;
	unsigned char buf[64];
	uint16_t type;
	ssize_t result;
};

static int count_looks(void *ctx)
{
	struct sel_job *j = ctx;

	atomic_fetch_add(&j->looks, 1);
	return 1;
}

static void *sel_pop_thread(void *arg)
{
	struct sel_job *j = arg;
	struct ring_block b = { .peer = count_looks, .ctx = j };

	j->result = ring_record_pop_sel(j->r, j->buf, sizeof(j->buf), &j->sel, &j->type, &b);
	atomic_store(&j->done, 1);
	return NULL;
}

/*
 * A pop waiting for type 7 is woken by a record of type 1, looks, and
 * sleeps again (seen through its waiter count, not the clock); a record
 * of type 7 then ends it, and the type-1 record is still queued.
 */
static void test_selecting_pop_wakes_only_for_match(void)
{
	struct sel_job j = { .sel = { .match = RING_REC_EQ, .type = 7 } };
	struct fixture f;
	pthread_t t;
	int looks;

	fixture_open(&f, 256);
	j.r = &f.r;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, sel_pop_thread, &j) == 0);
	await_waiter(&f.r.hdr->data_waiters);
	looks = atomic_load(&j.looks);
	CU_ASSERT_EQUAL(ring_record_try_push_type(&f.r, "one", 3, 1), 3);
	/* It woke and looked (its waiter count dropped before that) ... */
	while (atomic_load(&j.looks) == looks)
		sched_yield();
	/* ... and went back to sleep rather than return. */
	while (atomic_load(&f.r.hdr->data_waiters) == 0 && !atomic_load(&j.done))
		sched_yield();
	CU_ASSERT_EQUAL(atomic_load(&j.done), 0);
	CU_ASSERT_EQUAL(ring_record_try_push_type(&f.r, "seven", 5, 7), 5);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 5);
	CU_ASSERT_EQUAL(j.type, 7);
	CU_ASSERT_EQUAL(memcmp(j.buf, "seven", 5), 0);
	CU_ASSERT_EQUAL(ring_record_peek(&f.r), 3);
	fixture_close(&f);
}

/* ---- several producers ---- */

#define PRODUCERS 4
#define RECORDS 3000
#define MP_CAPACITY 256u

struct mp {
	struct fixture f;
	_Atomic int producing;
};

/* Record `serial` of producer `id`: 4 bytes of identity, then a pattern. */
static size_t mp_len(unsigned id, unsigned serial)
{
	return 4 + (id * 13 + serial * 29) % 60;
}

static int mp_producers_left(void *ctx)
{
	struct mp *m = ctx;

	return atomic_load(&m->producing) > 0;
}

struct producer_arg {
	struct mp *m;
	unsigned id;
	int failed;
};

static void *producer(void *arg)
{
	struct producer_arg *a = arg;
	unsigned char rec[64];

	for (unsigned s = 0; s < RECORDS; s++) {
		struct ring_block b = { .timeout_ms = 20000 };
		size_t len = mp_len(a->id, s);

		rec[0] = (unsigned char)a->id;
		rec[1] = (unsigned char)s;
		rec[2] = (unsigned char)(s >> 8);
		rec[3] = (unsigned char)(s >> 16);
		fill(rec + 4, a->id * RECORDS + s, len - 4);
		if (ring_record_push(&a->m->f.r, rec, len, &b) != (ssize_t)len)
			a->failed = 1;
	}
	/* release: our pushes happen before the consumer sees one producer fewer. */
	atomic_fetch_sub_explicit(&a->m->producing, 1, memory_order_release);
	ring_wake(&a->m->f.r);
	return NULL;
}

static void test_producers_records_stay_whole(void)
{
	struct producer_arg args[PRODUCERS];
	pthread_t threads[PRODUCERS];
	unsigned next_serial[PRODUCERS] = { 0 };
	unsigned records = 0;
	unsigned char rec[64];
	struct mp m;

	fixture_open(&m.f, MP_CAPACITY);
	atomic_store(&m.producing, PRODUCERS);
	for (unsigned i = 0; i < PRODUCERS; i++) {
		args[i] = (struct producer_arg){ .m = &m, .id = i };
		CU_ASSERT_FATAL(pthread_create(&threads[i], NULL, producer, &args[i]) == 0);
	}
	for (;;) {
		struct ring_block b = { .timeout_ms = 20000, .peer = mp_producers_left, .ctx = &m };
		ssize_t k = ring_record_pop(&m.f.r, rec, sizeof(rec), &b);
		unsigned id, serial;

		if (k == 0 && b.peer_gone)
			break;
		CU_ASSERT_FATAL(k >= 4);
		id = rec[0];
		serial = rec[1] | (unsigned)rec[2] << 8 | (unsigned)rec[3] << 16;
		CU_ASSERT_FATAL(id < PRODUCERS);
		CU_ASSERT_EQUAL_FATAL(serial, next_serial[id]);
		CU_ASSERT_EQUAL_FATAL((size_t)k, mp_len(id, serial));
		CU_ASSERT_FATAL(matches(rec + 4, id * RECORDS + serial, (size_t)k - 4));
		next_serial[id]++;
		records++;
	}
	for (unsigned i = 0; i < PRODUCERS; i++) {
		pthread_join(threads[i], NULL);
		CU_ASSERT_EQUAL(args[i].failed, 0);
		CU_ASSERT_EQUAL(next_serial[i], RECORDS);
	}
	CU_ASSERT_EQUAL(records, PRODUCERS * RECORDS);
	CU_ASSERT_EQUAL(ring_record_check(m.f.mem, m.f.len), 0);
	fixture_close(&m.f);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "init, and each mode refuses the other's calls", test_init_and_modes },
		{ "a ring of record format 1 is refused", test_old_format_refused },
		{ "records wrap around whole and in order", test_records_wrap_whole },
		{ "too big, too small, zero-length", test_sizes_and_buffers },
		{ "capacity changes keep records", test_capacity_changes },
		{ "corrupted records are refused", test_corruptions_are_refused },
		{ "pop blocks until a push", test_pop_blocks_until_push },
		{ "push blocks until room for the whole record", test_push_blocks_until_room },
		{ "peer gone, non-blocking, timeout", test_peer_gone_nonblock_timeout },
		{ "typed selection: exact, lowest <= N, any", test_typed_selection_orders },
		{ "MSG_EXCEPT: any type but one", test_except_type },
		{ "priority order, FIFO within a priority", test_priority_order_fifo_ties },
		{ "too short a buffer: E2BIG, or truncate", test_truncation_both_ways },
		{ "holes are compacted when a push needs them", test_holes_are_compacted },
		{ "a selecting pop wakes only for a match", test_selecting_pop_wakes_only_for_match },
		{ "several producers: records stay whole", test_producers_records_stay_whole },
		CU_TEST_INFO_NULL,
	};
	return ring_test_run_suite("ring_record", tests);
}
