/*
 * Unit tests of ref's signal model (ref_iut.h, SIGNALS): the cases the
 * conformance clauses leave alone -- the order and masks of handlers
 * delivered together, sigsuspend's frames, waits ended by a handler,
 * SIGCHLD kept for sigwaitinfo while blocked, a signal sent the moment
 * fork() returns, a target that never used the table, process groups.
 *
 * Every test runs against `os` first, where the kernel proves the
 * expectation, then against `ref` and `ref-small`.  Each runs in a child
 * of its own (the model's state is per process), which starts with
 * default actions and an empty mask and reports a failed expectation by
 * its line on stderr and a non-zero exit.  No test sleeps: a peer is
 * known to be blocked when /proc shows it asleep.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"

static const struct ipcconf_iut *iut;

#define EXPECT(cond)                                                                           \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s: %s:%d: expected %s\n", iut->name, __FILE__,       \
				__LINE__, #cond);                                              \
			return 1;                                                              \
		}                                                                              \
	} while (0)

/* ---- the table ---- */

static int s_kill(pid_t pid, int sig) { return iut->signal->kill(iut, pid, sig); }
static int s_raise(int sig) { return iut->signal->raise(iut, sig); }
static int s_mask(int how, const sigset_t *set, sigset_t *old) { return iut->signal->mask(iut, how, set, old); }

static uint64_t bit(int sig) { return UINT64_C(1) << (sig - 1); }

static uint64_t bits_of(const sigset_t *set)
{
	uint64_t b = 0;

	for (int sig = 1; sig <= 64; sig++)
		if (sigismember(set, sig) == 1)
			b |= bit(sig);
	return b;
}

static sigset_t set_of(uint64_t b)
{
	sigset_t s;

	sigemptyset(&s);
	for (int sig = 1; sig <= 64; sig++)
		if (b & bit(sig))
			sigaddset(&s, sig);
	return s;
}

static uint64_t mask_now(void)
{
	sigset_t m;

	sigemptyset(&m);
	s_mask(SIG_BLOCK, NULL, &m);
	return bits_of(&m);
}

static int change_mask(int how, uint64_t b)
{
	sigset_t s = set_of(b);

	return s_mask(how, &s, NULL);
}

/* ---- what handlers saw, in memory shared with the test's helpers ---- */

struct seen {
	_Atomic unsigned n;
	int sig[16];
	uint64_t mask[16];
	int code[16], value[16];
	pid_t pid[16];
};

static struct seen *seen;

static void note(int sig, const siginfo_t *si)
{
	unsigned i = atomic_load(&seen->n);

	if (i < 16) {
		seen->sig[i] = sig;
		seen->mask[i] = mask_now();
		if (si != NULL) {
			seen->code[i] = si->si_code;
			seen->value[i] = si->si_value.sival_int;
			seen->pid[i] = si->si_pid;
		}
	}
	atomic_store(&seen->n, i + 1);
}

static void plain(int sig) { note(sig, NULL); }
static void with_info(int sig, siginfo_t *si, void *ctx) { note(sig, si); }
static void exit_nine(int sig) { _exit(9); }

static int catch(int sig, void (*fn)(int), int flags, uint64_t mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sa.sa_mask = set_of(mask);
	return iut->signal->action(iut, sig, &sa, NULL);
}

static int catch_info(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = with_info;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return iut->signal->action(iut, sig, &sa, NULL);
}

/* ---- processes ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char state_of(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* Waits (yielding, bounded) until pid sleeps in a blocking call. */
static bool await_asleep(pid_t pid)
{
	int64_t deadline = now_ms() + 10000;

	while (now_ms() < deadline) {
		if (state_of(pid) == 'S')
			return true;
		sched_yield();
	}
	return false;
}

/* Waits (yielding, bounded) until *word reaches want. */
static bool await_count(_Atomic unsigned *word, unsigned want)
{
	int64_t deadline = now_ms() + 10000;

	while (now_ms() < deadline) {
		if (atomic_load(word) >= want)
			return true;
		sched_yield();
	}
	return false;
}

/* A helper that sends sig to the parent once the parent is asleep. */
static pid_t signal_parent_when_asleep(int sig)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		_exit(await_asleep(parent) && s_kill(parent, sig) == 0 ? 0 : 1);
	return pid;
}

