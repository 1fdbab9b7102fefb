/*
 * Signal clauses: blocking (seed:S3).  A blocked signal is not delivered;
 * it stays pending, `pending` reports it, and unblocking delivers it
 * before the unblocking call returns.  The mask changes as `how` says,
 * reports the old mask, refuses an invalid `how`, and never holds
 * SIGKILL (seed:S4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

/*
 * POSIX.1-2017 XSH 2.4.1: "If the action associated with a blocked signal
 * is anything other than to ignore the signal, and if that signal is
 * generated for the thread, the signal shall remain pending until it is
 * unblocked".  XSH sigpending(): "store, in the location referenced by
 * the set argument, the set of signals that are blocked from delivery to
 * the calling thread and that are pending on the process or the calling
 * thread".  Checked here: SIGUSR1, caught and blocked, raised: no handler
 * runs, and `pending` reports it.
 */
CLAUSE(signal_mask_blocked_stays_pending,
       .id = "signal.mask.blocked_stays_pending",
       .title = "a blocked, caught signal is not delivered and sigpending reports it",
       .cites = "seed:S3; POSIX.1-2017 XSH 2.4.1, sigpending(); signal(7)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	sig_block(t, SIGUSR1);
	REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1) while blocked");
	CHECK_EQ(t, sig_count(SIGUSR1), 0, "deliveries of the blocked SIGUSR1");
	CHECK(t, sig_is_pending(t, SIGUSR1), "pending() reports the blocked SIGUSR1");
}

/*
 * POSIX.1-2017 XSH sigprocmask(): "If there are any pending unblocked
 * signals after the call to sigprocmask(), at least one of those signals
 * shall be delivered before the call to sigprocmask() returns."  Checked
 * here: SIGUSR1 raised while blocked is delivered by the unblocking call,
 * once, before it returns, and is pending no more.
 */
CLAUSE(signal_mask_unblock_delivers,
       .id = "signal.mask.unblock_delivers",
       .title = "unblocking a pending signal delivers it before the unblocking call returns",
       .cites = "seed:S3; POSIX.1-2017 XSH sigprocmask(), 2.4.1; signal(7)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	sig_block(t, SIGUSR1);
	REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1) while blocked");
	REQUIRE_EQ(t, sig_count(SIGUSR1), 0, "deliveries before the unblock");
	sig_unblock(t, SIGUSR1);
	CHECK_EQ(t, sig_count(SIGUSR1), 1, "deliveries when the unblocking call returned");
	CHECK(t, !sig_is_pending(t, SIGUSR1), "SIGUSR1 is no longer pending after its delivery");
}

/* A signal's bit in a set as sig_bits() reports it. */
#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

/*
 * POSIX.1-2017 XSH sigprocmask(): "If the argument oset is not a null
 * pointer, the previous mask shall be stored in the location pointed to
 * by oset. ... SIG_SETMASK: The resulting set shall be the signal set
 * pointed to by set."  Checked here: with SIGUSR1 blocked, SIG_SETMASK
 * to {SIGUSR2} reports exactly {SIGUSR1} as the old mask and leaves
 * exactly {SIGUSR2} in force (a union, or an ignored change, shows).
 */
CLAUSE(signal_mask_setmask_returns_old,
       .id = "signal.mask.setmask_returns_old",
       .title = "SIG_SETMASK reports the previous mask and replaces it with the given set",
       .cites = "seed:S3; POSIX.1-2017 XSH sigprocmask(); sigprocmask(2)")
{
	sig_begin(t);
	sig_block(t, SIGUSR1);
	sigset_t set = sig_set(SIGUSR2, 0), old = sig_set(SIGHUP, SIGTERM, 0);
	REQUIRE_OK(t, iut_sigmask(t, SIG_SETMASK, &set, &old), "mask(SIG_SETMASK, {SIGUSR2}, &old)");
	CHECK(t, sig_bits(&old) == BIT(SIGUSR1),
	      "the old mask SIG_SETMASK reported is 0x%llx, expected {SIGUSR1} (0x%llx)",
	      (unsigned long long)sig_bits(&old), (unsigned long long)BIT(SIGUSR1));
	uint64_t now = sig_mask_now(t);
	CHECK(t, now == BIT(SIGUSR2),
	      "the mask after SIG_SETMASK {SIGUSR2} is 0x%llx, expected exactly {SIGUSR2} (0x%llx)",
	      (unsigned long long)now, (unsigned long long)BIT(SIGUSR2));
}

/*
 * POSIX.1-2017 XSH sigprocmask(): "SIG_BLOCK: The resulting set shall be
 * the union of the current set and the signal set pointed to by set.
 * SIG_UNBLOCK: The resulting set shall be the intersection of the current
 * set and the complement of the signal set pointed to by set."  Checked
 * here: blocking {SIGUSR1} then {SIGUSR2} leaves both blocked;
 * unblocking {SIGUSR1, SIGTERM} (SIGTERM not blocked) leaves {SIGUSR2}.
 */
