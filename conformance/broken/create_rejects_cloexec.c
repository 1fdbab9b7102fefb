/* Broken: pipe creation refuses O_CLOEXEC with EINVAL (breaks pipe2() O_CLOEXEC). */
#include <errno.h>
#include <fcntl.h>

#include "conformance/broken/wrap.h"

static int create_no_cloexec(const struct ipcconf_iut *self, int ends[2], int flags)
{
	if (flags & O_CLOEXEC)
		return -EINVAL;
	return OS->pipe->create(OS, ends, flags);
}

const struct ipcconf_iut *broken_create_rejects_cloexec_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-create-rejects-cloexec", "pipe creation refuses O_CLOEXEC");
	b.pipe.create = create_no_cloexec;
	return &b.iut;
}
