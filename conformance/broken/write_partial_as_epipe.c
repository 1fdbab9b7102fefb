/*
 * Broken: a blocking write that had written part of its data when the
 * last reader left returns -EPIPE, losing the count of what it wrote
 * (breaks write(2): a write that transferred data returns its count).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "conformance/broken/wrap.h"

static ssize_t write_partial_lost(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	ssize_t n = OS->stream->write(OS, h, buf, len);
	int fl = fcntl(h, F_GETFL);
	struct pollfd p = { .fd = h, .events = POLLOUT };
	if (n > 0 && (size_t)n < len && fl >= 0 && !(fl & O_NONBLOCK) && poll(&p, 1, 0) == 1 &&
	    (p.revents & POLLERR))
		return -EPIPE;
	return n;
}

const struct ipcconf_iut *broken_write_partial_as_epipe_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-write-partial-as-epipe",
		       "a write cut short by the reader's close returns -EPIPE instead of its count");
	b.stream.write = write_partial_lost;
	return &b.iut;
}
