/*
 * Signal clauses: a parent and its children (seed:S4, SIGCHLD).  The
 * parent is told of a child's change of state by SIGCHLD, whose siginfo
 * says what happened (si_code CLD_*), to whom (si_pid) and with what
 * (si_status), and collects the change with waitpid() or waitid().
 *
 * The parent here is the clause process: it catches SIGCHLD with a
 * recording SA_SIGINFO handler (signal_support.h), which does not disturb
 * the harness, whose own waits are raw wait4 calls; it never ignores
 * SIGCHLD or sets SA_NOCLDWAIT (signal_zombie_test.c does, in a helper).
 * Each clause has one child, so no two SIGCHLDs can merge unseen.
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
#include "conformance/signal/signal_core.h"
#include "conformance/signal/signal_support.h"

enum { CP_READY = 0, CP_GO = 1 };

static const char *cld_name(int code, char buf[24])
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_TRAPPED: return "CLD_TRAPPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	}
	snprintf(buf, 24, "si_code %d", code);
	return buf;
}

/* The n-th (from 0) SIGCHLD recorded, or NULL. */
static const struct sig_event *chld_event(unsigned n)
{
	unsigned k = 0, total = sig_events();
	for (unsigned i = 0; i < total; i++) {
		const struct sig_event *e = sig_event(i);
		if (e->sig == SIGCHLD && k++ == n)
			return e;
	}
	return NULL;
}

/* The siginfo a SIGCHLD handler got must say: `code`, child `child`, `status`. */
static void check_chld(struct ipcconf_t *t, const struct sig_event *e, int code, int status,
		       pid_t child, const char *what)
{
	char a[24], b[24], n[24];
	REQUIRE(t, e != NULL, "%s: no SIGCHLD was recorded", what);
	REQUIRE(t, e->siginfo, "%s: the SA_SIGINFO handler got no siginfo", what);
	CHECK_EQ(t, e->receiver, iut_self_pid(t), "the process whose SIGCHLD handler ran (the parent)");
	CHECK_EQ(t, e->info_signo, SIGCHLD, "si_signo");
	CHECK(t, e->info_code == code, "%s: si_code is %s, expected %s", what,
	      cld_name(e->info_code, a), cld_name(code, b));
	CHECK_EQ(t, e->info_pid, child, "si_pid (the child)");
	if (code == CLD_EXITED)
		CHECK_EQ(t, e->info_status, status, "si_status (the child's exit status)");
	else
		CHECK(t, e->info_status == status, "%s: si_status is %d, expected %d (%s)", what,
		      e->info_status, status, sig_name(status, n));
}

/* A child that says it is ready, then waits for a go-ahead and exits `code`. */
static pid_t waiting_child(struct ipcconf_t *t, int code)
{
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		ipcconf_post(t, CP_READY);
		STEP(t, "child: waiting for the go-ahead");
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead");
		(void)sig_mask_now(t); /* a delivery point for a user-space implementation */
		_exit(code);
	}
	ipcconf_await(t, CP_READY, 1, "the child starting");
	return h;
}

/*
 * POSIX.1-2017 XSH 2.4.3 <signal.h>: SIGCHLD "Child process terminated,
 * stopped, or continued"; XSH 2.4.3 siginfo: si_code CLD_EXITED "Child has
 * exited", si_pid "Child process ID", si_status "Exit value or signal";
 * seed:S4 (SIGCHLD: a child exited); sigaction(2).  Checked: a child
 * exiting with status 7 makes the parent's SA_SIGINFO SIGCHLD handler run,
 * in the parent, with CLD_EXITED, si_pid the child, si_status 7.
 */
CLAUSE(signal_child_sigchld_on_exit,
       .id = "signal.child.sigchld_on_exit",
       .title = "a child's exit sends its parent SIGCHLD with CLD_EXITED, its pid and exit status",
       .cites = "seed:S4; POSIX.1-2017 XSH 2.4.3, <signal.h>; sigaction(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	sig_catch(t, SIGCHLD, 0);
	pid_t h = ipcconf_fork(t);
	if (h == 0)
		_exit(7);
	sig_await(t, SIGCHLD, 1, "SIGCHLD for the child's exit");
	check_chld(t, chld_event(0), CLD_EXITED, 7, h, "SIGCHLD for an exit");
}

/*
 * As above, si_code CLD_KILLED "Child has terminated abnormally and did
 * not create a core file", si_status the signal.  Checked: a child killed
 * by SIGTERM (its default action, set through the implementation) makes
 * the parent's handler run with CLD_KILLED, si_pid the child, si_status
 * SIGTERM.
 */
