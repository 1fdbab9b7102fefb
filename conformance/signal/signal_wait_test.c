/*
 * Signal clauses: waiting for signals (seed:S1, seed:S3).  sigsuspend
 * waits with a temporary mask and restores the old one; sigwaitinfo takes
 * a pending blocked signal without running its handler, and sleeps until
 * one is sent; sigtimedwait gives up with -EAGAIN; pause waits for a
 * caught signal.  "Blocks" is block.h's: seen asleep, still there after
 * a grace period, back only after the signal is sent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/harness/clock.h"
#include "conformance/signal/signal_support.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

/* What a helper waiting for a signal works with (a copy, in the helper). */
struct waiter {
	pid_t sender;    /* the clause process */
	siginfo_t info;  /* filled by a signal wait */
};

static const char *bits_name(uint64_t bits, char buf[32])
{
	snprintf(buf, 32, "0x%llx", (unsigned long long)bits);
	return buf;
}

/* ---- sigsuspend ---- */

static void block_usr1_hup_catch_usr1(struct ipcconf_t *t, void *arg)
{
	sig_catch(t, SIGUSR1, 0);
	sigset_t s = sig_set(SIGUSR1, SIGHUP, 0);
	REQUIRE_OK(t, iut_sigmask(t, SIG_BLOCK, &s, NULL), "helper: mask(SIG_BLOCK, {SIGUSR1, SIGHUP})");
}

static long long suspend_with_usr2(struct ipcconf_t *t, void *arg)
{
	sigset_t m = sig_set(SIGUSR2, 0);
	return iut_sigsuspend(t, &m);
}

static void suspend_after(struct ipcconf_t *t, void *arg, long long r)
{
	char a[32], b[32];
	pid_t self = iut_self_pid(t);
	CHECK_EQ(t, sig_count_in(self, SIGUSR1), 1, "SIGUSR1 handler runs in the suspended helper");
	const struct sig_event *e = sig_events() ? sig_event(0) : NULL;
	if (e && e->sig == SIGUSR1 && e->mask != ~UINT64_C(0))
		CHECK(t, (e->mask & BIT(SIGUSR2)) && !(e->mask & BIT(SIGHUP)),
		      "the mask inside the handler was %s: expected the suspend mask {SIGUSR2} (plus SIGUSR1), not the old {SIGUSR1, SIGHUP}",
		      bits_name(e->mask, a));
	uint64_t now = sig_mask_now(t);
	CHECK(t, now == (BIT(SIGUSR1) | BIT(SIGHUP)),
	      "the mask after sigsuspend returned is %s, expected the old one {SIGUSR1, SIGHUP} (%s)",
	      bits_name(now, a), bits_name(BIT(SIGUSR1) | BIT(SIGHUP), b));
}

/*
 * POSIX.1-2017 XSH sigsuspend(): "The sigsuspend() function shall replace
 * the current signal mask of the calling thread with the set of signals
 * pointed to by sigmask and then suspend the thread until delivery of a
 * signal whose action is either to execute a signal-catching function or
 * to terminate the process. ... If the action is to execute a
 * signal-catching function, sigsuspend() shall return after the
 * signal-catching function returns, with the signal mask restored to the
 * set that existed prior to the sigsuspend() call."  RETURN VALUE: "-1
 * and errno set to [EINTR]".  Checked here: a helper blocking {SIGUSR1,
 * SIGHUP} suspends with the mask {SIGUSR2}; it blocks until SIGUSR1 is
 * sent; the handler runs under the temporary mask; sigsuspend returns
 * -EINTR with {SIGUSR1, SIGHUP} back in force.
 */
CLAUSE(signal_wait_sigsuspend_returns_eintr_restores_mask,
       .id = "signal.wait.sigsuspend_returns_eintr_restores_mask",
       .title = "sigsuspend blocks with the given mask until a caught signal, then returns -EINTR with the old mask",
       .cites = "seed:S3; POSIX.1-2017 XSH sigsuspend(); sigsuspend(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_SUSPEND))
{
	sig_begin(t);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "sigsuspend({SIGUSR2}) with {SIGUSR1, SIGHUP} blocked, SIGUSR1 caught",
		.prepare = block_usr1_hup_catch_usr1, .call = suspend_with_usr2,
		.then = suspend_after });
	ipcconf_block_release(t, &b);
	STEP(t, "sending SIGUSR1 to the suspended helper %d", (int)b.pid);
	CHECK_EQ(t, iut_kill(t, b.pid, SIGUSR1), 0, "kill(suspended helper, SIGUSR1)");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR, "sigsuspend interrupted by a caught SIGUSR1");
}

