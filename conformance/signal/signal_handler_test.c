/*
 * Signal clauses: handlers installed with sigaction (seed:S1, seed:S3,
 * seed:S4).  While a handler runs, its signal (unless SA_NODEFER) and its
 * sa_mask are blocked, and the old mask is back when it returns;
 * SA_RESETHAND makes a handler one-shot; an SA_SIGINFO handler learns who
 * sent the signal; sigaction reports the action it replaces; SIGKILL
 * cannot be caught; invalid signal numbers are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

enum { CP_READY = 0, CP_NEVER = 1 };

/* The i-th recorded delivery of `sig` (0-based), or NULL. */
static const struct sig_event *nth_of(int sig, unsigned nth)
{
	unsigned n = sig_events();
	for (unsigned i = 0; i < n; i++) {
		const struct sig_event *e = sig_event(i);
		if (e->sig == sig && nth-- == 0)
			return e;
	}
	return NULL;
}

/*
 * The clause process raises `first`; its handler is held (it waits,
 * inside, for a release).  Meanwhile a helper sends `second` to the clause
 * process and then releases the handler; with `await_nested`, it first
 * waits for the second delivery to complete (which, with the outer
 * handler held, can only be a delivery nested inside it).  Returns once
 * both deliveries are recorded.
 */
static void second_during_handler(struct ipcconf_t *t, int first, int second, int await_nested)
{
	char n1[24], n2[24];
	pid_t me = iut_self_pid(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_await_handler_entered(t, 1, "the clause process's first handler starting");
		STEP(t, "helper: sending %s while the %s handler runs", sig_name(second, n2),
		     sig_name(first, n1));
		REQUIRE_OK(t, iut_kill(t, me, second), "kill(clause process, second signal)");
		/*
		 * Completed deliveries so far: the held outer handler has not
		 * completed, so the first one to complete is the nested one
		 * (this needs first == second: sig_await() counts the
		 * completed prefix of the record, whose entry 0 is the outer
		 * delivery of `first`).
		 */
		if (await_nested)
			sig_await(t, first, 1, "the second signal, nested inside the running handler");
		sig_release_handler(t);
		ipcconf_exit(t);
	}
	sig_hold_next_handler();
	STEP(t, "raising %s; its handler waits for the helper", sig_name(first, n1));
	REQUIRE_OK(t, iut_raise(t, first), "raise(first signal)");
	sig_await(t, second, first == second ? 2 : 1, "the signal sent while the first handler ran");
	ipcconf_join(t, h, "the helper sending the second signal");
}

/*
 * POSIX.1-2017 XSH sigaction(): "When a signal is caught by a
 * signal-catching function installed by sigaction(), a new signal mask is
 * calculated and installed for the duration of the signal-catching
 * function ... This mask is formed by taking the union of the current
 * signal mask and the value of the sa_mask for the signal being
 * delivered, and unless SA_NODEFER or SA_RESETHAND is set, then including
 * the signal being delivered."  Checked here: the mask inside the SIGUSR1
 * handler holds SIGUSR1; and a second SIGUSR1, sent by a helper while the
 * first handler runs, is delivered only after it returned (not nested).
 */
CLAUSE(signal_handler_runs_with_signal_blocked,
       .id = "signal.handler.runs_with_signal_blocked",
       .title = "a handler runs with its own signal blocked: a second one waits until it returns",
       .cites = "seed:S3; POSIX.1-2017 XSH sigaction(), 2.4.1; sigaction(2); signal(7)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	second_during_handler(t, SIGUSR1, SIGUSR1, 0);
	const struct sig_event *a = nth_of(SIGUSR1, 0), *b = nth_of(SIGUSR1, 1);
	REQUIRE(t, a && b, "two SIGUSR1 deliveries recorded");
	CHECK(t, a->mask != ~UINT64_C(0) && (a->mask & BIT(SIGUSR1)),
	      "the mask inside the SIGUSR1 handler (0x%llx) does not hold SIGUSR1",
	      (unsigned long long)a->mask);
	CHECK_EQ(t, b->depth, 0,
		 "handlers running when the second SIGUSR1's started (1: it interrupted the first handler)");
	CHECK_EQ(t, sig_count(SIGUSR1), 2, "SIGUSR1 deliveries in all");
}

