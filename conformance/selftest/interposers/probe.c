/*
 * probe.c -- calls the C library's signal and wait functions and says, for
 * each, whether it did its job: the evidence that an interposer shim really
 * breaks what it claims to break (and only that).
 *
 * usage: probe FAMILY     FAMILY: mask, sigwait, kill, wait, sigaction or all
 *
 * One line per function, "probe: FAMILY: FUNCTION: works" or
 * "probe: FAMILY: FUNCTION: BROKEN (what happened)".  Exit status: 0 when
 * every function works, 1 when every one is broken, 2 when some are, 64 for
 * a usage error.
 *
 * The probe's own plumbing (masking, pending sets, its one handler, killing
 * and reaping its helpers) uses raw system calls, so that a shim of one
 * family cannot disturb the probe of another.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Not declared by <signal.h> under _GNU_SOURCE (X/Open before 2008 only). */
__sighandler_t bsd_signal(int sig, __sighandler_t handler);

static unsigned nworks, nbroken;
static const char *family;

static void verdict(const char *fn, int works, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verdict(const char *fn, int works, const char *fmt, ...)
{
	if (works) {
		nworks++;
		printf("probe: %s: %s: works\n", family, fn);
	} else {
		char what[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		nbroken++;
		printf("probe: %s: %s: BROKEN (%s)\n", family, fn, what);
	}
	fflush(stdout);
}

/* ---- raw plumbing ---- */

typedef uint64_t kset;

static kset bit(int sig)
{
	return (kset)1 << (sig - 1);
}

static void raw_mask(int how, kset set)
{
	syscall(SYS_rt_sigprocmask, how, &set, NULL, sizeof(kset));
}

static kset raw_current_mask(void)
{
	kset old = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, sizeof(kset));
	return old;
}

static kset raw_pending(void)
{
	kset set = 0;
	syscall(SYS_rt_sigpending, &set, sizeof(kset));
	return set;
}

/* Takes a pending (blocked) signal away, if there is one. */
static void raw_discard(int sig)
{
	kset set = bit(sig);
	struct timespec zero = { 0, 0 };
	while (syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, sizeof(kset)) == sig)
		;
}

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	kset mask;
};

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#if defined(__x86_64__)
void probe_sigreturn(void);
__asm__(".text\n"
	".align 16\n"
	".type probe_sigreturn,@function\n"
	"probe_sigreturn:\n"
	"\tmovq $15, %rax\n" /* __NR_rt_sigreturn */
	"\tsyscall\n"
	".size probe_sigreturn,.-probe_sigreturn\n");
#define PROBE_RESTORER probe_sigreturn
#elif !defined(__aarch64__)
#error "probe: raw rt_sigaction needs a signal-return trampoline for this architecture"
#endif

static void raw_set_handler(int sig, void (*handler)(int))
{
	struct kernel_sigaction ka = { .handler = handler };
#ifdef PROBE_RESTORER
	ka.flags = SA_RESTORER;
	ka.restorer = PROBE_RESTORER;
#endif
	syscall(SYS_rt_sigaction, sig, &ka, NULL, sizeof(kset));
}

static void (*raw_handler_of(int sig))(int)
{
	struct kernel_sigaction ka = { 0 };
	syscall(SYS_rt_sigaction, sig, NULL, &ka, sizeof(kset));
	return ka.handler;
}

static int raw_kill(pid_t pid, int sig)
{
	return (int)syscall(SYS_kill, pid, sig);
}

/* 1 if `pid` is still a child of ours that has not been reaped. */
static int still_unreaped(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	return syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT, NULL) == 0;
}

static void kill_and_reap(pid_t pid)
{
	raw_kill(pid, SIGKILL);
	int st;
	while (syscall(SYS_wait4, pid, &st, 0, NULL) < 0 && errno == EINTR)
		;
}

static void raw_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	syscall(SYS_nanosleep, &ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- mask: sigprocmask, pthread_sigmask ---- */

static void probe_mask(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);

	raw_mask(SIG_UNBLOCK, bit(SIGUSR2));
	int r = sigprocmask(SIG_BLOCK, &set, NULL);
	int blocked = (raw_current_mask() & bit(SIGUSR2)) != 0;
	verdict("sigprocmask", r == 0 && blocked, "returned %d, SIGUSR2 %s in the kernel's mask",
		r, blocked ? "is" : "is not");

	raw_mask(SIG_UNBLOCK, bit(SIGUSR2));
	r = pthread_sigmask(SIG_BLOCK, &set, NULL);
	blocked = (raw_current_mask() & bit(SIGUSR2)) != 0;
	verdict("pthread_sigmask", r == 0 && blocked, "returned %d, SIGUSR2 %s in the kernel's mask",
		r, blocked ? "is" : "is not");
	raw_mask(SIG_UNBLOCK, bit(SIGUSR2));
}

