/*
 * Unit tests of the shared-memory byte ring (ring.h): layout checks,
 * wrap-around, atomic pushes, capacity changes, blocking and waking,
 * signals, a killed lock holder, and several producers against one
 * consumer.  Waits are on real events (futex wakes, waiter counts,
 * waitpid), never on the clock.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/ring/ring.h"
#include "impl/ring/ring_test_main.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_tid.h"

#define DATA_SIZE 4096u

/* A ring in a MAP_SHARED anonymous region, as a pipe would have it. */
struct fixture {
	void *mem;
	size_t len;
	struct ring r;
};

static void fixture_open(struct fixture *f, uint32_t data_size, uint32_t capacity)
{
	f->len = ring_region_size(data_size);
	f->mem = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(f->mem != MAP_FAILED);
	CU_ASSERT_FATAL(ring_init(f->mem, f->len, data_size, capacity) == 0);
	CU_ASSERT_FATAL(ring_attach(&f->r, f->mem, f->len) == 0);
}

static void fixture_close(struct fixture *f)
{
	munmap(f->mem, f->len);
}

/* The byte at stream position i in every stream test. */
static unsigned char pattern(uint64_t i)
{
	return (unsigned char)(i * 7 + (i >> 8) + 3);
}

/* Waits until a thread has announced a sleep on the ring. */
static void await_waiter(_Atomic uint32_t *waiters)
{
	while (atomic_load(waiters) == 0)
		sched_yield();
}

static void test_init_rejects_bad_geometry(void)
{
	static unsigned char mem[RING_HDR_SIZE + DATA_SIZE] __attribute__((aligned(64)));

	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem), 3000, 1024), -EINVAL);
	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem), DATA_SIZE, 1000), -EINVAL);
	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem), DATA_SIZE, 2 * DATA_SIZE), -EINVAL);
	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem) - 1, DATA_SIZE, DATA_SIZE), -EINVAL);
	CU_ASSERT_EQUAL(ring_init(mem, sizeof(mem), DATA_SIZE, DATA_SIZE), 0);
	CU_ASSERT_EQUAL(ring_check(mem, sizeof(mem)), 0);
	CU_ASSERT_EQUAL(ring_check(mem, sizeof(mem) - 1), -EPROTO);
	CU_ASSERT_EQUAL(ring_check(mem, 16), -EPROTO);
	CU_ASSERT_EQUAL(ring_check(NULL, sizeof(mem)), -EPROTO);
}

/* Each corruption, applied to a fresh ring, and what ring_check() must say. */
static void corrupt_magic(struct ring_hdr *h) { h->magic = 0; }
static void corrupt_version(struct ring_hdr *h) { h->version = 99; }
static void corrupt_mode(struct ring_hdr *h) { h->mode = RING_MODE_RECORDS; }
static void corrupt_hdr_size(struct ring_hdr *h) { h->hdr_size = 64; }
static void corrupt_data_size(struct ring_hdr *h) { h->data_size = 3 * DATA_SIZE; }
static void corrupt_data_big(struct ring_hdr *h) { h->data_size = 2 * DATA_SIZE; }
static void corrupt_cap_odd(struct ring_hdr *h) { h->capacity = 1000; }
static void corrupt_cap_big(struct ring_hdr *h) { h->capacity = 2 * DATA_SIZE; }
static void corrupt_cap_zero(struct ring_hdr *h) { h->capacity = 0; }
static void corrupt_overfull(struct ring_hdr *h) { h->tail = DATA_SIZE + 1; }
static void corrupt_head_ahead(struct ring_hdr *h) { h->head = 5; }

