/* Broken: sigpending always reports an empty set. */
#include <signal.h>

#include "conformance/broken/wrap.h"

static int pending_empty(const struct ipcconf_iut *self, sigset_t *set)
{
	sigemptyset(set);
	return 0;
}

const struct ipcconf_iut *broken_sig_pending_empty_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-pending-empty", "sigpending always reports nothing");
	b.signal.pending = pending_empty;
	return &b.iut;
}
