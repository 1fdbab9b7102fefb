/* Broken: pipe creation drops flags it does not know instead of refusing them (breaks pipe2() [EINVAL]). */
#define _GNU_SOURCE
#include <fcntl.h>

#include "conformance/broken/wrap.h"

static int create_lenient(const struct ipcconf_iut *self, int ends[2], int flags)
{
	return OS->pipe->create(OS, ends, flags & (O_NONBLOCK | O_CLOEXEC | O_DIRECT));
}

const struct ipcconf_iut *broken_create_ignores_flags_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-create-ignores-flags", "pipe creation ignores unknown flags");
	b.pipe.create = create_lenient;
	return &b.iut;
}
