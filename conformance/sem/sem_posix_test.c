/*
 * POSIX semaphore clauses: waiting and posting (seed:M2).  A wait at 0
 * sleeps until a post, which releases exactly one waiter; trywait never
 * sleeps; the value counts posts less waits and is never below 0; a
 * caught signal interrupts a wait.  Unnamed semaphores live in memory the
 * suite shares between the clause's processes (pshared 1); named ones are
 * reached through their names.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

/* Checkpoint: posted by each helper whose sem_wait returned. */
#define CP_WOKEN 0

static long long wait_call(struct ipcconf_t *t, void *arg)
{
	return iut_sem_wait(t, *(void **)arg, NULL);
}

/* After a helper's sem_wait returned: counts it, for clauses that wait for "one of them". */
static void count_woken(struct ipcconf_t *t, void *arg, long long result)
{
	(void)arg;
	(void)result;
	ipcconf_post(t, CP_WOKEN);
}

/*
 * POSIX.1-2017 XSH sem_wait(): "If the semaphore value is currently zero,
 * then the calling thread shall not return from the call to sem_wait()
 * until it either locks the semaphore or the call is interrupted by a
 * signal"; sem_post(): "If the semaphore value resulting from this
 * operation is zero, then one of the threads blocked waiting for the
 * semaphore shall be allowed to return successfully from its call to
 * sem_wait()".  Checked here (block.h) on an unnamed process-shared
 * semaphore at 0: a helper's sem_wait is seen asleep and stays so for the
 * grace period; after the clause's sem_post it returns 0, and the value
 * is 0 again (the post was consumed by the wait, not kept).
 */
CLAUSE(sem_posix_wait_blocks_until_post,
       .id = "sem.posix.wait_blocks_until_post",
       .title = "sem_wait at 0 blocks until a sem_post from another process, which it consumes",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_wait(), sem_post(); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "sem_wait on a semaphore at 0", .call = wait_call, .arg = &sem });
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the woken sem_wait");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after one post and one wait");
}

/*
 * POSIX.1-2017 XSH sem_trywait(): "shall lock the semaphore referenced
 * by sem only if the semaphore is currently not locked; that is, if the
 * semaphore value is currently positive.  Otherwise, it shall not lock
 * the semaphore"; ERRORS: "[EAGAIN] The semaphore was already locked, so
 * it cannot be immediately locked by the sem_trywait() operation."
 * seed:M2.  Checked here, for an unnamed process-shared semaphore and for
 * a named one, each made with value 1: sem_trywait returns 0 and the
 * value becomes 0; a second sem_trywait fails with -EAGAIN and the value
 * stays 0; after one sem_post a third returns 0 and the value is 0 again.
 */
static const struct ipcconf_clause sem_posix_trywait[] = {
	ROW(.id = "sem.posix.trywait_zero_eagain_unnamed",
	    .title = "sem_trywait takes a positive value and fails with -EAGAIN at 0, leaving it (unnamed)",
	    .cites = "seed:M2; POSIX.1-2017 XSH sem_trywait() ERRORS [EAGAIN], sem_init(); sem_overview(7)",
	    USES(SEM, IPCCONF_SEM_CAP_UNNAMED),
	    .arg = &(const enum sem_kind){ SEM_KIND_UNNAMED }),
	ROW(.id = "sem.posix.trywait_zero_eagain_named",
	    .title = "sem_trywait takes a positive value and fails with -EAGAIN at 0, leaving it (named)",
	    .cites = "seed:M2; POSIX.1-2017 XSH sem_trywait() ERRORS [EAGAIN], sem_open(); sem_overview(7)",
	    USES(SEM, IPCCONF_SEM_CAP_NAMED),
	    .arg = &(const enum sem_kind){ SEM_KIND_NAMED }),
};

