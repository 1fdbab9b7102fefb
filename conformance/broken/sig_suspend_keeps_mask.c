/* Broken: sigsuspend leaves its temporary mask in place instead of restoring the old one. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

static int suspend_keeping(const struct ipcconf_iut *self, const sigset_t *mask)
{
	pthread_sigmask(SIG_SETMASK, mask, NULL);
	pause();
	return -EINTR;
}

const struct ipcconf_iut *broken_sig_suspend_keeps_mask_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-suspend-keeps-mask", "sigsuspend does not restore the mask");
	b.signal.suspend = suspend_keeping;
	return &b.iut;
}
