/*
 * Unit tests of the lock-free SPSC ring (ring_spsc.h): attach checks,
 * wrap-around, partial and all-or-nothing pushes, a header corrupted
 * underneath, blocking both ways through the futex path, end of file,
 * timeouts, an idle wait that sleeps, and streams between threads and
 * between processes.  Waits are on real events (waiter counts, joins,
 * waitpid); the clock only measures.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impl/ring/ring_spsc.h"
#include "impl/ring/ring_test_main.h"
#include "impl/sync/sync_alive.h"
#include "impl/sync/sync_spin.h"

#define DATA_SIZE 4096u

/* A ring in a MAP_SHARED anonymous region, with both sides attached. */
struct fixture {
	void *mem;
	size_t len;
	struct ring_spsc p, c;
};

static void fixture_open(struct fixture *f, uint32_t capacity)
{
	f->len = ring_region_size(DATA_SIZE);
	f->mem = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(f->mem != MAP_FAILED);
	CU_ASSERT_FATAL(ring_init(f->mem, f->len, DATA_SIZE, capacity) == 0);
	CU_ASSERT_FATAL(ring_spsc_attach(&f->p, f->mem, f->len, RING_SPSC_PRODUCER) == 0);
	CU_ASSERT_FATAL(ring_spsc_attach(&f->c, f->mem, f->len, RING_SPSC_CONSUMER) == 0);
}

static void fixture_close(struct fixture *f)
{
	munmap(f->mem, f->len);
}

static struct ring_hdr *hdr(struct fixture *f)
{
	return f->mem;
}

/* The byte at stream position i in every stream test. */
static unsigned char pattern(uint64_t i)
{
	return (unsigned char)(i * 7 + (i >> 8) + 3);
}

/* Waits until the other thread has announced a sleep. */
static void await_waiter(_Atomic uint32_t *waiters)
{
	while (atomic_load(waiters) == 0)
		sched_yield();
}

static void test_attach_checks(void)
{
	struct fixture f;
	struct ring_spsc s;

	fixture_open(&f, DATA_SIZE);
	CU_ASSERT_EQUAL(ring_spsc_attach(&s, f.mem, f.len, 0), -EINVAL);
	CU_ASSERT_EQUAL(ring_spsc_attach(&s, f.mem, f.len - 1, RING_SPSC_PRODUCER), -EPROTO);
	hdr(&f)->mode = RING_MODE_RECORDS;
	CU_ASSERT_EQUAL(ring_spsc_attach(&s, f.mem, f.len, RING_SPSC_CONSUMER), -EPROTO);
	hdr(&f)->mode = RING_MODE_BYTES;
	/* Each handle serves its own side only. */
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.c, "x", 1, 0), -EINVAL);
	CU_ASSERT_EQUAL(ring_spsc_try_pop(&f.p, &s, 1), -EINVAL);
	fixture_close(&f);
}

/* Random-sized pushes and pops around a small ring many times over. */
static void test_wraparound_keeps_order(void)
{
	unsigned char in[100], out[100];
	uint64_t sent = 0, got = 0;
	struct fixture f;

	fixture_open(&f, 64);
	srand(7);
	while (got < 20000) {
		size_t n = (size_t)(rand() % 100) + 1;
		ssize_t k;

		for (size_t i = 0; i < n; i++)
			in[i] = pattern(sent + i);
		k = ring_spsc_try_push(&f.p, in, n, 0);
		CU_ASSERT_FATAL(k > 0 || k == -EAGAIN);
		if (k > 0)
			sent += (uint64_t)k;
		k = ring_spsc_try_pop(&f.c, out, (size_t)(rand() % 100) + 1);
		CU_ASSERT_FATAL(k > 0 || k == -EAGAIN);
		for (ssize_t i = 0; i < k; i++)
			CU_ASSERT_EQUAL_FATAL(out[i], pattern(got + (uint64_t)i));
		if (k > 0)
			got += (uint64_t)k;
		CU_ASSERT_FATAL(sent - got <= 64);
	}
	CU_ASSERT_EQUAL(ring_used(&f.c.r), (long)(sent - got));
	fixture_close(&f);
}