CLAUSE_TABLE(sem_posix_trywait)
{
	void *sem = sem_posix_create(t, *(const enum sem_kind *)t->clause->arg, 1, NULL);

	CHECK_EQ(t, iut_sem_trywait(t, sem), 0, "sem_trywait at 1");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after sem_trywait at 1");
	CHECK_FAILS_UNCHANGED(t, iut_sem_trywait(t, sem), -EAGAIN, sem_value(t, sem));
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post");
	CHECK_EQ(t, iut_sem_trywait(t, sem), 0, "sem_trywait after one post");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after the post was taken");
}

/* A helper reads the value the clause left, through its own view of the semaphore. */
struct value_seen {
	void *sem;
	const char *name; /* NULL: unnamed, seen through the shared mapping */
	int want;
};

/*
 * POSIX.1-2017 XSH sem_getvalue(): "shall update the location referenced
 * by the sval argument to have the value of the semaphore referenced by
 * sem without affecting the state of the semaphore"; sem_post(): with no
 * waiter "the semaphore value is simply incremented"; sem_wait() and
 * sem_trywait() lock it (decrement it by one); sem_init() and sem_open()
 * give the initial value.  seed:M2.  Checked here, for an unnamed
 * process-shared semaphore and a named one, made with value 2: getvalue
 * reads 2; after three posts 5; after a trywait 4 and a wait 3; a helper
 * (for the named one, opening it by name) reads 3 as well, and getvalue
 * twice in a row gives the same value (it changes nothing).
 */
static const struct ipcconf_clause sem_posix_getvalue[] = {
	ROW(.id = "sem.posix.getvalue_counts_posts_and_waits_unnamed",
	    .title = "sem_getvalue gives the initial value plus posts less waits, in every process (unnamed)",
	    .cites = "seed:M2; POSIX.1-2017 XSH sem_getvalue(), sem_post(), sem_wait(), sem_init(); sem_overview(7)",
	    USES(SEM, IPCCONF_SEM_CAP_UNNAMED),
	    .arg = &(const enum sem_kind){ SEM_KIND_UNNAMED }),
	ROW(.id = "sem.posix.getvalue_counts_posts_and_waits_named",
	    .title = "sem_getvalue gives the initial value plus posts less waits, in every process (named)",
	    .cites = "seed:M2; POSIX.1-2017 XSH sem_getvalue(), sem_post(), sem_wait(), sem_open(); sem_overview(7)",
	    USES(SEM, IPCCONF_SEM_CAP_NAMED),
	    .arg = &(const enum sem_kind){ SEM_KIND_NAMED }),
};

CLAUSE_TABLE(sem_posix_getvalue)
{
	const char *name;
	void *sem = sem_posix_create(t, *(const enum sem_kind *)t->clause->arg, 2, &name);

	CHECK_EQ(t, sem_value(t, sem), 2, "the initial value");
	for (int i = 0; i < 3; i++)
		REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post");
	CHECK_EQ(t, sem_value(t, sem), 5, "the value after three posts");
	REQUIRE_EQ(t, iut_sem_trywait(t, sem), 0, "sem_trywait at 5");
	CHECK_EQ(t, sem_value(t, sem), 4, "the value after a trywait");
	REQUIRE_EQ(t, iut_sem_wait(t, sem, NULL), 0, "sem_wait at 4");
	CHECK_EQ(t, sem_value(t, sem), 3, "the value after a wait");
	CHECK_EQ(t, sem_value(t, sem), 3, "the value read again (getvalue changes nothing)");

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		void *mine = name ? sem_named_open(t, name) : sem;
		CHECK_EQ(t, sem_value(t, mine), 3, "the value another process reads");
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper reading the value");
}

/*
 * sem_overview(7): "A semaphore is an integer whose value is never
 * allowed to fall below zero."  POSIX.1-2017 XSH sem_getvalue(): "If sem
 * is locked, then the object to which sval points shall either be set to
 * zero or to a negative number whose absolute value represents the number
 * of threads waiting for the semaphore at some unspecified time during
 * the call" -- "Linux adopts the former behavior" (sem_getvalue(3)): both are allowed.
 * seed:M2.  Checked here: with two helpers asleep in sem_wait on an
 * unnamed semaphore at 0, getvalue gives 0 or -2 (the two waiters) and
 * nothing else; sem_trywait fails with -EAGAIN (nothing below 0 was
 * handed out) and the value read again is 0 or -2; two posts release
 * both waiters, each with 0, and the value is then exactly 0.
 */