/* ---- sigwaitinfo, sigtimedwait ---- */

/*
 * POSIX.1-2017 XSH sigwaitinfo(): "The sigtimedwait() and sigwaitinfo()
 * functions ... select the pending signal from the set specified by set
 * ... atomically clear it from the system's set of pending signals, and
 * return that signal number.  If the info argument is not NULL, the
 * selected signal number shall be stored in the si_signo member".  XSH
 * sigwait(): "The signals defined by set shall have been blocked at the
 * time of the call"; accepting a signal is not delivering it (XSH 2.4.1:
 * "accepted"), so no handler runs.  Checked here: SIGUSR1, caught and
 * blocked, sent by kill to the own pid: sigwaitinfo({SIGUSR1}) returns
 * SIGUSR1 at once, with si_signo SIGUSR1 and si_code SI_USER; its handler
 * did not run; it is pending no more; the mask is unchanged.
 */
CLAUSE(signal_wait_sigwaitinfo_takes_pending,
       .id = "signal.wait.sigwaitinfo_takes_pending",
       .title = "sigwaitinfo takes a pending blocked signal: returns it, runs no handler, clears it",
       .cites = "seed:S3; POSIX.1-2017 XSH sigwaitinfo(), sigwait(), 2.4.1; sigwaitinfo(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_WAIT))
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	sig_block(t, SIGUSR1);
	REQUIRE_OK(t, iut_kill(t, iut_self_pid(t), SIGUSR1), "kill(own pid, SIGUSR1) while blocked");
	REQUIRE_EQ(t, sig_count(SIGUSR1), 0, "deliveries of the blocked SIGUSR1 before the wait");
	uint64_t before = sig_mask_now(t);
	sigset_t set = sig_set(SIGUSR1, 0);
	siginfo_t info;
	memset(&info, 0, sizeof info);
	CHECK_EQ(t, iut_sigwait(t, &set, &info, NULL), SIGUSR1, "sigwaitinfo({SIGUSR1}) with SIGUSR1 pending");
	CHECK_EQ(t, info.si_signo, SIGUSR1, "info.si_signo");
	CHECK_EQ(t, info.si_code, SI_USER, "info.si_code (SI_USER: sent by kill)");
	CHECK_EQ(t, sig_count(SIGUSR1), 0, "SIGUSR1 handler runs (a signal taken by sigwaitinfo is not delivered)");
	CHECK(t, !sig_is_pending(t, SIGUSR1), "SIGUSR1 is still pending after sigwaitinfo took it");
	uint64_t after = sig_mask_now(t);
	CHECK(t, after == before, "the mask after sigwaitinfo is 0x%llx, expected it unchanged (0x%llx)",
	      (unsigned long long)after, (unsigned long long)before);
}

#define WAIT_NS (10 * 1000 * 1000)

/*
 * POSIX.1-2017 XSH sigtimedwait(): "If no signal in set is pending at the
 * time of the call, the thread shall be suspended until one or more
 * signals in set become pending or until it is interrupted by an
 * unblocked, caught signal.  ... if none of the signals specified by set
 * are pending within the time interval specified by timeout, the
 * function shall return an error.  ... The timeout shall be based on the
 * CLOCK_MONOTONIC clock."  ERRORS: "[EAGAIN] No signal specified by set
 * was generated within the specified timeout period."  Checked here:
 * SIGUSR1 blocked, nothing pending: sigtimedwait({SIGUSR1}, 10 ms) fails
 * with -EAGAIN, and not before 10 ms have passed (CLOCK_MONOTONIC).
 */
