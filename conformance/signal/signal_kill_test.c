/*
 * Signal clauses: kill (seed:S1).  Signal 0 probes whether a process
 * exists; an invalid signal number is refused; a negative pid names a
 * process group, and every member gets the signal; a process may not
 * signal one of another user.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

enum { CP_READY = 0, CP_DONE = 1, CP_GROUP = 2 };

/*
 * POSIX.1-2017 XSH kill(): "If sig is 0 (the null signal), error checking
 * is performed but no signal is actually sent.  The null signal can be
 * used to check the validity of pid."  ERRORS: "[ESRCH] No process or
 * process group can be found corresponding to that specified by pid."
 * Checked here: kill(pid, 0) of a live helper and of the own pid returns
 * 0 (and the helper, with default actions, lives on and ends normally);
 * once the helper has ended and been reaped, kill(its pid, 0) fails with
 * -ESRCH.
 */
CLAUSE(signal_kill_signal_zero_probes,
       .id = "signal.kill.signal_zero_probes",
       .title = "kill with signal 0 reports whether the process exists: 0, or -ESRCH once it is reaped",
       .cites = "seed:S1; POSIX.1-2017 XSH kill() ERRORS [ESRCH]; kill(2)")
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		STEP(t, "helper: waiting to be probed");
		ipcconf_await(t, CP_DONE, 1, "helper: the clause process saying done");
		ipcconf_exit(t);
	}
	CHECK_EQ(t, iut_kill(t, h, 0), 0, "kill(live helper, 0)");
	CHECK_EQ(t, iut_kill(t, iut_self_pid(t), 0), 0, "kill(own pid, 0)");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, h, "the probed helper");
	CHECK_EQ(t, iut_kill(t, h, 0), -ESRCH, "kill(reaped helper, 0)");
}

/*
 * POSIX.1-2017 XSH kill(), ERRORS: "[EINVAL] The value of the sig argument
 * is an invalid or unsupported signal number."  kill(2): "EINVAL An
 * invalid signal was specified."  Checked here: kill of the own pid with
 * 65 (beyond SIGRTMAX), 1000 and -1 fails with -EINVAL (and, naturally,
 * the process is still there to see it).
 */
CLAUSE(signal_kill_invalid_signal_einval,
       .id = "signal.kill.invalid_signal_einval",
       .title = "kill with an invalid signal number fails with -EINVAL",
       .cites = "seed:S1; POSIX.1-2017 XSH kill() ERRORS [EINVAL]; kill(2)")
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	CHECK_EQ(t, iut_kill(t, me, 65), -EINVAL, "kill(own pid, 65)");
	CHECK_EQ(t, iut_kill(t, me, 1000), -EINVAL, "kill(own pid, 1000)");
	CHECK_EQ(t, iut_kill(t, me, -1), -EINVAL, "kill(own pid, -1)");
}

/* A member of the new group: catches SIGUSR1, says so, waits for the end. */
static _Noreturn void join_new_group(struct ipcconf_t *t, pid_t pgid)
{
	if (setpgid(0, pgid) < 0)
		BROKEN(t, "setpgid(0, %d): %s", (int)pgid, strerror(errno));
	if (pgid == 0)
		ipcconf_post(t, CP_GROUP);
	sig_catch(t, SIGUSR1, 0);
	ipcconf_post(t, CP_READY);
	STEP(t, "helper in the new process group: waiting for SIGUSR1");
	ipcconf_await(t, CP_DONE, 1, "helper: the clause process saying done");
	ipcconf_exit(t);
}

/*
 * POSIX.1-2017 XSH kill(): "If pid is negative, but not -1, sig shall be
 * sent to all processes (excluding an unspecified set of system
 * processes) whose process group ID is equal to the absolute value of
 * pid, and for which the process has permission to send a signal."
 * kill(2): "If pid is less than -1, then sig is sent to every process in
 * the process group whose ID is -pid."  Checked here: two helpers form a
 * new process group (the first one's pid) and catch SIGUSR1; kill(-pgid,
 * SIGUSR1) runs the handler once in each, and not in the sender, which
 * catches SIGUSR1 too but is in another group.
 */