/*
 * POSIX.1-2017 XSH sigaction(): the mask installed for the handler is
 * "the union of the current signal mask and the value of the sa_mask for
 * the signal being delivered".  XSH <signal.h>: sa_mask is the "Set of
 * signals to be blocked during execution of the signal catching
 * function."  Checked here: SIGUSR1's handler, with SIGUSR2 in sa_mask,
 * runs with SIGUSR2 blocked; a SIGUSR2 (caught too) sent while it runs is
 * delivered only after it returned.
 */
CLAUSE(signal_handler_sa_mask_blocked_in_handler,
       .id = "signal.handler.sa_mask_blocked_in_handler",
       .title = "the signals of sa_mask are blocked while the handler runs",
       .cites = "seed:S3; POSIX.1-2017 XSH sigaction(), <signal.h>; sigaction(2)")
{
	sig_begin(t);
	REQUIRE_OK(t, sig_catch_with(t, SIGUSR1, 0, BIT(SIGUSR2)),
		   "action(SIGUSR1, a handler with sa_mask {SIGUSR2})");
	sig_catch(t, SIGUSR2, 0);
	second_during_handler(t, SIGUSR1, SIGUSR2, 0);
	const struct sig_event *a = nth_of(SIGUSR1, 0), *b = nth_of(SIGUSR2, 0);
	REQUIRE(t, a && b, "the SIGUSR1 and SIGUSR2 deliveries recorded");
	CHECK(t, a->mask != ~UINT64_C(0) && (a->mask & BIT(SIGUSR2)),
	      "the mask inside the SIGUSR1 handler (0x%llx) does not hold SIGUSR2, which its sa_mask names",
	      (unsigned long long)a->mask);
	CHECK_EQ(t, b->depth, 0,
		 "handlers running when SIGUSR2's started (1: it interrupted the SIGUSR1 handler)");
	CHECK_EQ(t, sig_count(SIGUSR2), 1, "SIGUSR2 deliveries");
}

/*
 * POSIX.1-2017 XSH sigaction(): the handler's mask is installed "for the
 * duration of the signal-catching function ... If and when the user's
 * signal handler returns normally, the original signal mask is
 * restored."  Checked here: with {SIGUSR2} blocked, SIGUSR1 (sa_mask
 * {SIGALRM}) is raised; once its handler returned the mask is {SIGUSR2}
 * again, neither SIGUSR1 nor SIGALRM left in it.
 */
CLAUSE(signal_handler_old_mask_restored_after,
       .id = "signal.handler.old_mask_restored_after",
       .title = "when a handler returns, the mask is the one in force before the signal",
       .cites = "seed:S3; POSIX.1-2017 XSH sigaction(); sigaction(2); signal(7)")
{
	sig_begin(t);
	sig_block(t, SIGUSR2);
	REQUIRE_OK(t, sig_catch_with(t, SIGUSR1, 0, BIT(SIGALRM)),
		   "action(SIGUSR1, a handler with sa_mask {SIGALRM})");
	uint64_t before = sig_mask_now(t);
	REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1)");
	sig_await(t, SIGUSR1, 1, "the SIGUSR1 handler");
	uint64_t after = sig_mask_now(t);
	CHECK(t, after == before,
	      "the mask after the handler returned is 0x%llx, expected the one before the signal, 0x%llx",
	      (unsigned long long)after, (unsigned long long)before);
}

/*
 * POSIX.1-2017 XSH sigaction(), SA_NODEFER: "If set and sig is caught,
 * sig shall not be added to the thread's signal mask on entry to the
 * signal handler unless it is included in sa_mask."  Checked here:
 * SIGUSR1 caught with SA_NODEFER; its handler runs with SIGUSR1 not
 * blocked, and a second SIGUSR1, sent by a helper while the first
 * handler runs, is delivered inside it (nested).
 */
