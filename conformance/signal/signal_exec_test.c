/*
 * Signal clauses: what execve(2) does to signal state.  Caught signals go
 * back to SIG_DFL (the handler's code is gone with the old image);
 * ignored signals stay ignored; the mask is kept.
 *
 * A helper sets the state up through the implementation and re-executes
 * this program to run the probe below (conformance/harness/exec_probe.h),
 * which asks the same implementation, in the new image, for the actions
 * and the mask, and writes them to a pipe the clause made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/exec_probe.h"
#include "conformance/signal/signal_support.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

enum { DISP_DFL = 0, DISP_IGN = 1, DISP_HANDLER = 2 };

/* What the exec'd image reports, for every signal 1..64. */
struct exec_report {
	int32_t mask_result;      /* the mask query's result: 0 or -errno */
	uint32_t pad;
	uint64_t mask;            /* bit sig-1 */
	int32_t action_result[65];
	int32_t disposition[65];  /* DISP_* where action_result is 0 */
};

/* Runs in the exec'd image: one query of the mask, one of each action. */
static void report_signal_state(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
				int out_fd, const char *arg)
{
	(void)arg;
	struct exec_report r;
	memset(&r, 0, sizeof r);
	if (!iut->signal) {
		r.mask_result = -ENOSYS;
		for (int sig = 1; sig <= 64; sig++)
			r.action_result[sig] = -ENOSYS;
	} else {
		sigset_t m;
		sigemptyset(&m);
		r.mask_result = iut->signal->mask(self, SIG_BLOCK, NULL, &m);
		r.mask = sig_bits(&m);
		for (int sig = 1; sig <= 64; sig++) {
			struct sigaction a;
			memset(&a, 0, sizeof a);
			r.action_result[sig] = iut->signal->action(self, sig, NULL, &a);
			r.disposition[sig] = (a.sa_flags & SA_SIGINFO) ? DISP_HANDLER
					     : a.sa_handler == SIG_DFL ? DISP_DFL
					     : a.sa_handler == SIG_IGN ? DISP_IGN
								       : DISP_HANDLER;
		}
	}
	ipcconf_exec_probe_write(out_fd, &r, sizeof r);
}

EXEC_PROBE(signal_exec_report, report_signal_state);

/*
 * Forks a helper that runs `setup`, then re-executes this program to
 * report; returns what the new image reported.
 */
static void state_after_exec(struct ipcconf_t *t, void (*setup)(struct ipcconf_t *t),
			     struct exec_report *r)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		BROKEN(t, "pipe2: %s", strerror(errno));
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		close(p[0]);
		setup(t);
		ipcconf_exec_probe(t, "signal_exec_report", p[1], "");
	}
	close(p[1]);
	ipcconf_exec_probe_read(t, p[0], r, sizeof *r, "the signal state after execve");
	close(p[0]);
	ipcconf_join(t, h, "the exec'd helper");
}

static const char *disp_name(int d)
{
	return d == DISP_DFL ? "SIG_DFL" : d == DISP_IGN ? "SIG_IGN" : "a handler";
}

static void check_disposition(struct ipcconf_t *t, const struct exec_report *r, int sig,
			      int want)
{
	char n[24], b[32];
	sig_name(sig, n);
	REQUIRE(t, r->action_result[sig] == 0, "action(%s) query after execve failed: %s", n,
		ipcconf_result_name(r->action_result[sig], b));
	CHECK(t, r->disposition[sig] == want, "%s's action after execve is %s, expected %s", n,
	      disp_name(r->disposition[sig]), disp_name(want));
}

static void catch_usr1(struct ipcconf_t *t)
{
	sig_catch(t, SIGUSR1, 0);
	sig_catch(t, SIGCHLD, SIG_PLAIN_HANDLER);
}

