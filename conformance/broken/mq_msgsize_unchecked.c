/* Broken: mq_receive with a buffer shorter than mq_msgsize takes the message and copies what fits, instead of failing with -EMSGSIZE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/broken/wrap.h"

static ssize_t receive_truncating(const struct ipcconf_iut *self, int h, char *msg, size_t len,
				  unsigned *prio, const struct timespec *abs_timeout)
{
	struct mq_attr a;
	if (OS->mq->getattr(OS, h, &a) < 0 || len >= (size_t)a.mq_msgsize)
		return OS->mq->receive(OS, h, msg, len, prio, abs_timeout);
	char *tmp = malloc((size_t)a.mq_msgsize);
	if (!tmp)
		return -ENOMEM;
	ssize_t n = OS->mq->receive(OS, h, tmp, (size_t)a.mq_msgsize, prio, abs_timeout);
	if (n > (ssize_t)len)
		n = (ssize_t)len;
	if (n > 0)
		memcpy(msg, tmp, (size_t)n);
	free(tmp);
	return n;
}

const struct ipcconf_iut *broken_mq_msgsize_unchecked_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-mq-msgsize-unchecked", "mq_receive truncates into a short buffer instead of -EMSGSIZE");
	b.mq.receive = receive_truncating;
	return &b.iut;
}
