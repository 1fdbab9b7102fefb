/* Broken: a mask change reports success and changes nothing (queries still answer). */
#include <signal.h>

#include "conformance/broken/wrap.h"

static int mask_ignoring(const struct ipcconf_iut *self, int how, const sigset_t *set, sigset_t *old)
{
	return OS->signal->mask(OS, SIG_BLOCK, NULL, old);
}

const struct ipcconf_iut *broken_sig_mask_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-mask-ignored", "mask changes are ignored");
	b.signal.mask = mask_ignoring;
	return &b.iut;
}
