/*
 * shm_ring_adaptive.h -- the input encoding of the shm_ring_adaptive fuzz
 * target, shared by the harness and make_corpus.c (see
 * shm_ring_adaptive.c).
 *
 * Byte 0: data_size = 64 << (b % 7); bit 7 (LAYOUT_LOW) the region starts
 * at the lower guard page instead of ending at the upper one.
 * Byte 1: capacity = 1 << ((b & 0x3f) % (log2 data_size + 1)); bit 7
 * (START_HIGH) the counters start just below 2^64, so that the stream
 * wraps them.
 * Then ops, at most MAX_OPS: a code byte --
 *   bits 0-3  the op, (code & 0x0f) % OP_COUNT (the first six come up
 *             twice as often as the rest)
 *   bits 4-5  the view (0..VIEWS-1) that makes the call
 *   bit 6     FLAG_A, bit 7 FLAG_B: what each op says below
 * -- then one argument byte, except OP_STRIKE, which is followed by a
 * strike in the encoding of in_call_peer.h.
 */
#ifndef IPCCONF_FUZZ_SHM_RING_ADAPTIVE_H
#define IPCCONF_FUZZ_SHM_RING_ADAPTIVE_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_LOW 0x80
#define START_HIGH 0x80

#define VIEWS 4
#define MAX_OPS 128

/*
 * FLAG_A and FLAG_B, and the argument, per op.  OP_PUSH and OP_POP are the
 * blocking calls with ring_block.nonblock set; peer() is the ring_block's.
 */
enum op {
	OP_TRY_PUSH,   /* A: all_or_nothing; arg: size */
	OP_TRY_POP,    /* arg: size */
	OP_CLAIM,      /* A: the consumers' side; B: sole() says yes; arg: side, CLAIM_SOLE_NULL */
	OP_PUSH,       /* A: atomic_max; B: with a peer() that says gone; arg: size */
	OP_POP,        /* A: with a peer(); B: it says gone; arg: size */
	OP_SHARE,      /* A: the consumers' side; arg: side */
	OP_REATTACH,   /* the view attaches afresh (a process that restarted); arg unused */
	OP_CAPACITY,   /* A: ring_adaptive_reset(), else _set_capacity(); arg: capacity_arg */
	OP_MODE_WRITE, /* A: the consumers' mode word; arg: see MODE_ARG_RESTORE */
	OP_STRIKE,     /* arms the in-call peer for the next op */
	OP_COUNT
};

#define OP_MASK 0x0f
#define VIEW_SHIFT 4
#define FLAG_A 0x40
#define FLAG_B 0x80

/* OP_CLAIM's argument: bit 0, no sole() at all (NULL: "yes"). */
#define CLAIM_SOLE_NULL 0x01

/* OP_PUSH with FLAG_A: pushes of 1..ADAPTIVE_ATOMIC_MAX bytes, at most the capacity, go in whole. */
#define ADAPTIVE_ATOMIC_MAX 512u

/* The largest size_arg(): beyond the largest data area, to reach partial pushes. */
#define SIZE_ARG_MAX (63u * 68 + 0xc0)

/* Size argument: 0..191 exactly, then steps of 68 up to SIZE_ARG_MAX. */
static inline size_t size_arg(uint8_t a)
{
	return a < 0xc0 ? a : (size_t)(a - 0xc0) * 68 + 0xc0;
}

/*
 * The side a claim or share names ("side" above): FLAG_A's side, except
 * that an argument of 0xf0 or more names a side that does not exist (0,
 * or 3 with SIDE_ARG_THREE), which the ring must refuse.
 */
#define SIDE_ARG_INVALID 0xf0
#define SIDE_ARG_THREE 0x08

/*
 * OP_CAPACITY's argument: below CAPACITY_ARG_ODD, 1 << (a % (log2
 * data_size + 1)), a capacity the ring accepts; from it on, a value it
 * must refuse (not a power of two, 0, or above data_size).
 */
#define CAPACITY_ARG_ODD 0xe0

static inline uint32_t capacity_arg(uint8_t a, unsigned data_log2)
{
	static const uint32_t odd[8] = { 0, 3, 6, 0x80000000u, 0xffffffffu, 0, 0, 0 };

	if (a < CAPACITY_ARG_ODD)
		return UINT32_C(1) << (a % (data_log2 + 1));
	switch (a & 7) {
	case 5: return UINT32_C(2) << data_log2;       /* twice the data area */
	case 6: return (UINT32_C(1) << data_log2) + 1; /* just above it */
	case 7: return (UINT32_C(1) << data_log2) - 1; /* just below, not a power of two */
	default: return odd[a & 7];
	}
}

/*
 * OP_MODE_WRITE's argument: below MODE_ARG_RESTORE, flip bit (a % 32) of
 * the word; from it on, write back the EXCLUSIVE word number (a % 0x80)
 * (modulo their count) that a claim installed earlier in this input.
 */
#define MODE_ARG_RESTORE 0x80

#endif
