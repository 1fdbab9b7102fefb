/*
 * in_call_peer.h -- a hostile peer that strikes in the middle of a ring
 * call, through the hook of impl/ring/ring_peer.h, for the fuzz targets
 * that link //impl/ring:ring_peer_hooked.
 *
 * The input arms strikes before a call; while the call runs, the hook
 * counts its invocations (per point, and over all points) and, when a
 * strike's count comes up, rewrites one field of the shared region: a
 * header field (data_size, capacity, head, ...) or a field of the record
 * header at head + 8 * slot.  No threads: the same input strikes at the
 * same read every time, so a finding replays exactly.  Each strike fires
 * at most once; strikes left over when the call returns are dropped.
 *
 * A strike's encoding (peer_decode), bytes read with input_cursor.h:
 *   point   b % (RING_PEER_POINT_COUNT + 1): the enum ring_peer_point
 *           whose calls are counted; the last value counts every point
 *   index   the call (0 = first) at which the strike fires
 *   what    bits 0-3 the target (% PEER_TARGET_COUNT), bits 4-5 how
 *   slot    record targets only: signed, the record header at head + 8*slot
 *   value   PEER_SET: the field's width in bytes; PEER_ADD: 2 (signed);
 *           PEER_POW2, PEER_FLIP: 1 (a bit number, % 64)
 */
#ifndef IPCCONF_FUZZ_IN_CALL_PEER_H
#define IPCCONF_FUZZ_IN_CALL_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz/shm_ring_hostile/input_cursor.h"
#include "impl/ring/ring_peer.h"

enum peer_target {
	PEER_MAGIC,
	PEER_VERSION,
	PEER_MODE,
	PEER_FLAGS,
	PEER_HDR_SIZE,
	PEER_DATA_SIZE,
	PEER_CAPACITY,
	PEER_HEAD,
	PEER_TAIL,
	PEER_GONE,
	PEER_REC_LENGTH, /* the record targets: from here on */
	PEER_REC_KIND,
	PEER_REC_TAG,
	PEER_REC_TYPE,
	PEER_REC_ZERO,
	PEER_TARGET_COUNT
};

enum peer_how {
	PEER_SET,  /* the value */
	PEER_ADD,  /* the field plus a signed 16-bit value */
	PEER_POW2, /* 1 << value */
	PEER_FLIP, /* the field with bit `value` flipped */
};

#define PEER_ANY_POINT RING_PEER_POINT_COUNT
#define PEER_MAX_STRIKES 4

struct strike {
	uint8_t point; /* enum ring_peer_point, or PEER_ANY_POINT */
	uint8_t index;
	uint8_t target; /* enum peer_target */
	uint8_t how;    /* enum peer_how */
	int8_t slot;
	uint64_t value;
};

/*
 * The region of this input: the peer may write its `len` bytes, nothing
 * else.  Drops armed strikes.  The hook itself is installed only during
 * calls that have strikes armed (peer_begin() to peer_end()).
 */
void peer_install(unsigned char *region, size_t len);

/* Reads one strike from the input. */
void peer_decode(struct cursor *c, struct strike *s);

/* Bytes of input the value of a strike on target, applied `how`, takes (for make_corpus). */
unsigned peer_value_bytes(uint8_t target, uint8_t how);

/* Whether a target is a field of a record header (a slot byte precedes the value). */
bool peer_record_target(uint8_t target);

/* Arms a strike for the next call (beyond PEER_MAX_STRIKES, ignored). */
void peer_arm(const struct strike *s);

/* Around the call the armed strikes are for: counting starts at 0. */
void peer_begin(void);

/* Disarms everything; true when a strike changed any byte of the region. */
bool peer_end(void);

/* Drops armed strikes without a call (a new input, or a step they do not apply to). */
void peer_reset(void);

#endif /* IPCCONF_FUZZ_IN_CALL_PEER_H */
