/*
 * mask_ignored.c -- LD_PRELOAD shim: sigprocmask and pthread_sigmask report
 * success and change nothing.
 *
 * Preloaded into a whole process (ipcconf's harness included), so that the
 * harness is seen not to depend on the C library's signal masking.  The old
 * mask, when asked for, is the thread's real one, read from the kernel: a
 * caller that saves and later "restores" it gets plausible data, and the
 * mask itself never moves.  Nothing is resolved from the real C library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The thread's current mask into *old (when asked for); 0, or an error number. */
static int report_current(sigset_t *old)
{
	if (!old)
		return 0;
	memset(old, 0, sizeof *old);
	/* The kernel's set is the first 8 bytes of glibc's sigset_t. */
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, old, (size_t)8) != 0)
		return errno;
	return 0;
}

static int valid_how(int how)
{
	return how == SIG_BLOCK || how == SIG_UNBLOCK || how == SIG_SETMASK;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	if (set && !valid_how(how)) {
		errno = EINVAL;
		return -1;
	}
	int e = report_current(old);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	if (set && !valid_how(how))
		return EINVAL;
	return report_current(old);
}
