/* The shared region of one pipe or FIFO: see pipe_region.h. */
#define _GNU_SOURCE
#include "impl/ref/pipe_region.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

void pipe_region_init(void *base, enum pipe_region_kind kind, const struct pipe_limits *limits)
{
	struct pipe_shared *sh = base;

	memset(sh, 0, sizeof(*sh));
	sh->version = REF_VERSION;
	sh->kind = (uint16_t)kind;
	sh->default_capacity = limits->default_capacity;
	sh->pipe_buf = limits->pipe_buf;
	sh->ring_offset = REF_RING_OFFSET;
	ring_init((unsigned char *)base + REF_RING_OFFSET, REF_REGION_SIZE - REF_RING_OFFSET,
		  REF_MAX_CAPACITY, limits->default_capacity);
	/* release: whoever sees the magic (acquire) sees all of the above. */
	atomic_store_explicit(&sh->magic, REF_MAGIC, memory_order_release);
}

int pipe_region_attach(void *base, size_t size, enum pipe_region_kind kind,
		       struct pipe_limits *limits, struct ring_adaptive *ring)
{
	volatile struct pipe_shared *sh = base;
	struct pipe_limits copy;

	if (size != REF_REGION_SIZE ||
	    atomic_load_explicit(&((struct pipe_shared *)base)->magic, memory_order_acquire) !=
		    REF_MAGIC ||
	    sh->version != REF_VERSION || sh->kind != kind || sh->ring_offset != REF_RING_OFFSET)
		return -EPROTO;
	/* Each field once, into private memory: a peer may change it between two reads. */
	copy.default_capacity = sh->default_capacity;
	copy.pipe_buf = sh->pipe_buf;
	if (!is_pow2(copy.default_capacity) || copy.default_capacity < REF_MIN_CAPACITY ||
	    copy.default_capacity > REF_MAX_CAPACITY || !is_pow2(copy.pipe_buf) ||
	    copy.pipe_buf < REF_MIN_PIPE_BUF || copy.pipe_buf > REF_MAX_PIPE_BUF)
		return -EUCLEAN;
	*limits = copy;
	return ring_adaptive_attach(ring, (unsigned char *)base + REF_RING_OFFSET,
				    REF_REGION_SIZE - REF_RING_OFFSET);
}