static int status_of(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* Runs fn in a child with default actions, an empty mask and a fresh record; CUnit sees its verdict. */
static void in_child(int (*fn)(void))
{
	pid_t pid;
	int st;

	memset(seen, 0, sizeof(*seen));
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		sigset_t none;

		for (int sig = 1; sig < 32; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(fn());
	}
	st = status_of(pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- tests ---- */

/*
 * Two caught signals unblocked at once: Linux sets up both frames before
 * either handler runs, the higher one's on top, so it runs first, with
 * the lower one already in its mask.
 */
static int nested_order(void)
{
	EXPECT(catch(SIGUSR1, plain, 0, 0) == 0);
	EXPECT(catch(SIGUSR2, plain, 0, 0) == 0);
	EXPECT(change_mask(SIG_BLOCK, bit(SIGUSR1) | bit(SIGUSR2)) == 0);
	EXPECT(s_raise(SIGUSR1) == 0);
	EXPECT(s_raise(SIGUSR2) == 0);
	EXPECT(atomic_load(&seen->n) == 0);
	EXPECT(change_mask(SIG_UNBLOCK, bit(SIGUSR1) | bit(SIGUSR2)) == 0);
	EXPECT(atomic_load(&seen->n) == 2);
	EXPECT(seen->sig[0] == SIGUSR2 && seen->mask[0] == (bit(SIGUSR1) | bit(SIGUSR2)));
	EXPECT(seen->sig[1] == SIGUSR1 && seen->mask[1] == bit(SIGUSR1));
	EXPECT(mask_now() == 0);
	return 0;
}

/* sigsuspend: handlers run under the suspend mask; the first frame returns to the old mask. */
static int suspend_frames(void)
{
	sigset_t none;

	sigemptyset(&none);
	EXPECT(catch(SIGUSR1, plain, 0, 0) == 0);
	EXPECT(catch(SIGUSR2, plain, 0, 0) == 0);
	EXPECT(change_mask(SIG_BLOCK, bit(SIGUSR1) | bit(SIGUSR2) | bit(SIGHUP)) == 0);
	EXPECT(s_raise(SIGUSR1) == 0);
	EXPECT(s_raise(SIGUSR2) == 0);
	EXPECT(iut->signal->suspend(iut, &none) == -EINTR);
	EXPECT(atomic_load(&seen->n) == 2);
	EXPECT(seen->sig[0] == SIGUSR2 && seen->mask[0] == (bit(SIGUSR1) | bit(SIGUSR2)));
	EXPECT(seen->sig[1] == SIGUSR1 && seen->mask[1] == bit(SIGUSR1));
	EXPECT(mask_now() == (bit(SIGUSR1) | bit(SIGUSR2) | bit(SIGHUP)));
	return 0;
}

/* sigtimedwait ends with EINTR when a handler for another signal runs, SA_RESTART or not. */
static int wait_interrupted(void)
{
	sigset_t usr1;
	struct timespec ts = { 10, 0 };
	siginfo_t info;
	pid_t helper;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	EXPECT(catch(SIGUSR2, plain, SA_RESTART, 0) == 0);
	EXPECT(change_mask(SIG_BLOCK, bit(SIGUSR1)) == 0);
	helper = signal_parent_when_asleep(SIGUSR2);
	EXPECT(iut->signal->wait(iut, &usr1, &info, &ts) == -EINTR);
	EXPECT(atomic_load(&seen->n) == 1 && seen->sig[0] == SIGUSR2);
	EXPECT(WIFEXITED(status_of(helper)));
	return 0;
}

static _Noreturn void sleep_forever(void)
{
	for (;;)
		pause();
}

/* waitpid: EINTR after a handler without SA_RESTART; with it, the wait goes on. */
static int waitpid_interrupted(void)
{
	pid_t sleeper, helper, parent = getpid();
	int st = 0;

	sleeper = fork();
	if (sleeper == 0)
		sleep_forever();
	EXPECT(catch(SIGUSR1, plain, 0, 0) == 0);
	helper = signal_parent_when_asleep(SIGUSR1);
	EXPECT(iut->signal->wait_pid(iut, sleeper, &st, 0) == -EINTR);
	EXPECT(atomic_load(&seen->n) == 1);
	EXPECT(iut->signal->wait_pid(iut, helper, &st, 0) == helper && WIFEXITED(st));

	EXPECT(catch(SIGUSR1, plain, SA_RESTART, 0) == 0);
	helper = fork();
	if (helper == 0) {
		/* The handler runs, the parent sleeps again, and only then does the child end. */
		bool ok = await_asleep(parent) && s_kill(parent, SIGUSR1) == 0 &&
			  await_count(&seen->n, 2) && await_asleep(parent);
		kill(sleeper, SIGKILL);
		_exit(ok ? 0 : 1);
	}
	EXPECT(iut->signal->wait_pid(iut, sleeper, &st, 0) == sleeper);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	EXPECT(atomic_load(&seen->n) == 2);
	EXPECT(iut->signal->wait_pid(iut, helper, &st, 0) == helper);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* si_code by sender: SI_TKILL for raise, SI_USER for kill, SI_QUEUE (and the value) for sigqueue. */
static int codes(void)
{
	pid_t me = getpid();

	EXPECT(catch_info(SIGUSR1, 0) == 0);
	EXPECT(s_raise(SIGUSR1) == 0);
	EXPECT(s_kill(me, SIGUSR1) == 0);
	EXPECT(iut->signal->queue(iut, me, SIGUSR1, (union sigval){ .sival_int = 42 }) == 0);
	EXPECT(atomic_load(&seen->n) == 3);
	EXPECT(seen->code[0] == SI_TKILL && seen->pid[0] == me);
	EXPECT(seen->code[1] == SI_USER && seen->pid[1] == me);
	EXPECT(seen->code[2] == SI_QUEUE && seen->pid[2] == me && seen->value[2] == 42);
	return 0;
}

/* A signal sent the moment fork() returns finds the handler the child inherited. */
static int signal_after_fork(void)
{
	pid_t child;
	int st;

	EXPECT(catch(SIGUSR1, exit_nine, 0, 0) == 0);
	child = fork();
	if (child == 0)
		sleep_forever();
	EXPECT(s_kill(child, SIGUSR1) == 0);
	st = status_of(child);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	return 0;
}

/* A blocked SIGCHLD, default action and all, stays pending for sigwaitinfo. */
static int sigchld_for_sigwait(void)
{
	sigset_t chld;
	siginfo_t info;
	pid_t child;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	EXPECT(change_mask(SIG_BLOCK, bit(SIGCHLD)) == 0);
	child = fork();
	if (child == 0)
		_exit(3);
	EXPECT(iut->signal->wait(iut, &chld, &info, NULL) == SIGCHLD);
	EXPECT(info.si_code == CLD_EXITED && info.si_pid == child && info.si_status == 3);
	EXPECT(WIFEXITED(status_of(child)));
	return 0;
}

/* A process that never used the table (nor did its parent) has all defaults. */
static int never_used_table(void)
{
	pid_t g = fork();
	int st;

	if (g == 0)
		sleep_forever();
	EXPECT(await_asleep(g));
	EXPECT(s_kill(g, SIGCHLD) == 0);
	EXPECT(s_kill(g, SIGWINCH) == 0);
	EXPECT(waitpid(g, &st, WNOHANG) == 0);
	EXPECT(s_kill(g, SIGTERM) == 0);
	st = status_of(g);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	EXPECT(s_kill(g, 0) == -ESRCH);
	return 0;
}

/* kill(0): every member of the own group, the sender too (pending, since it blocks it). */
static int own_group(void)
{
	pid_t kids[2];
	sigset_t pend;

	EXPECT(setpgid(0, 0) == 0);
	EXPECT(catch(SIGUSR1, exit_nine, 0, 0) == 0);
	EXPECT(change_mask(SIG_BLOCK, bit(SIGUSR1)) == 0);
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			if (change_mask(SIG_UNBLOCK, bit(SIGUSR1)) != 0)
				_exit(1);
			atomic_fetch_add(&seen->n, 1);
			sleep_forever();
		}
	}
	EXPECT(await_count(&seen->n, 2));
	EXPECT(s_kill(0, SIGUSR1) == 0);
	for (int i = 0; i < 2; i++) {
		int st = status_of(kids[i]);

		EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	}
	sigemptyset(&pend);
	EXPECT(iut->signal->pending(iut, &pend) == 0);
	EXPECT(sigismember(&pend, SIGUSR1) == 1);
	return 0;
}

/* poll is never restarted after a handler, SA_RESTART or not. */
static int poll_interrupted(void)
{
	int e[2];
	pid_t helper;
	struct ipcconf_poll_item it;

	EXPECT(catch(SIGUSR1, plain, SA_RESTART, 0) == 0);
	EXPECT(iut->pipe->create(iut, e, 0) == 0);
	it = (struct ipcconf_poll_item){ .handle = e[0], .events = POLLIN };
	helper = signal_parent_when_asleep(SIGUSR1);
	EXPECT(iut->handle->poll(iut, &it, 1, 10000) == -EINTR);
	EXPECT(atomic_load(&seen->n) == 1);
	EXPECT(WIFEXITED(status_of(helper)));
	return 0;
}

/* A blocking pipe read: a handler without SA_RESTART ends it with EINTR, one with it does not. */
static int read_interrupted(void)
{
	int e[2];
	char c;
	pid_t helper, parent = getpid();

	EXPECT(iut->pipe->create(iut, e, 0) == 0);
	EXPECT(catch(SIGUSR1, plain, 0, 0) == 0);
	helper = signal_parent_when_asleep(SIGUSR1);
	EXPECT(iut->stream->read(iut, e[0], &c, 1) == -EINTR);
	EXPECT(WIFEXITED(status_of(helper)));

	EXPECT(catch(SIGUSR1, plain, SA_RESTART, 0) == 0);
	helper = fork();
	if (helper == 0) {
		bool ok = await_asleep(parent) && s_kill(parent, SIGUSR1) == 0 &&
			  await_count(&seen->n, 2) && await_asleep(parent);
		_exit(ok && iut->stream->write(iut, e[1], "x", 1) == 1 ? 0 : 1);
	}
	EXPECT(iut->stream->read(iut, e[0], &c, 1) == 1 && c == 'x');
	EXPECT(atomic_load(&seen->n) == 2);
	EXPECT(WIFEXITED(status_of(helper)));
	return 0;
}

/* ---- each test in a child of its own ---- */

static void test_nested_order(void) { in_child(nested_order); }
static void test_suspend_frames(void) { in_child(suspend_frames); }
static void test_wait_interrupted(void) { in_child(wait_interrupted); }
static void test_waitpid_interrupted(void) { in_child(waitpid_interrupted); }
static void test_codes(void) { in_child(codes); }
static void test_signal_after_fork(void) { in_child(signal_after_fork); }
static void test_sigchld_for_sigwait(void) { in_child(sigchld_for_sigwait); }
static void test_never_used_table(void) { in_child(never_used_table); }
static void test_own_group(void) { in_child(own_group); }
static void test_poll_interrupted(void) { in_child(poll_interrupted); }
static void test_read_interrupted(void) { in_child(read_interrupted); }

static const struct ipcconf_iut *(*const entries[])(void) = {
	ipcconf_os_iut,
	ipcconf_ref_iut,
	ipcconf_ref_small_iut,
};
static int next_entry;

static int select_next(void)
{
	iut = entries[next_entry++]();
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "handlers unblocked together nest, last set up first", test_nested_order },
		{ "sigsuspend's handlers and the mask it restores", test_suspend_frames },
		{ "sigtimedwait ends with EINTR after another handler", test_wait_interrupted },
		{ "waitpid: EINTR without SA_RESTART, waits on with it", test_waitpid_interrupted },
		{ "si_code of raise, kill and sigqueue", test_codes },
		{ "a signal sent as fork() returns finds the inherited handler", test_signal_after_fork },
		{ "a blocked SIGCHLD stays pending for sigwaitinfo", test_sigchld_for_sigwait },
		{ "a process that never used the table has all defaults", test_never_used_table },
		{ "kill(0) signals the own group, sender included", test_own_group },
		{ "poll ends with EINTR after a handler, SA_RESTART or not", test_poll_interrupted },
		{ "a blocking read and SA_RESTART", test_read_interrupted },
	};
	unsigned failures;

	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seen == MAP_FAILED)
		return 2;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t s = 0; s < sizeof(entries) / sizeof(entries[0]); s++) {
		CU_pSuite suite = CU_add_suite(entries[s]()->name, select_next, NULL);

		for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
			CU_add_test(suite, tests[i].name, tests[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
