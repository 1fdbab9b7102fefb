/* Broken: unblocking a pending signal discards it instead of delivering it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "conformance/broken/wrap.h"

/* Consumes every instance of `sig` pending for this thread or process, running no handler. */
static void discard(int sig)
{
	sigset_t one;
	struct timespec zero = { 0, 0 };
	sigemptyset(&one);
	sigaddset(&one, sig);
	while (sigtimedwait(&one, NULL, &zero) == sig)
		;
}

static int mask_losing(const struct ipcconf_iut *self, int how, const sigset_t *set, sigset_t *old)
{
	if (set && (how == SIG_UNBLOCK || how == SIG_SETMASK)) {
		sigset_t pending, blocked;
		sigpending(&pending);
		pthread_sigmask(SIG_BLOCK, NULL, &blocked);
		for (int sig = 1; sig <= 64; sig++) {
			if (sigismember(&pending, sig) != 1 || sigismember(&blocked, sig) != 1)
				continue;
			int stays = how == SIG_UNBLOCK ? !sigismember(set, sig) : sigismember(set, sig);
			if (!stays)
				discard(sig);
		}
	}
	return OS->signal->mask(OS, how, set, old);
}

const struct ipcconf_iut *broken_sig_unblock_loses_pending_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-unblock-loses-pending", "unblocking a pending signal discards it");
	b.signal.mask = mask_losing;
	return &b.iut;
}
