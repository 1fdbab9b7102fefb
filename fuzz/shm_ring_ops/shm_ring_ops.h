/*
 * shm_ring_ops.h -- the input encoding of the shm_ring_ops fuzz target,
 * shared by the harness and make_corpus.c (see shm_ring_ops.c).
 */
#ifndef IPCCONF_FUZZ_SHM_RING_OPS_H
#define IPCCONF_FUZZ_SHM_RING_OPS_H

#include <stddef.h>
#include <stdint.h>

/* Opcode byte: the op is (code & 0x7f) % OP_COUNT; bit 7 is its flag. */
enum op {
	OP_BYTE_TRY_PUSH,   /* flag: all_or_nothing */
	OP_BYTE_TRY_POP,
	OP_BYTE_PUSH,       /* flag: atomic_max = 4096 */
	OP_BYTE_POP,        /* flag: the producer is gone */
	OP_RECORD_TRY_PUSH,
	OP_RECORD_TRY_POP,
	OP_RECORD_PUSH,
	OP_RECORD_POP,      /* flag: the producers are gone */
	OP_RECORD_PEEK,
	OP_SET_CAPACITY,    /* argument: capacity */
	OP_RESET,           /* argument: capacity */
	OP_REINIT,          /* argument: capacity; flag: record mode */
	/*
	 * Typed records: argument a size, then more bytes.  Sixteen ops in all
	 * keeps every older input (regressions/) decoding as it did.
	 */
	OP_RECORD_PUSH_TYPE,        /* + type byte; flag: the blocking call */
	OP_RECORD_POP_SEL,          /* + selector byte (b % 6: ANY, EQ, LE, NE,
				       HIGHEST, none), type byte; flag: TRUNC */
	OP_RECORD_POP_SEL_BLOCKING, /* the same through ring_record_pop_sel() */
	OP_RECORD_PEEK_SEL,         /* + selector byte, type byte */
	OP_COUNT
};

_Static_assert(OP_COUNT == 16, "older inputs decode by (code & 0x7f) % 16");

#define OP_FLAG 0x80

/* The largest size_arg(): beyond the largest data area, to reach -EMSGSIZE. */
#define SIZE_ARG_MAX (63u * 68 + 0xc0)

/* Size argument: 0..191 exactly, then steps of 68 up to SIZE_ARG_MAX. */
static inline size_t size_arg(uint8_t a)
{
	return a < 0xc0 ? a : (size_t)(a - 0xc0) * 68 + 0xc0;
}

/* Capacity argument: 1..4096, which may exceed data_size (-EINVAL). */
static inline uint32_t cap_arg(uint8_t a)
{
	return 1u << (a % 13);
}

/* Type argument: mostly 0..4, so that types repeat; 0xf0.. give 0xfff0..0xffff. */
static inline uint16_t type_arg(uint8_t a)
{
	return a < 0xf0 ? a % 5 : (uint16_t)(0xfff0u | (a & 0x0fu));
}

/* Byte 0, bit 7: the region starts at the lower guard page instead of ending at the upper. */
#define LAYOUT_LOW 0x80

/* Byte 0 of an input: data_size = 64 << (b % 7). */
static inline uint32_t data_size_arg(uint8_t b)
{
	return 64u << (b % 7);
}

#endif
