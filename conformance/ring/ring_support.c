/*
 * Ring contract clause support: see ring_support.h.
 */
#define _GNU_SOURCE
#include "conformance/ring/ring_support.h"

#include <sys/mman.h>
#include <unistd.h>

#include "impl/sync/sync_alive.h"

void *ringc_guarded_region(struct ipcconf_t *t, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (len + page - 1) / page * page;
	unsigned char *map = mmap(NULL, body + 2 * page, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);

	if (map == MAP_FAILED)
		BROKEN(t, "mmap of %zu bytes for a guarded ring failed", body + 2 * page);
	if (mprotect(map + page, body, PROT_READ | PROT_WRITE) < 0)
		BROKEN(t, "mprotect of the ring's pages failed");
	/* Flush against the upper guard: one byte past the region faults. */
	return map + page + (body - len);
}

static void *make_ring(struct ipcconf_t *t, uint32_t data_size, size_t *len, int records)
{
	size_t n = ring_region_size(data_size);
	void *mem = ringc_guarded_region(t, n);
	int err = records ? ring_record_init(mem, n, data_size, data_size)
			  : ring_init(mem, n, data_size, data_size);

	if (err < 0)
		BROKEN(t, "laying out a %s ring of %u bytes failed: %d", records ? "record" : "byte",
		       data_size, err);
	*len = n;
	return mem;
}

void *ringc_byte_ring(struct ipcconf_t *t, uint32_t data_size, size_t *len)
{
	return make_ring(t, data_size, len, 0);
}

void *ringc_record_ring(struct ipcconf_t *t, uint32_t data_size, size_t *len)
{
	return make_ring(t, data_size, len, 1);
}

void ringc_attach(struct ipcconf_t *t, struct ring *r, void *mem, size_t len, int records)
{
	REQUIRE_OK(t, records ? ring_record_attach(r, mem, len) : ring_attach(r, mem, len),
		   records ? "ring_record_attach" : "ring_attach");
}

int ringc_pid_alive(void *ctx)
{
	return sync_process_alive(*(const pid_t *)ctx);
}
