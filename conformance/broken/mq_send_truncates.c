/* Broken: mq_send of more than mq_msgsize bytes queues the first mq_msgsize bytes instead of failing with -EMSGSIZE. */
#include "conformance/broken/wrap.h"

static int send_truncating(const struct ipcconf_iut *self, int h, const char *msg, size_t len,
			   unsigned prio, const struct timespec *abs_timeout)
{
	struct mq_attr a;
	if (OS->mq->getattr(OS, h, &a) == 0 && len > (size_t)a.mq_msgsize)
		len = (size_t)a.mq_msgsize;
	return OS->mq->send(OS, h, msg, len, prio, abs_timeout);
}

const struct ipcconf_iut *broken_mq_send_truncates_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-mq-send-truncates", "mq_send truncates a message longer than mq_msgsize");
	b.mq.send = send_truncating;
	return &b.iut;
}