/*
 * POSIX.1-2017 XSH exec: "Signals set to be caught by the calling process
 * image shall be set to the default action in the new process image";
 * signal(7): "During an execve(2), the dispositions of handled signals
 * are reset to the default"; execve(2).  Checked: SIGUSR1 (an SA_SIGINFO
 * handler) and SIGCHLD (a plain handler), caught through the
 * implementation, are SIG_DFL in the exec'd image's action queries.
 */
CLAUSE(signal_exec_exec_resets_caught,
       .id = "signal.exec.exec_resets_caught",
       .title = "execve resets caught signals to SIG_DFL",
       .cites = "POSIX.1-2017 XSH exec; execve(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_EXEC))
{
	sig_begin(t);
	struct exec_report r;
	state_after_exec(t, catch_usr1, &r);
	check_disposition(t, &r, SIGUSR1, DISP_DFL);
	check_disposition(t, &r, SIGCHLD, DISP_DFL);
}

static void ignore_usr2(struct ipcconf_t *t)
{
	sig_ignore(t, SIGUSR2);
	sig_ignore(t, SIGHUP);
}

/*
 * POSIX.1-2017 XSH exec: "Signals set to the default action (SIG_DFL) in
 * the calling process image shall be set to the default action in the
 * new process image. Except for SIGCHLD, signals set to be ignored
 * (SIG_IGN) by the calling process image shall be set to be ignored by
 * the new process image"; signal(7): during an execve(2) "the
 * dispositions of ignored signals are left unchanged"; execve(2).
 * (SIGCHLD is left out: POSIX leaves an ignored SIGCHLD across exec
 * unspecified.)  Checked: SIGUSR2 and SIGHUP, ignored through the
 * implementation, are SIG_IGN in the exec'd image, and SIGUSR1, at its
 * default, is SIG_DFL there.
 */
CLAUSE(signal_exec_exec_keeps_ignored,
       .id = "signal.exec.exec_keeps_ignored",
       .title = "execve keeps ignored signals ignored (and default ones at SIG_DFL)",
       .cites = "POSIX.1-2017 XSH exec; execve(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_EXEC))
{
	sig_begin(t);
	struct exec_report r;
	state_after_exec(t, ignore_usr2, &r);
	check_disposition(t, &r, SIGUSR2, DISP_IGN);
	check_disposition(t, &r, SIGHUP, DISP_IGN);
	check_disposition(t, &r, SIGUSR1, DISP_DFL);
}

static void block_some(struct ipcconf_t *t)
{
	sig_block(t, SIGUSR1);
	sig_block(t, SIGWINCH);
	uint64_t m = sig_mask_now(t);
	REQUIRE(t, m == (BIT(SIGUSR1) | BIT(SIGWINCH)),
		"the helper's mask before execve: %#llx, expected SIGUSR1 and SIGWINCH only",
		(unsigned long long)m);
}

/*
 * POSIX.1-2017 XSH exec: "The initial thread of the new process shall
 * inherit at least the following attributes from the calling thread:
 * Signal mask (see sigprocmask() and pthread_sigmask()) ..."; signal(7):
 * "the signal mask is preserved across execve(2)"; execve(2).  Checked: a
 * helper whose mask is SIGUSR1 and SIGWINCH (the clause process starts
 * with none) has exactly that mask in the exec'd image's mask query.
 */
CLAUSE(signal_exec_exec_keeps_mask,
       .id = "signal.exec.exec_keeps_mask",
       .title = "execve keeps the signal mask",
       .cites = "POSIX.1-2017 XSH exec; execve(2); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_EXEC))
{
	sig_begin(t);
	struct exec_report r;
	state_after_exec(t, block_some, &r);
	char b[32];
	REQUIRE(t, r.mask_result == 0, "mask query after execve failed: %s",
		ipcconf_result_name(r.mask_result, b));
	CHECK(t, r.mask == (BIT(SIGUSR1) | BIT(SIGWINCH)),
	      "the mask after execve is %#llx, expected %#llx (SIGUSR1, SIGWINCH)",
	      (unsigned long long)r.mask, (unsigned long long)(BIT(SIGUSR1) | BIT(SIGWINCH)));
}
