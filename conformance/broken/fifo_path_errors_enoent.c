/*
 * Broken: mkfifo and open report every path error (ENOTDIR, ENAMETOOLONG,
 * ELOOP, EACCES) as ENOENT (breaks the ERRORS of POSIX mkfifo() and
 * open()).  EEXIST and ENXIO pass through.
 */
#include <errno.h>

#include "conformance/broken/wrap.h"

static int as_enoent(int r)
{
	return r == -ENOTDIR || r == -ENAMETOOLONG || r == -ELOOP || r == -EACCES ? -ENOENT : r;
}

static int mkfifo_enoent(const struct ipcconf_iut *self, const char *path, mode_t mode)
{
	return as_enoent(OS->fifo->mkfifo(OS, path, mode));
}

static int open_enoent(const struct ipcconf_iut *self, const char *path, int flags)
{
	return as_enoent(OS->fifo->open(OS, path, flags));
}

const struct ipcconf_iut *broken_fifo_path_errors_enoent_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-fifo-path-errors-enoent", "every path error of mkfifo and open is ENOENT");
	b.fifo.mkfifo = mkfifo_enoent;
	b.fifo.open = open_enoent;
	return &b.iut;
}