CLAUSE(signal_child_sigchld_on_kill,
       .id = "signal.child.sigchld_on_kill",
       .title = "a child killed by a signal sends its parent SIGCHLD with CLD_KILLED and the signal",
       .cites = "seed:S4; POSIX.1-2017 XSH 2.4.3, <signal.h>; sigaction(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	sig_catch(t, SIGCHLD, 0);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_default(t, SIGTERM);
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "a go-ahead that never comes (SIGTERM ends the child)");
		(void)sig_mask_now(t);
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the child starting");
	REQUIRE_OK(t, iut_kill(t, h, SIGTERM), "kill(child, SIGTERM)");
	ipcconf_post(t, CP_GO);
	sig_await(t, SIGCHLD, 1, "SIGCHLD for the child's death");
	check_chld(t, chld_event(0), CLD_KILLED, SIGTERM, h, "SIGCHLD for a kill");
}

/*
 * As above, si_code CLD_DUMPED "Child has terminated abnormally and
 * created a core file"; signal(7) SIGQUIT "Core"; core(5).  Only where a
 * core can be written into the clause's private directory (see
 * signal.default.core_flag).  Checked: a child working there with
 * RLIMIT_CORE raised, killed by SIGQUIT, makes the parent's handler run
 * with CLD_DUMPED, si_pid the child, si_status SIGQUIT.
 */
CLAUSE(signal_child_sigchld_on_dump,
       .id = "signal.child.sigchld_on_dump",
       .title = "a child that dumps core sends its parent SIGCHLD with CLD_DUMPED and the signal",
       .cites = "seed:S4; POSIX.1-2017 XSH 2.4.3, <signal.h>; sigaction(2); signal(7); core(5)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD | IPCCONF_SIGNAL_CAP_CORE))
{
	sig_begin(t);
	rlim_t limit;
	const char *dir = sig_core_dir(t, &limit);
	sig_catch(t, SIGCHLD, 0);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_allow_core_in(t, dir, limit);
		sig_default(t, SIGQUIT);
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "a go-ahead that never comes (SIGQUIT ends the child)");
		(void)sig_mask_now(t);
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the child setting up for a core dump");
	REQUIRE_OK(t, iut_kill(t, h, SIGQUIT), "kill(child, SIGQUIT)");
	ipcconf_post(t, CP_GO);
	sig_await(t, SIGCHLD, 1, "SIGCHLD for the child's core dump");
	check_chld(t, chld_event(0), CLD_DUMPED, SIGQUIT, h, "SIGCHLD for a core dump");
}

/*
 * POSIX.1-2017 XSH 2.4.3: si_code CLD_STOPPED "Child has stopped";
 * sigaction(): "If SA_NOCLDSTOP is not set for SIGCHLD, the system shall
 * generate a SIGCHLD signal for the parent when the child stops" (as it
 * says under SA_NOCLDSTOP); signal(7).  Checked: a child stopped by
 * SIGSTOP makes the parent's handler run with CLD_STOPPED, si_pid the
 * child, si_status SIGSTOP.
 */
CLAUSE(signal_child_sigchld_on_stop,
       .id = "signal.child.sigchld_on_stop",
       .title = "a child's stop sends its parent SIGCHLD with CLD_STOPPED and the stop signal",
       .cites = "POSIX.1-2017 XSH 2.4.3, sigaction() SA_NOCLDSTOP; sigaction(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD | IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	sig_catch(t, SIGCHLD, 0);
	pid_t h = waiting_child(t, 0);
	REQUIRE_OK(t, iut_kill(t, h, SIGSTOP), "kill(child, SIGSTOP)");
	sig_await(t, SIGCHLD, 1, "SIGCHLD for the child's stop");
	check_chld(t, chld_event(0), CLD_STOPPED, SIGSTOP, h, "SIGCHLD for a stop");
	/* The runner's SIGKILL of the group ends the stopped child. */
}

/*
 * POSIX.1-2017 XSH 2.4.3: si_code CLD_CONTINUED "Stopped child has
 * continued"; sigaction() SA_NOCLDSTOP: without it SIGCHLD is generated
 * "when ... stopped child processes continue"; signal(7).  Checked: a
 * child stopped by SIGSTOP, then sent SIGCONT, makes the parent's handler
 * run with CLD_CONTINUED, si_pid the child, si_status SIGCONT.  The stop's
 * own SIGCHLD is awaited first (signal.child.sigchld_on_stop's rule):
 * SIGCHLD does not queue, and one still pending would swallow the second.
 */
