/*
 * shm_ring_spsc.h -- the input encoding of the shm_ring_spsc fuzz target,
 * shared by the harness and make_corpus.c (see shm_ring_spsc.c).
 *
 * Byte 0: data_size = 64 << (b % 7); bit 7 (LAYOUT_LOW) the region starts
 * at the lower guard page instead of ending at the upper one.
 * Byte 1: capacity = 1 << ((b & 0x3f) % (log2 data_size + 1)); bit 7
 * (START_HIGH) the counters start just below 2^64, so that the stream
 * wraps them.
 * Then ops: a code byte, (code & 0x7f) % OP_COUNT the op and bit 7 its
 * flag, then a size byte (size_arg), except OP_STRIKE, which is followed
 * by a strike in the encoding of in_call_peer.h.  At most MAX_OPS ops.
 */
#ifndef IPCCONF_FUZZ_SHM_RING_SPSC_H
#define IPCCONF_FUZZ_SHM_RING_SPSC_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_LOW 0x80
#define START_HIGH 0x80

enum op {
	OP_TRY_PUSH,   /* flag: all_or_nothing */
	OP_TRY_POP,
	OP_PUSH,       /* ring_spsc_push(), nonblock; flag: atomic_max = SPSC_ATOMIC_MAX */
	OP_POP,        /* ring_spsc_pop(), nonblock */
	OP_REATTACH,   /* flag: the consumer's handle, else the producer's */
	OP_WRONG_SIDE, /* flag: a pop on the producer's handle, else a push on the consumer's */
	OP_STRIKE,     /* arms the in-call peer for the next op */
	OP_COUNT
};

#define OP_FLAG 0x80
#define SPSC_ATOMIC_MAX 4096u

/* The largest size_arg(): beyond the largest data area, to reach partial pushes. */
#define SIZE_ARG_MAX (63u * 68 + 0xc0)

/* Size argument: 0..191 exactly, then steps of 68 up to SIZE_ARG_MAX. */
static inline size_t size_arg(uint8_t a)
{
	return a < 0xc0 ? a : (size_t)(a - 0xc0) * 68 + 0xc0;
}

#endif
