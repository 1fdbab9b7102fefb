/*
 * Signal clauses: blocking (seed:S3).  A blocked signal is not delivered;
 * it stays pending, `pending` reports it, and unblocking delivers it
 * before the unblocking call returns.
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
