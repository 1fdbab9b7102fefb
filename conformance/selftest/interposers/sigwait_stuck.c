/*
 * sigwait_stuck.c -- LD_PRELOAD shim: sigtimedwait, sigwaitinfo, sigwait and
 * sigsuspend never return.
 *
 * The caller sleeps in ppoll(2) on no descriptors with no timeout, made as a
 * raw system call: nothing wakes it but a signal, and after a handler has run
 * it goes back to sleep, so the call hangs for good (SIGKILL still ends the
 * process, and a handler that longjmps out still leaves, as from any sleep).
 * The timeout of sigtimedwait is ignored on purpose.  Nothing is resolved
 * from the real C library.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Noreturn void hang(void)
{
	for (;;)
		syscall(SYS_ppoll, NULL, 0, NULL, NULL, (size_t)8);
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	hang();
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	hang();
}

int sigwait(const sigset_t *set, int *sig)
{
	hang();
}

int sigsuspend(const sigset_t *mask)
{
	hang();
}
