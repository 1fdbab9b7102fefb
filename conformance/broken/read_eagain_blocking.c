/* Broken: reading an empty pipe fails with EAGAIN without O_NONBLOCK (breaks seed:P5). */
#include <errno.h>
#include <poll.h>

#include "conformance/broken/wrap.h"

static ssize_t read_never_blocks(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	struct pollfd p = { .fd = h, .events = POLLIN };
	if (poll(&p, 1, 0) == 0)
		return -EAGAIN;
	return OS->stream->read(OS, h, buf, len);
}

const struct ipcconf_iut *broken_read_eagain_blocking_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-eagain", "an empty read fails with EAGAIN even when blocking");
	b.stream.read = read_never_blocks;
	return &b.iut;
}
