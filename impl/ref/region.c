/* The shared region of one pipe or FIFO: see ref_shared.h. */
#define _GNU_SOURCE
#include "impl/ref/ref_shared.h"

#include <errno.h>
#include <string.h>

void ref_region_init(void *base, enum ref_kind kind, uint32_t default_capacity,
		     uint32_t read_max)
{
	struct ref_shared *sh = base;

	memset(sh, 0, sizeof(*sh));
	sh->version = REF_VERSION;
	sh->kind = (uint16_t)kind;
	sh->default_capacity = default_capacity;
	sh->read_max = read_max;
	sh->ring_offset = REF_RING_OFFSET;
	ring_init((unsigned char *)base + REF_RING_OFFSET, REF_REGION_SIZE - REF_RING_OFFSET,
		  REF_MAX_CAPACITY, default_capacity);
	/* release: whoever sees the magic (acquire) sees all of the above. */
	atomic_store_explicit(&sh->magic, REF_MAGIC, memory_order_release);
}

int ref_region_attach(void *base, size_t size, enum ref_kind kind, struct ring *ring)
{
	struct ref_shared *sh = base;

	if (size != REF_REGION_SIZE ||
	    atomic_load_explicit(&sh->magic, memory_order_acquire) != REF_MAGIC ||
	    sh->version != REF_VERSION || sh->kind != kind || sh->ring_offset != REF_RING_OFFSET)
		return -EPROTO;
	if (sh->default_capacity < REF_MIN_CAPACITY || sh->default_capacity > REF_MAX_CAPACITY ||
	    (sh->default_capacity & (sh->default_capacity - 1)) != 0)
		return -EUCLEAN;
	return ring_attach(ring, (unsigned char *)base + REF_RING_OFFSET,
			   REF_REGION_SIZE - REF_RING_OFFSET);
}
