/*
 * Signal clauses: zombies (seed:S4).  A child that exits while its parent
 * neither ignores SIGCHLD nor waits stays a zombie until the parent waits
 * for it; a parent that ignores SIGCHLD, or sets SA_NOCLDWAIT, leaves no
 * zombies: its children vanish as they exit, and a wait for them fails
 * with ECHILD once they are gone.
 *
 * The clause process keeps SIGCHLD's default action: the harness reaps
 * its helpers with raw wait4 calls, which an ignored SIGCHLD would turn
 * into ECHILD.  So the parent that ignores SIGCHLD is a helper (forked by
 * block.h), whose own child is the one that must not become a zombie.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/harness/proc_state.h"
#include "conformance/signal/signal_support.h"

enum { CP_GO = 1 };

/*
 * seed:S4: "a child whose parent neither ignores nor handles it [SIGCHLD]
 * and does not wait stays a zombie"; POSIX.1-2017 XBD 3 (Definitions) "Zombie
 * Process: The remains of a live process after it terminates and before
 * its status information is accepted by its parent"; XSH 2.4.3 (SIGCHLD
 * default I); wait(2): "A child that terminates, but has not been waited
 * for becomes a zombie ... the kernel maintains a minimal set of
 * information about the zombie process (PID, termination status ...)".
 * Checked, with SIGCHLD at SIG_DFL (set through the implementation): an
 * exited child is seen as a zombie (state Z); it still exists (kill(pid,
 * 0) succeeds) and is still Z after that; waitpid returns it with its
 * exit status 3; after that it is gone: kill(pid, 0) fails with -ESRCH.
 */
CLAUSE(signal_zombie_unwaited_child_is_zombie,
       .id = "signal.zombie.unwaited_child_is_zombie",
       .title = "an exited child that is not waited for stays a zombie until waitpid collects it",
       .cites = "seed:S4; POSIX.1-2017 XBD 3 Zombie Process, XSH 2.4.3, wait(); wait(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	sig_begin(t);
	sig_default(t, SIGCHLD);
	pid_t h = ipcconf_fork(t);
	if (h == 0)
		_exit(3);
	CHECK_EQ(t, sig_await_state(t, h, "Z", "the exited, unwaited child becoming a zombie"), 'Z',
		 "the exited child's state");
	CHECK_EQ(t, iut_kill(t, h, 0), 0, "kill(zombie, 0): the zombie still exists");
	CHECK_EQ(t, ipcconf_proc_state(h), 'Z', "the unwaited child's state, later");
	int st = 0;
	char s[64];
	REQUIRE_EQ(t, iut_waitpid(t, h, &st, 0), h, "waitpid(zombie, &status, 0)");
	CHECK(t, WIFEXITED(st) && WEXITSTATUS(st) == 3,
	      "the zombie's status kept for its parent: expected exited 3, got %s",
	      sig_status_name(st, s));
	CHECK_FAILS(t, iut_kill(t, h, 0), -ESRCH);
}

/* The helper's child, known to the helper only (prepare and call run there). */
static pid_t grandchild;

static void fork_grandchild(struct ipcconf_t *t)
{
	grandchild = ipcconf_fork(t);
	if (grandchild == 0) {
		STEP(t, "grandchild: waiting for the go-ahead, then exiting");
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead");
		_exit(0);
	}
}

static void prepare_ignoring(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	sig_ignore(t, SIGCHLD);
	fork_grandchild(t);
}

static void prepare_nocldwait(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	/* SA_RESTART: the handler (Linux still sends SIGCHLD) must not make the wait EINTR. */
	REQUIRE_OK(t, sig_catch_with(t, SIGCHLD, SA_NOCLDWAIT | SA_RESTART, 0),
		   "action(SIGCHLD, handler, SA_NOCLDWAIT)");
	fork_grandchild(t);
}

static long long wait_grandchild(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	int st = 0;
	return iut_waitpid(t, grandchild, &st, 0);
}

/*
 * The helper (the parent) sets its SIGCHLD up through `prepare`, forks a
 * child that exits on the clause's go-ahead, and waits for it with
 * waitpid(child, &status, 0).  The wait must still be asleep when the
 * clause lets the child exit, and must then fail with -ECHILD: the child
 * left no zombie to collect.  An implementation that keeps a zombie makes
 * the wait return the child's pid.
 */
static void check_autoreap(struct ipcconf_t *t, void (*prepare)(struct ipcconf_t *, void *),
			   const char *what)
{
	sig_begin(t);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = what, .prepare = prepare, .call = wait_grandchild, .no_grace = 1 });
	ipcconf_block_release(t, &b);
	ipcconf_post(t, CP_GO);
	long long r = ipcconf_block_end(t, &b);
	char buf[32];
	CHECK(t, r == -ECHILD,
	      "%s returned %s after the child exited: expected -ECHILD (no zombie to collect)%s",
	      what, ipcconf_result_name(r, buf),
	      r > 0 ? "; it collected the child, which was left a zombie" : "");
}

/*
 * POSIX.1-2017 XSH 2.4.3: "If the action for the SIGCHLD signal is set to
 * SIG_IGN, child processes of the calling processes shall not be
 * transformed into zombie processes when they terminate. If the calling
 * process subsequently waits for its children, and the process has no
 * unwaited-for children that were transformed into zombie processes, it
 * shall block until all of its children terminate, and wait(), waitid(),
 * and waitpid() shall fail and set errno to [ECHILD]"; seed:S4 (no zombie
 * when the parent ignores SIGCHLD); wait(2) NOTES.
 */
CLAUSE(signal_zombie_sigchld_ignored_autoreaps,
       .id = "signal.zombie.sigchld_ignored_autoreaps",
       .title = "with SIGCHLD ignored an exiting child leaves no zombie: waitpid blocks, then fails with ECHILD",
       .cites = "seed:S4; POSIX.1-2017 XSH 2.4.3, wait(); wait(2); sigaction(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	check_autoreap(t, prepare_ignoring,
		       "waitpid(child, 0) in a parent ignoring SIGCHLD");
}

/*
 * POSIX.1-2017 XSH sigaction(): "SA_NOCLDWAIT  If set, and sig equals
 * SIGCHLD, child processes of the calling processes shall not be
 * transformed into zombie processes when they terminate. If the calling
 * process subsequently waits for its children, and the process has no
 * unwaited-for children that were transformed into zombie processes, it
 * shall block until all of its children terminate, and wait(), waitid(),
 * and waitpid() shall fail and set errno to [ECHILD]"; seed:S4 (no zombie
 * when the parent handles SIGCHLD so); sigaction(2).  The parent catches
 * SIGCHLD with SA_NOCLDWAIT | SA_RESTART.
 */
CLAUSE(signal_zombie_sa_nocldwait_autoreaps,
       .id = "signal.zombie.sa_nocldwait_autoreaps",
       .title = "with SA_NOCLDWAIT an exiting child leaves no zombie: waitpid blocks, then fails with ECHILD",
       .cites = "seed:S4; POSIX.1-2017 XSH sigaction() SA_NOCLDWAIT, wait(); sigaction(2); wait(2)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CHILD))
{
	check_autoreap(t, prepare_nocldwait,
		       "waitpid(child, 0) in a parent with SA_NOCLDWAIT");
}
