/*
 * ref_shared.h -- the memory one pipe or FIFO lives in, shared by every
 * process that holds it: anonymous for a pipe (inherited across fork), a
 * POSIX shm object for a FIFO (found again from its path).
 *
 *   OFFSET            SIZE              CONTENTS
 *   0                 4096              struct ref_shared: who holds the ends
 *   4096              RING_HDR_SIZE     the ring's header (impl/ring/ring.h)
 *   4096 + 256        REF_MAX_CAPACITY  the ring's data
 *
 * All of the data area is mapped from the start, so that set_capacity()
 * only changes the ring's logical capacity; pages are touched, and so
 * allocated, only as the capacity in use requires.
 */
#ifndef IPCCONF_REF_SHARED_H
#define IPCCONF_REF_SHARED_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "impl/ring/ring.h"

#define REF_MAGIC 0x46455249u /* "IREF" in memory on little-endian */
#define REF_VERSION 2u

#define REF_PIPE_BUF 4096u                /* writes up to this are atomic */
#define REF_MIN_CAPACITY 4096u            /* F_SETPIPE_SZ rounds up to this */
#define REF_MAX_CAPACITY (UINT32_C(1) << 20) /* /proc/sys/fs/pipe-max-size */
#define REF_RING_OFFSET 4096u
#define REF_REGION_SIZE ((size_t)REF_RING_OFFSET + RING_HDR_SIZE + REF_MAX_CAPACITY)

/* Processes holding one pipe at once; a dead holder's slot is reused. */
#define REF_SLOTS 256

/* Open descriptions of one pipe with shared status flags (ofd_flags.h). */
#define REF_OFDS 128

enum ref_kind {
	REF_KIND_PIPE = 1,
	REF_KIND_FIFO = 2,
};

/*
 * A holder slot is one 64-bit word, so that it is read and changed as a
 * whole and a reader never pairs one process's id with another's counts:
 *
 *   bits  0-31  holder: the process id, with REF_HOLDER_PENDING while a
 *               fork() is handing the slot to a child not yet running
 *   bits 32-47  open descriptions of the pipe that read
 *   bits 48-63  open descriptions that write
 *
 * 0 is a free slot.  A slot whose holder no longer lives counts as free.
 */
#define REF_HOLDER_PENDING 0x80000000u

struct ref_shared {
	_Atomic uint32_t magic;     /* REF_MAGIC, stored last by ref_region_init() */
	uint16_t version;           /* REF_VERSION */
	uint16_t kind;              /* enum ref_kind */
	uint32_t default_capacity;  /* a FIFO that every holder left restarts with it */
	uint32_t read_max;          /* longest read returned (0: no limit) */
	uint32_t ring_offset;       /* REF_RING_OFFSET */
	/*
	 * FIFO opens and last closes, so that "is anybody holding it?" and
	 * the registration or discard that depends on the answer happen as
	 * one step (ring_lock.h: freed if its holder dies).
	 */
	_Atomic uint32_t open_lock;
	/* Opens for reading / for writing so far: futex words that blocked opens wait on. */
	_Atomic uint32_t opens_r;
	_Atomic uint32_t opens_w;
	_Alignas(64) _Atomic uint64_t slot[REF_SLOTS];
	/* Status flags of open descriptions (ofd_flags.h). */
	_Atomic uint32_t ofd[REF_OFDS];
};

_Static_assert(sizeof(struct ref_shared) <= REF_RING_OFFSET, "ref header outgrew its page");

/* Lays out a fresh region: nobody holds it, the ring is empty. */
void ref_region_init(void *base, enum ref_kind kind, uint32_t default_capacity,
		     uint32_t read_max);

/* Validates a mapped region (-EPROTO, -EUCLEAN) and attaches its ring. */
int ref_region_attach(void *base, size_t size, enum ref_kind kind, struct ring *ring);

#endif /* IPCCONF_REF_SHARED_H */