CLAUSE(sem_posix_value_not_negative_with_waiters,
       .id = "sem.posix.value_not_negative_with_waiters",
       .title = "waiters at 0 do not drive the value below 0: getvalue gives 0 (or minus the waiters)",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_getvalue(), sem_wait(), sem_trywait(); sem_overview(7); sem_getvalue(3)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct ipcconf_blocked b[2];

	/* That a wait at 0 blocks is sem.posix.wait_blocks_until_post's rule: no grace here. */
	for (int i = 0; i < 2; i++)
		ipcconf_block_begin(t, &b[i], &(struct ipcconf_blocking_call){
			.no_grace = 1, .what = "sem_wait on a semaphore at 0",
			.call = wait_call, .arg = &sem });
	int v = sem_value(t, sem);
	CHECK(t, v == 0 || v == -2,
	      "sem_getvalue with two waiters at 0 gave %d: POSIX allows 0 or -2 (minus the waiters)", v);
	CHECK_FAILS(t, iut_sem_trywait(t, sem), -EAGAIN);
	v = sem_value(t, sem);
	CHECK(t, v == 0 || v == -2,
	      "sem_getvalue after a refused trywait with two waiters gave %d: expected 0 or -2", v);
	for (int i = 0; i < 2; i++)
		ipcconf_block_release(t, &b[i]);
	for (int i = 0; i < 2; i++)
		REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post");
	for (int i = 0; i < 2; i++)
		CHECK_EQ(t, ipcconf_block_end(t, &b[i]), 0, "a woken sem_wait");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after two posts taken by two waiters");
}

/*
 * POSIX.1-2017 XSH sem_post(): "If the value of the semaphore resulting
 * from this operation is zero, then one of the threads blocked waiting
 * for the semaphore shall be allowed to return successfully from its
 * call to sem_wait()" -- one, not all: the others go on waiting, since
 * the value went back to 0.  seed:M2.  Checked here: three helpers are
 * asleep in sem_wait on an unnamed semaphore at 0; after one sem_post
 * exactly one of them returns 0, and the other two stay in their calls
 * for the grace period and are seen asleep again; after two more posts
 * both return 0, and the value is 0.
 */
CLAUSE(sem_posix_post_wakes_one_waiter,
       .id = "sem.posix.post_wakes_one_waiter",
       .title = "each sem_post releases exactly one of several waiting processes",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_post(), sem_wait(); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct ipcconf_blocked b[3];
	struct ipcconf_blocked *left[3];
	unsigned nleft = 0;

	for (int i = 0; i < 3; i++)
		ipcconf_block_begin(t, &b[i], &(struct ipcconf_blocking_call){
			.no_grace = 1, .what = "sem_wait on a semaphore at 0",
			.call = wait_call, .then = count_woken, .arg = &sem });
	/* Any of the three may be the one released: each may return from now on. */
	for (int i = 0; i < 3; i++)
		ipcconf_block_release(t, &b[i]);
	STEP(t, "one sem_post with three waiters");
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "the first sem_post");
	ipcconf_await(t, CP_WOKEN, 1, "one waiter released by the first sem_post");
	for (int i = 0; i < 3; i++)
		if (!ipcconf_block_returned_yet(t, &b[i]))
			left[nleft++] = &b[i];
	REQUIRE(t, nleft == 2, "one sem_post released %u of the three waiters, expected exactly 1",
		3 - nleft);
	sem_still_blocked(t, left, nleft, "a sem_post another waiter took");
	CHECK_EQ(t, ipcconf_posted(t, CP_WOKEN), 1, "waiters released by one sem_post");
	for (int i = 0; i < 2; i++)
		REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "a further sem_post");
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t, ipcconf_block_end(t, &b[i]), 0, "a released sem_wait");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after three posts and three waits");
}

