/*
 * Broken: a nonblocking write of at most PIPE_BUF bytes that does not fit
 * reports a partial count -- what it could put of it, or the room it saw
 * -- instead of -EAGAIN (breaks POSIX write(): all or nothing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

static ssize_t write_small_partial(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	ssize_t n = OS->stream->write(OS, h, buf, len);
	int fl = fcntl(h, F_GETFL), cap = fcntl(h, F_GETPIPE_SZ), queued = 0;
	long pb = fpathconf(h, _PC_PIPE_BUF);
	if (n != -EAGAIN || fl < 0 || !(fl & O_NONBLOCK) || cap <= 0 || pb <= 0 || (long)len > pb ||
	    ioctl(h, FIONREAD, &queued) != 0 || queued >= cap)
		return n;
	size_t room = (size_t)(cap - queued);
	ssize_t part = OS->stream->write(OS, h, buf, room < len ? room : len);
	return part > 0 ? part : (ssize_t)(room < len ? room : len);
}

const struct ipcconf_iut *broken_write_nonblock_partial_small_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-write-nonblock-partial-small",
		       "a nonblocking write of at most PIPE_BUF bytes that does not fit reports a partial count");
	b.stream.write = write_small_partial;
	return &b.iut;
}
