/*
 * Unit tests of the adaptive ring (ring_adaptive.h): claims and the lazy
 * switch to SHARED with several views in one thread, the wake-up
 * protocol's two halves, capacity changes and resets, fork, and three
 * multi-process streams checked message by message -- a third producer
 * attaching while the exclusive owner is mid-stream (and the owner going
 * back to exclusive when it has left), and an exclusive owner killed in
 * the middle of its stream.  Waits are on real events (flags in shared
 * memory with sched_yield, joins, waitpid); nothing sleeps for time.
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

#include "impl/ring/ring_adaptive.h"
#include "impl/ring/ring_test_main.h"

#define DATA_SIZE 65536u

/* A ring in a MAP_SHARED anonymous region. */
struct fixture {
	void *mem;
	size_t len;
};

static void fixture_open(struct fixture *f, uint32_t capacity)
{
	f->len = ring_region_size(DATA_SIZE);
	f->mem = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(f->mem != MAP_FAILED);
	CU_ASSERT_FATAL(ring_init(f->mem, f->len, DATA_SIZE, capacity) == 0);
}

static void fixture_close(struct fixture *f)
{
	munmap(f->mem, f->len);
}

static struct ring_hdr *hdr(struct fixture *f)
{
	return f->mem;
}

static void view(struct fixture *f, struct ring_adaptive *a)
{
	CU_ASSERT_FATAL(ring_adaptive_attach(a, f->mem, f->len) == 0);
}

static int say_no(void *ctx)
{
	(void)ctx;
	return 0;
}

static int peer_absent(void *ctx)
{
	(void)ctx;
	return 0;
}

static void test_attach_checks(void)
{
	struct fixture f;
	struct ring_adaptive a;

	fixture_open(&f, 4096);
	CU_ASSERT_EQUAL(ring_adaptive_attach(&a, f.mem, f.len - 1), -EPROTO);
	hdr(&f)->mode = RING_MODE_RECORDS;
	CU_ASSERT_EQUAL(ring_adaptive_attach(&a, f.mem, f.len), -EPROTO);
	hdr(&f)->mode = RING_MODE_BYTES;
	view(&f, &a);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&a, RING_SPSC_PRODUCER));
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&a, RING_SPSC_CONSUMER));
	CU_ASSERT_EQUAL(ring_adaptive_claim(&a, 0, NULL, NULL), -EINVAL);
	fixture_close(&f);
}

/*
 * Three views in one thread, as three processes: A produces, B consumes,
 * both exclusive; C pushes and takes the producer side from A, whose next
 * push follows onto the locked path; the stream keeps its order; A gets
 * the side back with a claim.
 */
static void test_claim_share_and_reclaim(void)
{
	struct ring_adaptive a, b, c;
	unsigned char out[16];
	struct fixture f;
	uint32_t before;

	fixture_open(&f, 4096);
	view(&f, &a);
	view(&f, &b);
	view(&f, &c);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&a, RING_SPSC_PRODUCER, say_no, NULL), 0);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&a, RING_SPSC_PRODUCER));
	CU_ASSERT_EQUAL(ring_adaptive_claim(&a, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&b, RING_SPSC_CONSUMER, NULL, NULL), 1);
	CU_ASSERT_TRUE(ring_adaptive_exclusive(&a, RING_SPSC_PRODUCER));
	CU_ASSERT_TRUE(ring_adaptive_exclusive(&b, RING_SPSC_CONSUMER));
	/* The claim is the view's, not the ring's: the others do not own it. */
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&c, RING_SPSC_PRODUCER));
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&b, RING_SPSC_PRODUCER));
	/* Claiming what is ours already changes nothing. */
	before = atomic_load(&hdr(&f)->p_mode);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&a, RING_SPSC_PRODUCER, say_no, NULL), 1);
	CU_ASSERT_EQUAL(atomic_load(&hdr(&f)->p_mode), before);

	CU_ASSERT_EQUAL(ring_adaptive_try_push(&a, "ab", 2, 1), 2);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&c, "cd", 2, 1), 2);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&a, RING_SPSC_PRODUCER));
	CU_ASSERT_NOT_EQUAL(atomic_load(&hdr(&f)->p_mode), before);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&a, "ef", 2, 1), 2);
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&b, out, sizeof(out)), 6);
	CU_ASSERT_EQUAL(memcmp(out, "abcdef", 6), 0);
	CU_ASSERT_TRUE(ring_adaptive_exclusive(&b, RING_SPSC_CONSUMER));

	CU_ASSERT_EQUAL(ring_adaptive_claim(&a, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_TRUE(ring_adaptive_exclusive(&a, RING_SPSC_PRODUCER));
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&a, "gh", 2, 1), 2);
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&b, out, sizeof(out)), 2);
	CU_ASSERT_EQUAL(memcmp(out, "gh", 2), 0);
	/* An explicit share: nobody owns the side afterwards. */
	ring_adaptive_share(&a, RING_SPSC_PRODUCER);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&a, RING_SPSC_PRODUCER));
	CU_ASSERT_EQUAL(atomic_load(&hdr(&f)->p_mode) & 0x80000000u, 0);
	fixture_close(&f);
}

