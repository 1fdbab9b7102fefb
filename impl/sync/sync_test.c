/*
 * Unit tests of impl/sync: the lock excludes across processes and is
 * taken over from a dead holder, a futex wait times out and is woken from
 * another process, a waiter returns -ETIMEDOUT, and liveness tells a
 * running process from a zombie and a reaped one.  Every wait is on a real
 * event (a pipe, a futex, waitpid), never on the clock, except where a
 * timeout is what is tested.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/sync/sync_alive.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_spin.h"
#include "impl/sync/sync_tid.h"
#include "impl/sync/sync_waiter.h"

/* Words shared with forked children, as a ring header shares its words. */
struct shared {
	_Atomic uint32_t lock;
	_Atomic uint32_t futex;
	_Atomic uint32_t ready;
	uint64_t counter; /* plain on purpose: only the lock protects it */
};

static struct shared *shared_open(void)
{
	struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CU_ASSERT_FATAL(s != MAP_FAILED);
	return s;
}

static void reap_ok(pid_t pid)
{
	int status;

	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Two processes increment one plain counter under the lock.  The
 * read-yield-write makes a lost update almost certain if the lock let
 * both in at once.
 */
#define INCREMENTS 20000

static void increment_many(struct shared *s)
{
	for (int i = 0; i < INCREMENTS; i++) {
		sync_lock(&s->lock);
		uint64_t v = s->counter;
		if (i % 64 == 0)
			sched_yield();
		s->counter = v + 1;
		sync_unlock(&s->lock);
	}
}

static void test_lock_excludes_across_processes(void)
{
	struct shared *s = shared_open();
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		increment_many(s);
		_exit(0);
	}
	increment_many(s);
	reap_ok(pid);
	CU_ASSERT_EQUAL(s->counter, 2 * INCREMENTS);
	CU_ASSERT_EQUAL(atomic_load(&s->lock) & ~SYNC_LOCK_WAITERS, 0u);
	munmap(s, sizeof *s);
}

/* A holder that dies holding the lock frees it; a word naming ourselves is stale. */
static void test_lock_taken_from_dead_holder(void)
{
	struct shared *s = shared_open();
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		sync_lock(&s->lock);
		_exit(0); /* dies holding it */
	}
	CU_ASSERT_EQUAL(waitpid(pid, NULL, 0), pid);
	CU_ASSERT_EQUAL(atomic_load(&s->lock) & ~SYNC_LOCK_WAITERS, (uint32_t)pid);
	sync_lock(&s->lock);
	CU_ASSERT_EQUAL(atomic_load(&s->lock) & ~SYNC_LOCK_WAITERS, (uint32_t)sync_self_tid());
	sync_unlock(&s->lock);
	atomic_store(&s->lock, (uint32_t)sync_self_tid());
	sync_lock(&s->lock);
	sync_unlock(&s->lock);
	CU_ASSERT_EQUAL(atomic_load(&s->lock), 0u);
	munmap(s, sizeof *s);
}

static void test_futex_wait_times_out(void)
{
	_Atomic uint32_t word = 7;
	int64_t t0 = sync_now_ns();

	CU_ASSERT_EQUAL(sync_futex_wait(&word, 7, 20), -ETIMEDOUT);
	CU_ASSERT(sync_now_ns() - t0 >= 20 * 1000000LL);
	/* A word that already differs does not sleep at all. */
	CU_ASSERT_EQUAL(sync_futex_wait(&word, 8, 10000), -EAGAIN);
}

/*
 * A child sleeps on a shared word with a long bound; the parent wakes it
 * without changing the word.  Until the child has gone to sleep a wake
 * finds nobody, so the parent repeats it until the child exits.
 */