/* ---- sigwait: sigtimedwait, sigwaitinfo, sigwait, sigsuspend ---- */

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	handled = sig;
}

/* In a child: with SIGUSR1 pending, the call must return at once. */
static int call_sigwait_function(int which)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	siginfo_t info;
	struct timespec bound = { 5, 0 };
	int sig = 0;
	switch (which) {
	case 0:
		return sigtimedwait(&set, &info, &bound) == SIGUSR1;
	case 1:
		return sigwaitinfo(&set, &info) == SIGUSR1;
	case 2:
		return sigwait(&set, &sig) == 0 && sig == SIGUSR1;
	default: {
		sigset_t none;
		sigemptyset(&none);
		int r = sigsuspend(&none);
		return r == -1 && errno == EINTR && handled == SIGUSR1;
	}
	}
}

static void probe_sigwait(void)
{
	static const char *const names[] = { "sigtimedwait", "sigwaitinfo", "sigwait",
					      "sigsuspend" };
	enum { N = 4 };
	pid_t pids[N];
	int fds[N];
	char got[N];
	for (int i = 0; i < N; i++) {
		int p[2];
		got[i] = 0;
		fds[i] = -1;
		if (pipe(p) < 0) {
			pids[i] = -1;
			continue;
		}
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[0]);
			raw_mask(SIG_SETMASK, bit(SIGUSR1));
			raw_set_handler(SIGUSR1, on_usr1);
			raw_kill(getpid(), SIGUSR1); /* pending, blocked */
			char c = call_sigwait_function(i) ? 'y' : 'n';
			if (write(p[1], &c, 1) != 1)
				_exit(3);
			_exit(0);
		}
		close(p[1]);
		fds[i] = p[0];
	}
	/* Each call has a signal waiting: it returns within moments, or never. */
	int64_t deadline = now_ms() + 2000;
	for (int i = 0; i < N; i++) {
		if (pids[i] <= 0)
			continue;
		for (;;) {
			int64_t left = deadline - now_ms();
			struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
			int r = poll(&pfd, 1, left > 0 ? (int)left : 0);
			if (r > 0) {
				if (read(fds[i], &got[i], 1) != 1)
					got[i] = 'x';
				break;
			}
			if (r == 0 || errno != EINTR)
				break;
		}
	}
	for (int i = 0; i < N; i++) {
		if (pids[i] < 0)
			verdict(names[i], 0, "the probe could not fork: %s", strerror(errno));
		else if (got[i] == 'y')
			verdict(names[i], 1, "-");
		else if (got[i] == 'n')
			verdict(names[i], 0, "returned, but not with the pending SIGUSR1");
		else if (got[i] == 'x')
			verdict(names[i], 0, "the helper ended without saying how the call went");
		else
			verdict(names[i], 0, "did not return within 2 s with SIGUSR1 pending");
		if (fds[i] >= 0)
			close(fds[i]);
		if (pids[i] > 0)
			kill_and_reap(pids[i]);
	}
}

/* ---- kill: kill, killpg, raise, sigqueue, tgkill, pthread_kill, pthread_sigqueue ---- */

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

static void check_sent(const char *fn, int r, int r_ok)
{
	int pending = (raw_pending() & bit(SIGUSR1)) != 0;
	verdict(fn, r == r_ok && pending, "returned %d (%s), SIGUSR1 %s pending", r,
		r == -1 ? ename(errno) : r > 0 ? ename(r) : "-",
		pending ? "is" : "is not");
	raw_discard(SIGUSR1);
}

static void probe_kill(void)
{
	raw_mask(SIG_BLOCK, bit(SIGUSR1));
	raw_discard(SIGUSR1);
	union sigval v = { .sival_int = 1 };

	int r = kill(getpid(), 0);
	verdict("kill (signal 0)", r == 0, "kill(self, 0) returned %d (%s)", r, ename(errno));
	check_sent("kill", kill(getpid(), SIGUSR1), 0);
	r = killpg(getpgrp(), 0);
	verdict("killpg (signal 0)", r == 0, "killpg(own group, 0) returned %d (%s)", r,
		ename(errno));
	check_sent("raise", raise(SIGUSR1), 0);
	check_sent("sigqueue", sigqueue(getpid(), SIGUSR1, v), 0);
	check_sent("tgkill", tgkill(getpid(), gettid(), SIGUSR1), 0);
	check_sent("pthread_kill", pthread_kill(pthread_self(), SIGUSR1), 0);
	check_sent("pthread_sigqueue", pthread_sigqueue(pthread_self(), SIGUSR1, v), 0);
	raw_mask(SIG_UNBLOCK, bit(SIGUSR1));
}