static const struct {
	const char *what;
	void (*corrupt)(struct ring_hdr *h);
	int expect;
} corruptions[] = {
	{ "magic", corrupt_magic, -EPROTO },
	{ "version", corrupt_version, -EPROTO },
	{ "record mode", corrupt_mode, -EPROTO },
	{ "hdr_size", corrupt_hdr_size, -EPROTO },
	{ "data_size not a power of two", corrupt_data_size, -EPROTO },
	{ "data_size beyond the region", corrupt_data_big, -EPROTO },
	{ "capacity not a power of two", corrupt_cap_odd, -EUCLEAN },
	{ "capacity beyond data_size", corrupt_cap_big, -EUCLEAN },
	{ "capacity zero", corrupt_cap_zero, -EUCLEAN },
	{ "tail - head > capacity", corrupt_overfull, -EUCLEAN },
	{ "head ahead of tail", corrupt_head_ahead, -EUCLEAN },
};

static void test_check_finds_each_corruption(void)
{
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		struct fixture f;

		fixture_open(&f, DATA_SIZE, DATA_SIZE);
		corruptions[i].corrupt(f.r.hdr);
		if (ring_check(f.mem, f.len) != corruptions[i].expect)
			fprintf(stderr, "corruption not reported: %s\n", corruptions[i].what);
		CU_ASSERT_EQUAL(ring_check(f.mem, f.len), corruptions[i].expect);
		fixture_close(&f);
	}
}

/* Every state corruption is recoverable; a region that is no ring is not. */
static void test_recover_restores_state(void)
{
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		struct fixture f;

		fixture_open(&f, DATA_SIZE, DATA_SIZE);
		corruptions[i].corrupt(f.r.hdr);
		f.r.hdr->p_lock = 1; /* "held" by init: alive, and never releasing */
		if (corruptions[i].expect == -EUCLEAN) {
			CU_ASSERT_EQUAL(ring_recover(f.mem, f.len), 0);
			CU_ASSERT_EQUAL(ring_try_push(&f.r, "ok", 2, 1), 2);
			CU_ASSERT_EQUAL(ring_used(&f.r), 2);
		} else {
			CU_ASSERT_EQUAL(ring_recover(f.mem, f.len), -EPROTO);
		}
		fixture_close(&f);
	}
}

/* Attached first, corrupted later: operations refuse instead of straying. */
static void test_ops_refuse_corrupted_header(void)
{
	unsigned char buf[64] = { 0 };
	struct fixture f;

	fixture_open(&f, DATA_SIZE, 1024);
	f.r.hdr->capacity = 1u << 20; /* would index far beyond data[] */
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, sizeof(buf), 0), -EUCLEAN);
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, sizeof(buf)), -EUCLEAN);
	CU_ASSERT_EQUAL(ring_used(&f.r), -EUCLEAN);
	CU_ASSERT_EQUAL(ring_capacity(&f.r), -EUCLEAN);
	f.r.hdr->capacity = 1024;
	f.r.hdr->tail = 5000; /* more buffered than the capacity */
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, sizeof(buf), 0), -EUCLEAN);
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, sizeof(buf)), -EUCLEAN);
	CU_ASSERT_EQUAL(ring_used(&f.r), -EUCLEAN);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 2048), -EUCLEAN);
	fixture_close(&f);
}

/* Pushes and pops of uneven sizes through a 16-byte ring: every byte, in order. */
static void test_wraparound_keeps_order(void)
{
	unsigned char in[13], out[13];
	uint64_t wpos = 0, rpos = 0;
	struct fixture f;

	fixture_open(&f, DATA_SIZE, 16);
	for (int round = 0; round < 2000; round++) {
		size_t want = (size_t)(round % 13) + 1;
		ssize_t k;

		for (size_t i = 0; i < want; i++)
			in[i] = pattern(wpos + i);
		k = ring_try_push(&f.r, in, want, 0);
		if (k > 0)
			wpos += (uint64_t)k;
		else
			CU_ASSERT_EQUAL(k, -EAGAIN);
		CU_ASSERT_EQUAL(ring_used(&f.r), (long)(wpos - rpos));
		k = ring_try_pop(&f.r, out, (size_t)(round % 11) + 1);
		if (k == -EAGAIN) {
			CU_ASSERT_EQUAL(wpos, rpos);
			continue;
		}
		CU_ASSERT_FATAL(k > 0);
		for (ssize_t i = 0; i < k; i++)
			CU_ASSERT_EQUAL_FATAL(out[i], pattern(rpos + (uint64_t)i));
		rpos += (uint64_t)k;
	}
	CU_ASSERT(wpos > 10000);
	CU_ASSERT_EQUAL(ring_check(f.mem, f.len), 0);
	fixture_close(&f);
}

