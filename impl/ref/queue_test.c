/*
 * Unit tests of ref's message queues (msgq.h, mq.h): what the conformance
 * clauses do not reach.  Tests that state a Linux rule run against `os`
 * first (the kernel proves the expectation), then `ref` and `ref-small`;
 * tests of ref's own machinery (its files in /dev/shm, a header broken by
 * a peer, a lock holder that died inside) run against ref only.  No test
 * sleeps: children are awaited with waitpid().
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/os/os_iut.h"
#include "impl/ref/msgq.h"
#include "impl/ref/mq.h"
#include "impl/ref/ref_iut.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

static const struct ipcconf_iut *iut;
static bool is_ref;

struct msg {
	long mtype;
	char mtext[64];
};

static key_t fresh_key(void)
{
	key_t k = 0;

	while (k == IPC_PRIVATE || (msgget(k, 0) >= 0 || errno != ENOENT))
		if (getrandom(&k, sizeof k, 0) != sizeof k)
			abort();
	return k;
}

static int q_new(void)
{
	int id = iut->msgq->get(iut, fresh_key(), IPC_CREAT | IPC_EXCL | 0600);

	CU_ASSERT_FATAL(id >= 0);
	return id;
}

static void q_put(int id, long type, const char *text)
{
	struct msg m = { .mtype = type };

	memcpy(m.mtext, text, strlen(text));
	CU_ASSERT_EQUAL(iut->msgq->send(iut, id, &m, strlen(text), IPC_NOWAIT), 0);
}

/* Receives with msgtyp/flags and checks the type and text (NULL: expect ENOMSG). */
static void q_take(int id, long msgtyp, int flags, long want_type, const char *want)
{
	struct msg m;
	ssize_t n;

	memset(&m, 0, sizeof m);
	n = iut->msgq->receive(iut, id, &m, sizeof m.mtext, msgtyp, flags | IPC_NOWAIT);
	if (want == NULL) {
		CU_ASSERT_EQUAL(n, -ENOMSG);
		return;
	}
	CU_ASSERT_EQUAL(n, (ssize_t)strlen(want));
	CU_ASSERT_EQUAL(m.mtype, want_type);
	CU_ASSERT(n >= 0 && memcmp(m.mtext, want, (size_t)n) == 0);
}

static void q_rm(int id)
{
	CU_ASSERT_EQUAL(iut->msgq->control(iut, id, IPC_RMID, NULL), 0);
}

static long q_qnum(int id)
{
	struct msqid_ds ds;

	CU_ASSERT_EQUAL_FATAL(iut->msgq->control(iut, id, IPC_STAT, &ds), 0);
	return (long)ds.msg_qnum;
}

/* Types beyond the ring's 16 bits select exactly as the small ones do. */
static void test_big_types(void)
{
	int id = q_new();

	q_put(id, 70000, "a");
	q_put(id, LONG_MAX, "b");
	q_put(id, 65535, "c");
	q_put(id, 70000, "d");
	q_put(id, 3, "e");
	q_take(id, 70001, 0, 0, NULL);
	q_take(id, 70000, 0, 70000, "a");
	q_take(id, -70000, 0, 3, "e");
	q_take(id, -70000, 0, 65535, "c");
	q_take(id, 70000, MSG_EXCEPT, LONG_MAX, "b");
	q_take(id, -65534, 0, 0, NULL);
	q_take(id, LONG_MIN, 0, 70000, "d");
	CU_ASSERT_EQUAL(q_qnum(id), 0);
	q_rm(id);
}

/* MSG_COPY copies by position and leaves the queue as it was. */
static void test_copy(void)
{
	int id = q_new();
	struct msg m;

	q_put(id, 5, "x");
	q_put(id, 1, "yy");
	q_put(id, 70000, "zzz");
	q_take(id, 2, MSG_COPY, 70000, "zzz");
	q_take(id, 0, MSG_COPY, 5, "x");
	q_take(id, 3, MSG_COPY, 0, NULL);
	CU_ASSERT_EQUAL(iut->msgq->receive(iut, id, &m, sizeof m.mtext, 0, MSG_COPY), -EINVAL);
	CU_ASSERT_EQUAL(iut->msgq->receive(iut, id, &m, 2, 2, MSG_COPY | IPC_NOWAIT), -E2BIG);
	CU_ASSERT_EQUAL(iut->msgq->receive(iut, id, &m, 2, 2, MSG_COPY | IPC_NOWAIT | MSG_NOERROR),
			-EINVAL);
	CU_ASSERT_EQUAL(q_qnum(id), 3);
	q_take(id, 0, 0, 5, "x");
	q_take(id, 0, 0, 1, "yy");
	q_take(id, 0, 0, 70000, "zzz");
	q_rm(id);
}

