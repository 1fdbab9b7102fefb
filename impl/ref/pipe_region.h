/*
 * pipe_region.h -- the memory one pipe or FIFO lives in, shared by every
 * process that holds it: an unnamed tmpfs file for a pipe (inherited
 * across fork, publishable under a name: pipe.h), a POSIX shm object for
 * a FIFO (found again from its path: fifo.h).
 *
 *   OFFSET            SIZE              CONTENTS
 *   0                 4096              struct pipe_shared: limits, holders
 *   4096              RING_HDR_SIZE     the ring's header (impl/ring/ring.h)
 *   4096 + 256        REF_MAX_CAPACITY  the ring's data
 *
 * All of the data area is mapped from the start, so that set_capacity()
 * only changes the ring's logical capacity; pages are touched, and so
 * allocated, only as the capacity in use requires.
 *
 * Every field may have been written by a hostile or broken peer: a
 * process reads the limits once, at attach, validates them, and uses only
 * its private copy (struct pipe_limits) from then on.
 */
#ifndef IPCCONF_REF_PIPE_REGION_H
#define IPCCONF_REF_PIPE_REGION_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "impl/ref/holders.h"
#include "impl/ref/ofd_flags.h"
#include "impl/ring/ring_adaptive.h"

#define REF_MAGIC 0x46455249u /* "IREF" in memory on little-endian */
#define REF_VERSION 4u

#define REF_MIN_PIPE_BUF 512u                /* POSIX's _POSIX_PIPE_BUF */
#define REF_MAX_PIPE_BUF 4096u               /* Linux's PIPE_BUF */
#define REF_MIN_CAPACITY 4096u               /* F_SETPIPE_SZ rounds up to this */
#define REF_MAX_CAPACITY (UINT32_C(1) << 20) /* the data area: Linux's default pipe-max-size */
#define REF_RING_OFFSET 4096u
#define REF_REGION_SIZE ((size_t)REF_RING_OFFSET + RING_HDR_SIZE + REF_MAX_CAPACITY)

enum pipe_region_kind {
	PIPE_REGION_PIPE = 1,
	PIPE_REGION_FIFO = 2,
};

struct pipe_shared {
	_Atomic uint32_t magic;     /* REF_MAGIC, stored last by pipe_region_init() */
	uint16_t version;           /* REF_VERSION */
	uint16_t kind;              /* enum pipe_region_kind */
	uint32_t default_capacity;  /* a FIFO that every holder left restarts with it */
	uint32_t pipe_buf;          /* writes up to this are atomic */
	uint32_t ring_offset;       /* REF_RING_OFFSET */
	/*
	 * FIFO opens and last closes, so that "is anybody holding it?" and
	 * the registration or removal that depends on the answer happen as
	 * one step (sync_lock.h: freed if its holder dies).
	 */
	_Atomic uint32_t open_lock;
	/*
	 * Set under open_lock by whoever removes the FIFO's shm name when the
	 * last holder has gone: an open that mapped the object before the
	 * removal must not register in it, but start over with a new one.
	 */
	_Atomic uint32_t retired;
	/* Opens for reading / for writing so far: futex words that blocked opens wait on. */
	_Atomic uint32_t opens_r;
	_Atomic uint32_t opens_w;
	/*
	 * Bumped after every release of an end (its counts are already out
	 * of `holders`) and every capacity change.  Read on every read and
	 * write, so it lives with the fields above, which only opens write:
	 * a holder that sees it move looks at the holders again (pipe_end.c).
	 */
	_Atomic uint32_t releases;
	/* The one endpoint's holders: readers and writers. */
	struct ref_holders holders;
	/* Status flags of open descriptions (ofd_flags.h). */
	struct ref_ofd_flags ofd_flags;
};

_Static_assert(sizeof(struct pipe_shared) <= REF_RING_OFFSET, "pipe header outgrew its page");

/* A region's limits, validated: private memory, trusted. */
struct pipe_limits {
	uint32_t default_capacity;
	uint32_t pipe_buf;
};

/* Lays out a fresh region: nobody holds it, the ring is empty. */
void pipe_region_init(void *base, enum pipe_region_kind kind, const struct pipe_limits *limits);

/*
 * Validates a mapped region of `size` bytes (-EPROTO, -EUCLEAN), copies
 * its limits out and attaches its ring (ring_adaptive.h: the SPSC path
 * while one process writes and one reads, the locked path otherwise).
 */
int pipe_region_attach(void *base, size_t size, enum pipe_region_kind kind,
		       struct pipe_limits *limits, struct ring_adaptive *ring);

#endif /* IPCCONF_REF_PIPE_REGION_H */
