/*
 * Unit tests of record mode (ring_record.h): geometry and mode checks,
 * whole records through wrap-around, the too-big and too-small cases,
 * capacity changes, every corruption of a record header, blocking and
 * waking, and several producers against one consumer (run it under
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
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, 8), 0);
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
	/* A record mode with another format is not ours. */
	CU_ASSERT_EQUAL(ring_record_init(mem, sizeof(mem), DATA_SIZE, DATA_SIZE), 0);
	((struct ring_hdr *)mem)->flags = RING_REC_FORMAT + 1;
	CU_ASSERT_EQUAL(ring_check(mem, sizeof(mem)), -EPROTO);
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
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 57), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 56), 56);
	CU_ASSERT_EQUAL(ring_used(&f.r), 64);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, NULL, 0), -EAGAIN);
	/* A buffer too small keeps the record where it is. */
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, 55), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_peek(&f.r), 56);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, 56), 56);
	/* Zero-length records are records. */
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, NULL, 0), 0);
	CU_ASSERT_EQUAL(ring_used(&f.r), 8);
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
	for (uint64_t s = 0; s < 3; s++) {
		fill(in, s, 8);
		CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 8), 8);
	}
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 32), -EBUSY);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 4096), 0);
	CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 64), 0);
	CU_ASSERT_EQUAL(ring_record_check(f.mem, f.len), 0);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 57), -EMSGSIZE);
	for (uint64_t s = 0; s < 3; s++) {
		CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), 8);
		CU_ASSERT(matches(out, s, 8));
	}
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 10), 10);
	CU_ASSERT_EQUAL(ring_reset(&f.r, 16), 0);
	CU_ASSERT_EQUAL(ring_record_try_pop(&f.r, out, sizeof(out)), -EAGAIN);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 9), -EMSGSIZE);
	CU_ASSERT_EQUAL(ring_record_try_push(&f.r, in, 8), 8);
	fixture_close(&f);
}

/* Each corruption of a buffered record, and of the counters around it. */
static void bad_length(struct fixture *f) { first_record(f)->length = 200; }
static void huge_length(struct fixture *f) { first_record(f)->length = UINT32_MAX; }
static void bad_kind(struct fixture *f) { first_record(f)->kind = 0; }
static void bad_tag(struct fixture *f) { first_record(f)->tag ^= 1; }
static void head_misaligned(struct fixture *f) { atomic_fetch_add(&f->r.hdr->head, 4); }
static void tail_misaligned(struct fixture *f) { atomic_fetch_add(&f->r.hdr->tail, 4); }
static void tail_short(struct fixture *f) { atomic_fetch_sub(&f->r.hdr->tail, 8); }

/* Past the one real record, onto one left from the lap before: its tag is wrong here. */
static void tail_ahead(struct fixture *f)
{
	unsigned char out[64];

	CU_ASSERT_EQUAL(ring_record_try_pop(&f->r, out, sizeof(out)), 24);
	atomic_fetch_add(&f->r.hdr->tail, 32);
}

static void cap_tiny(struct fixture *f) { atomic_store(&f->r.hdr->capacity, 4); }

static const struct {
	const char *what;
	void (*corrupt)(struct fixture *f);
	bool header;  /* ring_check() sees it; otherwise only the record walk does */
} corruptions[] = {
	{ "length beyond the buffered bytes", bad_length, false },
	{ "length beyond the capacity", huge_length, false },
	{ "kind", bad_kind, false },
	{ "tag", bad_tag, false },
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
	CU_ASSERT_EQUAL(ring_used(&f.r), 32 + 16);
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
	CU_ASSERT_EQUAL(ring_record_push(&f.r, buf, 57, &nb), -EMSGSIZE);
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
		{ "records wrap around whole and in order", test_records_wrap_whole },
		{ "too big, too small, zero-length", test_sizes_and_buffers },
		{ "capacity changes keep records", test_capacity_changes },
		{ "corrupted records are refused", test_corruptions_are_refused },
		{ "pop blocks until a push", test_pop_blocks_until_push },
		{ "push blocks until room for the whole record", test_push_blocks_until_room },
		{ "peer gone, non-blocking, timeout", test_peer_gone_nonblock_timeout },
		{ "several producers: records stay whole", test_producers_records_stay_whole },
		CU_TEST_INFO_NULL,
	};
	return ring_test_run_suite("ring_record", tests);
}
