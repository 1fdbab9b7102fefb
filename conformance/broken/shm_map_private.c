/*
 * Broken: mmap of a shared memory object asked for MAP_SHARED is made
 * MAP_PRIVATE, so writes stay in the writer (XSH mmap(): "If MAP_SHARED
 * is specified, write references shall change the underlying object").
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "conformance/broken/wrap.h"

static int map_private(const struct ipcconf_iut *self, int h, size_t len, int prot, int flags,
		       off_t offset, void **addr)
{
	(void)self;
	if (flags & MAP_SHARED)
		flags = (flags & ~MAP_SHARED) | MAP_PRIVATE;
	return OS->shm->map(OS, h, len, prot, flags, offset, addr);
}

const struct ipcconf_iut *broken_shm_map_private_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-shm-map-private",
		       "mmap(MAP_SHARED) of a shared memory object gives a private mapping");
	b.shm.map = map_private;
	return &b.iut;
}
