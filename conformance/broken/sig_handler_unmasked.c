/*
 * Broken: handlers run with nothing added to the mask: the signal itself
 * is not blocked while its handler runs (as if SA_NODEFER) and sa_mask is
 * dropped.
 */
#include <signal.h>

#include "conformance/broken/wrap.h"

static int action_unmasked(const struct ipcconf_iut *self, int sig, const struct sigaction *act,
			   struct sigaction *old)
{
	if (!act || (!(act->sa_flags & SA_SIGINFO) &&
		     (act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN)))
		return OS->signal->action(OS, sig, act, old);
	struct sigaction a = *act;
	sigemptyset(&a.sa_mask);
	a.sa_flags |= SA_NODEFER;
	return OS->signal->action(OS, sig, &a, old);
}

const struct ipcconf_iut *broken_sig_handler_unmasked_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-handler-unmasked", "handlers run with their signal and sa_mask unblocked");
	b.signal.action = action_unmasked;
	return &b.iut;
}