CLAUSE(signal_mask_block_unblock_union,
       .id = "signal.mask.block_unblock_union",
       .title = "SIG_BLOCK adds the set to the mask and SIG_UNBLOCK removes it, leaving the rest",
       .cites = "seed:S3; POSIX.1-2017 XSH sigprocmask(); sigprocmask(2)")
{
	sig_begin(t);
	sig_block(t, SIGUSR1);
	sig_block(t, SIGUSR2);
	uint64_t both = sig_mask_now(t);
	CHECK(t, both == (BIT(SIGUSR1) | BIT(SIGUSR2)),
	      "after SIG_BLOCK {SIGUSR1} then SIG_BLOCK {SIGUSR2} the mask is 0x%llx, expected both (0x%llx)",
	      (unsigned long long)both, (unsigned long long)(BIT(SIGUSR1) | BIT(SIGUSR2)));
	sigset_t un = sig_set(SIGUSR1, SIGTERM, 0);
	REQUIRE_OK(t, iut_sigmask(t, SIG_UNBLOCK, &un, NULL), "mask(SIG_UNBLOCK, {SIGUSR1, SIGTERM})");
	uint64_t left = sig_mask_now(t);
	CHECK(t, left == BIT(SIGUSR2),
	      "after SIG_UNBLOCK {SIGUSR1, SIGTERM} the mask is 0x%llx, expected {SIGUSR2} (0x%llx)",
	      (unsigned long long)left, (unsigned long long)BIT(SIGUSR2));
}

enum { CP_MASKED = 0, CP_NEVER = 1 };

/*
 * POSIX.1-2017 XSH sigprocmask(): "It is not possible to block those
 * signals which cannot be ignored.  This shall be enforced by the system
 * without causing an error to be indicated."  seed:S4: SIGKILL "cannot
 * be caught, blocked or ignored".  sigprocmask(2): "Attempts to block
 * SIGKILL or SIGSTOP are silently ignored."  Checked here: SIG_SETMASK of
 * the full set succeeds, and the mask then holds SIGUSR1 but not
 * SIGKILL; a helper that did the same still dies of SIGKILL.  (SIGSTOP's
 * share of the rule is signal.stop.sigstop_uncatchable_unblockable.)
 */
CLAUSE(signal_mask_sigkill_unblockable,
       .id = "signal.mask.sigkill_unblockable",
       .title = "blocking SIGKILL succeeds silently and does not block it",
       .cites = "seed:S4; POSIX.1-2017 XSH sigprocmask(), 2.4.3; sigprocmask(2); signal(7)")
{
	sig_begin(t);
	sigset_t all;
	sigfillset(&all);
	CHECK_EQ(t, iut_sigmask(t, SIG_SETMASK, &all, NULL), 0,
		 "mask(SIG_SETMASK, the full set): blocking SIGKILL is not an error");
	uint64_t now = sig_mask_now(t);
	CHECK(t, now & BIT(SIGUSR1), "the full set was not applied: SIGUSR1 is not blocked (mask 0x%llx)",
	      (unsigned long long)now);
	CHECK(t, !(now & BIT(SIGKILL)), "SIGKILL is in the mask (0x%llx) after blocking the full set",
	      (unsigned long long)now);

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		REQUIRE_OK(t, iut_sigmask(t, SIG_SETMASK, &all, NULL), "helper: mask(SIG_SETMASK, full set)");
		ipcconf_post(t, CP_MASKED);
		STEP(t, "helper: everything blocked, waiting to be killed by SIGKILL");
		ipcconf_await(t, CP_NEVER, 1, "helper: SIGKILL, which blocking must not stop");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_MASKED, 1, "the helper blocking every signal");
	STEP(t, "sending SIGKILL to the helper %d, which blocks every signal", (int)h);
	CHECK_EQ(t, iut_kill(t, h, SIGKILL), 0, "kill(helper, SIGKILL)");
	int st = 0;
	char b[64];
	if (!ipcconf_wait(t, h, &st))
		FAIL(t, "the helper blocking the full set survived SIGKILL until the deadline");
	else
		CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "the helper blocking the full set: %s, expected killed by SIGKILL",
		      sig_status_name(st, b));
}

/*
 * POSIX.1-2017 XSH sigprocmask(), ERRORS: "[EINVAL] The value of the how
 * argument is not equal to one of the defined values."  Checked here:
 * how = 12345 with the set {SIGUSR1} fails with -EINVAL and the mask
 * ({SIGUSR2}, set before) is unchanged.
 */
CLAUSE(signal_mask_invalid_how_einval,
       .id = "signal.mask.invalid_how_einval",
       .title = "a mask change with an invalid `how` fails with -EINVAL and changes nothing",
       .cites = "seed:S3; POSIX.1-2017 XSH sigprocmask() ERRORS [EINVAL]; sigprocmask(2)")
{
	sig_begin(t);
	sig_block(t, SIGUSR2);
	sigset_t set = sig_set(SIGUSR1, 0);
	CHECK_FAILS_UNCHANGED(t, iut_sigmask(t, 12345, &set, NULL), -EINVAL, sig_mask_now(t));
}
