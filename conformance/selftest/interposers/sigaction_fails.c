/*
 * sigaction_fails.c -- LD_PRELOAD shim: every C library call that sets a
 * signal's disposition fails with EINVAL and changes nothing: sigaction
 * (-1), and signal, sysv_signal, bsd_signal and sigset (SIG_ERR).
 *
 * sigaction fails even when it is only asked for the current action (act
 * NULL): the whole function is broken.  Nothing is resolved from the real C
 * library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

/* <signal.h> declares bsd_signal only for old X/Open, sigset deprecated. */
__sighandler_t bsd_signal(int sig, __sighandler_t handler);
__sighandler_t sigset(int sig, __sighandler_t disposition);

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	errno = EINVAL;
	return -1;
}

static __sighandler_t refuse(void)
{
	errno = EINVAL;
	return SIG_ERR;
}

__sighandler_t signal(int sig, __sighandler_t handler)
{
	return refuse();
}

__sighandler_t sysv_signal(int sig, __sighandler_t handler)
{
	return refuse();
}

__sighandler_t __sysv_signal(int sig, __sighandler_t handler)
{
	return refuse();
}

__sighandler_t bsd_signal(int sig, __sighandler_t handler)
{
	return refuse();
}

__sighandler_t sigset(int sig, __sighandler_t disposition)
{
	return refuse();
}