/* IPC_PRIVATE makes a new queue each time; a removed id stays dead when its key is reused. */
static void test_private_and_stale_ids(void)
{
	key_t key = fresh_key();
	int a = iut->msgq->get(iut, IPC_PRIVATE, 0600);
	int b = iut->msgq->get(iut, IPC_PRIVATE, 0600);
	int k1, k2;

	CU_ASSERT(a >= 0 && b >= 0 && a != b);
	q_put(a, 1, "a");
	q_take(b, 0, 0, 0, NULL);
	q_rm(a);
	q_rm(b);
	k1 = iut->msgq->get(iut, key, IPC_CREAT | 0600);
	CU_ASSERT_FATAL(k1 >= 0);
	CU_ASSERT_EQUAL(iut->msgq->get(iut, key, 0), k1);
	q_rm(k1);
	k2 = iut->msgq->get(iut, key, IPC_CREAT | 0600);
	CU_ASSERT_FATAL(k2 >= 0);
	CU_ASSERT_NOT_EQUAL(k1, k2);
	CU_ASSERT_EQUAL(iut->msgq->control(iut, k1, IPC_RMID, NULL), -EINVAL);
	CU_ASSERT_EQUAL(q_qnum(k2), 0);
	q_rm(k2);
	CU_ASSERT_EQUAL(iut->msgq->get(iut, key, 0), -ENOENT);
}

/* A queue survives the process that made it, and a child of it uses its id. */
static void test_id_in_another_process(void)
{
	int id = q_new();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct msg m = { .mtype = 9 };

		memcpy(m.mtext, "kid", 3);
		_exit(iut->msgq->send(iut, id, &m, 3, 0) == 0 ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	q_take(id, 9, 0, 9, "kid");
	q_rm(id);
}

/* ---- ref only: its files, and what a broken or killed peer leaves ---- */

static bool shm_exists(const char *leaf)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof path, "/dev/shm/%s", leaf);
	return lstat(path, &st) == 0;
}

/* The queue's file, mapped here as a peer would map it. */
static struct msgq_shared *map_queue(int id, size_t *size)
{
	char leaf[64], path[128];
	struct stat st;
	void *p;
	int fd;

	ref_msgq_id_leaf(id, leaf, sizeof leaf);
	snprintf(path, sizeof path, "/dev/shm/%s", leaf);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(fstat(fd, &st) == 0);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	*size = (size_t)st.st_size;
	return p;
}

static void test_ref_names_go_with_rmid(void)
{
	key_t key = fresh_key();
	char leaf[64], kleaf[64];
	int id;

	if (!is_ref)
		return;
	id = iut->msgq->get(iut, key, IPC_CREAT | 0600);
	CU_ASSERT_FATAL(id >= 0);
	ref_msgq_id_leaf(id, leaf, sizeof leaf);
	snprintf(kleaf, sizeof kleaf, MSGQ_LEAF_PREFIX "k%08x", (unsigned)key);
	CU_ASSERT(shm_exists(leaf));
	CU_ASSERT(shm_exists(kleaf));
	q_rm(id);
	CU_ASSERT(!shm_exists(leaf));
	CU_ASSERT(!shm_exists(kleaf));
}

/* A holder killed inside the lock: the next one takes the lock over and recounts. */
static void test_ref_killed_lock_holder(void)
{
	struct msgq_shared *sh;
	size_t size;
	pid_t pid;
	int id, st;

	if (!is_ref)
		return;
	id = q_new();
	q_put(id, 1, "one");
	q_put(id, 2, "two");
	sh = map_queue(id, &size);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	/* As the dead child would have left it: lock held, inside, counts half-changed. */
	atomic_store(&sh->lock, (uint32_t)pid);
	atomic_store(&sh->dirty, 1);
	sh->st.qnum = 7;
	sh->st.cbytes = 1;
	CU_ASSERT_EQUAL(q_qnum(id), 2);
	q_take(id, 2, 0, 2, "two");
	CU_ASSERT_EQUAL(q_qnum(id), 1);
	munmap(sh, size);
	q_rm(id);
}

