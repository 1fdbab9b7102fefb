/* Broken: opening a FIFO for reading does not wait for a writer (breaks seed:F5). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

static int open_without_waiting(const struct ipcconf_iut *self, const char *path, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_NONBLOCK))
		return OS->fifo->open(OS, path, flags);
	int fd = open(path, flags | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

const struct ipcconf_iut *broken_fifo_open_nowait_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-fifo-open-nowait", "a FIFO read-open returns without a writer");
	b.fifo.open = open_without_waiting;
	return &b.iut;
}
