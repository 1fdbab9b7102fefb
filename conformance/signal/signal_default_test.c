/*
 * Signal clauses: default actions (seed:S4).  A helper whose disposition
 * for the signal is SIG_DFL (set through the implementation) is sent the
 * signal by the clause process through the implementation; its fate is
 * read by the harness from the kernel's wait status (raw wait4, not the
 * implementation's wait_pid, which other clauses judge).
 *
 * POSIX.1-2017 XSH 2.4.3 and the <signal.h> table give each signal's
 * default action: T (abnormal termination), A (abnormal termination with
 * "additional actions", which Linux implements as a core dump: signal(7)
 * "Core"), I (ignore), S (stop), C (continue).  Stop and continue are in
 * signal_stop_test.c; the core dump itself is signal.default.core_flag.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/process.h"
#include "conformance/signal/signal_core.h"
#include "conformance/signal/signal_support.h"

enum { CP_READY = 0, CP_GO = 1 };

enum dfl_action { DFL_TERM, DFL_CORE, DFL_IGN };

struct dfl_row {
	int sig;
	enum dfl_action action;
};

/*
 * No core file from a helper killed by a Core signal: a soft RLIMIT_CORE
 * of 0 stops the kernel writing one to a file, pipe helpers such as
 * systemd-coredump honour it, and so does qemu-user's own dumper (which
 * would write a file for any other small limit).
 */
static void no_core(struct ipcconf_t *t)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_CORE, &rl) < 0)
		BROKEN(t, "getrlimit(RLIMIT_CORE): %s", strerror(errno));
	rl.rlim_cur = 0;
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		BROKEN(t, "setrlimit(RLIMIT_CORE, 0): %s", strerror(errno));
}

#define S4 "seed:S4; "
#define POSIX_DFL "POSIX.1-2017 XSH 2.4.3, <signal.h> (default actions); signal(7)"

#define TERM_ROW(slug, SIG, cites_)                                            \
	ROW(.id = "signal.default." #slug,                                     \
	    .title = "the default action of " #SIG " terminates the process, killed by " #SIG, \
	    .cites = cites_, .arg = &(const struct dfl_row){ SIG, DFL_TERM })
#define CORE_ROW(slug, SIG, cites_)                                            \
	ROW(.id = "signal.default." #slug,                                     \
	    .title = "the default action of " #SIG " (Core) terminates the process, killed by " #SIG, \
	    .cites = cites_, .arg = &(const struct dfl_row){ SIG, DFL_CORE })
#define IGN_ROW(slug, SIG, cites_)                                             \
	ROW(.id = "signal.default." #slug,                                     \
	    .title = "the default action of " #SIG " is to ignore it: the process goes on", \
	    .cites = cites_, .arg = &(const struct dfl_row){ SIG, DFL_IGN })

static const struct ipcconf_clause signal_default[] = {
	TERM_ROW(sighup_terminates, SIGHUP, S4 POSIX_DFL),
	TERM_ROW(sigint_terminates, SIGINT, S4 POSIX_DFL),
	TERM_ROW(sigterm_terminates, SIGTERM, S4 POSIX_DFL),
	TERM_ROW(sigalrm_terminates, SIGALRM, S4 POSIX_DFL),
	TERM_ROW(sigkill_terminates, SIGKILL, S4 POSIX_DFL),
	TERM_ROW(sigusr1_terminates, SIGUSR1, POSIX_DFL),
	TERM_ROW(sigusr2_terminates, SIGUSR2, POSIX_DFL),
	TERM_ROW(sigpipe_terminates, SIGPIPE, POSIX_DFL),
	TERM_ROW(sigvtalrm_terminates, SIGVTALRM, POSIX_DFL),
	TERM_ROW(sigprof_terminates, SIGPROF, POSIX_DFL),
	CORE_ROW(sigquit_core, SIGQUIT, S4 POSIX_DFL),
	CORE_ROW(sigbus_core, SIGBUS, S4 POSIX_DFL),
	CORE_ROW(sigsegv_core, SIGSEGV, S4 POSIX_DFL),
	CORE_ROW(sigfpe_core, SIGFPE, S4 POSIX_DFL),
	CORE_ROW(sigabrt_core, SIGABRT, POSIX_DFL),
	CORE_ROW(sigill_core, SIGILL, POSIX_DFL),
	CORE_ROW(sigtrap_core, SIGTRAP, POSIX_DFL),
	CORE_ROW(sigsys_core, SIGSYS, POSIX_DFL),
	CORE_ROW(sigxcpu_core, SIGXCPU, POSIX_DFL),
	CORE_ROW(sigxfsz_core, SIGXFSZ, POSIX_DFL),
	IGN_ROW(sigchld_ignored, SIGCHLD, S4 POSIX_DFL),
	IGN_ROW(sigurg_ignored, SIGURG, POSIX_DFL),
	/* SIGWINCH is not in POSIX.1-2017 (it is in POSIX.1-2024): Linux's signal(7) rules. */
	IGN_ROW(sigwinch_ignored, SIGWINCH, "signal(7)"),
};

