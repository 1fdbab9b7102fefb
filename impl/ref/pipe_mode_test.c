/*
 * ref's pipes on the adaptive ring (pipe_end.h): a pipe used as programs
 * use it -- created, forked, each process closing the end it does not
 * use -- goes on the SPSC path on both sides; a third process that
 * attaches the published pipe and writes takes the write side onto the
 * locked path in the middle of the owner's stream, and the owner gets it
 * back when the third has closed; every message arrives whole and in its
 * writer's order.  And a reader killed in the middle of an exclusive
 * stream: the writer gets EPIPE within the bound pipe_end.h documents.
 * The sides' modes are read from ref's internals (linked statically).
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/pipe.h"
#include "impl/ref/pipe_end.h"
#include "impl/ref/ref_iut.h"

#define MSG 32

struct msg {
	uint32_t src, seq;
	unsigned char payload[20];
	uint32_t sum;
};
_Static_assert(sizeof(struct msg) == MSG, "a message is 32 bytes");

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
		m->payload[i] = (unsigned char)(seq * 29 + src * 5 + i);
	m->sum = msg_sum(m);
}

/* What the processes of one test tell each other (a MAP_SHARED page). */
struct ctl {
	char name[REF_PIPE_NAME_MAX]; /* the published pipe, for the third process */
	_Atomic int reader_ready;     /* the reader closed its write end */
	_Atomic int midway;           /* the owner is halfway: the third may come */
	_Atomic int third_wrote;      /* the third's first write returned */
	_Atomic int owner_saw_shared; /* the owner saw its side taken: the third may close */
	_Atomic int third_closed;
	_Atomic uint32_t total[2];    /* messages a writer sends, once it knows; 0 before */
	_Atomic uint32_t got[2];
	_Atomic uint32_t bad;
	_Atomic int reader_exclusive; /* the reader's side was exclusive after its last read */
};

