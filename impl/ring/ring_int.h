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

#include "impl/ring/ring.h"

/* ring_init() with the mode and flags words given: the one initialiser. */
int ring_init_mode(void *mem, size_t len, uint32_t data_size, uint32_t capacity, uint16_t mode,
		   uint32_t flags);

/* The capacity if the header's value is usable for r's mode, else -EUCLEAN. */
long ring_checked_capacity(const struct ring *r);

/* Copy n <= cap bytes in or out at stream position pos, wrapping at cap. */
void ring_copy_in(const struct ring *r, uint32_t cap, uint64_t pos, const void *src, size_t n);
void ring_copy_out(const struct ring *r, uint32_t cap, uint64_t pos, void *dst, size_t n);

/* Bumps a futex word after a change its sleepers wait for; wakes them. */
void ring_announce(_Atomic uint32_t *seq, _Atomic uint32_t *waiters);

#endif /* IPCCONF_RING_INT_H */
