/*
 * Broken: a non-blocking write-open of a FIFO with no reader succeeds
 * (quietly opening it read-write) instead of failing with ENXIO (breaks
 * POSIX open(), fifo(7)).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

static int open_write_without_enxio(const struct ipcconf_iut *self, const char *path, int flags)
{
	int r = OS->fifo->open(OS, path, flags);
	if (r != -ENXIO)
		return r;
	int fd = open(path, (flags & ~O_ACCMODE) | O_RDWR);
	return fd < 0 ? -errno : fd;
}

const struct ipcconf_iut *broken_fifo_write_open_no_enxio_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-fifo-no-enxio", "a non-blocking write-open without a reader succeeds");
	b.fifo.open = open_write_without_enxio;
	return &b.iut;
}
