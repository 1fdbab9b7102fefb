/*
 * POSIX semaphore clauses: sem_timedwait (seed:M2).  The bound is an
 * absolute CLOCK_REALTIME time: the wait ends with ETIMEDOUT once it has
 * passed and not before, is released by a post before it, never times
 * out when it can take the semaphore at once, and refuses a malformed
 * time only when it would have to wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/harness/clock.h"
#include "conformance/sem/sem_support.h"

/* Long enough to be measured, short enough for the suite's time budget. */
#define TIMEOUT_MS 20

static int realtime_reached(const struct timespec *deadline, struct timespec *now)
{
	clock_gettime(CLOCK_REALTIME, now);
	return now->tv_sec > deadline->tv_sec ||
	       (now->tv_sec == deadline->tv_sec && now->tv_nsec >= deadline->tv_nsec);
}

/*
 * POSIX.1-2017 XSH sem_timedwait(): "if the semaphore cannot be locked
 * without waiting for another process or thread to unlock the semaphore
 * by performing a sem_post() function, this wait shall be terminated when
 * the specified timeout expires.  The timeout shall expire when the
 * absolute time specified by abstime passes, as measured by the clock on
 * which timeouts are based (that is, when the value of that clock equals
 * or exceeds abstime) ... The timeout shall be based on the CLOCK_REALTIME
 * clock"; ERRORS: "[ETIMEDOUT] The semaphore could not be locked before
 * the specified timeout expired."  seed:M2.  Checked here: on an unnamed
 * semaphore at 0, sem_timedwait with a deadline 20 ms ahead returns
 * -ETIMEDOUT, CLOCK_REALTIME read after it has reached the deadline (it
 * did not give up early), and the value is still 0.
 */
CLAUSE(sem_posix_timedwait_etimedout_at_deadline,
       .id = "sem.posix.timedwait_etimedout_at_deadline",
       .title = "sem_timedwait at 0 fails with -ETIMEDOUT once its CLOCK_REALTIME deadline passed, not before",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_timedwait() ERRORS [ETIMEDOUT]; sem_wait(3); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct timespec deadline = sem_deadline_in(TIMEOUT_MS), now;

	STEP(t, "sem_timedwait at 0 with a deadline %d ms ahead", TIMEOUT_MS);
	CHECK_EQ(t, iut_sem_wait(t, sem, &deadline), -ETIMEDOUT, "sem_timedwait at 0");
	CHECK(t, realtime_reached(&deadline, &now),
	      "sem_timedwait returned %.3f ms before its CLOCK_REALTIME deadline",
	      ((double)(deadline.tv_sec - now.tv_sec) * 1e9 + (double)(deadline.tv_nsec - now.tv_nsec)) / 1e6);
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after the timed-out wait");
}

struct timed_call {
	void *sem;
	struct timespec deadline;
};

static long long timed_wait_call(struct ipcconf_t *t, void *arg)
{
	struct timed_call *c = arg;
	return iut_sem_wait(t, c->sem, &c->deadline);
}

/*
 * POSIX.1-2017 XSH sem_timedwait(): "shall lock the semaphore referenced
 * by sem as in the sem_wait() function", the bound ending only a wait
 * that no sem_post ended first; sem_post(): "one of the threads blocked
 * waiting for the semaphore shall be allowed to return successfully".
 * seed:M2.  Checked here: a helper asleep in sem_timedwait on an unnamed
 * semaphore at 0, its deadline 60 s ahead (beyond the clause's bound);
 * the clause's sem_post releases it with 0, and the value is 0.
 */
CLAUSE(sem_posix_timedwait_woken_by_post,
       .id = "sem.posix.timedwait_woken_by_post",
       .title = "a sem_timedwait asleep at 0 returns 0 when another process posts before its deadline",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_timedwait(), sem_post(); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	struct timed_call c = { .sem = sem_unnamed_create(t, 1, 0), .deadline = sem_deadline_in(60000) };
	struct ipcconf_blocked b;

	/* That it waits until its deadline is sem.posix.timedwait_etimedout_at_deadline's rule. */
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "sem_timedwait at 0, deadline 60 s ahead",
		.call = timed_wait_call, .arg = &c });
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, iut_sem_post(t, c.sem), 0, "sem_post");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the sem_timedwait released by a post");
	CHECK_EQ(t, sem_value(t, c.sem), 0, "the value after the post was taken");
}

/*
 * POSIX.1-2017 XSH sem_timedwait(): "Under no circumstance shall the
 * function fail with a timeout if the semaphore can be locked
 * immediately", even when "the absolute time specified by abstime has
 * already been passed at the time of the call".  seed:M2.  Checked here:
 * on an unnamed semaphore at 1, sem_timedwait with a deadline 1 s in the
 * past returns 0 and the value becomes 0; a second one, now at 0, fails
 * with -ETIMEDOUT at once (its deadline has passed) and leaves 0.
 */
CLAUSE(sem_posix_timedwait_available_no_timeout,
       .id = "sem.posix.timedwait_available_no_timeout",
       .title = "sem_timedwait with a past deadline still takes a positive semaphore at once",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_timedwait(); sem_wait(3)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 1);
	struct timespec past = sem_deadline_in(-1000);

	CHECK_EQ(t, iut_sem_wait(t, sem, &past), 0, "sem_timedwait at 1 with a past deadline");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after it");
	CHECK_FAILS_UNCHANGED(t, iut_sem_wait(t, sem, &past), -ETIMEDOUT, sem_value(t, sem));
}

/*
 * POSIX.1-2017 XSH sem_timedwait() ERRORS: "[EINVAL] The process or
 * thread would have blocked, and the abstime parameter specified a
 * nanoseconds field value less than zero or greater than or equal to 1000
 * million"; "The validity of the abstime need not be checked if the
 * semaphore can be locked immediately" -- so only the case where it would
 * block is judged.  sem_wait(3) ERRORS [EINVAL].  seed:M2.  Checked here:
 * on an unnamed semaphore at 0, sem_timedwait with tv_nsec 1000000000
 * and with tv_nsec -1 (tv_sec a second ahead) fails with -EINVAL and
 * leaves the value 0.
 */
CLAUSE(sem_posix_timedwait_bad_nsec_einval,
       .id = "sem.posix.timedwait_bad_nsec_einval",
       .title = "sem_timedwait that would block with tv_nsec outside [0, 1e9) fails with -EINVAL",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_timedwait() ERRORS [EINVAL]; sem_wait(3)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct timespec ahead = sem_deadline_in(1000);
	struct timespec too_big = { .tv_sec = ahead.tv_sec, .tv_nsec = 1000000000L };
	struct timespec negative = { .tv_sec = ahead.tv_sec, .tv_nsec = -1 };

	STEP(t, "sem_timedwait at 0 with tv_nsec 1000000000");
	CHECK_FAILS_UNCHANGED(t, iut_sem_wait(t, sem, &too_big), -EINVAL, sem_value(t, sem));
	STEP(t, "sem_timedwait at 0 with tv_nsec -1");
	CHECK_FAILS_UNCHANGED(t, iut_sem_wait(t, sem, &negative), -EINVAL, sem_value(t, sem));
}