CLAUSE(signal_handler_sa_nodefer,
       .id = "signal.handler.sa_nodefer",
       .title = "with SA_NODEFER the signal is not blocked in its handler: a second one nests",
       .cites = "seed:S3; POSIX.1-2017 XSH sigaction() SA_NODEFER; sigaction(2)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, SA_NODEFER);
	second_during_handler(t, SIGUSR1, SIGUSR1, 1);
	const struct sig_event *a = nth_of(SIGUSR1, 0), *b = nth_of(SIGUSR1, 1);
	REQUIRE(t, a && b, "two SIGUSR1 deliveries recorded");
	CHECK(t, a->mask != ~UINT64_C(0) && !(a->mask & BIT(SIGUSR1)),
	      "the mask inside the SA_NODEFER handler (0x%llx) holds SIGUSR1",
	      (unsigned long long)a->mask);
	CHECK_EQ(t, b->depth, 1, "handlers running when the second SIGUSR1's started (nested: 1)");
}

/*
 * POSIX.1-2017 XSH sigaction(), SA_RESETHAND: "If set, the disposition of
 * the signal shall be reset to SIG_DFL ... on entry to the signal
 * handler."  signal(7): SIGUSR1's default action is Term.  Checked here,
 * in a helper: SIGUSR1 caught with SA_RESETHAND runs its handler once;
 * the action is then reported as SIG_DFL; and a second SIGUSR1 takes the
 * default action: the helper is killed by it, no second handler run.
 */
CLAUSE(signal_handler_sa_resethand,
       .id = "signal.handler.sa_resethand",
       .title = "with SA_RESETHAND the handler runs once and the action is SIG_DFL afterwards",
       .cites = "seed:S4; POSIX.1-2017 XSH sigaction() SA_RESETHAND; sigaction(2); signal(7)")
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_catch(t, SIGUSR1, SA_RESETHAND);
		REQUIRE_OK(t, iut_raise(t, SIGUSR1), "helper: first raise(SIGUSR1)");
		sig_await(t, SIGUSR1, 1, "helper: the one-shot handler");
		struct sigaction old;
		memset(&old, 0xa5, sizeof old);
		REQUIRE_OK(t, iut_sigaction(t, SIGUSR1, NULL, &old), "helper: action(SIGUSR1, NULL, &old)");
		CHECK(t, old.sa_handler == SIG_DFL,
		      "after one delivery with SA_RESETHAND, SIGUSR1's handler is %p, expected SIG_DFL",
		      (void *)old.sa_handler);
		STEP(t, "helper: second raise(SIGUSR1), expected to kill it");
		iut_raise(t, SIGUSR1);
		FAIL(t, "the helper survived a second SIGUSR1: the handler was not reset to SIG_DFL");
		ipcconf_exit(t);
	}
	int st = 0;
	char b[64];
	if (!ipcconf_wait(t, h, &st))
		FAIL(t, "timeout: the helper raising SIGUSR1 twice did not end");
	else
		CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
		      "the helper raising SIGUSR1 a second time: %s, expected killed by SIGUSR1",
		      sig_status_name(st, b));
	CHECK_EQ(t, sig_count(SIGUSR1), 1, "SIGUSR1 handler runs (SA_RESETHAND: one)");
}

/*
 * POSIX.1-2017 XSH 2.4.3: for an SA_SIGINFO handler "si_signo ... the
 * signal number being delivered"; XSH <signal.h>: si_code SI_USER "Signal
 * sent by kill()", si_pid "Sending process ID", si_uid "Real user ID of
 * sending process".  XSH 2.4.3: "If si_code is SI_USER or SI_QUEUE ...
 * si_pid and si_uid shall be set to the process ID and real user ID of
 * the sender".  Checked here: a helper sends SIGUSR1 to the clause
 * process by kill; the handler's siginfo has si_signo SIGUSR1, si_code
 * SI_USER, si_pid the helper's pid and si_uid its real uid.
 */
