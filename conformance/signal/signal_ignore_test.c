/*
 * Signal clauses: ignoring (seed:S3, seed:S4).  An ignored signal is
 * thrown away: it is not kept pending for a handler installed later, and
 * setting SIG_IGN discards one already pending.  SIGKILL cannot be
 * ignored (seed:S4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

enum { CP_READY = 0, CP_NEVER = 1 };

/*
 * POSIX.1-2017 XSH 2.4.3: "SIG_IGN  Ignore signal.  Delivery of the
 * signal shall have no effect on the process."  XSH 2.4.1: a signal
 * that is not blocked is delivered (not kept pending).  signal(7): Ign
 * "Default action is to ignore the signal", and an ignored signal is
 * discarded.  Checked here: SIGUSR1 ignored (not blocked) and raised is
 * not pending afterwards, and a handler installed afterwards never sees
 * it; a SIGUSR1 raised after that does reach the handler (so the handler
 * works).
 */
CLAUSE(signal_ignore_ignored_discarded,
       .id = "signal.ignore.ignored_discarded",
       .title = "an ignored, unblocked signal is discarded: not pending, not delivered to a later handler",
       .cites = "seed:S3; POSIX.1-2017 XSH 2.4.3, 2.4.1; signal(7)")
{
	sig_begin(t);
	sig_ignore(t, SIGUSR1);
	CHECK_EQ(t, iut_raise(t, SIGUSR1), 0, "raise(SIGUSR1) while it is ignored");
	CHECK(t, !sig_is_pending(t, SIGUSR1), "the ignored SIGUSR1 is pending after raise()");
	sig_catch(t, SIGUSR1, 0);
	CHECK_EQ(t, sig_count(SIGUSR1), 0, "deliveries of the SIGUSR1 raised while ignored");
	REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1), caught now");
	sig_await(t, SIGUSR1, 1, "the SIGUSR1 raised once a handler is installed");
	CHECK_EQ(t, sig_count(SIGUSR1), 1,
		 "deliveries in all: the one raised with a handler, none of the one raised while ignored");
}

/*
 * POSIX.1-2017 XSH sigaction(): "Setting a signal action to SIG_IGN for a
 * signal that is pending shall cause the pending signal to be discarded,
 * whether or not it is blocked."  XSH 2.4.3: the same for SIG_DFL with a
 * default action of ignoring.  Checked here: SIGUSR1, caught and blocked,
 * is raised (pending); setting SIG_IGN removes it from the pending set;
 * installing the handler again and unblocking delivers nothing.
 */
CLAUSE(signal_ignore_ignore_pending_discards,
       .id = "signal.ignore.ignore_pending_discards",
       .title = "setting SIG_IGN discards a pending signal, blocked or not",
       .cites = "seed:S3; POSIX.1-2017 XSH sigaction(), 2.4.3; signal(7)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	sig_block(t, SIGUSR1);
	REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1) while blocked");
	REQUIRE_EQ(t, sig_count(SIGUSR1), 0, "deliveries of the blocked SIGUSR1");
	sig_ignore(t, SIGUSR1);
	CHECK(t, !sig_is_pending(t, SIGUSR1), "SIGUSR1 is still pending after setting SIG_IGN");
	sig_catch(t, SIGUSR1, 0);
	sig_unblock(t, SIGUSR1);
	CHECK_EQ(t, sig_count(SIGUSR1), 0,
		 "deliveries after SIG_IGN, a new handler and the unblock (the pending one was discarded)");
}

/*
 * POSIX.1-2017 XSH sigaction(), ERRORS: "[EINVAL] ... an attempt is made
 * to ... ignore a signal that cannot be ... ignored".  seed:S4: SIGKILL
 * "cannot be caught, blocked or ignored".  signal(7): "The signals
 * SIGKILL and SIGSTOP cannot be caught, blocked, or ignored."  Checked
 * here, in a helper: SIG_IGN for SIGKILL fails with -EINVAL and its
 * action stays SIG_DFL; the helper, which tried, is then killed by
 * SIGKILL.  (SIGSTOP: signal.stop.sigstop_uncatchable_unblockable.)
 */
CLAUSE(signal_ignore_sigkill_not_ignorable,
       .id = "signal.ignore.sigkill_not_ignorable",
       .title = "SIG_IGN for SIGKILL fails with -EINVAL, and SIGKILL still kills",
       .cites = "seed:S4; POSIX.1-2017 XSH sigaction() ERRORS [EINVAL], 2.4.3; sigaction(2); signal(7)")
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		struct sigaction ign, old;
		memset(&ign, 0, sizeof ign);
		ign.sa_handler = SIG_IGN;
		sigemptyset(&ign.sa_mask);
		CHECK_EQ(t, iut_sigaction(t, SIGKILL, &ign, NULL), -EINVAL, "helper: action(SIGKILL, SIG_IGN)");
		memset(&old, 0xa5, sizeof old);
		REQUIRE_OK(t, iut_sigaction(t, SIGKILL, NULL, &old), "helper: action(SIGKILL, NULL, &old)");
		CHECK(t, old.sa_handler == SIG_DFL,
		      "after the refused SIG_IGN, SIGKILL's action is %p, expected SIG_DFL",
		      (void *)old.sa_handler);
		ipcconf_post(t, CP_READY);
		STEP(t, "helper: waiting to be killed by SIGKILL");
		ipcconf_await(t, CP_NEVER, 1, "helper: SIGKILL, which it could not ignore");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper trying to ignore SIGKILL");
	STEP(t, "sending SIGKILL to the helper %d", (int)h);
	CHECK_EQ(t, iut_kill(t, h, SIGKILL), 0, "kill(helper, SIGKILL)");
	int st = 0;
	char b[64];
	if (!ipcconf_wait(t, h, &st))
		FAIL(t, "the helper that tried to ignore SIGKILL survived it until the deadline");
	else
		CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		      "the helper that tried to ignore SIGKILL: %s, expected killed by SIGKILL",
		      sig_status_name(st, b));
}
