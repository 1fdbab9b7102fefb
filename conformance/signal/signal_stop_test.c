/*
 * Signal clauses: stopping and continuing (job control).  SIGSTOP and
 * SIGTSTP's default action stops a process, SIGCONT continues it however
 * it is disposed, SIGKILL ends it even while stopped, and SIGSTOP can be
 * neither caught nor blocked.  A stop is observed as the kernel shows it
 * (/proc/PID/stat state T); a continue, by the helper going on to exit
 * normally, which a stopped process cannot do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/proc_state.h"
#include "conformance/signal/signal_support.h"

enum { CP_READY = 0, CP_GO = 1 };

/*
 * Forks a helper that runs `setup` (may be NULL), says it is ready, waits
 * for the clause's go-ahead, makes one call into the implementation (a
 * point where one that handles signals in user space would act on a
 * pending signal) and exits 0.  Returns once the helper is ready.
 */
static pid_t stoppable_helper(struct ipcconf_t *t, void (*setup)(struct ipcconf_t *t))
{
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		if (setup)
			setup(t);
		ipcconf_post(t, CP_READY);
		STEP(t, "helper: waiting for the go-ahead");
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead");
		STEP(t, "helper: going on after the go-ahead");
		(void)sig_mask_now(t);
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper's setup");
	return h;
}

/* Sends `sig` and waits until the helper shows as stopped; a FAIL on timeout. */
static void stop_and_see(struct ipcconf_t *t, pid_t h, int sig)
{
	char n[24], what[96];
	sig_name(sig, n);
	REQUIRE_OK(t, iut_kill(t, h, sig), "kill(helper, stop signal)");
	snprintf(what, sizeof what, "the helper sent %s stopping (state T)", n);
	CHECK_EQ(t, sig_await_state(t, h, "T", what), 'T', "the helper's state after the stop signal");
}

/*
 * The stop and the continue together: stopped, the helper does not act on
 * the go-ahead (it is still T after it), and after SIGCONT it goes on and
 * exits 0.
 */
static void stop_then_continue(struct ipcconf_t *t, pid_t h, int stop_sig)
{
	stop_and_see(t, h, stop_sig);
	ipcconf_post(t, CP_GO);
	CHECK_EQ(t, ipcconf_proc_state(h), 'T',
		 "the stopped helper's state after the go-ahead (a stopped process does not run)");
	REQUIRE_OK(t, iut_kill(t, h, SIGCONT), "kill(helper, SIGCONT)");
	ipcconf_join(t, h, "the helper continued by SIGCONT");
}

/*
 * POSIX.1-2017 XSH 2.4.3, <signal.h>: SIGSTOP "Stop executing (cannot be
 * caught or ignored)", default action S: "Stop the process"; signal(7)
 * "Stop  Default action is to stop the process".  Checked: a helper sent
 * SIGSTOP through the implementation shows as stopped (T), stays stopped
 * when told to go on, and finishes normally after SIGCONT.
 */
CLAUSE(signal_stop_sigstop_stops,
       .id = "signal.stop.sigstop_stops",
       .title = "SIGSTOP stops a process until SIGCONT",
       .cites = "POSIX.1-2017 XSH 2.4.3, <signal.h>; signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = stoppable_helper(t, NULL);
	stop_then_continue(t, h, SIGSTOP);
}

static void tstp_default(struct ipcconf_t *t) { sig_default(t, SIGTSTP); }

/*
 * POSIX.1-2017 XSH 2.4.3, <signal.h>: SIGTSTP "Terminal stop signal",
 * default action S.  Only in a process group that is not orphaned: XSH
 * 2.4.3 lets an orphaned group's SIGTSTP be discarded; the clause's group
 * is not orphaned, since its leader's parent, the runner, is in another
 * group of the same session.  Checked as for SIGSTOP, with SIGTSTP set to
 * SIG_DFL through the implementation.
 */
CLAUSE(signal_stop_sigtstp_default_stops,
       .id = "signal.stop.sigtstp_default_stops",
       .title = "SIGTSTP's default action stops a process until SIGCONT",
       .cites = "POSIX.1-2017 XSH 2.4.3, <signal.h>; signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = stoppable_helper(t, tstp_default);
	stop_then_continue(t, h, SIGTSTP);
}

static void cont_ignored(struct ipcconf_t *t) { sig_ignore(t, SIGCONT); }

/*
 * POSIX.1-2017 XSH 2.4.1: "When SIGCONT is generated for a process that
 * is stopped, the process shall be continued, even if the SIGCONT signal
 * is ignored by the process".  Checked: a helper that set SIGCONT to
 * SIG_IGN through the implementation, stopped by SIGSTOP, goes on and
 * exits 0 after SIGCONT.
 */
CLAUSE(signal_stop_sigcont_continues_even_if_ignored,
       .id = "signal.stop.sigcont_continues_even_if_ignored",
       .title = "SIGCONT continues a stopped process that ignores SIGCONT",
       .cites = "POSIX.1-2017 XSH 2.4.1, 2.4.3; signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = stoppable_helper(t, cont_ignored);
	stop_then_continue(t, h, SIGSTOP);
}