static struct ctl *ctl_new(void)
{
	struct ctl *c = mmap(NULL, sizeof(struct ctl), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CU_ASSERT_FATAL(c != MAP_FAILED);
	return c;
}

/* Whether this process's end h is on the SPSC path for its side. */
static bool end_exclusive(int h, enum ring_spsc_side side)
{
	struct ref_ofd *f = ref_handle_get(h);
	bool ex;

	if (f == NULL)
		return false;
	ex = ring_adaptive_exclusive(&pipe_obj_of(f->obj)->ring, side);
	ref_handle_put(f);
	return ex;
}

static const struct ipcconf_iut *iut(void)
{
	return ipcconf_ref_iut();
}

static void write_msg(int h, uint32_t src, uint32_t seq)
{
	struct msg m;

	msg_make(&m, src, seq);
	if (iut()->stream->write(iut(), h, &m, MSG) != MSG)
		_exit(3);
}

/* The reader: reads until the last writer's messages are all in, checking each. */
static void reader(struct ctl *c, const int e[2], uint32_t last_src)
{
	unsigned char buf[4096];
	size_t have = 0;

	if (iut()->handle->close(iut(), e[1]) != 0)
		_exit(2);
	atomic_store(&c->reader_ready, 1);
	for (;;) {
		uint32_t total = atomic_load(&c->total[last_src]);
		ssize_t k;
		size_t off = 0;

		if (total != 0 && atomic_load(&c->got[last_src]) >= total)
			break;
		k = iut()->stream->read(iut(), e[0], buf + have, sizeof(buf) - have);
		if (k <= 0)
			_exit(4);
		atomic_store(&c->reader_exclusive, end_exclusive(e[0], RING_SPSC_CONSUMER));
		have += (size_t)k;
		for (; have - off >= MSG; off += MSG) {
			struct msg m;

			memcpy(&m, buf + off, MSG);
			if (m.src > 1 || m.sum != msg_sum(&m) || m.seq != atomic_load(&c->got[m.src])) {
				atomic_fetch_add(&c->bad, 1);
				_exit(5);
			}
			atomic_fetch_add(&c->got[m.src], 1);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	_exit(0);
}

/* The third: attaches the published pipe by name, as an unrelated process would, writes, closes. */
static void third(struct ctl *c, uint32_t msgs)
{
	struct ref_obj *obj = NULL;
	struct ref_ofd *wr = NULL;
	int h;

	while (!atomic_load(&c->midway))
		sched_yield();
	if (ref_pipe_attach(c->name, &obj) != 0)
		_exit(2);
	ref_lock();
	if (ref_ofd_new_locked(obj, 0, O_WRONLY, false, &wr) != 0) {
		ref_unlock();
		_exit(2);
	}
	h = ref_handle_install_locked(wr);
	ref_unlock();
	if (h < 0)
		_exit(2);
	for (uint32_t seq = 0; seq < msgs; seq++) {
		if (seq == msgs - 1)
			atomic_store(&c->total[1], msgs);
		write_msg(h, 1, seq);
		atomic_store(&c->third_wrote, 1);
	}
	/*
	 * Held open until the owner has looked: on a loaded machine the owner
	 * may sleep through all of our writes, and once we close, its next
	 * write claims the side back -- it would never see it taken.
	 */
	while (!atomic_load(&c->owner_saw_shared))
		sched_yield();
	if (iut()->handle->close(iut(), h) != 0)
		_exit(2);
	atomic_store(&c->third_closed, 1);
	_exit(0);
}

static bool child_ok(pid_t pid)
{
	int status = 0;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define OWNER_MSGS 40000u
#define THIRD_MSGS 20000u
#define TAIL_MSGS 20000u

static void test_pair_goes_exclusive_third_takes_side(void)
{
	struct ctl *c = ctl_new();
	bool lost = false, seen_third = false, again;
	pid_t thr, rd;
	struct ref_ofd *wr;
	uint32_t seq = 0;
	int e[2];

	/* The third process exists before the pipe: it can only attach it by name. */
	thr = fork();
	CU_ASSERT_FATAL(thr >= 0);
	if (thr == 0)
		third(c, THIRD_MSGS);
	CU_ASSERT_FATAL(iut()->pipe->create(iut(), e, 0) == 0);
	wr = ref_handle_get(e[1]);
	CU_ASSERT_FATAL(wr != NULL);
	CU_ASSERT_EQUAL_FATAL(ref_pipe_publish(wr->obj, "/ipcconf-ref-test-", c->name), 0);
	ref_handle_put(wr);
	rd = fork();
	CU_ASSERT_FATAL(rd >= 0);
	if (rd == 0)
		reader(c, e, 0);
	CU_ASSERT_EQUAL(iut()->handle->close(iut(), e[0]), 0);
	while (!atomic_load(&c->reader_ready))
		sched_yield();

	write_msg(e[1], 0, seq++);
	CU_ASSERT_TRUE(end_exclusive(e[1], RING_SPSC_PRODUCER));
	/* Halfway the third comes; the owner streams on until it has lost the side to it. */
	while (seq < OWNER_MSGS || !lost) {
		if (seq == OWNER_MSGS / 2)
			atomic_store(&c->midway, 1);
		if (seen_third && !lost && !end_exclusive(e[1], RING_SPSC_PRODUCER)) {
			lost = true;
			atomic_store(&c->owner_saw_shared, 1);
		}
		seen_third = seen_third || atomic_load(&c->third_wrote);
		write_msg(e[1], 0, seq++);
	}
	CU_ASSERT_TRUE(child_ok(thr));
	CU_ASSERT_TRUE(atomic_load(&c->third_closed));
	/* The third's close bumped `releases`: the next write claims the side again. */
	atomic_store(&c->total[0], seq + TAIL_MSGS);
	for (uint32_t end = seq + TAIL_MSGS; seq < end; seq++)
		write_msg(e[1], 0, seq);
	again = end_exclusive(e[1], RING_SPSC_PRODUCER);
	CU_ASSERT_TRUE(again);
	CU_ASSERT_TRUE(child_ok(rd));
	CU_ASSERT_EQUAL(atomic_load(&c->bad), 0);
	CU_ASSERT_EQUAL(atomic_load(&c->got[0]), seq);
	CU_ASSERT_EQUAL(atomic_load(&c->got[1]), THIRD_MSGS);
	CU_ASSERT_TRUE(atomic_load(&c->reader_exclusive));
	CU_ASSERT_EQUAL(iut()->handle->close(iut(), e[1]), 0);
	munmap(c, sizeof(*c));
}

/* The reader of the next test: reads whatever comes until it is killed. */
static void endless_reader(struct ctl *c, const int e[2])
{
	unsigned char buf[4096];

	if (iut()->handle->close(iut(), e[1]) != 0)
		_exit(2);
	atomic_store(&c->reader_ready, 1);
	for (;;) {
		ssize_t k = iut()->stream->read(iut(), e[0], buf, sizeof(buf));

		if (k <= 0)
			_exit(4);
		atomic_fetch_add(&c->got[0], (uint32_t)k);
	}
}

/*
 * The reader is killed while the writer streams to it on the SPSC path:
 * the writer's writes fail with EPIPE after at most twice the budget
 * pipe_end.h gives them (128 writes of 64 bytes), never later.
 */
static void test_reader_killed_mid_stream(void)
{
	struct ctl *c = ctl_new();
	unsigned char m[64] = { 0 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int e[2], status = 0, after = 0;
	ssize_t k = (ssize_t)sizeof(m);
	pid_t rd;

	CU_ASSERT_FATAL(sigaction(SIGPIPE, &ign, &old) == 0);
	CU_ASSERT_FATAL(iut()->pipe->create(iut(), e, 0) == 0);
	rd = fork();
	CU_ASSERT_FATAL(rd >= 0);
	if (rd == 0)
		endless_reader(c, e);
	CU_ASSERT_EQUAL(iut()->handle->close(iut(), e[0]), 0);
	while (!atomic_load(&c->reader_ready))
		sched_yield();
	/* Stream until the reader has taken a good part: it is alive and consuming. */
	while (atomic_load(&c->got[0]) < (1u << 20) && k == (ssize_t)sizeof(m))
		k = iut()->stream->write(iut(), e[1], m, sizeof(m));
	CU_ASSERT_EQUAL(k, (ssize_t)sizeof(m));
	CU_ASSERT_TRUE(end_exclusive(e[1], RING_SPSC_PRODUCER));
	kill(rd, SIGKILL);
	CU_ASSERT_FATAL(waitpid(rd, &status, 0) == rd);
	for (after = 0; after <= 1000; after++) {
		k = iut()->stream->write(iut(), e[1], m, sizeof(m));
		if (k != (ssize_t)sizeof(m))
			break;
	}
	CU_ASSERT_EQUAL(k, -EPIPE);
	CU_ASSERT(after <= 128);
	CU_ASSERT_EQUAL(iut()->handle->close(iut(), e[1]), 0);
	sigaction(SIGPIPE, &old, NULL);
	munmap(c, sizeof(*c));
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite("pipe modes", NULL, NULL);
	CU_add_test(suite, "a forked pair goes exclusive; a third process takes the write side",
		    test_pair_goes_exclusive_third_takes_side);
	CU_add_test(suite, "a reader killed mid-stream: EPIPE within the bound",
		    test_reader_killed_mid_stream);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