CLAUSE(signal_child_sigchld_on_continue,
       .id = "signal.child.sigchld_on_continue",
       .title = "a stopped child's continue sends its parent SIGCHLD with CLD_CONTINUED",
       .cites = "POSIX.1-2017 XSH 2.4.3, sigaction() SA_NOCLDSTOP; sigaction(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD | IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	sig_catch(t, SIGCHLD, 0);
	pid_t h = waiting_child(t, 0);
	REQUIRE_OK(t, iut_kill(t, h, SIGSTOP), "kill(child, SIGSTOP)");
	sig_await(t, SIGCHLD, 1, "SIGCHLD for the child's stop (before the continue)");
	REQUIRE_OK(t, iut_kill(t, h, SIGCONT), "kill(child, SIGCONT)");
	sig_await(t, SIGCHLD, 2, "SIGCHLD for the child's continue");
	check_chld(t, chld_event(1), CLD_CONTINUED, SIGCONT, h, "SIGCHLD for a continue");
	ipcconf_post(t, CP_GO);
	ipcconf_join(t, h, "the continued child");
}

/*
 * POSIX.1-2017 XSH sigaction(): "SA_NOCLDSTOP  Do not generate SIGCHLD
 * when children stop or stopped children continue"; sigaction(2).
 * Checked: with SA_NOCLDSTOP, a child stopped by SIGSTOP (seen in state
 * T), continued and then exiting makes the parent's handler run for the
 * exit only: every recorded SIGCHLD says CLD_EXITED.  A SIGCHLD for the
 * stop, delivered alone or merged with the exit's (SIGCHLD does not
 * queue, and a merged one keeps the first siginfo), would show as
 * CLD_STOPPED (or CLD_CONTINUED): no sleep is needed to catch it, since it
 * would be generated before the continue that leads to the exit.
 */
CLAUSE(signal_child_sa_nocldstop,
       .id = "signal.child.sa_nocldstop",
       .title = "with SA_NOCLDSTOP a child's stop and continue send no SIGCHLD, its exit still does",
       .cites = "POSIX.1-2017 XSH sigaction() SA_NOCLDSTOP, 2.4.3; sigaction(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD | IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	REQUIRE_OK(t, sig_catch_with(t, SIGCHLD, SA_NOCLDSTOP, 0), "action(SIGCHLD, SA_NOCLDSTOP)");
	pid_t h = waiting_child(t, 0);
	REQUIRE_OK(t, iut_kill(t, h, SIGSTOP), "kill(child, SIGSTOP)");
	sig_await_state(t, h, "T", "the child stopped by SIGSTOP");
	ipcconf_post(t, CP_GO);
	REQUIRE_OK(t, iut_kill(t, h, SIGCONT), "kill(child, SIGCONT)");
	sig_await(t, SIGCHLD, 1, "SIGCHLD for the child's exit");
	ipcconf_join(t, h, "the continued child");
	unsigned n = sig_count(SIGCHLD);
	char c[24];
	for (unsigned i = 0; i < n; i++) {
		const struct sig_event *e = chld_event(i);
		CHECK(t, e && e->info_code == CLD_EXITED,
		      "SIGCHLD %u of %u says %s: with SA_NOCLDSTOP only the exit may send SIGCHLD",
		      i + 1, n, e ? cld_name(e->info_code, c) : "nothing");
	}
	check_chld(t, chld_event(0), CLD_EXITED, 0, h, "SIGCHLD for the exit");
}

/*
 * POSIX.1-2017 XSH wait(): waitpid() for a given pid "shall obtain status
 * information pertaining to one of the caller's child processes" and
 * return its pid; WIFEXITED "True if status was returned for a child
 * process that terminated normally", WEXITSTATUS its exit status; wait(2).
 * seed:S4 (a parent that waits collects its child).  Checked: waitpid
 * (pid, &status, 0) for a child that exits 5 returns its pid, with
 * WIFEXITED and WEXITSTATUS 5.
 */
CLAUSE(signal_child_waitpid_reports_status,
       .id = "signal.child.waitpid_reports_status",
       .title = "waitpid returns the exited child's pid and WIFEXITED/WEXITSTATUS of its exit",
       .cites = "seed:S4; POSIX.1-2017 XSH wait(), waitpid(); wait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0)
		_exit(5);
	int st = 0;
	char s[64];
	pid_t r = iut_waitpid(t, h, &st, 0);
	REQUIRE_EQ(t, r, h, "waitpid(child, &status, 0)");
	CHECK(t, WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "the status waitpid gave: expected exited 5, got %s", sig_status_name(st, s));
}