CLAUSE(signal_handler_siginfo_si_user,
       .id = "signal.handler.siginfo_si_user",
       .title = "an SA_SIGINFO handler sees si_signo, si_code SI_USER, and the sender's pid and uid",
       .cites = "seed:S1; POSIX.1-2017 XSH 2.4.3, <signal.h>, sigaction(); sigaction(2)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	pid_t me = iut_self_pid(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		STEP(t, "helper: kill(clause process, SIGUSR1)");
		REQUIRE_OK(t, iut_kill(t, me, SIGUSR1), "helper: kill(clause process, SIGUSR1)");
		ipcconf_exit(t);
	}
	sig_await(t, SIGUSR1, 1, "the SIGUSR1 the helper sent");
	ipcconf_join(t, h, "the sending helper");
	const struct sig_event *e = nth_of(SIGUSR1, 0);
	REQUIRE(t, e && e->siginfo, "an SA_SIGINFO delivery of SIGUSR1 recorded");
	CHECK_EQ(t, e->receiver, me, "the process whose handler ran");
	CHECK_EQ(t, e->info_signo, SIGUSR1, "si_signo");
	CHECK_EQ(t, e->info_code, SI_USER, "si_code (SI_USER: sent by kill)");
	CHECK_EQ(t, e->info_pid, h, "si_pid (the sending helper)");
	CHECK_EQ(t, e->info_uid, getuid(), "si_uid (the sender's real user id)");
}

/* Installed, never run: old_action_returned only looks at it. */
static void never_runs(int sig) { (void)sig; }

/* The sa_flags bits an application sets (others, such as SA_RESTORER, are the C library's). */
#define APP_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | \
		   SA_NODEFER | SA_RESETHAND)

/*
 * POSIX.1-2017 XSH sigaction(): "If the argument oact is not a null
 * pointer, the action previously associated with the signal is stored in
 * the location pointed to by the argument oact."  Checked here: SIGUSR1's
 * first action reports SIG_DFL; a handler with SA_RESTART and sa_mask
 * {SIGUSR2, SIGHUP} is then reported back exactly (handler, flags, mask)
 * by the call that replaces it with SIG_IGN; a query then reports SIG_IGN.
 */
CLAUSE(signal_handler_old_action_returned,
       .id = "signal.handler.old_action_returned",
       .title = "sigaction reports the replaced action: handler, flags and mask",
       .cites = "seed:S1; POSIX.1-2017 XSH sigaction(); sigaction(2)")
{
	sig_begin(t);
	struct sigaction mine, ign, old;
	memset(&mine, 0, sizeof mine);
	mine.sa_handler = never_runs;
	mine.sa_flags = SA_RESTART;
	mine.sa_mask = sig_set(SIGUSR2, SIGHUP, 0);
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);

	memset(&old, 0xa5, sizeof old);
	REQUIRE_OK(t, iut_sigaction(t, SIGUSR1, &mine, &old), "action(SIGUSR1, handler, &old)");
	CHECK(t, old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO),
	      "the action SIGUSR1 had at the start is reported as %p (flags 0x%x), expected SIG_DFL",
	      (void *)old.sa_handler, (unsigned)old.sa_flags);

	memset(&old, 0xa5, sizeof old);
	REQUIRE_OK(t, iut_sigaction(t, SIGUSR1, &ign, &old), "action(SIGUSR1, SIG_IGN, &old)");
	CHECK(t, old.sa_handler == never_runs, "the replaced handler is reported as %p, expected %p",
	      (void *)old.sa_handler, (void *)never_runs);
	CHECK_EQ(t, old.sa_flags & APP_FLAGS, SA_RESTART, "the replaced action's sa_flags");
	CHECK(t, sig_bits(&old.sa_mask) == (BIT(SIGUSR2) | BIT(SIGHUP)),
	      "the replaced action's sa_mask is 0x%llx, expected {SIGUSR2, SIGHUP} (0x%llx)",
	      (unsigned long long)sig_bits(&old.sa_mask),
	      (unsigned long long)(BIT(SIGUSR2) | BIT(SIGHUP)));

	memset(&old, 0xa5, sizeof old);
	REQUIRE_OK(t, iut_sigaction(t, SIGUSR1, NULL, &old), "action(SIGUSR1, NULL, &old)");
	CHECK(t, old.sa_handler == SIG_IGN, "a query after setting SIG_IGN reports %p, expected SIG_IGN",
	      (void *)old.sa_handler);
}

