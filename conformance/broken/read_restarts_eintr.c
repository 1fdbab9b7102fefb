/* Broken: a read interrupted by a caught signal goes back to sleep instead of failing with -EINTR. */
#include <errno.h>

#include "conformance/broken/wrap.h"

static ssize_t read_restarting(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	ssize_t n;
	do
		n = OS->stream->read(OS, h, buf, len);
	while (n == -EINTR);
	return n;
}

const struct ipcconf_iut *broken_read_restarts_eintr_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-restarts-eintr", "reads restart after a caught signal (never -EINTR)");
	b.stream.read = read_restarting;
	return &b.iut;
}
