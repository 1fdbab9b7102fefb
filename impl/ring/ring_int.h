/*
 * ring_int.h -- internal to impl/ring: the pieces of ring.c that record
 * mode (ring_record.c) and the blocking calls share rather than repeat.
 * Not in the library's hdrs: users of the ring call ring.h only.
 */
#ifndef IPCCONF_RING_INT_H
#define IPCCONF_RING_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ring/ring.h"
#include "impl/ring/ring_peer.h"

/*
 * One load of a plain (not _Atomic) field of the shared header: a single
 * access the compiler may neither repeat nor split, so the value judged is
 * the value used (ring.h, SHARED-MEMORY DISCIPLINE).  Relaxed: these
 * fields are written once, before the magic is released.
 */
#define RING_LOAD_ONCE(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/*
 * A private snapshot of a ring header: each field read once, then judged
 * and used from here alone.  have_* say how far the reading got.
 */
struct ring_snap {
	int have_identity;  /* the identity and geometry below were read */
	uint32_t magic;
	uint16_t version;
	uint16_t mode;
	uint32_t flags;
	uint32_t hdr_size;
	uint32_t data_size;
	int have_state;     /* the identity was sound, and these were read */
	uint32_t cap;
	uint64_t head;      /* head and used: one consistent moment */
	uint64_t used;
};

/* ring_check(), leaving what it read and judged in *snap. */
int ring_check_snap(const void *mem, size_t len, struct ring_snap *snap);

/* ring_attach(), leaving the snapshot it attached from in *snap. */
int ring_attach_snap(struct ring *r, void *mem, size_t len, struct ring_snap *snap);

/* ring_init() with the mode and flags words given: the one initialiser. */
int ring_init_mode(void *mem, size_t len, uint32_t data_size, uint32_t capacity, uint16_t mode,
		   uint32_t flags);

/* The capacity (one load) if the header's value is usable for r's mode, else -EUCLEAN. */
long ring_checked_capacity(const struct ring *r);

/*
 * A non-blocking byte-mode push, all-or-nothing when all_or_nothing is
 * set or when n <= whole_max and n fits in the capacity -- judged on the
 * same capacity read the push then uses (ring_push() needs both).
 */
ssize_t ring_try_push_whole(struct ring *r, const void *buf, size_t n, int all_or_nothing,
			    size_t whole_max);

/* Copy n <= cap bytes in or out at stream position pos, wrapping at cap. */
void ring_copy_in(const struct ring *r, uint32_t cap, uint64_t pos, const void *src, size_t n);
void ring_copy_out(const struct ring *r, uint32_t cap, uint64_t pos, void *dst, size_t n);

/* Bumps a futex word after a change its sleepers wait for; wakes them. */
void ring_announce(_Atomic uint32_t *seq, _Atomic uint32_t *waiters);

#endif /* IPCCONF_RING_INT_H */