/* ---- wait: waitpid, wait, wait3, wait4, waitid ---- */

/* A child that runs for 150 ms, then exits with status 7. */
static pid_t slow_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		raw_sleep_ms(150);
		_exit(7);
	}
	return pid;
}

static void probe_wait(void)
{
	static const char *const names[] = { "waitpid", "wait", "wait3", "wait4", "waitid" };
	for (int i = 0; i < 5; i++) {
		pid_t child = slow_child();
		if (child < 0) {
			verdict(names[i], 0, "the probe could not fork: %s", strerror(errno));
			continue;
		}
		int st = -1;
		struct rusage ru;
		siginfo_t si;
		memset(&si, 0, sizeof si);
		pid_t r;
		int64_t t0 = now_ms();
		switch (i) {
		case 0: r = waitpid(child, &st, 0); break;
		case 1: r = wait(&st); break;
		case 2: r = wait3(&st, 0, &ru); break;
		case 3: r = wait4(child, &st, 0, &ru); break;
		default:
			r = waitid(P_PID, (id_t)child, &si, WEXITED) == 0 ? si.si_pid : -1;
			st = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8 : -1;
			break;
		}
		int64_t took = now_ms() - t0;
		int unreaped = still_unreaped(child);
		int ok = r == child && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7 && !unreaped;
		verdict(names[i], ok,
			"returned %d after %lld ms, status %s %d; the child (pid %d, exits 7 after 150 ms) %s",
			(int)r, (long long)took, st >= 0 && WIFEXITED(st) ? "exit" : "raw", st >= 0 &&
			WIFEXITED(st) ? WEXITSTATUS(st) : st, (int)child,
			unreaped ? "was still there, unreaped" : "was reaped");
		if (unreaped)
			kill_and_reap(child);
	}
}

/* ---- sigaction: sigaction, signal, sysv_signal, bsd_signal, sigset ---- */

static void on_usr2(int sig)
{
	(void)sig;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static __sighandler_t call_sigset(int sig, __sighandler_t h)
{
	return sigset(sig, h);
}
#pragma GCC diagnostic pop

static void check_installed(const char *fn, int ok_result)
{
	int installed = raw_handler_of(SIGUSR2) == on_usr2;
	verdict(fn, ok_result && installed, "%s; the handler %s installed",
		ok_result ? "reported success" : "reported failure", installed ? "is" : "is not");
	raw_set_handler(SIGUSR2, SIG_DFL);
}

static void probe_sigaction(void)
{
	raw_set_handler(SIGUSR2, SIG_DFL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	check_installed("sigaction", sigaction(SIGUSR2, &sa, NULL) == 0);
	check_installed("signal", signal(SIGUSR2, on_usr2) != SIG_ERR);
	check_installed("sysv_signal", sysv_signal(SIGUSR2, on_usr2) != SIG_ERR);
	check_installed("bsd_signal", bsd_signal(SIGUSR2, on_usr2) != SIG_ERR);
	check_installed("sigset", call_sigset(SIGUSR2, on_usr2) != SIG_ERR);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*probe)(void);
	} families[] = {
		{ "mask", probe_mask },		  { "sigwait", probe_sigwait },
		{ "kill", probe_kill },		  { "wait", probe_wait },
		{ "sigaction", probe_sigaction },
	};
	enum { NFAMILIES = sizeof families / sizeof families[0] };
	if (argc != 2) {
		fprintf(stderr, "usage: probe mask|sigwait|kill|wait|sigaction|all\n");
		return 64;
	}
	int any = 0;
	for (int i = 0; i < NFAMILIES; i++)
		if (!strcmp(argv[1], "all") || !strcmp(argv[1], families[i].name)) {
			family = families[i].name;
			families[i].probe();
			any = 1;
		}
	if (!any) {
		fprintf(stderr, "probe: unknown family '%s'\n", argv[1]);
		return 64;
	}
	return nbroken == 0 ? 0 : nworks == 0 ? 1 : 2;
}