/* Full, empty, partial and all-or-nothing, on both paths, wrapping many times. */
static void test_both_paths_keep_the_stream(void)
{
	unsigned char in[100], out[100];
	struct ring_adaptive p, c, other;
	uint64_t sent = 0, got = 0;
	struct fixture f;

	fixture_open(&f, 64);
	view(&f, &p);
	view(&f, &c);
	view(&f, &other);
	srand(11);
	for (int round = 0; got < 40000; round++) {
		size_t n = (size_t)(rand() % 100) + 1;
		ssize_t k;

		/* Every 500 rounds the sides change hands: claims, and a stranger's empty pop. */
		if (round % 500 == 0)
			CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
		if (round % 500 == 250)
			CU_ASSERT_EQUAL(ring_adaptive_claim(&c, RING_SPSC_CONSUMER, NULL, NULL), 1);
		if (round % 700 == 350)
			CU_ASSERT(ring_adaptive_try_pop(&other, out, 0) == 0);
		if (round % 500 == 100)
			ring_adaptive_share(&p, RING_SPSC_PRODUCER);
		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)(sent + i);
		k = ring_adaptive_try_push(&p, in, n, round % 3 == 0);
		CU_ASSERT_FATAL(k > 0 || k == -EAGAIN);
		if (round % 3 == 0)
			CU_ASSERT_FATAL(k == (ssize_t)n || k == -EAGAIN);
		if (k > 0)
			sent += (uint64_t)k;
		k = ring_adaptive_try_pop(&c, out, (size_t)(rand() % 100) + 1);
		CU_ASSERT_FATAL(k > 0 || k == -EAGAIN);
		for (ssize_t i = 0; i < k; i++)
			CU_ASSERT_EQUAL_FATAL(out[i], (unsigned char)(got + (uint64_t)i));
		if (k > 0)
			got += (uint64_t)k;
		CU_ASSERT_FATAL(sent - got <= 64);
		CU_ASSERT_EQUAL_FATAL(ring_used(&p.r), (long)(sent - got));
	}
	fixture_close(&f);
}

/*
 * The two halves of WAKE-UPS: an exclusive publisher bumps the futex word
 * only for a counted sleeper; a locked one always does.
 */
static void test_wake_protocol_halves(void)
{
	struct ring_adaptive p, c, q;
	unsigned char out[8];
	struct fixture f;
	uint32_t seq, room;

	fixture_open(&f, 4096);
	view(&f, &p);
	view(&f, &c);
	view(&f, &q);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&c, RING_SPSC_CONSUMER, NULL, NULL), 1);
	seq = atomic_load(&hdr(&f)->data_seq);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, "a", 1, 1), 1);
	CU_ASSERT_EQUAL(atomic_load(&hdr(&f)->data_seq), seq);
	atomic_fetch_add(&hdr(&f)->data_waiters, 1);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, "b", 1, 1), 1);
	CU_ASSERT_NOT_EQUAL(atomic_load(&hdr(&f)->data_seq), seq);
	atomic_fetch_sub(&hdr(&f)->data_waiters, 1);
	room = atomic_load(&hdr(&f)->room_seq);
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, out, 1), 1);
	CU_ASSERT_EQUAL(atomic_load(&hdr(&f)->room_seq), room);
	atomic_fetch_add(&hdr(&f)->room_waiters, 1);
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, out, 1), 1);
	CU_ASSERT_NOT_EQUAL(atomic_load(&hdr(&f)->room_seq), room);
	atomic_fetch_sub(&hdr(&f)->room_waiters, 1);
	/* q takes the producer side: the locked path bumps with nobody counted. */
	seq = atomic_load(&hdr(&f)->data_seq);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&q, "c", 1, 1), 1);
	CU_ASSERT_NOT_EQUAL(atomic_load(&hdr(&f)->data_seq), seq);
	fixture_close(&f);
}

