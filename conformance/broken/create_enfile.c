/* Broken: pipe creation at the process's descriptor limit fails with ENFILE, not EMFILE (breaks pipe(2) ERRORS). */
#include <errno.h>

#include "conformance/broken/wrap.h"

static int create_enfile_for_emfile(const struct ipcconf_iut *self, int ends[2], int flags)
{
	int r = OS->pipe->create(OS, ends, flags);
	return r == -EMFILE ? -ENFILE : r;
}

const struct ipcconf_iut *broken_create_enfile_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-create-enfile", "pipe creation reports EMFILE as ENFILE");
	b.pipe.create = create_enfile_for_emfile;
	return &b.iut;
}
