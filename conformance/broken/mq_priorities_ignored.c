/* Broken: every message is queued at priority 0, whatever priority it was sent with (an out-of-range priority is still refused). */
#include <unistd.h>

#include "conformance/broken/wrap.h"

static int send_prio0(const struct ipcconf_iut *self, int h, const char *msg, size_t len, unsigned prio,
		      const struct timespec *abs_timeout)
{
	if (prio < (unsigned long)sysconf(_SC_MQ_PRIO_MAX))
		prio = 0;
	return OS->mq->send(OS, h, msg, len, prio, abs_timeout);
}

const struct ipcconf_iut *broken_mq_priorities_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-mq-priorities-ignored", "POSIX queue messages all go in at priority 0");
	b.mq.send = send_prio0;
	return &b.iut;
}