/* Capacity changes and resets take both sides from their owners and keep (or drop) the bytes. */
static void test_capacity_change_and_reset(void)
{
	struct ring_adaptive p, c;
	unsigned char buf[8192];
	struct fixture f;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 13);
	fixture_open(&f, 4096);
	view(&f, &p);
	view(&f, &c);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&c, RING_SPSC_CONSUMER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, buf, 3000, 1), 3000);
	CU_ASSERT_EQUAL(ring_adaptive_set_capacity(&p, 2048), -EBUSY);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER));
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&c, RING_SPSC_CONSUMER));
	CU_ASSERT_EQUAL(ring_adaptive_set_capacity(&p, 8192), 0);
	CU_ASSERT_EQUAL(ring_capacity(&p.r), 8192);
	/* Claimed again, both views work with the new capacity. */
	CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&c, RING_SPSC_CONSUMER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, buf + 3000, 5192, 1), 5192);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, buf, 1, 0), -EAGAIN);
	{
		unsigned char out[8192];

		CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, out, sizeof(out)), 8192);
		CU_ASSERT_EQUAL(memcmp(out, buf, sizeof(out)), 0);
	}
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, buf, 100, 1), 100);
	CU_ASSERT_EQUAL(ring_adaptive_reset(&c, 4096), 0);
	CU_ASSERT_EQUAL(ring_used(&c.r), 0);
	CU_ASSERT_EQUAL(ring_capacity(&c.r), 4096);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER));
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, buf, 1), -EAGAIN);
	fixture_close(&f);
}

/* A mode word overwritten by someone else is never taken for our claim. */
static void test_foreign_mode_word(void)
{
	struct ring_adaptive p, c;
	unsigned char out[4];
	struct fixture f;

	fixture_open(&f, 4096);
	view(&f, &p);
	view(&f, &c);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
	atomic_store(&hdr(&f)->p_mode, atomic_load(&hdr(&f)->p_mode) + 1);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER));
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, "xyz", 3, 1), 3);
	CU_ASSERT_EQUAL(atomic_load(&hdr(&f)->p_mode) & 0x80000000u, 0);
	atomic_store(&hdr(&f)->c_mode, 0xffffffffu);
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, out, sizeof(out)), 3);
	CU_ASSERT_EQUAL(memcmp(out, "xyz", 3), 0);
	fixture_close(&f);
}