/* A peer that breaks the header or the ring: refused or recovered, never a crash. */
static void test_ref_hostile_header(void)
{
	struct msgq_shared *sh;
	struct ring_hdr *rh;
	size_t size;
	int id;

	if (!is_ref)
		return;
	id = q_new();
	q_put(id, 1, "one");
	sh = map_queue(id, &size);
	rh = (struct ring_hdr *)((unsigned char *)sh + MSGQ_HDR_SIZE);
	/* Counts that cannot be true are recounted. */
	sh->st.qnum = UINT64_MAX;
	CU_ASSERT_EQUAL(q_qnum(id), 1);
	/* A ring whose head runs past its tail loses its messages, and works again. */
	atomic_store(&rh->head, atomic_load(&rh->tail) + 8);
	q_take(id, 0, 0, 0, NULL);
	CU_ASSERT_EQUAL(q_qnum(id), 0);
	q_put(id, 3, "three");
	q_take(id, 0, 0, 3, "three");
	q_rm(id);
	munmap(sh, size);

	/* A file under a queue's name that is not a queue: the id is unknown to a new mapper. */
	{
		int fds[2], st;
		pid_t pid;

		CU_ASSERT_FATAL(pipe(fds) == 0);
		pid = fork();
		if (pid == 0) {
			int made = iut->msgq->get(iut, IPC_PRIVATE, 0600);

			_exit(write(fds[1], &made, sizeof made) == sizeof made ? 0 : 1);
		}
		CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
		CU_ASSERT_FATAL(read(fds[0], &id, sizeof id) == sizeof id && id >= 0);
		close(fds[0]);
		close(fds[1]);
	}
	sh = map_queue(id, &size);
	atomic_store(&sh->magic, 0);
	{
		struct msg m = { .mtype = 1 };

		CU_ASSERT_EQUAL(iut->msgq->send(iut, id, &m, 1, IPC_NOWAIT), -EINVAL);
	}
	atomic_store(&sh->magic, MSGQ_MAGIC);
	munmap(sh, size);
	q_rm(id);
}

/* A name too long for a file name of ours still names one queue. */
static void test_mq_longest_name(void)
{
	char name[MQ_NAME_MAX + 2];
	struct mq_attr a = { .mq_maxmsg = 2, .mq_msgsize = 16 };
	char buf[16];
	unsigned prio = 0;
	int q, r;

	name[0] = '/';
	snprintf(name + 1, sizeof name - 1, "qt-%d-", (int)getpid());
	memset(name + strlen(name), 'n', sizeof name - 1 - strlen(name));
	name[MQ_NAME_MAX + 1] = '\0';
	q = iut->mq->open(iut, name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	CU_ASSERT_FATAL(q >= 0);
	r = iut->mq->open(iut, name, O_WRONLY, 0, NULL);
	CU_ASSERT_FATAL(r >= 0);
	CU_ASSERT_EQUAL(iut->mq->send(iut, r, "hi", 2, 7, NULL), 0);
	CU_ASSERT_EQUAL(iut->mq->receive(iut, q, buf, sizeof buf, &prio, NULL), 2);
	CU_ASSERT_EQUAL(prio, 7);
	CU_ASSERT_EQUAL(iut->mq->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->mq->open(iut, name, O_RDONLY, 0, NULL), -ENOENT);
	CU_ASSERT_EQUAL(iut->handle->close(iut, r), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, q), 0);
}

/* A registration whose process died is void: another process registers. */
static void test_mq_notify_dead_registrant(void)
{
	char name[64];
	struct mq_attr a = { .mq_maxmsg = 2, .mq_msgsize = 16 };
	struct sigevent ev;
	pid_t pid;
	int q, st;

	snprintf(name, sizeof name, "/qt-notify-%d", (int)getpid());
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_NONE;
	q = iut->mq->open(iut, name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	CU_ASSERT_FATAL(q >= 0);
	pid = fork();
	if (pid == 0) {
		int h = iut->mq->open(iut, name, O_RDONLY, 0, NULL);

		/* Registered, then killed with the handle open. */
		if (h < 0 || iut->mq->notify(iut, h, &ev) != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CU_ASSERT_EQUAL(iut->mq->notify(iut, q, &ev), 0);
	CU_ASSERT_EQUAL(iut->mq->notify(iut, q, NULL), 0);
	CU_ASSERT_EQUAL(iut->mq->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, q), 0);
}

static const struct {
	const struct ipcconf_iut *(*entry)(void);
	bool ref;
} impls[] = {
	{ ipcconf_os_iut, false },
	{ ipcconf_ref_iut, true },
	{ ipcconf_ref_small_iut, true },
};
static size_t next_impl;

/* Each suite's initialiser: the suites run in order, one per implementation. */
static int select_next(void)
{
	iut = impls[next_impl].entry();
	is_ref = impls[next_impl].ref;
	next_impl++;
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "System V types beyond 16 bits", test_big_types },
		{ "MSG_COPY by position", test_copy },
		{ "IPC_PRIVATE, and stale ids after IPC_RMID", test_private_and_stale_ids },
		{ "an id works in another process", test_id_in_another_process },
		{ "ref: IPC_RMID removes both names", test_ref_names_go_with_rmid },
		{ "ref: a lock holder killed inside", test_ref_killed_lock_holder },
		{ "ref: a header broken by a peer", test_ref_hostile_header },
		{ "the longest POSIX queue name", test_mq_longest_name },
		{ "mq_notify of a dead process is void", test_mq_notify_dead_registrant },
	};
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t s = 0; s < sizeof(impls) / sizeof(impls[0]); s++) {
		CU_pSuite suite = CU_add_suite(impls[s].entry()->name, select_next, NULL);

		for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
			CU_add_test(suite, tests[i].name, tests[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