/*
 * POSIX.1-2017 XSH waitid(): with WEXITED, for a child that has exited,
 * "si_signo ... SIGCHLD, si_code ... CLD_EXITED, si_pid the child's id,
 * si_status the exit value"; wait(2).  Checked: waitid(P_PID, child,
 * WEXITED) for a child that exits 5 returns 0 with exactly those.
 */
CLAUSE(signal_child_waitid_reports_code,
       .id = "signal.child.waitid_reports_code",
       .title = "waitid reports an exited child with SIGCHLD, CLD_EXITED, its pid and exit status",
       .cites = "seed:S4; POSIX.1-2017 XSH waitid(), 2.4.3; wait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0)
		_exit(5);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	char a[24];
	REQUIRE_OK(t, iut_waitid(t, P_PID, (id_t)h, &si, WEXITED), "waitid(P_PID, child, WEXITED)");
	CHECK_EQ(t, si.si_signo, SIGCHLD, "si_signo");
	CHECK(t, si.si_code == CLD_EXITED, "si_code is %s, expected CLD_EXITED",
	      cld_name(si.si_code, a));
	CHECK_EQ(t, si.si_pid, h, "si_pid (the child)");
	CHECK_EQ(t, si.si_status, 5, "si_status (the exit status)");
}

/*
 * POSIX.1-2017 XSH wait(): "WUNTRACED  The status of any child processes
 * specified by pid that are stopped, and whose status has not yet been
 * reported since they stopped, shall also be reported"; WIFSTOPPED,
 * WSTOPSIG; wait(2).  Checked: waitpid(child, &status, WUNTRACED) for a
 * child stopped by SIGSTOP returns its pid with WIFSTOPPED and WSTOPSIG
 * SIGSTOP.
 */
CLAUSE(signal_child_waitpid_wuntraced_reports_stop,
       .id = "signal.child.waitpid_wuntraced_reports_stop",
       .title = "waitpid with WUNTRACED reports a stopped child: WIFSTOPPED and the stop signal",
       .cites = "POSIX.1-2017 XSH wait(), waitpid() WUNTRACED; wait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD | IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = waiting_child(t, 0);
	REQUIRE_OK(t, iut_kill(t, h, SIGSTOP), "kill(child, SIGSTOP)");
	int st = 0;
	char s[64];
	pid_t r = iut_waitpid(t, h, &st, WUNTRACED);
	REQUIRE_EQ(t, r, h, "waitpid(child, &status, WUNTRACED)");
	CHECK(t, WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "the status waitpid gave: expected stopped by SIGSTOP, got %s",
	      sig_status_name(st, s));
	/* The runner's SIGKILL of the group ends the stopped child. */
}

/*
 * POSIX.1-2017 XSH wait(): "WNOHANG  The waitpid() function shall not
 * suspend execution of the calling thread if status is not immediately
 * available for one of the child processes specified by pid" and then
 * "waitpid() shall return 0"; wait(2).  Checked: waitpid(child, &status,
 * WNOHANG) for a child that is alive (waiting on the clause) returns 0.
 */
CLAUSE(signal_child_waitpid_wnohang_zero,
       .id = "signal.child.waitpid_wnohang_zero",
       .title = "waitpid with WNOHANG returns 0 while the child is still running",
       .cites = "POSIX.1-2017 XSH wait(), waitpid() WNOHANG; wait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	pid_t h = waiting_child(t, 0);
	int st = 0;
	CHECK_EQ(t, iut_waitpid(t, h, &st, WNOHANG), 0, "waitpid(running child, WNOHANG)");
	ipcconf_post(t, CP_GO);
	ipcconf_join(t, h, "the child");
}

/*
 * POSIX.1-2017 XSH wait(): "[ECHILD] The calling process has no existing
 * unwaited-for child processes"; XSH waitid(): "[ECHILD] There are no
 * unwaited-for child processes that match idtype and id"; wait(2).
 * Checked: the clause process, which has no children, gets -ECHILD from
 * waitpid(-1, ..., 0), waitpid(-1, ..., WNOHANG) and waitid(P_ALL, WEXITED).
 */
CLAUSE(signal_child_wait_no_children_echild,
       .id = "signal.child.wait_no_children_echild",
       .title = "waitpid and waitid fail with ECHILD in a process without children",
       .cites = "POSIX.1-2017 XSH wait(), waitid() [ECHILD]; wait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	int st = 0;
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_FAILS(t, iut_waitpid(t, -1, &st, 0), -ECHILD);
	CHECK_FAILS(t, iut_waitpid(t, -1, &st, WNOHANG), -ECHILD);
	CHECK_FAILS(t, iut_waitid(t, P_ALL, 0, &si, WEXITED), -ECHILD);
}