CLAUSE(signal_kill_process_group,
       .id = "signal.kill.process_group",
       .title = "kill of a negative pid signals every process of that process group, and no other",
       .cites = "seed:S1; POSIX.1-2017 XSH kill(); kill(2)")
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGUSR1, 0);
	pid_t h1 = ipcconf_fork(t);
	if (h1 == 0)
		join_new_group(t, 0);
	ipcconf_await(t, CP_GROUP, 1, "the first helper making its process group");
	pid_t h2 = ipcconf_fork(t);
	if (h2 == 0)
		join_new_group(t, h1);
	ipcconf_await(t, CP_READY, 2, "both helpers in the new group, catching SIGUSR1");

	STEP(t, "kill(-%d, SIGUSR1)", (int)h1);
	CHECK_EQ(t, iut_kill(t, -h1, SIGUSR1), 0, "kill(-pgid, SIGUSR1)");
	sig_await(t, SIGUSR1, 2, "the two members of the group taking SIGUSR1");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, h1, "the group's first helper");
	ipcconf_join(t, h2, "the group's second helper");
	CHECK_EQ(t, sig_count_in(h1, SIGUSR1), 1, "SIGUSR1 deliveries in the first member");
	CHECK_EQ(t, sig_count_in(h2, SIGUSR1), 1, "SIGUSR1 deliveries in the second member");
	CHECK_EQ(t, sig_count_in(me, SIGUSR1), 0, "SIGUSR1 deliveries in the sender (another group)");
}

/* The effective capabilities of the calling process (CapEff in /proc/self/status); ~0 if unknown. */
static uint64_t effective_caps(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return ~UINT64_C(0);
	char line[256];
	uint64_t caps = ~UINT64_C(0);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
			break;
	fclose(f);
	return caps;
}

#define NOBODY 65534

/*
 * POSIX.1-2017 XSH kill(): "For a process to have permission to send a
 * signal to a process designated by pid, unless the sending process has
 * appropriate privileges, the real or effective user ID of the sending
 * process shall match the real or saved set-user-ID of the receiving
 * process."  ERRORS: "[EPERM] The process does not have permission to
 * send the signal to any receiving process."  kill(2): the same, and
 * sig 0 is checked the same way.  Checked here: a helper that gives up
 * root for the user nobody (65534) and all its capabilities tries
 * SIGUSR1 and signal 0 on the clause process (root): both fail with
 * -EPERM, and the clause process (catching SIGUSR1) gets nothing.
 */
CLAUSE(signal_kill_eperm_other_user,
       .id = "signal.kill.eperm_other_user",
       .title = "kill of another user's process, without privilege, fails with -EPERM",
       .cites = "seed:S1; POSIX.1-2017 XSH kill() ERRORS [EPERM]; kill(2); credentials(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_CREDENTIALS))
{
	if (getuid() != 0 || geteuid() != 0)
		SKIP(t, "needs root, to make a helper of another user (uid %d here)", (int)getuid());
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGUSR1, 0);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			SKIP(t, "cannot become the user nobody (%d): %s", NOBODY, strerror(errno));
		uint64_t caps = effective_caps();
		if (caps != 0)
			SKIP(t, "the helper kept capabilities (CapEff 0x%" PRIx64 ") after giving up root", caps);
		STEP(t, "helper (uid %d): kill(root's clause process %d)", NOBODY, (int)me);
		CHECK_EQ(t, iut_kill(t, me, SIGUSR1), -EPERM, "kill(another user's process, SIGUSR1)");
		CHECK_EQ(t, iut_kill(t, me, 0), -EPERM, "kill(another user's process, 0)");
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper of another user");
	CHECK_EQ(t, sig_count(SIGUSR1), 0, "SIGUSR1 deliveries to the other user's process");
}