static void test_all_or_nothing(void)
{
	unsigned char buf[16] = { 0 };
	struct fixture f;

	fixture_open(&f, DATA_SIZE, 16);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 0, 1), 0);
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, 0), 0);
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, 1), -EAGAIN);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 10, 1), 10);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 7, 1), -EAGAIN);
	CU_ASSERT_EQUAL(ring_used(&f.r), 10);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 7, 0), 6);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 1, 0), -EAGAIN);
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, 16), 16);
	fixture_close(&f);
}

/* Buffered bytes that straddle the wrap point survive a change of capacity. */
static void test_set_capacity_moves_data(void)
{
	unsigned char buf[64];
	uint64_t wpos = 0, rpos = 0;
	struct fixture f;

	fixture_open(&f, DATA_SIZE, 64);
	for (size_t i = 0; i < 50; i++)
		buf[i] = pattern(wpos + i);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 50, 0), 50);
	wpos = 50;
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, 40), 40);
	rpos = 40;
	for (size_t i = 0; i < 40; i++)
		buf[i] = pattern(wpos + i);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 40, 0), 40); /* wraps: 50 bytes at 40..89 mod 64 */
	wpos += 40;

	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 32), -EBUSY);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 100), -EINVAL);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 2 * DATA_SIZE), -EINVAL);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 1024), 0);
	CU_ASSERT_EQUAL(ring_capacity(&f.r), 1024);
	CU_ASSERT_EQUAL(ring_used(&f.r), 50);
	CU_ASSERT_EQUAL(ring_set_capacity(&f.r, 64), 0);
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, 64), 50);
	for (size_t i = 0; i < 50; i++)
		CU_ASSERT_EQUAL(buf[i], pattern(rpos + i));
	CU_ASSERT_EQUAL(ring_check(f.mem, f.len), 0);

	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 20, 0), 20);
	CU_ASSERT_EQUAL(ring_reset(&f.r, 128), 0);
	CU_ASSERT_EQUAL(ring_used(&f.r), 0);
	CU_ASSERT_EQUAL(ring_capacity(&f.r), 128);
	fixture_close(&f);
}

/* ---- blocking ---- */

struct pop_job {
	struct ring *r;
	struct ring_block b;
	unsigned char buf[64];
	ssize_t result;
};

static void *pop_thread(void *arg)
{
	struct pop_job *j = arg;

	j->result = ring_pop(j->r, j->buf, sizeof(j->buf), &j->b);
	return NULL;
}

static void test_pop_blocks_until_push(void)
{
	struct pop_job j = { 0 };
	struct fixture f;
	pthread_t t;

	fixture_open(&f, DATA_SIZE, 64);
	j.r = &f.r;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	await_waiter(&f.r.hdr->data_waiters);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, "abc", 3, 1), 3);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 3);
	CU_ASSERT_EQUAL(memcmp(j.buf, "abc", 3), 0);
	fixture_close(&f);
}

struct push_job {
	struct ring *r;
	struct ring_block b;
	const unsigned char *buf;
	size_t len;
	ssize_t result;
};

static void *push_thread(void *arg)
{
	struct push_job *j = arg;

	j->result = ring_push(j->r, j->buf, j->len, &j->b);
	return NULL;
}

/* A push larger than the ring goes in piece by piece as the consumer drains it. */
static void test_push_blocks_until_room(void)
{
	static unsigned char in[1000], out[1000];
	struct push_job j = { .b.atomic_max = 16, .buf = in, .len = sizeof(in) };
	struct fixture f;
	size_t got = 0;
	pthread_t t;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = pattern(i);
	fixture_open(&f, DATA_SIZE, 64);
	j.r = &f.r;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, push_thread, &j) == 0);
	await_waiter(&f.r.hdr->room_waiters);
	while (got < sizeof(out)) {
		struct ring_block b = { 0 };
		ssize_t k = ring_pop(&f.r, out + got, 37, &b);

		CU_ASSERT_FATAL(k > 0);
		got += (size_t)k;
	}
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, (ssize_t)sizeof(in));
	CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
	fixture_close(&f);
}

