/*
 * Broken: once every writer is gone, a read waits forever instead of
 * returning 0 (breaks seed:P10).  It also shows that a hang is a timeout FAIL.
 */
#include <unistd.h>

#include "conformance/broken/wrap.h"

static ssize_t read_without_eof(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	ssize_t n = OS->stream->read(OS, h, buf, len);
	if (n == 0 && len > 0)
		for (;;)
			pause(); /* the bug: end-of-file is never reported */
	return n;
}

const struct ipcconf_iut *broken_read_no_eof_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-no-eof", "reads never report end-of-file");
	b.stream.read = read_without_eof;
	return &b.iut;
}
