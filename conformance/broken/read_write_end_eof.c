/* Broken: a read through a write-only end returns 0 (EOF) instead of -EBADF (breaks POSIX read() [EBADF]). */
#include <fcntl.h>

#include "conformance/broken/wrap.h"

static ssize_t read_write_end_as_eof(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	int fl = fcntl(h, F_GETFL);
	if (fl >= 0 && (fl & O_ACCMODE) == O_WRONLY)
		return 0;
	return OS->stream->read(OS, h, buf, len);
}

const struct ipcconf_iut *broken_read_write_end_eof_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-write-end-eof", "a read through a write end returns 0");
	b.stream.read = read_write_end_as_eof;
	return &b.iut;
}
