/*
 * Signal clauses: how many deliveries (seed:S3).  A standard signal
 * generated several times while blocked is pending once and delivered
 * once; a real-time signal queued several times is delivered once per
 * sigqueue, in order, with its value; among pending real-time signals
 * the lowest number goes first; queueing stops, with -EAGAIN, at the
 * receiver's limit.  sigqueue of a standard signal carries its value too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))
#define N_SENT 5

/*
 * Waits until `sig`, sent by this process to itself, has been delivered
 * `n` times; returns early, with the count, when fewer have been
 * delivered and none is pending any more (the rest was lost: no wait
 * until the deadline for that).  The pending set is read before the
 * count: a self-directed signal taken from the pending set has run its
 * handler, in this thread, before the next line runs.
 */
static unsigned await_self(struct ipcconf_t *t, int sig, unsigned n, const char *what)
{
	for (;;) {
		int pending = sig_is_pending(t, sig);
		unsigned c = sig_count(sig);
		if (c >= n || !pending)
			return c;
		sig_await(t, sig, c + 1, what);
	}
}

/*
 * signal(7), Queueing and delivery semantics for standard signals:
 * "Standard signals do not queue.  If multiple instances of a standard
 * signal are generated while that signal is blocked, then only one
 * instance of the signal is marked as pending (and the signal will be
 * delivered just once when it is unblocked)."  (POSIX.1-2017 XSH 2.4.1
 * leaves it implementation-defined "whether the signal is delivered or
 * accepted more than once in circumstances other than those in which
 * queuing is required"; Linux, and this suite, deliver it once.)
 * Checked here: SIGUSR1 raised 5 times while blocked is delivered once
 * when unblocked; then SIGUSR1 sent by kill to the own pid 5 times while
 * blocked, once more.  The two are separate rounds: raise() makes the
 * signal pending for the thread and kill() for the process, and one
 * instance pending in each set is two pending signals (signal(7)).
 */
CLAUSE(signal_count_standard_not_queued,
       .id = "signal.count.standard_not_queued",
       .title = "a standard signal generated 5 times while blocked is delivered once when unblocked",
       .cites = "seed:S3; POSIX.1-2017 XSH 2.4.1; signal(7) Queueing and delivery semantics for standard signals")
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGUSR1, 0);
	for (int round = 0; round < 2; round++) {
		const char *how = round ? "kill(own pid)" : "raise";
		STEP(t, "SIGUSR1 by %s, 5 times while blocked", how);
		unsigned base = sig_count(SIGUSR1);
		sig_block(t, SIGUSR1);
		for (int i = 0; i < N_SENT; i++)
			REQUIRE_OK(t, round ? iut_kill(t, me, SIGUSR1) : iut_raise(t, SIGUSR1),
				   round ? "kill(own pid, SIGUSR1) while blocked" : "raise(SIGUSR1) while blocked");
		REQUIRE_EQ(t, sig_count(SIGUSR1) - base, 0, "deliveries before the unblock");
		sig_unblock(t, SIGUSR1);
		/* A second instance, were it kept, would be pending now or delivered already. */
		CHECK(t, !sig_is_pending(t, SIGUSR1),
		      "SIGUSR1 (by %s) is still pending after the unblock delivered it", how);
		CHECK(t, sig_count(SIGUSR1) - base == 1,
		      "SIGUSR1 generated 5 times by %s while blocked was delivered %u time(s), expected once",
		      how, sig_count(SIGUSR1) - base);
	}
}

/*
 * POSIX.1-2017 XSH sigqueue(): "If SA_SIGINFO is set for signo and if the
 * resources were available to queue the signal, the signal shall be
 * queued and sent to the receiving process."  XSH 2.4.2: "If, when a
 * pending signal is delivered, there are additional signals queued to
 * that signal number, the signal shall remain pending."  signal(7),
 * Real-time signals: "Multiple instances of real-time signals can be
 * queued."  Checked here: SIGRTMIN queued 5 times while blocked is
 * delivered exactly 5 times once unblocked.
 */
