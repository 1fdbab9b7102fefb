/* Broken: sigqueue sends the signal without its value (si_value is always 0). */
#include <signal.h>

#include "conformance/broken/wrap.h"

static int queue_without_value(const struct ipcconf_iut *self, pid_t pid, int sig, union sigval v)
{
	return OS->signal->queue(OS, pid, sig, (union sigval){ .sival_int = 0 });
}

const struct ipcconf_iut *broken_sig_value_lost_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-value-lost", "sigqueue loses the value");
	b.signal.queue = queue_without_value;
	return &b.iut;
}
