/* Broken: mq_notify accepts a registration (0, or the error os gives) but registers nothing: no notification ever comes. */
#include "conformance/broken/wrap.h"

static int notify_nothing(const struct ipcconf_iut *self, int h, const struct sigevent *sev)
{
	int r = OS->mq->notify(OS, h, sev);
	/* Checked exactly as os checks it, then withdrawn at once. */
	if (sev && r == 0)
		OS->mq->notify(OS, h, NULL);
	return r;
}

const struct ipcconf_iut *broken_mq_notify_never_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-mq-notify-never", "mq_notify succeeds but never notifies");
	b.mq.notify = notify_nothing;
	return &b.iut;
}
