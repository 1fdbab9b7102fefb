/*
 * Broken: mq_timedreceive with a valid timeout never waits: on an empty
 * queue it fails with -ETIMEDOUT at once (as if the timeout had passed).
 * Invalid timeouts are still refused as os refuses them.
 */
#include "conformance/broken/wrap.h"

static ssize_t receive_no_wait(const struct ipcconf_iut *self, int h, char *msg, size_t len,
			       unsigned *prio, const struct timespec *abs_timeout)
{
	static const struct timespec epoch = { 0, 0 };
	if (abs_timeout && abs_timeout->tv_sec >= 0 && abs_timeout->tv_nsec >= 0 &&
	    abs_timeout->tv_nsec < 1000000000L)
		abs_timeout = &epoch;
	return OS->mq->receive(OS, h, msg, len, prio, abs_timeout);
}

const struct ipcconf_iut *broken_mq_timedreceive_no_wait_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-mq-timedreceive-no-wait", "mq_timedreceive times out at once instead of waiting");
	b.mq.receive = receive_no_wait;
	return &b.iut;
}
