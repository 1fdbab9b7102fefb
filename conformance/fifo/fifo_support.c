/* fifo_support.c -- building blocks of the FIFO clauses (fifo_support.h). */
#include "conformance/fifo/fifo_support.h"

#include <fcntl.h>

const char *ipcconf_make_fifo(struct ipcconf_t *t, const char *leaf)
{
	const char *path = ipcconf_path(t, leaf);
	REQUIRE_OK(t, iut_mkfifo(t, path, 0600), "mkfifo");
	return path;
}

void ipcconf_open_fifo_pair(struct ipcconf_t *t, const char *path, int *r, int *w)
{
	STEP(t, "open a reader and a writer in this process");
	*r = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
	REQUIRE_OK(t, *r, "open O_RDONLY|O_NONBLOCK");
	*w = iut_fifo_open(t, path, O_WRONLY | O_NONBLOCK);
	REQUIRE_OK(t, *w, "open O_WRONLY|O_NONBLOCK with a reader present");
	REQUIRE_OK(t, iut_set_nonblock(t, *r, 0), "set_nonblock(reader, 0)");
	REQUIRE_OK(t, iut_set_nonblock(t, *w, 0), "set_nonblock(writer, 0)");
}
