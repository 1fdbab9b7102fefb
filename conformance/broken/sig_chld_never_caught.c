/*
 * Broken: a handler for SIGCHLD is never installed (the default action
 * stays, and success is reported), as if SIGCHLD were never sent.
 */
#include <signal.h>
#include <string.h>

#include "conformance/broken/wrap.h"

static int action_dropping_sigchld(const struct ipcconf_iut *self, int sig,
				   const struct sigaction *act, struct sigaction *old)
{
	int handler = act && ((act->sa_flags & SA_SIGINFO) ||
			      (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN));
	if (sig == SIGCHLD && handler) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		dfl.sa_flags = act->sa_flags & ~SA_SIGINFO;
		sigemptyset(&dfl.sa_mask);
		return OS->signal->action(OS, sig, &dfl, old);
	}
	return OS->signal->action(OS, sig, act, old);
}

const struct ipcconf_iut *broken_sig_chld_never_caught_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-chld-never-caught", "SIGCHLD handlers never run");
	b.signal.action = action_dropping_sigchld;
	return &b.iut;
}