CLAUSE(signal_count_rt_queued_each,
       .id = "signal.count.rt_queued_each",
       .title = "a real-time signal queued 5 times while blocked is delivered 5 times",
       .cites = "seed:S3; POSIX.1-2017 XSH sigqueue(), 2.4.2; signal(7) Real-time signals",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_QUEUE))
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGRTMIN, 0);
	sig_block(t, SIGRTMIN);
	for (int i = 1; i <= N_SENT; i++)
		REQUIRE_OK(t, iut_sigqueue(t, me, SIGRTMIN, i), "sigqueue(own pid, SIGRTMIN) while blocked");
	REQUIRE_EQ(t, sig_count(SIGRTMIN), 0, "deliveries before the unblock");
	sig_unblock(t, SIGRTMIN);
	await_self(t, SIGRTMIN, N_SENT, "the 5 queued SIGRTMIN after the unblock");
	CHECK_EQ(t, sig_count(SIGRTMIN), N_SENT, "deliveries of SIGRTMIN, queued 5 times while blocked");
	CHECK(t, !sig_is_pending(t, SIGRTMIN), "SIGRTMIN is still pending after its deliveries");
}

/*
 * POSIX.1-2017 XSH 2.4.2: "multiple occurrences of signals so generated
 * shall be queued in FIFO order ... the value specified by the
 * application [is] delivered to the signal-catching function", si_code
 * SI_QUEUE for sigqueue().  XSH sigqueue(): "The sigqueue() function
 * shall cause the signal specified by signo to be sent with the value
 * specified by value".  Checked here: SIGRTMIN queued with the values
 * 1..5 while blocked; once unblocked, its deliveries carry, in delivery
 * order, increasing values among 1..5 (all five, if all are delivered:
 * how many is signal.count.rt_queued_each), each with si_code SI_QUEUE,
 * si_signo SIGRTMIN and si_pid the sender's.
 */
CLAUSE(signal_count_rt_values_in_order,
       .id = "signal.count.rt_values_in_order",
       .title = "queued real-time signals are delivered in the order sent, each with its value and SI_QUEUE",
       .cites = "seed:S3; POSIX.1-2017 XSH 2.4.2, sigqueue(); sigqueue(3); signal(7) Real-time signals",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_QUEUE))
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGRTMIN, 0);
	sig_block(t, SIGRTMIN);
	for (int i = 1; i <= N_SENT; i++)
		REQUIRE_OK(t, iut_sigqueue(t, me, SIGRTMIN, i), "sigqueue(own pid, SIGRTMIN, value)");
	sig_unblock(t, SIGRTMIN);
	unsigned got = await_self(t, SIGRTMIN, N_SENT, "the 5 queued SIGRTMIN after the unblock");
	REQUIRE(t, got >= 1, "no SIGRTMIN was delivered after the unblock");
	int last = 0;
	unsigned k = 0, n = sig_events();
	for (unsigned i = 0; i < n; i++) {
		const struct sig_event *e = sig_event(i);
		if (e->sig != SIGRTMIN)
			continue;
		k++;
		CHECK(t, e->siginfo && e->info_code == SI_QUEUE && e->info_signo == SIGRTMIN &&
			      e->info_pid == me,
		      "delivery %u of SIGRTMIN: si_code %d, si_signo %d, si_pid %d; expected SI_QUEUE (%d), %d, %d",
		      k, e->info_code, e->info_signo, (int)e->info_pid, SI_QUEUE, SIGRTMIN, (int)me);
		CHECK(t, e->info_value > last && e->info_value <= N_SENT,
		      "delivery %u of SIGRTMIN carries the value %d after %d: expected the values 1..5 in the order sent",
		      k, e->info_value, last);
		last = e->info_value;
	}
}