static void test_partial_and_all_or_nothing(void)
{
	unsigned char buf[64] = { 0 };
	struct fixture f;

	fixture_open(&f, 64);
	CU_ASSERT_EQUAL(ring_spsc_try_pop(&f.c, buf, 8), -EAGAIN);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 0, 1), 0);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 40, 1), 40);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 40, 1), -EAGAIN);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 40, 0), 24);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 1, 0), -EAGAIN);
	CU_ASSERT_EQUAL(ring_spsc_try_pop(&f.c, buf, 64), 64);
	CU_ASSERT_EQUAL(ring_used(&f.p.r), 0);
	fixture_close(&f);
}

/* Counters or a capacity changed by someone else: refused, never followed. */
static void test_corrupted_header_refused(void)
{
	unsigned char buf[64] = { 0 };
	struct fixture f;

	fixture_open(&f, 64);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 64, 1), 64);
	atomic_store(&hdr(&f)->head, 1000);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, buf, 1, 0), -EUCLEAN);
	atomic_store(&hdr(&f)->head, 0);
	atomic_store(&hdr(&f)->tail, 5000);
	CU_ASSERT_EQUAL(ring_spsc_try_pop(&f.c, buf, 64), -EUCLEAN);
	atomic_store(&hdr(&f)->tail, 64);
	atomic_store(&hdr(&f)->capacity, 32);
	CU_ASSERT_EQUAL(ring_spsc_try_pop(&f.c, buf, 64), -EUCLEAN);
	atomic_store(&hdr(&f)->capacity, 64);
	CU_ASSERT_EQUAL(ring_spsc_try_pop(&f.c, buf, 64), 64);
	fixture_close(&f);
}

struct job {
	struct ring_spsc *s;
	struct ring_block b;
	unsigned char *buf;
	size_t len;
	ssize_t result;
	int64_t cpu_ns; /* this thread's CPU time during the call */
	_Atomic pid_t tid; /* the thread's id, set before the call */
};

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *pop_thread(void *arg)
{
	struct job *j = arg;
	int64_t t0 = thread_cpu_ns();

	atomic_store(&j->tid, (pid_t)syscall(SYS_gettid));
	j->result = ring_spsc_pop(j->s, j->buf, j->len, &j->b);
	j->cpu_ns = thread_cpu_ns() - t0;
	return NULL;
}

static void *push_thread(void *arg)
{
	struct job *j = arg;

	j->result = ring_spsc_push(j->s, j->buf, j->len, &j->b);
	return NULL;
}

/* The consumer gets past its polling into the futex sleep; one push wakes it. */
static void test_pop_sleeps_and_wakes(void)
{
	unsigned char buf[16];
	struct job j = { .buf = buf, .len = sizeof(buf) };
	struct fixture f;
	pthread_t t;

	fixture_open(&f, 64);
	j.s = &f.c;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	await_waiter(&hdr(&f)->data_waiters);
	CU_ASSERT_EQUAL(ring_spsc_try_push(&f.p, "abc", 3, 1), 3);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 3);
	CU_ASSERT_EQUAL(memcmp(buf, "abc", 3), 0);
	fixture_close(&f);
}

