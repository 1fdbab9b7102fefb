/*
 * ring_support.h -- what the ring's contract clauses share: a ring in a
 * shared mapping fenced by inaccessible pages (so that any access outside
 * the region kills the process that made it, which the clause then
 * reports), and the liveness test the ring asks about its peers.
 */
#ifndef IPCCONF_CONFORMANCE_RING_SUPPORT_H
#define IPCCONF_CONFORMANCE_RING_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conformance/harness/clause.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_record.h"

/*
 * A zero-filled MAP_SHARED region of `len` bytes (a multiple of 64) that
 * ends exactly at a PROT_NONE page and starts right after another, made
 * before the clause forks so that every helper shares it.  BROKEN when
 * the mapping cannot be made.
 */
void *ringc_guarded_region(struct ipcconf_t *t, size_t len);

/* A byte ring (RING_MODE_BYTES) of data_size bytes at full capacity; *len gets the region's length. */
void *ringc_byte_ring(struct ipcconf_t *t, uint32_t data_size, size_t *len);

/* A record ring (RING_MODE_RECORDS), likewise. */
void *ringc_record_ring(struct ipcconf_t *t, uint32_t data_size, size_t *len);

/* Attaches r to the region (byte or record mode); a failure ends the caller. */
void ringc_attach(struct ipcconf_t *t, struct ring *r, void *mem, size_t len, int records);

/* struct ring_block's peer(): ctx points at a pid; 1 while that process lives. */
int ringc_pid_alive(void *ctx);

/* Byte i of the test stream: a pattern that a shifted, repeated or lost byte breaks. */
static inline unsigned char ringc_stream_byte(uint64_t i)
{
	return (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

#endif
