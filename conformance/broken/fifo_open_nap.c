/*
 * Broken: a FIFO read-open with no writer naps 30 ms and then returns a
 * handle anyway (breaks seed:F5).  A "nap and proceed" implementation: it
 * is seen asleep, so only a clause that also waits out a grace period and
 * requires the releasing action catches it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

static int open_nap_then_proceed(const struct ipcconf_iut *self, const char *path, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_NONBLOCK))
		return OS->fifo->open(OS, path, flags);
	int fd = open(path, flags | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct timespec nap = { 0, 30 * 1000 * 1000 };
	while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
		;
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

const struct ipcconf_iut *broken_fifo_open_nap_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-fifo-open-nap",
		       "a FIFO read-open without a writer naps 30 ms, then returns a handle anyway");
	b.fifo.open = open_nap_then_proceed;
	return &b.iut;
}