/* A push larger than the ring sleeps for room, and an atomic one waits for all of it. */
static void test_push_sleeps_for_room(void)
{
	static unsigned char in[1000], out[1000];
	struct job j = { .b.atomic_max = 16, .buf = in, .len = sizeof(in) };
	struct fixture f;
	size_t got = 0;
	pthread_t t;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = pattern(i);
	fixture_open(&f, 64);
	j.s = &f.p;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, push_thread, &j) == 0);
	await_waiter(&hdr(&f)->room_waiters);
	while (got < sizeof(out)) {
		struct ring_block b = { 0 };
		ssize_t k = ring_spsc_pop(&f.c, out + got, 37, &b);

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

static void test_peer_gone_nonblock_timeout(void)
{
	struct ring_block gone = { .peer = peer_absent, .atomic_max = 16 };
	struct ring_block nb = { .nonblock = 1 };
	struct ring_block timed = { .timeout_ms = 30 };
	unsigned char buf[80] = { 0 };
	struct fixture f;

	fixture_open(&f, 64);
	CU_ASSERT_EQUAL(ring_spsc_pop(&f.c, buf, 8, &nb), -EAGAIN);
	CU_ASSERT_EQUAL(ring_spsc_pop(&f.c, buf, 8, &timed), -ETIMEDOUT);
	CU_ASSERT_EQUAL(ring_spsc_pop(&f.c, buf, 8, &gone), 0);
	CU_ASSERT_EQUAL(gone.peer_gone, 1);
	/* Bytes already buffered are still delivered before end of file. */
	CU_ASSERT_EQUAL(ring_spsc_push(&f.p, "xy", 2, &gone), 2);
	CU_ASSERT_EQUAL(ring_spsc_pop(&f.c, buf, 8, &gone), 2);
	CU_ASSERT_EQUAL(gone.peer_gone, 0);
	/* A full ring: non-blocking gives the part that fit, a gone consumer EPIPE. */
	CU_ASSERT_EQUAL(ring_spsc_push(&f.p, buf, 80, &nb), 64);
	CU_ASSERT_EQUAL(ring_spsc_push(&f.p, buf, 8, &nb), -EAGAIN);
	CU_ASSERT_EQUAL(ring_spsc_push(&f.p, buf, 8, &timed), -ETIMEDOUT);
	CU_ASSERT_EQUAL(ring_spsc_push(&f.p, buf, 8, &gone), -EPIPE);
	CU_ASSERT_EQUAL(gone.peer_gone, 1);
	fixture_close(&f);
}

/* The scheduler state of thread tid of this process ('S' asleep, 'R' running), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
}

/*
 * An idle consumer sleeps rather than spins: it is seen asleep (state S)
 * in the kernel while no byte comes, and a push then wakes it.  Judged by
 * the state, not by CPU time, which a loaded machine stretches.
 */
static void test_idle_wait_sleeps(void)
{
	unsigned char buf[8];
	struct job j = { .b.timeout_ms = 10000, .buf = buf, .len = sizeof(buf) };
	struct fixture f;
	struct timespec start, now;
	bool asleep = false;
	pthread_t t;

	fixture_open(&f, 64);
	j.s = &f.c;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		pid_t tid = atomic_load(&j.tid);
		asleep = tid > 0 && thread_state(tid) == 'S';
		if (!asleep)
			sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!asleep && now.tv_sec - start.tv_sec < 5);
	CU_ASSERT(asleep);
	CU_ASSERT_EQUAL(ring_spsc_push(&f.p, "z", 1, &(struct ring_block){ .nonblock = 1 }), 1);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 1);
	fixture_close(&f);
}

/*
 * Ping-pong where each side dawdles longer than the polling budget before
 * answering, so that every message goes through the sleep and wake path.
 */
struct pingpong {
	struct ring_spsc *in, *out;
	int rounds;
	int first; /* this side sends 2i and expects 2i+1; the other one answers */
	int errors;
};

static void dawdle(void)
{
	int64_t until = sync_now_ns() + SYNC_SPIN_NS + 10000;

	while (sync_now_ns() < until)
		;
}

static void send_value(struct pingpong *pp, uint32_t v)
{
	struct ring_block b = { .atomic_max = sizeof(v), .timeout_ms = 10000 };

	dawdle();
	if (ring_spsc_push(pp->out, &v, sizeof(v), &b) != sizeof(v))
		pp->errors++;
}

static void expect_value(struct pingpong *pp, uint32_t v)
{
	struct ring_block b = { .timeout_ms = 10000 };
	uint32_t got;

	if (ring_spsc_pop(pp->in, &got, sizeof(got), &b) != sizeof(got) || got != v)
		pp->errors++;
}

static void *pingpong_side(void *arg)
{
	struct pingpong *pp = arg;

	for (uint32_t i = 0; i < (uint32_t)pp->rounds; i++) {
		if (pp->first) {
			send_value(pp, 2 * i);
			expect_value(pp, 2 * i + 1);
		} else {
			expect_value(pp, 2 * i);
			send_value(pp, 2 * i + 1);
		}
	}
	return NULL;
}

static void test_sleepy_pingpong(void)
{
	struct fixture ab, ba;
	struct pingpong a = { .in = &ba.c, .out = &ab.p, .rounds = 300, .first = 1 };
	struct pingpong b = { .in = &ab.c, .out = &ba.p, .rounds = 300 };
	pthread_t t;

	fixture_open(&ab, 64);
	fixture_open(&ba, 64);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pingpong_side, &b) == 0);
	pingpong_side(&a);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(a.errors, 0);
	CU_ASSERT_EQUAL(b.errors, 0);
	fixture_close(&ab);
	fixture_close(&ba);
}

