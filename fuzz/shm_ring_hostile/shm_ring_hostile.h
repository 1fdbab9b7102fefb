/*
 * shm_ring_hostile.h -- the input encoding of the shm_ring_hostile fuzz
 * target, shared by the harness and make_corpus.c (see shm_ring_hostile.c).
 *
 * Byte 0: data_size = 64 << (b % 7); bit 7 the layout (LAYOUT_LOW).
 * Byte 1: bit 7 record mode; capacity 1 << ((b & 0x7f) % (log2 data_size + 1)).
 * Then steps: a code byte, an action byte (% ACT_COUNT), the action's
 * arguments:
 *   ACT_POKE_BYTES   offset (2, modulo the region), count-1 (1, modulo 16),
 *                    that many bytes, written into the region
 *   ACT_POKE_FIELD   field (1), delta (2, signed), and for FIELD_*_SET a
 *                    value (8 for head/tail, 4 for capacity/magic)
 *   ACT_POKE_RECORD  how (1: bits 0-3 steps of 8 bytes past head, bit 4
 *                    an explicit kind follows, bit 5 a wrong tag, bit 6
 *                    kind RING_REC_GONE, bit 7 an explicit type follows),
 *                    length (4), [kind (2)], [type (2)]
 *   ACT_RECOVER      none
 *   ACT_ATTACH       none; code bit 0: ring_record_attach() instead of
 *                    ring_attach().  The handle is replaced when it succeeds.
 *   ACT_STRIKE       a strike (in_call_peer.h) armed for the next
 *                    ACT_ATTACH or ACT_OPERATE: the in-call peer
 *   ACT_OPERATE      size (1, as shm_ring_ops's size_arg), capacity (1,
 *                    1 << (b % 13)); the code picks the call (enum call)
 *                    and its bit 7 is the call's flag
 * The POKE actions are a peer writing between calls; ACT_STRIKE one
 * writing during them.
 */
#ifndef IPCCONF_FUZZ_SHM_RING_HOSTILE_H
#define IPCCONF_FUZZ_SHM_RING_HOSTILE_H

/* Byte 0, bit 7: the region starts at a page (the lower guard) instead of ending at one. */
#define LAYOUT_LOW 0x80

enum act {
	ACT_POKE_BYTES,
	ACT_POKE_FIELD,
	ACT_POKE_RECORD,
	ACT_RECOVER,
	ACT_ATTACH,
	ACT_STRIKE,
	ACT_OPERATE,
	ACT_COUNT = ACT_OPERATE + 2, /* operations get two values in eight */
};

enum field {
	FIELD_HEAD_ADD,
	FIELD_TAIL_ADD,
	FIELD_HEAD_SET,
	FIELD_TAIL_SET,
	FIELD_CAPACITY_POW2, /* 1 << (delta & 31) */
	FIELD_CAPACITY_SET,
	FIELD_DATA_SIZE_POW2,
	FIELD_MODE,          /* = delta */
	FIELD_FLAGS,         /* = delta */
	FIELD_MAGIC_SET,
	FIELD_COUNT
};

/* Calls of a well-behaved process; flag (code bit 7) in brackets. */
enum call {
	CALL_BYTE_TRY_PUSH,   /* [all_or_nothing] */
	CALL_BYTE_TRY_POP,
	CALL_BYTE_PUSH,       /* nonblock; [atomic_max 4096] */
	CALL_BYTE_POP,        /* nonblock */
	CALL_RECORD_TRY_PUSH,
	CALL_RECORD_TRY_POP,
	CALL_RECORD_PUSH,     /* nonblock */
	CALL_RECORD_POP,      /* nonblock */
	CALL_RECORD_PEEK,
	CALL_SET_CAPACITY,    /* [reset instead] */
	CALL_USED_CAPACITY,
	CALL_RECORD_PUSH_TYPE, /* type = the capacity byte */
	CALL_RECORD_POP_SEL,   /* selector from the capacity byte; [RING_REC_TRUNC] */
	CALL_COUNT
};

#define CALL_FLAG 0x80
#define ATTACH_RECORDS 0x01

#endif
