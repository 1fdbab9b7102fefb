/*
 * process.c -- helpers of a clause: fork, bounded wait, kill, and the
 * checkpoints they synchronise on.  Waiting and killing go through sys.h,
 * never through the C library's wait and signal functions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/process.h"
#include "conformance/harness/sys.h"

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

const char *ipcconf_step_of(struct ipcconf_t *t, pid_t pid)
{
	for (int i = 0; i < IPCCONF_MAX_STEPS; i++)
		if (atomic_load(&t->page->steps[i].pid) == pid)
			return t->page->steps[i].text;
	return "(no step recorded)";
}

int ipcconf_wait(struct ipcconf_t *t, pid_t pid, int *status)
{
	int r = ipcconf_sys_wait_child(pid, status, t->page->deadline_ns);
	if (r == -ECHILD)
		BROKEN(t, "waiting for pid %d: not a child, or reaped already (is SIGCHLD ignored?)",
		       (int)pid);
	if (r < 0)
		BROKEN(t, "waiting for pid %d: %s", (int)pid, strerror(-r));
	return r;
}

void ipcconf_join(struct ipcconf_t *t, pid_t pid, const char *who)
{
	int st = 0;
	if (!ipcconf_wait(t, pid, &st)) {
		FAIL(t, "timeout: %s (pid %d) did not finish; its last step: %s", who, (int)pid,
		     ipcconf_step_of(t, pid));
		return;
	}
	if (WIFSIGNALED(st))
		FAIL(t, "%s (pid %d) was killed by %s; its last step: %s", who, (int)pid,
		     sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "a signal",
		     ipcconf_step_of(t, pid));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		ipcconf_report(t, IPCCONF_BROKEN, __FILE__, __LINE__,
			       "%s (pid %d) exited with status %d", who, (int)pid,
			       WEXITSTATUS(st));
}

void ipcconf_kill(struct ipcconf_t *t, pid_t pid, int sig)
{
	int r = ipcconf_sys_kill(pid, sig);
	if (r < 0)
		BROKEN(t, "sending SIG%s to pid %d: %s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
		       (int)pid, strerror(-r));
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
