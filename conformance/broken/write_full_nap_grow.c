/*
 * Broken: a blocking write into a full pipe naps 30 ms, doubles the pipe
 * (F_SETPIPE_SZ) and writes (breaks seed:P5: a write into a full pipe
 * blocks until a read makes room).  A "nap and proceed" implementation:
 * it is seen asleep, and returns without any reader acting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <time.h>

#include "conformance/broken/wrap.h"

static ssize_t write_nap_grow(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	int fl = fcntl(h, F_GETFL), cap = fcntl(h, F_GETPIPE_SZ), queued = 0;
	if (fl >= 0 && !(fl & O_NONBLOCK) && cap > 0 && ioctl(h, FIONREAD, &queued) == 0 &&
	    queued >= cap) {
		struct timespec nap = { 0, 30 * 1000 * 1000 };
		while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
			;
		fcntl(h, F_SETPIPE_SZ, 2 * cap);
	}
	return OS->stream->write(OS, h, buf, len);
}

const struct ipcconf_iut *broken_write_full_nap_grow_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-write-full-nap-grow",
		       "a write into a full pipe naps 30 ms, doubles the pipe and writes");
	b.stream.write = write_nap_grow;
	return &b.iut;
}