static int peer_absent(void *ctx)
{
	return 0;
}

static void test_peer_gone_ends_calls(void)
{
	struct ring_block b = { .peer = peer_absent, .atomic_max = 16 };
	unsigned char buf[80] = { 0 };
	struct fixture f;

	fixture_open(&f, DATA_SIZE, 64);
	CU_ASSERT_EQUAL(ring_pop(&f.r, buf, 8, &b), 0);
	CU_ASSERT_EQUAL(b.peer_gone, 1);
	CU_ASSERT_EQUAL(ring_push(&f.r, buf, 8, &b), -EPIPE);
	CU_ASSERT_EQUAL(b.peer_gone, 1);
	/* Bytes already buffered are still delivered before end-of-file. */
	CU_ASSERT_EQUAL(ring_try_push(&f.r, "xy", 2, 1), 2);
	CU_ASSERT_EQUAL(ring_pop(&f.r, buf, 8, &b), 2);
	CU_ASSERT_EQUAL(b.peer_gone, 0);
	CU_ASSERT_EQUAL(ring_pop(&f.r, buf, 8, &b), 0);
	fixture_close(&f);
}

static void test_nonblock_and_timeout(void)
{
	struct ring_block nb = { .nonblock = 1, .atomic_max = 16 };
	struct ring_block timed = { .timeout_ms = 30, .atomic_max = 16 };
	unsigned char buf[80] = { 0 };
	struct fixture f;

	fixture_open(&f, DATA_SIZE, 64);
	CU_ASSERT_EQUAL(ring_pop(&f.r, buf, 8, &nb), -EAGAIN);
	CU_ASSERT_EQUAL(ring_pop(&f.r, buf, 8, &timed), -ETIMEDOUT);
	CU_ASSERT_EQUAL(ring_push(&f.r, buf, 60, &nb), 60);
	CU_ASSERT_EQUAL(ring_push(&f.r, buf, 8, &nb), -EAGAIN);   /* atomic: none of it */
	CU_ASSERT_EQUAL(ring_push(&f.r, buf, 20, &nb), 4);        /* larger: what fits */
	CU_ASSERT_EQUAL(ring_push(&f.r, buf, 20, &timed), -ETIMEDOUT);
	fixture_close(&f);
}

/* ---- signals ---- */

static _Atomic int handled;

static void on_usr1(int sig)
{
	atomic_fetch_add(&handled, 1);
}

static void catch_usr1(int flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static void test_signal_interrupts_pop(void)
{
	struct pop_job j = { 0 };
	struct fixture f;
	pthread_t t;

	atomic_store(&handled, 0);
	catch_usr1(0);
	fixture_open(&f, DATA_SIZE, 64);
	j.r = &f.r;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	await_waiter(&f.r.hdr->data_waiters);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, -EINTR);
	CU_ASSERT_EQUAL(atomic_load(&handled), 1);
	signal(SIGUSR1, SIG_DFL);
	fixture_close(&f);
}

/* With SA_RESTART the handler runs and the pop goes on, as read(2) would. */
static void test_sa_restart_resumes_pop(void)
{
	struct pop_job j = { 0 };
	struct fixture f;
	pthread_t t;

	atomic_store(&handled, 0);
	catch_usr1(SA_RESTART);
	fixture_open(&f, DATA_SIZE, 64);
	j.r = &f.r;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	await_waiter(&f.r.hdr->data_waiters);
	pthread_kill(t, SIGUSR1);
	while (atomic_load(&handled) == 0)
		sched_yield();
	CU_ASSERT_EQUAL(ring_try_push(&f.r, "go", 2, 1), 2);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 2);
	signal(SIGUSR1, SIG_DFL);
	fixture_close(&f);
}

