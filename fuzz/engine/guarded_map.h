/*
 * guarded_map.h -- shared memory with a PROT_NONE guard page on each side,
 * for fuzz targets and tests that must see any access outside a region.
 *
 * guarded_map(len) returns `len` bytes of MAP_SHARED|MAP_ANONYMOUS memory
 * (zero-filled, survives fork() as shared) whose start is 64-byte aligned
 * (what the ring requires) and whose end is as close to the upper guard
 * page as that alignment allows:
 *
 *   | guard | slack below | len bytes ............ | slack above | guard |
 *           ^page         ^start (64-aligned)       ^start+len    ^page
 *
 * slack above = (-len) mod 64: zero whenever len is a multiple of 64 (ring
 * regions are: 256 + a power of two >= 64), so a read or write one byte
 * past the end faults.  slack below = what is left of the pages, so an
 * underrun faults only when it reaches the lower guard.
 *
 * Why the slack is also watched: a stray access that lands in the slack
 * would otherwise go unnoticed.  ASan does not watch mmap() memory by
 * itself, so under ASan both slacks are poisoned (any access is a report);
 * without ASan only the guard pages catch strays, which is why the end,
 * where overruns go, is the side placed flush with a guard.  A region
 * whose len is a multiple of the page size has no slack at all.
 */
#ifndef IPCCONF_FUZZ_GUARDED_MAP_H
#define IPCCONF_FUZZ_GUARDED_MAP_H

#include <stddef.h>

/* The region, or NULL (errno set) when len is 0 or the mapping fails. */
void *guarded_map(size_t len);

/* Unmaps a region from guarded_map() with the same len; NULL is ignored. */
void guarded_unmap(void *p, size_t len);

#endif /* IPCCONF_FUZZ_GUARDED_MAP_H */