static void catch_usr1(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	ipcconf_catch(t, SIGUSR1, 0);
}

static void handled_once(struct ipcconf_t *t, void *arg, long long result)
{
	(void)arg;
	(void)result;
	CHECK_EQ(t, ipcconf_caught(SIGUSR1), 1, "SIGUSR1 caught by the waiting process");
}

/*
 * POSIX.1-2017 XSH sem_wait(): the caller at 0 does not return "until it
 * either locks the semaphore or the call is interrupted by a signal";
 * ERRORS: "[EINTR] A signal interrupted this function."  XSH
 * sigaction(): without SA_RESTART an interrupted function fails with
 * [EINTR].  signal(7) (Interruption of system calls and library functions
 * by signal handlers) lists sem_wait(3).  seed:M2.  Checked here: a helper
 * that catches SIGUSR1 without SA_RESTART is asleep in sem_wait on an
 * unnamed semaphore at 0; SIGUSR1 runs its handler once and the wait
 * returns -EINTR; the value is still 0 (the interrupted wait took
 * nothing), and one post then leaves it at 1 (the interrupted wait does
 * not take it later).  With SA_RESTART, XSH sigaction() has an
 * interruptible function restart, and Linux does restart sem_wait
 * (signal(7), since Linux 2.6.22), while iut.h's contract says semaphore
 * waits are never restarted: that case is not judged here.
 */
CLAUSE(sem_posix_wait_eintr,
       .id = "sem.posix.wait_eintr",
       .title = "a sem_wait asleep at 0 fails with -EINTR when a signal is caught without SA_RESTART",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_wait() ERRORS [EINTR], sigaction() SA_RESTART; signal(7); sem_overview(7)",
       .needs = IPCCONF_CAP_EINTR,
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "sem_wait at 0 with SIGUSR1 caught without SA_RESTART",
		.prepare = catch_usr1, .call = wait_call, .then = handled_once, .arg = &sem });
	ipcconf_block_release(t, &b);
	ipcconf_kill(t, b.pid, SIGUSR1);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR, "the sem_wait interrupted by a caught SIGUSR1");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after the interrupted wait");
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post after the interrupted wait");
	CHECK_EQ(t, sem_value(t, sem), 1, "the value after one post (no waiter left to take it)");
}

/*
 * POSIX.1-2017 XSH sem_post() ERRORS [EOVERFLOW] (added by 2008 TC1,
 * Austin Group interpretation 213); sem_post(3): "EOVERFLOW The maximum
 * allowable value for a semaphore would be exceeded"; XBD <limits.h>:
 * {SEM_VALUE_MAX} "The maximum value a semaphore may have".  iut.h's
 * post: -EOVERFLOW above SEM_VALUE_MAX.  seed:M2.  Checked here: an
 * unnamed semaphore made with SEM_VALUE_MAX reads SEM_VALUE_MAX; sem_post
 * fails with -EOVERFLOW and leaves it there; after a trywait, one post
 * brings it back to SEM_VALUE_MAX.
 */
CLAUSE(sem_posix_post_above_max_eoverflow,
       .id = "sem.posix.post_above_max_eoverflow",
       .title = "sem_post at SEM_VALUE_MAX fails with -EOVERFLOW and leaves the value",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_post() ERRORS [EOVERFLOW], XBD <limits.h> {SEM_VALUE_MAX}; sem_post(3)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, SEM_VALUE_MAX);

	CHECK_EQ(t, sem_value(t, sem), SEM_VALUE_MAX, "the value of a semaphore made at SEM_VALUE_MAX");
	CHECK_FAILS_UNCHANGED(t, iut_sem_post(t, sem), -EOVERFLOW, sem_value(t, sem));
	REQUIRE_EQ(t, iut_sem_trywait(t, sem), 0, "sem_trywait at SEM_VALUE_MAX");
	CHECK_EQ(t, iut_sem_post(t, sem), 0, "sem_post at SEM_VALUE_MAX - 1");
	CHECK_EQ(t, sem_value(t, sem), SEM_VALUE_MAX, "the value after trywait and post");
}
