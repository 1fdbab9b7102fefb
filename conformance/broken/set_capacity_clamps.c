/*
 * Broken: a capacity above the system maximum is not refused: the pipe is
 * set to the maximum and that is returned (breaks fcntl(2) F_SETPIPE_SZ:
 * EPERM for an unprivileged caller, and never less than asked).
 */
#include <errno.h>
#include <stdio.h>

#include "conformance/broken/wrap.h"

static long set_capacity_clamped(const struct ipcconf_iut *self, int h, long bytes)
{
	long r = OS->pipe->set_capacity(OS, h, bytes);
	if (r != -EPERM)
		return r;
	long max = 0;
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");
	if (!f)
		return r;
	if (fscanf(f, "%ld", &max) != 1)
		max = 0;
	fclose(f);
	return max > 0 ? OS->pipe->set_capacity(OS, h, max) : r;
}

const struct ipcconf_iut *broken_set_capacity_clamps_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-set-capacity-clamps",
		       "a capacity above pipe-max-size is clamped to it instead of refused");
	b.pipe.set_capacity = set_capacity_clamped;
	return &b.iut;
}