/*
 * POSIX.1-2017 XSH 2.4.3: "SIG_DFL: Signal-specific default action", with
 * the <signal.h> table's T, A and I; signal(7) Term, Core, Ign.  seed:S4
 * lists SIGHUP, SIGINT, SIGQUIT, SIGBUS, SIGSEGV, SIGFPE, SIGKILL, SIGTERM
 * and SIGALRM, which end the process, and SIGCHLD, whose default leaves
 * the parent running (with a zombie child: signal_zombie_test.c).
 *
 * The helper sets SIG_DFL (SIGKILL's cannot be set: it is always the
 * default), says it is ready, and sleeps on a checkpoint.  The clause
 * sends the signal, then lets the helper go on: on waking it makes one
 * call into the implementation (where an implementation that acts on
 * signals in user space would act on a pending one) and exits 0.
 *
 * Term and Core: the helper must end killed by exactly that signal; one
 * that exits 0 had the signal ignored.  (Whether a core is dumped is
 * signal.default.core_flag's rule: here RLIMIT_CORE is 0.)
 *
 * Ign: the helper must exit 0, which shows the signal did not end or stop
 * it by the time it ran again and called into the implementation.  It
 * cannot show that the signal was discarded rather than left pending for
 * ever (outside the helper the two look alike); the pending set is other
 * clauses' business.
 */
CLAUSE_TABLE(signal_default)
{
	const struct dfl_row *row = t->clause->arg;
	char n[24], s[64];
	sig_name(row->sig, n);
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		STEP(t, "helper: setting SIG_DFL for %s", n);
		if (row->sig != SIGKILL)
			sig_default(t, row->sig);
		if (row->action == DFL_CORE)
			no_core(t);
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead after the signal");
		STEP(t, "helper: still running after %s; one call into the implementation", n);
		(void)sig_mask_now(t);
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper setting the default action");
	STEP(t, "sending %s to the helper", n);
	REQUIRE_OK(t, iut_kill(t, h, row->sig), "kill(helper, sig)");
	ipcconf_post(t, CP_GO);
	int st = 0;
	if (!ipcconf_wait(t, h, &st)) {
		FAIL(t, "timeout: the helper sent %s did not end (stopped?); its last step: %s", n,
		     ipcconf_step_of(t, h));
		return;
	}
	if (row->action == DFL_IGN)
		CHECK(t, WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "a helper sent %s (default action: ignore) must go on and exit 0; it %s", n,
		      sig_status_name(st, s));
	else
		CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == row->sig,
		      "a helper sent %s (default action: %s) must be killed by %s; it %s", n,
		      row->action == DFL_CORE ? "Core" : "Term", n, sig_status_name(st, s));
}

/* ---- the core dump ---- */

/*
 * POSIX.1-2017 XSH 2.4.3 and <signal.h>: the default action of SIGQUIT is
 * "A": "Abnormal termination of the process with additional actions";
 * signal(7): "Core  Default action is to terminate the process and dump
 * core (see core(5))"; XSH wait(): WCOREDUMP is an XSI extension, and
 * core(5) says when a dump is written (RLIMIT_CORE, core_pattern).  seed:S4
 * names SIGQUIT (Ctrl+\).  Checked only where the dump would stay in the
 * clause's private directory: a helper working there, with RLIMIT_CORE
 * raised, is sent SIGQUIT and must end killed by it with WCOREDUMP set.
 * (The runner removes the directory and the core with it.)
 */
CLAUSE(signal_default_core_flag,
       .id = "signal.default.core_flag",
       .title = "a process killed by SIGQUIT's default action dumps core (WCOREDUMP) where a dump may be written",
       .cites = "seed:S4; POSIX.1-2017 XSH 2.4.3, <signal.h>, wait(); signal(7); core(5)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CORE))
{
	sig_begin(t);
	rlim_t limit;
	const char *dir = sig_core_dir(t, &limit);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_allow_core_in(t, dir, limit);
		sig_default(t, SIGQUIT);
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead after SIGQUIT");
		(void)sig_mask_now(t);
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper setting up for a core dump");
	REQUIRE_OK(t, iut_kill(t, h, SIGQUIT), "kill(helper, SIGQUIT)");
	ipcconf_post(t, CP_GO);
	int st = 0;
	char s[64];
	if (!ipcconf_wait(t, h, &st)) {
		FAIL(t, "timeout: the helper sent SIGQUIT did not end");
		return;
	}
	REQUIRE(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT,
		"a helper sent SIGQUIT must be killed by it; it %s", sig_status_name(st, s));
	CHECK(t, WCOREDUMP(st),
	      "a helper killed by SIGQUIT with RLIMIT_CORE %llu and core_pattern writing into "
	      "its directory must dump core (WCOREDUMP); it %s",
	      (unsigned long long)limit, sig_status_name(st, s));
}