/* Two threads stream 4 MB through a 256-byte ring in odd-sized pieces. */
static void *stream_producer(void *arg)
{
	struct job *j = arg;
	unsigned char chunk[333];
	uint64_t sent = 0;

	while (sent < j->len) {
		struct ring_block b = { .atomic_max = 128 };
		size_t n = (size_t)(sent % 300) + 1;

		if (n > j->len - sent)
			n = j->len - sent;
		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(sent + i);
		if (ring_spsc_push(j->s, chunk, n, &b) != (ssize_t)n)
			break;
		sent += n;
	}
	j->result = (ssize_t)sent;
	return NULL;
}

static void test_threads_stream(void)
{
	enum { TOTAL = 4000000 };
	struct fixture f;
	struct job j = { .len = TOTAL };
	unsigned char buf[500];
	uint64_t got = 0;
	pthread_t t;

	fixture_open(&f, 256);
	j.s = &f.p;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, stream_producer, &j) == 0);
	while (got < TOTAL) {
		struct ring_block b = { 0 };
		ssize_t k = ring_spsc_pop(&f.c, buf, (size_t)(got % 499) + 1, &b);

		CU_ASSERT_FATAL(k > 0);
		for (ssize_t i = 0; i < k; i++)
			CU_ASSERT_EQUAL_FATAL(buf[i], pattern(got + (uint64_t)i));
		got += (uint64_t)k;
	}
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, TOTAL);
	fixture_close(&f);
}

static pid_t child_pid;

static int child_alive(void *ctx)
{
	return sync_process_alive(child_pid);
}

/*
 * A forked producer attaches on its own and streams pieces larger than
 * RING_SPSC_CHUNK; when it has exited, the drained ring reads as end of file.
 */
static void test_fork_stream_then_eof(void)
{
	enum { TOTAL = 3000000, PIECE = 40000 };
	static unsigned char piece[PIECE];
	static unsigned char out[PIECE];
	struct fixture f;
	uint64_t got = 0;
	ssize_t k;
	int status;

	f.len = ring_region_size(DATA_SIZE * 16);
	f.mem = mmap(NULL, f.len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(f.mem != MAP_FAILED);
	CU_ASSERT_FATAL(ring_init(f.mem, f.len, DATA_SIZE * 16, DATA_SIZE * 16) == 0);
	CU_ASSERT_FATAL(ring_spsc_attach(&f.c, f.mem, f.len, RING_SPSC_CONSUMER) == 0);
	child_pid = fork();
	CU_ASSERT_FATAL(child_pid >= 0);
	if (child_pid == 0) {
		struct ring_spsc p;
		uint64_t sent = 0;

		if (ring_spsc_attach(&p, f.mem, f.len, RING_SPSC_PRODUCER) != 0)
			_exit(1);
		while (sent < TOTAL) {
			struct ring_block b = { .timeout_ms = 10000 };
			size_t n = TOTAL - sent < PIECE ? TOTAL - sent : PIECE;

			for (size_t i = 0; i < n; i++)
				piece[i] = pattern(sent + i);
			if (ring_spsc_push(&p, piece, n, &b) != (ssize_t)n)
				_exit(1);
			sent += n;
		}
		_exit(0);
	}
	for (;;) {
		struct ring_block b = { .timeout_ms = 10000, .peer = child_alive };

		k = ring_spsc_pop(&f.c, out, sizeof(out), &b);
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k; i++)
			CU_ASSERT_EQUAL_FATAL(out[i], pattern(got + (uint64_t)i));
		got += (uint64_t)k;
	}
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT_EQUAL(got, TOTAL);
	CU_ASSERT_EQUAL(waitpid(child_pid, &status, 0), child_pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	fixture_close(&f);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "attach checks side and mode", test_attach_checks },
		{ "wrap-around keeps order", test_wraparound_keeps_order },
		{ "partial and all-or-nothing pushes", test_partial_and_all_or_nothing },
		{ "a corrupted header is refused", test_corrupted_header_refused },
		{ "pop sleeps and a push wakes it", test_pop_sleeps_and_wakes },
		{ "push sleeps for room", test_push_sleeps_for_room },
		{ "peer gone, non-blocking, timeout", test_peer_gone_nonblock_timeout },
		{ "an idle wait sleeps", test_idle_wait_sleeps },
		{ "ping-pong through the sleep path", test_sleepy_pingpong },
		{ "two threads stream", test_threads_stream },
		{ "a forked producer streams, then end of file", test_fork_stream_then_eof },
		CU_TEST_INFO_NULL,
	};
	return ring_test_run_suite("ring_spsc", tests);
}
