/* Broken: an empty pipe reads as end-of-file although a writer exists (breaks seed:P5). */
#include <poll.h>

#include "conformance/broken/wrap.h"

static ssize_t read_early_eof(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	struct pollfd p = { .fd = h, .events = POLLIN };
	if (poll(&p, 1, 0) == 0)
		return 0;
	return OS->stream->read(OS, h, buf, len);
}

const struct ipcconf_iut *broken_read_eof_when_empty_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-early-eof", "an empty pipe reads as end-of-file");
	b.stream.read = read_early_eof;
	return &b.iut;
}