/* ---- processes ---- */

/* Another process, sharing only the mapping, streams through a small ring. */
static void test_fork_child_streams(void)
{
	enum { TOTAL = 200000 };
	static unsigned char out[TOTAL];
	struct fixture f;
	size_t got = 0;
	int status;
	pid_t pid;

	fixture_open(&f, DATA_SIZE, 1024);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		unsigned char chunk[700];
		size_t sent = 0;

		while (sent < TOTAL) {
			struct ring_block b = { .timeout_ms = 10000, .atomic_max = 512 };
			size_t n = TOTAL - sent < sizeof(chunk) ? TOTAL - sent : sizeof(chunk);

			for (size_t i = 0; i < n; i++)
				chunk[i] = pattern(sent + i);
			if (ring_push(&f.r, chunk, n, &b) != (ssize_t)n)
				_exit(1);
			sent += n;
		}
		_exit(0);
	}
	while (got < TOTAL) {
		struct ring_block b = { .timeout_ms = 10000 };
		ssize_t k = ring_pop(&f.r, out + got, TOTAL - got, &b);

		CU_ASSERT_FATAL(k > 0);
		got += (size_t)k;
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (size_t i = 0; i < TOTAL; i++)
		CU_ASSERT_EQUAL_FATAL(out[i], pattern(i));
	fixture_close(&f);
}

/* A producer killed inside its critical section must not wedge the ring. */
static void test_dead_lock_holder_is_taken_over(void)
{
	unsigned char buf[4] = { 1, 2, 3, 4 };
	struct fixture f;
	pid_t pid;

	fixture_open(&f, DATA_SIZE, 64);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		sync_lock(&f.r.hdr->p_lock);
		_exit(0); /* dies holding it */
	}
	CU_ASSERT_EQUAL(waitpid(pid, NULL, 0), pid);
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->p_lock) & ~SYNC_LOCK_WAITERS, (uint32_t)pid);
	CU_ASSERT_EQUAL(ring_try_push(&f.r, buf, 4, 1), 4);
	CU_ASSERT_EQUAL(atomic_load(&f.r.hdr->p_lock) & ~SYNC_LOCK_WAITERS, 0u);

	/* A word naming the caller itself is stale by definition. */
	atomic_store(&f.r.hdr->c_lock, (uint32_t)sync_self_tid());
	CU_ASSERT_EQUAL(ring_try_pop(&f.r, buf, 4), 4);
	fixture_close(&f);
}

/* ---- several producers, one consumer ---- */

/*
 * Each producer pushes records: a 6-byte header (length, producer, serial)
 * and a payload derived from the three, at most ATOMIC_MAX bytes in all,
 * into a ring only a few records deep.  The consumer parses the byte
 * stream: an interleaved or torn record breaks the parse or the payload.
 */
enum { PRODUCERS = 4, RECORDS = 3000, ATOMIC_MAX = 200, MP_CAPACITY = 512 };

struct mp {
	struct fixture f;
	_Atomic int producing;
};

static unsigned char payload_byte(unsigned producer, unsigned serial, unsigned i)
{
	return (unsigned char)(producer * 31 + serial * 7 + i);
}

static size_t record_len(unsigned producer, unsigned serial)
{
	return 6 + (producer * 13 + serial * 29) % (ATOMIC_MAX - 6 + 1);
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
	unsigned char rec[ATOMIC_MAX];

	for (unsigned s = 0; s < RECORDS; s++) {
		struct ring_block b = { .timeout_ms = 20000, .atomic_max = ATOMIC_MAX };
		size_t len = record_len(a->id, s);

		rec[0] = (unsigned char)len;
		rec[1] = (unsigned char)(len >> 8);
		rec[2] = (unsigned char)a->id;
		rec[3] = (unsigned char)s;
		rec[4] = (unsigned char)(s >> 8);
		rec[5] = (unsigned char)(s >> 16);
		for (size_t i = 6; i < len; i++)
			rec[i] = payload_byte(a->id, s, (unsigned)i);
		if (ring_push(&a->m->f.r, rec, len, &b) != (ssize_t)len)
			a->failed = 1;
	}
	/* release: our pushes happen before the consumer sees one producer fewer. */
	atomic_fetch_sub_explicit(&a->m->producing, 1, memory_order_release);
	ring_wake(&a->m->f.r);
	return NULL;
}