/*
 * POSIX.1-2017 XSH 2.4.2: "When multiple unblocked signals, all in the
 * range SIGRTMIN to SIGRTMAX, are pending, the behavior shall be as if
 * the implementation delivers the pending unblocked signal with the
 * lowest signal number within that range."  signal(7): "Real-time
 * signals are delivered in a guaranteed order ... lowest-numbered
 * signals are delivered first."  Checked here: SIGRTMIN+2 and then
 * SIGRTMIN queued while both are blocked; one SIG_UNBLOCK of both
 * delivers SIGRTMIN first.  Each handler blocks the other signal
 * (sa_mask), so that a handler runs to its end before the next delivery:
 * otherwise the second delivery may interrupt the first handler before
 * its first instruction, and the order the handlers ran in would not be
 * the order of delivery.
 */
CLAUSE(signal_count_rt_lowest_first,
       .id = "signal.count.rt_lowest_first",
       .title = "of several pending real-time signals, the lowest-numbered is delivered first",
       .cites = "seed:S3; POSIX.1-2017 XSH 2.4.2; signal(7) Real-time signals",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_QUEUE))
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	int lo = SIGRTMIN, hi = SIGRTMIN + 2;
	REQUIRE_OK(t, sig_catch_with(t, lo, 0, BIT(hi)), "action(SIGRTMIN, sa_mask {SIGRTMIN+2})");
	REQUIRE_OK(t, sig_catch_with(t, hi, 0, BIT(lo)), "action(SIGRTMIN+2, sa_mask {SIGRTMIN})");
	sigset_t both = sig_set(lo, hi, 0);
	REQUIRE_OK(t, iut_sigmask(t, SIG_BLOCK, &both, NULL), "mask(SIG_BLOCK, {SIGRTMIN, SIGRTMIN+2})");
	REQUIRE_OK(t, iut_sigqueue(t, me, hi, 2), "sigqueue(own pid, SIGRTMIN+2)");
	REQUIRE_OK(t, iut_sigqueue(t, me, lo, 0), "sigqueue(own pid, SIGRTMIN)");
	REQUIRE_OK(t, iut_sigmask(t, SIG_UNBLOCK, &both, NULL), "mask(SIG_UNBLOCK, {SIGRTMIN, SIGRTMIN+2})");
	await_self(t, lo, 1, "SIGRTMIN after the unblock");
	await_self(t, hi, 1, "SIGRTMIN+2 after the unblock");
	REQUIRE(t, sig_events() >= 2, "%u deliveries recorded, expected SIGRTMIN and SIGRTMIN+2",
		sig_events());
	char n0[24], n1[24];
	int first = sig_event(0)->sig, second = sig_event(1)->sig;
	CHECK(t, first == lo && second == hi,
	      "deliveries in the order %s, %s; expected SIGRTMIN first, then SIGRTMIN+2 (sent first)",
	      sig_name(first, n0), sig_name(second, n1));
}

/*
 * POSIX.1-2017 XSH sigqueue(), ERRORS: "[EAGAIN] No resources are
 * available to queue the signal.  The process has already queued
 * {SIGQUEUE_MAX} signals that are still pending at the receiver(s), or a
 * system-wide resource limit has been exceeded."  getrlimit(2),
 * RLIMIT_SIGPENDING: "a limit on the number of signals that may be
 * queued for the real user ID of the calling process ... the limit is
 * enforced for sigqueue(3)".  Checked here, in a helper with the soft
 * limit lowered to 16 (and, as root, a user id of its own, so that no
 * other process's signals count): queueing SIGRTMIN to itself, blocked,
 * succeeds at least once and fails with -EAGAIN at the latest on the 17th
 * call.
 */
