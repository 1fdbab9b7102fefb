/* Broken: mq_getattr always reports mq_curmsgs 0. */
#include "conformance/broken/wrap.h"

static int getattr_empty(const struct ipcconf_iut *self, int h, struct mq_attr *attr)
{
	int r = OS->mq->getattr(OS, h, attr);
	if (r == 0)
		attr->mq_curmsgs = 0;
	return r;
}

const struct ipcconf_iut *broken_mq_curmsgs_zero_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-mq-curmsgs-zero", "mq_getattr reports mq_curmsgs 0 whatever the queue holds");
	b.mq.getattr = getattr_empty;
	return &b.iut;
}