static void cont_caught(struct ipcconf_t *t) { sig_catch(t, SIGCONT, 0); }

/*
 * POSIX.1-2017 XSH 2.4.1: a stopped process is continued when SIGCONT is
 * generated; 2.4.3: a caught signal's handler runs on delivery, and a
 * stopped process takes no delivery until it is continued.  signal(7):
 * SIGCONT "Continue if stopped" may be caught.  Checked: a helper that
 * catches SIGCONT through the implementation, stopped by SIGSTOP, has run
 * no handler while stopped; after SIGCONT its handler runs, in the helper,
 * once, and the helper goes on to exit 0.
 */
CLAUSE(signal_stop_sigcont_handler_runs,
       .id = "signal.stop.sigcont_handler_runs",
       .title = "a caught SIGCONT continues a stopped process and its handler runs there",
       .cites = "POSIX.1-2017 XSH 2.4.1, 2.4.3; signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = stoppable_helper(t, cont_caught);
	stop_and_see(t, h, SIGSTOP);
	CHECK_EQ(t, sig_count(SIGCONT), 0, "SIGCONT handlers run before any SIGCONT was sent");
	REQUIRE_OK(t, iut_kill(t, h, SIGCONT), "kill(helper, SIGCONT)");
	sig_await(t, SIGCONT, 1, "the helper's SIGCONT handler after the continue");
	CHECK_EQ(t, sig_count_in(h, SIGCONT), 1, "SIGCONT handlers run in the helper");
	ipcconf_post(t, CP_GO);
	ipcconf_join(t, h, "the helper continued by a caught SIGCONT");
}

/* Blocks every signal through the implementation, then looks at what the mask holds. */
static void block_everything(struct ipcconf_t *t)
{
	sigset_t all;
	sigfillset(&all);
	REQUIRE_OK(t, iut_sigmask(t, SIG_SETMASK, &all, NULL), "mask(SIG_SETMASK, all signals)");
	uint64_t m = sig_mask_now(t);
	CHECK(t, !(m & ((uint64_t)1 << (SIGSTOP - 1))),
	      "the mask after blocking every signal must not hold SIGSTOP (mask %#llx)",
	      (unsigned long long)m);
}

/*
 * POSIX.1-2017 XSH sigaction(): "[EINVAL] ... An attempt was made to catch
 * a signal that cannot be caught or ignore a signal that cannot be
 * ignored"; XSH sigprocmask(): "It is not possible to block those signals
 * which cannot be ignored. This shall be enforced by the system without
 * causing an error to be indicated"; <signal.h>: SIGSTOP "cannot be
 * caught or ignored"; signal(7): "The signals SIGKILL and SIGSTOP cannot
 * be caught, blocked, or ignored".  Checked: action(SIGSTOP) with a
 * handler and with SIG_IGN fail with -EINVAL; a helper that blocked every
 * signal through the implementation has no SIGSTOP in its mask and is
 * stopped by SIGSTOP all the same.
 */
CLAUSE(signal_stop_sigstop_uncatchable_unblockable,
       .id = "signal.stop.sigstop_uncatchable_unblockable",
       .title = "SIGSTOP cannot be caught, ignored or blocked: it stops a process that blocked every signal",
       .cites = "POSIX.1-2017 XSH sigaction(), sigprocmask(), <signal.h>; signal(7); sigaction(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	CHECK_FAILS(t, sig_catch_with(t, SIGSTOP, 0, 0), -EINVAL);
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	sigemptyset(&ign.sa_mask);
	ign.sa_handler = SIG_IGN;
	CHECK_FAILS(t, iut_sigaction(t, SIGSTOP, &ign, NULL), -EINVAL);
	pid_t h = stoppable_helper(t, block_everything);
	stop_and_see(t, h, SIGSTOP);
	/* The runner's SIGKILL of the clause's group ends the stopped helper. */
}

/*
 * POSIX.1-2017 XSH 2.4.3 (Stop): "While a process is stopped, any
 * additional signals that are sent to the process shall not be delivered
 * until the process is continued, except SIGKILL which always terminates
 * the receiving process"; seed:S4: SIGKILL cannot be caught, blocked or
 * ignored.  Checked: a helper stopped by SIGSTOP and sent SIGKILL through
 * the implementation ends, killed by SIGKILL, with no SIGCONT.
 */
CLAUSE(signal_stop_sigkill_kills_stopped,
       .id = "signal.stop.sigkill_kills_stopped",
       .title = "SIGKILL terminates a stopped process",
       .cites = "seed:S4; POSIX.1-2017 XSH 2.4.3; signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = stoppable_helper(t, NULL);
	stop_and_see(t, h, SIGSTOP);
	REQUIRE_OK(t, iut_kill(t, h, SIGKILL), "kill(stopped helper, SIGKILL)");
	int st = 0;
	char s[64];
	if (!ipcconf_wait(t, h, &st)) {
		FAIL(t, "timeout: the stopped helper sent SIGKILL did not end (state %c)",
		     ipcconf_proc_state(h));
		return;
	}
	CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "the stopped helper sent SIGKILL must be killed by it; it %s",
	      sig_status_name(st, s));
}