/*
 * POSIX.1-2017 XSH sigaction(), ERRORS: "[EINVAL] ... an attempt is made
 * to catch a signal that cannot be caught".  seed:S4: SIGKILL "cannot be
 * caught, blocked or ignored".  signal(7): "The signals SIGKILL and
 * SIGSTOP cannot be caught, blocked, or ignored."  Checked here:
 * installing a handler for SIGKILL fails with -EINVAL and its action
 * stays SIG_DFL; a helper that tried is still killed by SIGKILL, no
 * handler run.  (SIGSTOP: signal.stop.sigstop_uncatchable_unblockable.)
 */
CLAUSE(signal_handler_sigkill_uncatchable,
       .id = "signal.handler.sigkill_uncatchable",
       .title = "a handler for SIGKILL is refused with -EINVAL, and SIGKILL still kills",
       .cites = "seed:S4; POSIX.1-2017 XSH sigaction() ERRORS [EINVAL], 2.4.3; sigaction(2); signal(7)")
{
	sig_begin(t);
	CHECK_EQ(t, sig_catch_with(t, SIGKILL, 0, 0), -EINVAL, "action(SIGKILL, a handler)");
	struct sigaction old;
	memset(&old, 0xa5, sizeof old);
	REQUIRE_OK(t, iut_sigaction(t, SIGKILL, NULL, &old), "action(SIGKILL, NULL, &old), a query");
	CHECK(t, old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO),
	      "after the refused handler, SIGKILL's action is %p (flags 0x%x), expected SIG_DFL",
	      (void *)old.sa_handler, (unsigned)old.sa_flags);

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		CHECK_EQ(t, sig_catch_with(t, SIGKILL, 0, 0), -EINVAL, "helper: action(SIGKILL, a handler)");
		ipcconf_post(t, CP_READY);
		STEP(t, "helper: waiting to be killed by SIGKILL");
		ipcconf_await(t, CP_NEVER, 1, "helper: SIGKILL, which no handler may catch");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper trying to catch SIGKILL");
	CHECK_EQ(t, iut_kill(t, h, SIGKILL), 0, "kill(helper, SIGKILL)");
	int st = 0;
	char b[64];
	if (!ipcconf_wait(t, h, &st))
		FAIL(t, "the helper that tried to catch SIGKILL survived it until the deadline");
	else
		CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "the helper that tried to catch SIGKILL: %s, expected killed by SIGKILL",
		      sig_status_name(st, b));
	CHECK_EQ(t, sig_count(SIGKILL), 0, "SIGKILL handler runs");
}

/*
 * POSIX.1-2017 XSH sigaction(), ERRORS: "[EINVAL] The sig argument is not
 * a valid signal number".  sigaction(2): "EINVAL An invalid signal was
 * specified."  Checked here: a handler for signal 0, for 65 (beyond
 * SIGRTMAX) and for -1 is refused with -EINVAL.
 */
CLAUSE(signal_handler_invalid_signal_einval,
       .id = "signal.handler.invalid_signal_einval",
       .title = "sigaction of an invalid signal number fails with -EINVAL",
       .cites = "seed:S1; POSIX.1-2017 XSH sigaction() ERRORS [EINVAL]; sigaction(2)")
{
	sig_begin(t);
	CHECK_EQ(t, sig_catch_with(t, 0, 0, 0), -EINVAL, "action(0, a handler)");
	CHECK_EQ(t, sig_catch_with(t, 65, 0, 0), -EINVAL, "action(65, a handler)");
	CHECK_EQ(t, sig_catch_with(t, -1, 0, 0), -EINVAL, "action(-1, a handler)");
}
