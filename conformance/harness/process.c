/*
 * process.c -- helpers of a clause: fork, bounded wait, and observing that
 * a helper is asleep inside a call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/clock.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/proc_state.h"

pid_t ipcconf_fork(struct ipcconf_t *t)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		BROKEN(t, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* A helper never outlives the process that made it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(0);
	}
	return pid;
}

/* The steps the helper `pid` recorded, for messages about it. */
static const char *step_of(struct ipcconf_t *t, pid_t pid)
{
	for (int i = 0; i < IPCCONF_MAX_STEPS; i++)
		if (atomic_load(&t->page->steps[i].pid) == pid)
			return t->page->steps[i].text;
	return "(no step recorded)";
}

int ipcconf_wait(struct ipcconf_t *t, pid_t pid, int *status)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* Blocked SIGCHLD stays pending, so no exit is missed between the
	 * waitpid() check and sigtimedwait(). */
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			if (status)
				*status = st;
			return 1;
		}
		if (r < 0 && errno != EINTR)
			BROKEN(t, "waitpid(%d): %s", (int)pid, strerror(errno));
		int64_t left = t->page->deadline_ns - ipcconf_now_ns();
		if (left <= 0)
			return 0;
		struct timespec ts = ipcconf_ns_to_timespec(left);
		sigtimedwait(&chld, NULL, &ts);
	}
}

void ipcconf_join(struct ipcconf_t *t, pid_t pid, const char *who)
{
	int st = 0;
	if (!ipcconf_wait(t, pid, &st)) {
		FAIL(t, "timeout: %s (pid %d) did not finish; its last step: %s", who,
		     (int)pid, step_of(t, pid));
		return;
	}
	if (WIFSIGNALED(st))
		FAIL(t, "%s (pid %d) was killed by %s; its last step: %s", who, (int)pid,
		     sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "a signal",
		     step_of(t, pid));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		ipcconf_report(t, IPCCONF_BROKEN, __FILE__, __LINE__,
			       "%s (pid %d) exited with status %d", who, (int)pid,
			       WEXITSTATUS(st));
}

void ipcconf_post(struct ipcconf_t *t, unsigned cp)
{
	atomic_fetch_add(&t->page->checkpoints[cp], 1);
	ipcconf_futex_wake_all(&t->page->checkpoints[cp]);
}

unsigned ipcconf_posted(struct ipcconf_t *t, unsigned cp)
{
	return atomic_load(&t->page->checkpoints[cp]);
}

void ipcconf_await(struct ipcconf_t *t, unsigned cp, unsigned count, const char *what)
{
	_Atomic uint32_t *word = &t->page->checkpoints[cp];
	for (;;) {
		uint32_t v = atomic_load(word);
		if (v >= count)
			return;
		if (ipcconf_futex_wait(word, v, t->page->deadline_ns) == -ETIMEDOUT) {
			FAIL(t, "timeout: waiting for %s", what);
			ipcconf_exit(t);
		}
	}
}

void ipcconf_require_blocked(struct ipcconf_t *t, pid_t pid, unsigned started_cp,
			     unsigned done_cp, const char *what)
{
	ipcconf_await(t, started_cp, 1, what);
	/*
	 * A helper that never sleeps but never returns either (a spinning
	 * implementation) is accepted as blocked after a quarter of the
	 * clause's bound, leaving the rest for what follows.
	 */
	int64_t give_up = ipcconf_now_ns() + t->page->timeout_ns / 4;
	int64_t backoff = 50 * 1000;
	_Atomic uint32_t *done = &t->page->checkpoints[done_cp];
	for (;;) {
		uint32_t before = atomic_load(done);
		if (before > 0)
			break;
		char st = ipcconf_proc_state(pid);
		if (st == 0)
			SKIP(t, "blocking cannot be observed here: /proc/%d/stat is unreadable",
			     (int)pid);
		if (st == 'S' && atomic_load(done) == 0)
			return;
		if (ipcconf_now_ns() >= give_up)
			return;
		/* Waiting on the "call returned" word: a return wakes us at once. */
		ipcconf_futex_wait(done, before, ipcconf_now_ns() + backoff);
		if (backoff < 5 * 1000 * 1000)
			backoff *= 2;
	}
	FAIL(t, "%s returned instead of blocking", what);
	ipcconf_exit(t);
}