/* Blocking calls: EOF and EPIPE from peer(), non-blocking, timeouts, on both paths. */
static void test_blocking_results(void)
{
	struct ring_block gone = { .peer = peer_absent, .atomic_max = 16 };
	struct ring_block nb = { .nonblock = 1 };
	struct ring_block timed = { .timeout_ms = 30 };
	unsigned char buf[80] = { 0 };
	struct ring_adaptive p, c;
	struct fixture f;

	fixture_open(&f, 64);
	view(&f, &p);
	view(&f, &c);
	for (int exclusive = 0; exclusive < 2; exclusive++) {
		if (exclusive) {
			CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
			CU_ASSERT_EQUAL(ring_adaptive_claim(&c, RING_SPSC_CONSUMER, NULL, NULL), 1);
		}
		CU_ASSERT_EQUAL(ring_adaptive_pop(&c, buf, 8, &nb), -EAGAIN);
		CU_ASSERT_EQUAL(ring_adaptive_pop(&c, buf, 8, &timed), -ETIMEDOUT);
		CU_ASSERT_EQUAL(ring_adaptive_pop(&c, buf, 8, &gone), 0);
		CU_ASSERT_EQUAL(gone.peer_gone, 1);
		nb.peer = peer_absent;
		CU_ASSERT_EQUAL(ring_adaptive_pop(&c, buf, 8, &nb), 0);
		nb.peer = NULL;
		/* Bytes already buffered come before end of file. */
		CU_ASSERT_EQUAL(ring_adaptive_push(&p, "xy", 2, &gone), 2);
		CU_ASSERT_EQUAL(ring_adaptive_pop(&c, buf, 8, &gone), 2);
		CU_ASSERT_EQUAL(gone.peer_gone, 0);
		/* Full: non-blocking gives the part that fit, a gone consumer EPIPE. */
		CU_ASSERT_EQUAL(ring_adaptive_push(&p, buf, 80, &nb), 64);
		CU_ASSERT_EQUAL(ring_adaptive_push(&p, buf, 8, &nb), -EAGAIN);
		CU_ASSERT_EQUAL(ring_adaptive_push(&p, buf, 8, &timed), -ETIMEDOUT);
		CU_ASSERT_EQUAL(ring_adaptive_push(&p, buf, 8, &gone), -EPIPE);
		CU_ASSERT_EQUAL(gone.peer_gone, 1);
		CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, buf, 80), 64);
		CU_ASSERT_EQUAL(ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER), exclusive);
		CU_ASSERT_EQUAL(ring_adaptive_exclusive(&c, RING_SPSC_CONSUMER), exclusive);
	}
	fixture_close(&f);
}

struct pop_job {
	struct ring_adaptive *a;
	unsigned char buf[16];
	ssize_t result;
};

static void *pop_thread(void *arg)
{
	struct pop_job *j = arg;
	struct ring_block b = { 0 };

	j->result = ring_adaptive_pop(j->a, j->buf, sizeof(j->buf), &b);
	return NULL;
}

/* A consumer on the locked path asleep; an exclusive producer's push wakes it. */
static void test_shared_sleeper_woken_by_exclusive_push(void)
{
	struct ring_adaptive p, c;
	struct pop_job j = { .a = &c };
	struct fixture f;
	pthread_t t;

	fixture_open(&f, 4096);
	view(&f, &p);
	view(&f, &c);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, pop_thread, &j) == 0);
	while (atomic_load(&hdr(&f)->data_waiters) == 0)
		sched_yield();
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, "wake", 4, 1), 4);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(j.result, 4);
	CU_ASSERT_EQUAL(memcmp(j.buf, "wake", 4), 0);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&c, RING_SPSC_CONSUMER));
	fixture_close(&f);
}

/* A fork child does not inherit its parent's claim; its first push takes the side. */
static void test_fork_child_takes_the_side(void)
{
	struct ring_adaptive p, c;
	unsigned char out[8];
	struct fixture f;
	int status = 0;
	pid_t pid;

	fixture_open(&f, 4096);
	view(&f, &p);
	view(&f, &c);
	CU_ASSERT_EQUAL(ring_adaptive_claim(&p, RING_SPSC_PRODUCER, NULL, NULL), 1);
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, "p1", 2, 1), 2);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		bool inherited = ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER);

		_exit(inherited || ring_adaptive_try_push(&p, "k1", 2, 1) != 2 ? 1 : 0);
	}
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_FALSE(ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER));
	CU_ASSERT_EQUAL(ring_adaptive_try_push(&p, "p2", 2, 1), 2);
	CU_ASSERT_EQUAL(ring_adaptive_try_pop(&c, out, sizeof(out)), 6);
	CU_ASSERT_EQUAL(memcmp(out, "p1k1p2", 6), 0);
	fixture_close(&f);
}

/* ---- streams between processes, checked message by message ---- */

#define MSG 32
#define SRC_MAX 3

struct msg {
	uint32_t src, seq;
	unsigned char payload[20];
	uint32_t sum;
};
_Static_assert(sizeof(struct msg) == MSG, "a message is 32 bytes");