#define SIGPENDING_LIMIT 16
CLAUSE(signal_count_rt_queue_limit_eagain,
       .id = "signal.count.rt_queue_limit_eagain",
       .title = "sigqueue fails with -EAGAIN once the receiver's queue limit (RLIMIT_SIGPENDING) is reached",
       .cites = "seed:S3; POSIX.1-2017 XSH sigqueue() ERRORS [EAGAIN]; sigqueue(3); getrlimit(2) RLIMIT_SIGPENDING",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_QUEUE))
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_block(t, SIGRTMIN);
		struct rlimit rl;
		if (getrlimit(RLIMIT_SIGPENDING, &rl) < 0)
			BROKEN(t, "getrlimit(RLIMIT_SIGPENDING): %s", strerror(errno));
		rl.rlim_cur = SIGPENDING_LIMIT;
		if (setrlimit(RLIMIT_SIGPENDING, &rl) < 0)
			SKIP(t, "the queue limit cannot be arranged here: setrlimit(RLIMIT_SIGPENDING, %d): %s",
			     SIGPENDING_LIMIT, strerror(errno));
		if (getuid() == 0) {
			/* Best effort: the limit counts every process of the user. */
			uid_t mine = (uid_t)(2000000000u + (unsigned)getpid() % 1000000u);
			if (setresuid(mine, mine, mine) < 0)
				STEP(t, "helper: staying root (setresuid(%u): %s)", (unsigned)mine,
				     strerror(errno));
		}
		pid_t self = iut_self_pid(t);
		int r = 0, sent = 0;
		STEP(t, "helper: sigqueue of SIGRTMIN to itself until it fails");
		while (sent <= SIGPENDING_LIMIT && (r = iut_sigqueue(t, self, SIGRTMIN, sent)) == 0)
			sent++;
		char b[32];
		if (r == 0)
			FAIL(t, "%d sigqueue calls all succeeded, beyond RLIMIT_SIGPENDING %d: expected -EAGAIN",
			     sent, SIGPENDING_LIMIT);
		else
			CHECK(t, r == -EAGAIN, "sigqueue number %d failed with %s, expected -EAGAIN",
			      sent + 1, ipcconf_result_name(r, b));
		CHECK(t, sent >= 1, "the first sigqueue already failed (%s): nothing could be queued",
		      ipcconf_result_name(r, b));
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper queueing up to its limit");
	CHECK_EQ(t, sig_count(SIGRTMIN), 0, "deliveries of the blocked SIGRTMIN");
}

/*
 * POSIX.1-2017 XSH sigqueue(): the signal is "sent with the value
 * specified by value"; XSH 2.4.3: si_code SI_QUEUE "Signal sent by
 * sigqueue()", si_value "Signal value".  sigqueue(3): "The value
 * argument is used to specify an accompanying item of data ... to be
 * sent with the signal".  Checked here: sigqueue of the standard signal
 * SIGUSR1 with the value 42 reaches an SA_SIGINFO handler with si_code
 * SI_QUEUE and si_value 42.
 */
CLAUSE(signal_count_queue_to_standard_signal,
       .id = "signal.count.queue_to_standard_signal",
       .title = "sigqueue of a standard signal delivers it with SI_QUEUE and the value",
       .cites = "seed:S1; POSIX.1-2017 XSH sigqueue(), 2.4.3; sigqueue(3)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_QUEUE))
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGUSR1, 0);
	CHECK_EQ(t, iut_sigqueue(t, me, SIGUSR1, 42), 0, "sigqueue(own pid, SIGUSR1, 42)");
	sig_await(t, SIGUSR1, 1, "the queued SIGUSR1");
	const struct sig_event *e = sig_event(0);
	REQUIRE(t, e->sig == SIGUSR1 && e->siginfo, "an SA_SIGINFO delivery of SIGUSR1 recorded");
	CHECK_EQ(t, e->info_code, SI_QUEUE, "si_code (SI_QUEUE: sent by sigqueue)");
	CHECK_EQ(t, e->info_value, 42, "si_value.sival_int");
	CHECK_EQ(t, e->info_signo, SIGUSR1, "si_signo");
	CHECK_EQ(t, sig_count(SIGUSR1), 1, "SIGUSR1 deliveries");
}
