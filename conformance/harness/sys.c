/* sys.c -- raw system calls for the harness's own plumbing (sys.h). */
#define _GNU_SOURCE
#include "conformance/harness/sys.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clock.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static int raw_result(long r)
{
	return r < 0 ? -errno : (int)r;
}

int ipcconf_sys_kill(pid_t pid, int sig)
{
	return raw_result(syscall(SYS_kill, pid, sig));
}

int ipcconf_sys_sigmask(int how, const ipcconf_sigset *set, ipcconf_sigset *old)
{
	return raw_result(syscall(SYS_rt_sigprocmask, how, set, old, sizeof(ipcconf_sigset)));
}

int ipcconf_sys_sigpending(ipcconf_sigset *set)
{
	return raw_result(syscall(SYS_rt_sigpending, set, sizeof(ipcconf_sigset)));
}

/* The kernel's struct sigaction (not the C library's). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	ipcconf_sigset mask;
};

/*
 * On x86-64 a handler returns through a restorer that the caller supplies
 * (the C library supplies its own); this one makes the rt_sigreturn call.
 * Elsewhere (aarch64) the kernel's vDSO provides it.
 */
#if defined(__x86_64__)
void ipcconf_sigreturn(void);
__asm__(".text\n"
	".align 16\n"
	".type ipcconf_sigreturn,@function\n"
	"ipcconf_sigreturn:\n"
	"\tmovq $15, %rax\n" /* __NR_rt_sigreturn */
	"\tsyscall\n"
	".size ipcconf_sigreturn,.-ipcconf_sigreturn\n");
#define IPCCONF_RESTORER ipcconf_sigreturn
#define IPCCONF_HAS_RESTORER 1
#elif defined(__aarch64__)
#define IPCCONF_HAS_RESTORER 0
#else
#error "ipcconf: raw rt_sigaction needs a signal-return trampoline for this architecture"
#endif

int ipcconf_sys_sigaction(int sig, void (*handler)(int), int flags, ipcconf_sigset mask)
{
	struct kernel_sigaction ka = {
		.handler = handler,
		.flags = (unsigned long)(unsigned)flags,
		.mask = mask,
	};
#if IPCCONF_HAS_RESTORER
	ka.flags |= SA_RESTORER;
	ka.restorer = IPCCONF_RESTORER;
#endif
	return raw_result(syscall(SYS_rt_sigaction, sig, &ka, NULL, sizeof(ipcconf_sigset)));
}

void ipcconf_sys_reset_signals(void)
{
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			ipcconf_sys_sigaction(sig, SIG_DFL, 0, 0);
	ipcconf_sigset none = 0;
	ipcconf_sys_sigmask(SIG_SETMASK, &none, NULL);
}

static pid_t raw_wait4(pid_t pid, int *status, int options)
{
	long r = syscall(SYS_wait4, pid, status, options, NULL);
	return r < 0 ? -errno : (pid_t)r;
}

pid_t ipcconf_sys_reap_any(int *status)
{
	pid_t r;
	do
		r = raw_wait4(-1, status, WNOHANG | __WALL);
	while (r == -EINTR);
	return r;
}

int ipcconf_sys_pidfd_open(pid_t pid)
{
	return raw_result(syscall(SYS_pidfd_open, pid, 0));
}

void ipcconf_sys_pause_ns(int64_t ns, int64_t deadline_ns)
{
	int64_t left = deadline_ns - ipcconf_now_ns();
	struct timespec ts = ipcconf_ns_to_timespec(ns < left ? ns : left);
	syscall(SYS_nanosleep, &ts, NULL);
}

static int ms_until(int64_t deadline_ns)
{
	int64_t left = deadline_ns - ipcconf_now_ns();
	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

int ipcconf_sys_wait_child(pid_t pid, int *status, int64_t deadline_ns)
{
	int st = 0;
	int pidfd = ipcconf_sys_pidfd_open(pid);
	int64_t backoff_ns = 50 * 1000;
	for (;;) {
		pid_t r = raw_wait4(pid, &st, WNOHANG | __WALL);
		if (r == pid) {
			if (status)
				*status = st;
			if (pidfd >= 0)
				close(pidfd);
			return 1;
		}
		if (r < 0 && r != -EINTR) {
			if (pidfd >= 0)
				close(pidfd);
			return r;
		}
		if (ipcconf_now_ns() >= deadline_ns) {
			if (pidfd >= 0)
				close(pidfd);
			return 0;
		}
		if (pidfd >= 0) {
			/* Readable once the child has ended. */
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			poll(&p, 1, ms_until(deadline_ns));
		} else {
			/* No pidfd here: look again after a bounded, growing pause. */
			ipcconf_sys_pause_ns(backoff_ns, deadline_ns);
			if (backoff_ns < 2 * 1000 * 1000)
				backoff_ns *= 2;
		}
	}
}
