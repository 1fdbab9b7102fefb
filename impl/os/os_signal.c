/*
 * The `os` signal table: the C library's kill, sigqueue, sigaction,
 * sigprocmask, sigpending, sigtimedwait, sigsuspend, pause, waitpid and
 * waitid, results passed on as the system gave them.  Handlers are the
 * caller's own, installed as given: the kernel, not this file, runs them.
 */
#define _GNU_SOURCE
#include "impl/os/os_signal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef const struct ipcconf_iut iut_t;

static int result(int r) { return r < 0 ? -errno : r; }

static pid_t os_self_pid(iut_t *self) { return getpid(); }

static int os_kill(iut_t *self, pid_t pid, int sig) { return result(kill(pid, sig)); }

/* raise(3) returns a nonzero value, not -1, on failure; errno says why. */
static int os_raise(iut_t *self, int sig)
{
	errno = 0;
	if (raise(sig) == 0)
		return 0;
	return errno ? -errno : -EINVAL;
}

static int os_action(iut_t *self, int sig, const struct sigaction *act, struct sigaction *old)
{
	return result(sigaction(sig, act, old));
}

/* pthread_sigmask(3) returns the error number instead of setting errno. */
static int os_mask(iut_t *self, int how, const sigset_t *set, sigset_t *old)
{
	return -pthread_sigmask(how, set, old);
}

static int os_pending(iut_t *self, sigset_t *set) { return result(sigpending(set)); }

static int os_queue(iut_t *self, pid_t pid, int sig, union sigval value)
{
	return result(sigqueue(pid, sig, value));
}

static int os_wait(iut_t *self, const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	return result(timeout ? sigtimedwait(set, info, timeout) : sigwaitinfo(set, info));
}

static int os_suspend(iut_t *self, const sigset_t *mask) { return result(sigsuspend(mask)); }

static int os_pause(iut_t *self) { return result(pause()); }

static pid_t os_wait_pid(iut_t *self, pid_t pid, int *status, int options)
{
	return result(waitpid(pid, status, options));
}

static int os_wait_id(iut_t *self, idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	return result(waitid(idtype, id, info, options));
}

const struct ipcconf_signal_ops os_signal = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_signal_ops,
				   IPCCONF_SIGNAL_CAP_QUEUE | IPCCONF_SIGNAL_CAP_WAIT |
					   IPCCONF_SIGNAL_CAP_SUSPEND | IPCCONF_SIGNAL_CAP_CHILD |
					   IPCCONF_SIGNAL_CAP_STOP | IPCCONF_SIGNAL_CAP_CORE |
					   IPCCONF_SIGNAL_CAP_EXEC | IPCCONF_SIGNAL_CAP_CREDENTIALS),
	.self_pid = os_self_pid,
	.kill = os_kill,
	.raise = os_raise,
	.action = os_action,
	.mask = os_mask,
	.pending = os_pending,
	.queue = os_queue,
	.wait = os_wait,
	.suspend = os_suspend,
	.pause = os_pause,
	.wait_pid = os_wait_pid,
	.wait_id = os_wait_id,
};
