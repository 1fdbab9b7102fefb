/*
 * Broken: the requested capacity is cut to 31 bits before use, so a size
 * beyond any pipe becomes a small one (breaks F_SETPIPE_SZ: EINVAL).
 */
#include "conformance/broken/wrap.h"

static long set_capacity_31_bits(const struct ipcconf_iut *self, int h, long bytes)
{
	return OS->pipe->set_capacity(OS, h, bytes & 0x7fffffffL);
}

const struct ipcconf_iut *broken_set_capacity_truncates_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-set-capacity-truncates", "capacities are cut to 31 bits");
	b.pipe.set_capacity = set_capacity_31_bits;
	return &b.iut;
}