static void test_futex_woken_by_another_process(void)
{
	struct shared *s = shared_open();
	pid_t pid = fork();
	int status;
	pid_t done;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		atomic_store(&s->ready, 1);
		_exit(sync_futex_wait(&s->futex, 0, 60000) == 0 ? 0 : 1);
	}
	while (atomic_load(&s->ready) == 0)
		sched_yield();
	do {
		sync_futex_wake(&s->futex, 1);
		sched_yield();
		done = waitpid(pid, &status, WNOHANG);
	} while (done == 0);
	CU_ASSERT_EQUAL(done, pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	munmap(s, sizeof *s);
}

/* The waiter: a timeout ends it; a change of the word ends a step at once. */
static void test_waiter_timeout_and_change(void)
{
	_Atomic uint32_t word = 1;
	_Atomic uint32_t waiters = 0;
	struct sync_waiter w;
	int r;

	sync_waiter_begin(&w, 30);
	do
		r = sync_waiter_wait(&w, &word, 1, &waiters);
	while (r == 0 || r == -ERESTART);
	sync_waiter_end(&w);
	CU_ASSERT_EQUAL(r, -ETIMEDOUT);
	CU_ASSERT_EQUAL(atomic_load(&waiters), 0u);
	sync_waiter_begin(&w, -1);
	CU_ASSERT_EQUAL(sync_waiter_wait(&w, &word, 0, &waiters), 0);
	sync_waiter_end(&w);
	CU_ASSERT(sync_spin_for_change(&word, 0));
	CU_ASSERT(!sync_spin_for_change(&word, 1));
}

/* A process running, exited but not reaped (a zombie), reaped. */
static void test_alive_self_zombie_dead(void)
{
	siginfo_t si;
	int gate[2];
	pid_t pid;
	char c;

	CU_ASSERT(sync_task_alive(getpid()));
	CU_ASSERT(sync_task_alive(sync_self_tid()));
	CU_ASSERT(sync_process_alive(getpid()));
	CU_ASSERT(!sync_task_alive(0));
	CU_ASSERT(!sync_task_alive(-1));
	CU_ASSERT(!sync_process_alive(0));
	CU_ASSERT_FATAL(pipe(gate) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(gate[1]);
		_exit(read(gate[0], &c, 1) == 0 ? 0 : 1); /* runs until the parent says */
	}
	close(gate[0]);
	CU_ASSERT(sync_task_alive(pid));
	CU_ASSERT(sync_process_alive(pid)); /* now cached */
	close(gate[1]);
	/* WNOWAIT: wait for the exit but leave the zombie in place. */
	CU_ASSERT_EQUAL(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	CU_ASSERT(!sync_task_alive(pid));
	CU_ASSERT(!sync_process_alive(pid));
	CU_ASSERT_EQUAL(waitpid(pid, NULL, 0), pid);
	CU_ASSERT(!sync_task_alive(pid));
	CU_ASSERT(!sync_process_alive(pid));
}

/* The thread id cache follows fork(): the child's id is its own. */
static void test_tid_after_fork(void)
{
	int fds[2];
	pid_t pid, child_tid = 0;

	CU_ASSERT_EQUAL(sync_self_tid(), gettid());
	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		pid_t t = sync_self_tid();

		_exit(write(fds[1], &t, sizeof t) == sizeof t ? 0 : 1);
	}
	CU_ASSERT_EQUAL(read(fds[0], &child_tid, sizeof child_tid), (ssize_t)sizeof child_tid);
	CU_ASSERT_EQUAL(child_tid, pid);
	reap_ok(pid);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "lock excludes across processes", test_lock_excludes_across_processes },
		{ "lock taken over from a dead holder", test_lock_taken_from_dead_holder },
		{ "futex wait times out", test_futex_wait_times_out },
		{ "futex woken by another process", test_futex_woken_by_another_process },
		{ "waiter: timeout, and a changed word", test_waiter_timeout_and_change },
		{ "liveness: self, zombie, reaped", test_alive_self_zombie_dead },
		{ "thread id after fork", test_tid_after_fork },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "sync", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
