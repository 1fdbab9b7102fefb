/* Broken: a standard signal made deliverable by unblocking it is delivered twice. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>

#include "conformance/broken/wrap.h"

static int mask_twice(const struct ipcconf_iut *self, int how, const sigset_t *set, sigset_t *old)
{
	sigset_t pending, before, after;
	sigpending(&pending);
	pthread_sigmask(SIG_BLOCK, NULL, &before);
	int r = OS->signal->mask(OS, how, set, old);
	if (r < 0)
		return r;
	pthread_sigmask(SIG_BLOCK, NULL, &after);
	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (sigismember(&pending, sig) == 1 && sigismember(&before, sig) == 1 &&
		    sigismember(&after, sig) == 0)
			raise(sig);
	return r;
}

const struct ipcconf_iut *broken_sig_unblock_delivers_twice_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-unblock-delivers-twice",
		       "a pending standard signal is delivered again after unblocking");
	b.signal.mask = mask_twice;
	return &b.iut;
}