CLAUSE(signal_wait_sigtimedwait_timeout_eagain,
       .id = "signal.wait.sigtimedwait_timeout_eagain",
       .title = "sigtimedwait with nothing pending fails with -EAGAIN once its timeout has passed",
       .cites = "seed:S3; POSIX.1-2017 XSH sigtimedwait() ERRORS [EAGAIN]; sigtimedwait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_WAIT))
{
	sig_begin(t);
	sig_block(t, SIGUSR1);
	sigset_t set = sig_set(SIGUSR1, 0);
	struct timespec timeout = ipcconf_ns_to_timespec(WAIT_NS);
	siginfo_t info;
	int64_t start = ipcconf_now_ns();
	CHECK_EQ(t, iut_sigwait(t, &set, &info, &timeout), -EAGAIN,
		 "sigtimedwait({SIGUSR1}, 10 ms) with nothing pending");
	int64_t took = ipcconf_now_ns() - start;
	CHECK(t, took >= WAIT_NS, "sigtimedwait gave up after %.3f ms, before its 10 ms timeout",
	      (double)took / 1e6);
}

static void block_usr1_catch_usr1(struct ipcconf_t *t, void *arg)
{
	sig_catch(t, SIGUSR1, 0);
	sig_block(t, SIGUSR1);
}

static long long sigwaitinfo_usr1(struct ipcconf_t *t, void *arg)
{
	struct waiter *w = arg;
	sigset_t set = sig_set(SIGUSR1, 0);
	memset(&w->info, 0, sizeof w->info);
	return iut_sigwait(t, &set, &w->info, NULL);
}

static void sigwaitinfo_after(struct ipcconf_t *t, void *arg, long long r)
{
	struct waiter *w = arg;
	if (r != SIGUSR1)
		return; /* the clause process reports the result */
	CHECK_EQ(t, w->info.si_signo, SIGUSR1, "info.si_signo");
	CHECK_EQ(t, w->info.si_pid, w->sender, "info.si_pid (the clause process sent it)");
	CHECK_EQ(t, sig_count(SIGUSR1), 0, "SIGUSR1 handler runs in the waiting helper");
}

/*
 * POSIX.1-2017 XSH sigtimedwait(): "If no signal in set is pending at the
 * time of the call, the thread shall be suspended until one or more
 * signals in set become pending".  XSH sigwait(): "The sigwait() function
 * shall select a pending signal from set, atomically clear it from the
 * system's set of pending signals, and return that signal number."
 * Checked here: a helper with SIGUSR1 blocked (and caught) waits in
 * sigwaitinfo({SIGUSR1}); it blocks until the clause process sends
 * SIGUSR1, then returns SIGUSR1 with si_pid the sender's, no handler run.
 */
CLAUSE(signal_wait_sigwait_blocks_until_sent,
       .id = "signal.wait.sigwait_blocks_until_sent",
       .title = "sigwaitinfo with nothing pending blocks until a signal of the set is sent, and returns it",
       .cites = "seed:S3; POSIX.1-2017 XSH sigtimedwait(), sigwait(); sigwaitinfo(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_WAIT))
{
	sig_begin(t);
	struct waiter w = { .sender = iut_self_pid(t) };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "sigwaitinfo({SIGUSR1}) with nothing pending",
		.prepare = block_usr1_catch_usr1, .call = sigwaitinfo_usr1,
		.then = sigwaitinfo_after, .arg = &w });
	ipcconf_block_release(t, &b);
	STEP(t, "sending SIGUSR1 to the waiting helper %d", (int)b.pid);
	CHECK_EQ(t, iut_kill(t, b.pid, SIGUSR1), 0, "kill(waiting helper, SIGUSR1)");
	CHECK_EQ(t, ipcconf_block_end(t, &b), SIGUSR1, "the sigwaitinfo woken by SIGUSR1");
}

/* ---- pause ---- */

static void catch_usr1(struct ipcconf_t *t, void *arg) { sig_catch(t, SIGUSR1, 0); }

static long long pause_call(struct ipcconf_t *t, void *arg) { return iut_pause(t); }

static void handled_once(struct ipcconf_t *t, void *arg, long long r)
{
	CHECK_EQ(t, sig_count_in(iut_self_pid(t), SIGUSR1), 1, "SIGUSR1 handler runs in the paused helper");
}

/*
 * POSIX.1-2017 XSH pause(): "The pause() function shall suspend the
 * calling thread until delivery of a signal whose action is either to
 * execute a signal-catching function or to terminate the process. ... If
 * the action is to execute a signal-catching function, pause() shall
 * return after the signal-catching function returns."  RETURN VALUE:
 * "-1 and errno set to indicate the error", ERRORS "[EINTR] A signal is
 * caught by the calling process".  Checked here: a helper catching
 * SIGUSR1 blocks in pause until SIGUSR1 is sent; its handler runs once
 * and pause returns -EINTR.
 */
CLAUSE(signal_wait_pause_returns_eintr,
       .id = "signal.wait.pause_returns_eintr",
       .title = "pause blocks until a caught signal, whose handler runs once, then returns -EINTR",
       .cites = "seed:S1; POSIX.1-2017 XSH pause(); pause(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_SUSPEND))
{
	sig_begin(t);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "pause() with SIGUSR1 caught",
		.prepare = catch_usr1, .call = pause_call, .then = handled_once });
	ipcconf_block_release(t, &b);
	STEP(t, "sending SIGUSR1 to the paused helper %d", (int)b.pid);
	CHECK_EQ(t, iut_kill(t, b.pid, SIGUSR1), 0, "kill(paused helper, SIGUSR1)");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR, "pause interrupted by a caught SIGUSR1");
}