/* Reads exactly n bytes; false at end-of-stream. */
static bool read_exact(struct mp *m, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct ring_block b = { .timeout_ms = 20000, .peer = mp_producers_left, .ctx = m };
		ssize_t k = ring_pop(&m->f.r, buf + got, n - got, &b);

		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

static void test_producers_records_stay_whole(void)
{
	struct producer_arg args[PRODUCERS];
	pthread_t threads[PRODUCERS];
	unsigned next_serial[PRODUCERS] = { 0 };
	unsigned char rec[ATOMIC_MAX];
	unsigned records = 0;
	struct mp m;

	fixture_open(&m.f, DATA_SIZE, MP_CAPACITY);
	atomic_store(&m.producing, PRODUCERS);
	for (unsigned i = 0; i < PRODUCERS; i++) {
		args[i] = (struct producer_arg){ .m = &m, .id = i };
		CU_ASSERT_FATAL(pthread_create(&threads[i], NULL, producer, &args[i]) == 0);
	}
	while (read_exact(&m, rec, 6)) {
		size_t len = rec[0] | (size_t)rec[1] << 8;
		unsigned id = rec[2];
		unsigned serial = rec[3] | (unsigned)rec[4] << 8 | (unsigned)rec[5] << 16;

		CU_ASSERT_FATAL(id < PRODUCERS);
		CU_ASSERT_EQUAL_FATAL(serial, next_serial[id]);
		CU_ASSERT_EQUAL_FATAL(len, record_len(id, serial));
		CU_ASSERT_FATAL(read_exact(&m, rec + 6, len - 6));
		for (size_t i = 6; i < len; i++)
			CU_ASSERT_EQUAL_FATAL(rec[i], payload_byte(id, serial, (unsigned)i));
		next_serial[id]++;
		records++;
	}
	for (unsigned i = 0; i < PRODUCERS; i++) {
		pthread_join(threads[i], NULL);
		CU_ASSERT_EQUAL(args[i].failed, 0);
		CU_ASSERT_EQUAL(next_serial[i], RECORDS);
	}
	CU_ASSERT_EQUAL(records, PRODUCERS * RECORDS);
	CU_ASSERT_EQUAL(ring_check(m.f.mem, m.f.len), 0);
	fixture_close(&m.f);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "init rejects bad geometry", test_init_rejects_bad_geometry },
		{ "check finds each corruption", test_check_finds_each_corruption },
		{ "operations refuse a corrupted header", test_ops_refuse_corrupted_header },
		{ "recover restores a corrupted state", test_recover_restores_state },
		{ "wrap-around keeps order", test_wraparound_keeps_order },
		{ "all-or-nothing pushes", test_all_or_nothing },
		{ "set_capacity moves buffered data", test_set_capacity_moves_data },
		{ "pop blocks until a push", test_pop_blocks_until_push },
		{ "push blocks until room", test_push_blocks_until_room },
		{ "peer gone ends blocking calls", test_peer_gone_ends_calls },
		{ "non-blocking and timed calls", test_nonblock_and_timeout },
		{ "a caught signal interrupts pop", test_signal_interrupts_pop },
		{ "SA_RESTART resumes pop", test_sa_restart_resumes_pop },
		{ "a forked child streams through the ring", test_fork_child_streams },
		{ "a dead lock holder is taken over", test_dead_lock_holder_is_taken_over },
		{ "several producers: records stay whole", test_producers_records_stay_whole },
		CU_TEST_INFO_NULL,
	};
	return ring_test_run_suite("ring", tests);
}