/* FNV-1a over everything but the sum: written by the sender, checked by the consumer. */
static uint32_t msg_sum(const struct msg *m)
{
	const unsigned char *p = (const unsigned char *)m;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < offsetof(struct msg, sum); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void msg_make(struct msg *m, uint32_t src, uint32_t seq)
{
	m->src = src;
	m->seq = seq;
	for (size_t i = 0; i < sizeof(m->payload); i++)
		m->payload[i] = (unsigned char)(seq * 31 + src * 7 + i);
	m->sum = msg_sum(m);
}

/* What the processes of one stream test tell each other, in the shared region. */
struct ctl {
	_Atomic int producers;    /* live producers that joined: the sole() answer */
	_Atomic uint32_t pushed[SRC_MAX];
	_Atomic int midway;       /* the first producer is halfway */
	_Atomic int third_pushed; /* the third producer's first push returned */
	_Atomic int third_done;
	/* Results, written by the processes that know them. */
	_Atomic int owner_exclusive_at_start;
	_Atomic int owner_lost_side;      /* the owner saw itself SHARED after the third pushed */
	_Atomic int owner_exclusive_again;
	_Atomic int consumer_exclusive;
	_Atomic int heir_exclusive;
	_Atomic uint32_t total[SRC_MAX];  /* messages a source sends, once it knows; 0 before */
	_Atomic uint32_t got[SRC_MAX];    /* messages received per source */
	_Atomic uint32_t bad;             /* wrong sums, sources or orders */
};

struct stream_fix {
	struct fixture f;
	struct ctl *ctl;
};

static int sole_producer(void *ctx)
{
	struct ctl *c = ctx;

	return atomic_load(&c->producers) == 1;
}

static void stream_open(struct stream_fix *s, uint32_t capacity)
{
	fixture_open(&s->f, capacity);
	s->ctl = mmap(NULL, sizeof(*s->ctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	CU_ASSERT_FATAL(s->ctl != MAP_FAILED);
}

static void stream_close(struct stream_fix *s)
{
	munmap(s->ctl, sizeof(*s->ctl));
	fixture_close(&s->f);
}

static void push_msg(struct ring_adaptive *a, uint32_t src, uint32_t seq)
{
	struct ring_block b = { .atomic_max = MSG };
	struct msg m;

	msg_make(&m, src, seq);
	if (ring_adaptive_push(a, &m, MSG, &b) != MSG)
		_exit(3);
}

/* Whether the last source has said how many it sends, and all of them are in. */
static bool last_in(const struct ctl *ctl, uint32_t last_src)
{
	uint32_t total = atomic_load(&ctl->total[last_src]);

	return total != 0 && atomic_load(&ctl->got[last_src]) >= total;
}

/*
 * The consumer: claims its side, then pops until the last source's
 * messages are all in, checking each message's sum and that every
 * source's numbers come in order from 0.  A source sets its total before
 * it pushes its last message, so the consumer never waits for one that
 * is not coming.
 */
static void consume(struct stream_fix *s, uint32_t last_src)
{
	struct ring_adaptive c;
	unsigned char buf[4096];
	size_t have = 0;

	if (ring_adaptive_attach(&c, s->f.mem, s->f.len) != 0 ||
	    ring_adaptive_claim(&c, RING_SPSC_CONSUMER, NULL, NULL) != 1)
		_exit(2);
	atomic_store(&s->ctl->consumer_exclusive, ring_adaptive_exclusive(&c, RING_SPSC_CONSUMER));
	while (!last_in(s->ctl, last_src)) {
		struct ring_block b = { 0 };
		ssize_t k = ring_adaptive_pop(&c, buf + have, sizeof(buf) - have, &b);
		size_t off = 0;

		if (k <= 0)
			_exit(4);
		have += (size_t)k;
		for (; have - off >= MSG; off += MSG) {
			struct msg m;

			memcpy(&m, buf + off, MSG);
			if (m.src >= SRC_MAX || m.sum != msg_sum(&m) ||
			    m.seq != atomic_load(&s->ctl->got[m.src])) {
				atomic_fetch_add(&s->ctl->bad, 1);
				_exit(5);
			}
			atomic_fetch_add(&s->ctl->got[m.src], 1);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	_exit(0);
}

static pid_t spawn(void (*fn)(struct stream_fix *), struct stream_fix *s)
{
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		fn(s);
		_exit(0);
	}
	return pid;
}

/* Waits for a producer; if it failed, the consumer would wait for it forever: kill that. */
static bool producer_ok(pid_t pid, pid_t consumer)
{
	int status = 0;
	bool ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (!ok)
		kill(consumer, SIGKILL);
	return ok;
}

static bool exited_ok(pid_t pid)
{
	int status = 0;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define OWNER_MSGS 60000u
#define OWNER_TAIL 20000u
#define THIRD_MSGS 20000u

static void owner_consumer(struct stream_fix *s)
{
	consume(s, 0);
}

/*
 * The owner: claims the producer side and streams; halfway it lets the
 * third producer in and streams on -- until it has seen itself lose the
 * side to the third, however long that takes; once the third has left, it
 * claims again and streams a last stretch exclusively.
 */
static void owner(struct stream_fix *s)
{
	struct ctl *ctl = s->ctl;
	struct ring_adaptive p;
	bool seen_third = false, lost = false;
	uint32_t seq = 0;

	if (ring_adaptive_attach(&p, s->f.mem, s->f.len) != 0 ||
	    ring_adaptive_claim(&p, RING_SPSC_PRODUCER, sole_producer, ctl) != 1)
		_exit(2);
	atomic_store(&ctl->owner_exclusive_at_start, ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER));
	while (seq < OWNER_MSGS || !lost) {
		if (seq == OWNER_MSGS / 4)
			atomic_store(&ctl->midway, 1);
		/* Once the third has pushed, our next push is on the locked path. */
		if (seen_third && !ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER))
			lost = true;
		seen_third = seen_third || atomic_load(&ctl->third_pushed);
		push_msg(&p, 0, seq++);
	}
	atomic_store(&ctl->owner_lost_side, lost);
	while (!atomic_load(&ctl->third_done))
		sched_yield();
	if (ring_adaptive_claim(&p, RING_SPSC_PRODUCER, sole_producer, ctl) != 1)
		_exit(6);
	atomic_store(&ctl->total[0], seq + OWNER_TAIL);
	for (uint32_t end = seq + OWNER_TAIL; seq < end; seq++)
		push_msg(&p, 0, seq);
	atomic_store(&ctl->owner_exclusive_again, ring_adaptive_exclusive(&p, RING_SPSC_PRODUCER));
	_exit(0);
}

/* The third producer: joins halfway through the owner's stream, pushes, leaves. */
static void third(struct stream_fix *s)
{
	struct ctl *ctl = s->ctl;
	struct ring_adaptive q;

	while (!atomic_load(&ctl->midway))
		sched_yield();
	if (ring_adaptive_attach(&q, s->f.mem, s->f.len) != 0)
		_exit(2);
	atomic_fetch_add(&ctl->producers, 1);
	for (uint32_t seq = 0; seq < THIRD_MSGS; seq++) {
		push_msg(&q, 1, seq);
		atomic_store(&ctl->third_pushed, 1);
	}
	atomic_fetch_sub(&ctl->producers, 1);
	atomic_store(&ctl->third_done, 1);
	_exit(0);
}

/*
 * Exclusive to SHARED on a second producer while the owner is
 * mid-stream, and back to exclusive when it has left: every message of
 * both arrives once, whole, in its sender's order.
 */
static void test_third_producer_joins_mid_stream(void)
{
	struct stream_fix s;
	pid_t cons, own, thr;

	stream_open(&s, 4096);
	atomic_store(&s.ctl->producers, 1);
	cons = spawn(owner_consumer, &s);
	own = spawn(owner, &s);
	thr = spawn(third, &s);
	CU_ASSERT_TRUE(producer_ok(thr, cons));
	CU_ASSERT_TRUE(producer_ok(own, cons));
	CU_ASSERT_TRUE(exited_ok(cons));
	CU_ASSERT_EQUAL(atomic_load(&s.ctl->bad), 0);
	CU_ASSERT(atomic_load(&s.ctl->got[0]) >= OWNER_MSGS + OWNER_TAIL);
	CU_ASSERT_EQUAL(atomic_load(&s.ctl->got[0]), atomic_load(&s.ctl->total[0]));
	CU_ASSERT_EQUAL(atomic_load(&s.ctl->got[1]), THIRD_MSGS);
	CU_ASSERT_TRUE(atomic_load(&s.ctl->owner_exclusive_at_start));
	CU_ASSERT_TRUE(atomic_load(&s.ctl->owner_lost_side));
	CU_ASSERT_TRUE(atomic_load(&s.ctl->owner_exclusive_again));
	CU_ASSERT_TRUE(atomic_load(&s.ctl->consumer_exclusive));
	stream_close(&s);
}

#define HEIR_MSGS 20000u

static void heir_consumer(struct stream_fix *s)
{
	consume(s, 2);
}

/* The doomed owner: streams exclusively, counting, until it is killed. */
static void doomed(struct stream_fix *s)
{
	struct ring_adaptive p;

	if (ring_adaptive_attach(&p, s->f.mem, s->f.len) != 0 ||
	    ring_adaptive_claim(&p, RING_SPSC_PRODUCER, sole_producer, s->ctl) != 1)
		_exit(2);
	for (uint32_t seq = 0;; seq++) {
		push_msg(&p, 0, seq);
		atomic_store(&s->ctl->pushed[0], seq + 1);
	}
}

/* The heir: a producer that comes after the owner's death, claims and streams. */
static void heir(struct stream_fix *s)
{
	struct ring_adaptive q;

	if (ring_adaptive_attach(&q, s->f.mem, s->f.len) != 0)
		_exit(2);
	push_msg(&q, 2, 0);
	if (ring_adaptive_claim(&q, RING_SPSC_PRODUCER, sole_producer, s->ctl) != 1)
		_exit(6);
	atomic_store(&s->ctl->heir_exclusive, ring_adaptive_exclusive(&q, RING_SPSC_PRODUCER));
	for (uint32_t seq = 1; seq < HEIR_MSGS; seq++)
		push_msg(&q, 2, seq);
	_exit(0);
}

/*
 * The exclusive owner is killed in the middle of its stream (perhaps
 * inside a push, holding the side lock): a new producer takes the side
 * over and the consumer gets every message the owner published, then the
 * new producer's, all whole and in order.
 */
static void test_exclusive_owner_killed(void)
{
	struct stream_fix s;
	pid_t cons, own, next;
	int status = 0;

	stream_open(&s, 4096);
	atomic_store(&s.ctl->producers, 1);
	atomic_store(&s.ctl->total[2], HEIR_MSGS);
	cons = spawn(heir_consumer, &s);
	own = spawn(doomed, &s);
	/* Until it has streamed a while -- or has failed, which ends the wait too. */
	while (atomic_load(&s.ctl->pushed[0]) < 30000 && waitpid(own, &status, WNOHANG) == 0)
		sched_yield();
	kill(own, SIGKILL);
	if (waitpid(own, &status, 0) != own || !WIFSIGNALED(status) ||
	    WTERMSIG(status) != SIGKILL) {
		kill(cons, SIGKILL);
		waitpid(cons, &status, 0);
		CU_FAIL_FATAL("the owner ended before it was killed");
	}
	next = spawn(heir, &s);
	CU_ASSERT_TRUE(producer_ok(next, cons));
	CU_ASSERT_TRUE(exited_ok(cons));
	CU_ASSERT_EQUAL(atomic_load(&s.ctl->bad), 0);
	CU_ASSERT(atomic_load(&s.ctl->got[0]) >= 30000);
	CU_ASSERT(atomic_load(&s.ctl->got[0]) <= atomic_load(&s.ctl->pushed[0]) + 1);
	CU_ASSERT_EQUAL(atomic_load(&s.ctl->got[2]), HEIR_MSGS);
	CU_ASSERT_TRUE(atomic_load(&s.ctl->heir_exclusive));
	stream_close(&s);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "attach checks", test_attach_checks },
		{ "claim, share and claim again", test_claim_share_and_reclaim },
		{ "both paths keep the stream", test_both_paths_keep_the_stream },
		{ "wake protocol halves", test_wake_protocol_halves },
		{ "capacity change and reset", test_capacity_change_and_reset },
		{ "a foreign mode word", test_foreign_mode_word },
		{ "blocking results", test_blocking_results },
		{ "shared sleeper woken by an exclusive push", test_shared_sleeper_woken_by_exclusive_push },
		{ "a fork child takes the side", test_fork_child_takes_the_side },
		{ "a third producer joins mid-stream", test_third_producer_joins_mid_stream },
		{ "an exclusive owner killed", test_exclusive_owner_killed },
		CU_TEST_INFO_NULL,
	};

	return ring_test_run_suite("ring_adaptive", tests);
}
