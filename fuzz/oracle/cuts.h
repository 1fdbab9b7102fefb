/*
 * cuts.h -- fuzzer-chosen cut points for targets that feed a byte stream
 * in pieces (the framing targets), and the small input reader they use.
 *
 * A cut list in the input: one byte, the number of cuts c (taken modulo
 * max + 1), then c chunk lengths of 2 bytes each, little-endian -- each
 * the distance of a cut from the previous one.  The stream is fed as
 * chunks of those lengths (each clamped to what is left; 0 is a call with
 * no bytes), then whatever is left in one last piece.  So c = 0 feeds the
 * stream whole, sixteen 1s feed a header byte by byte, and the fuzzer can
 * put a cut at any offset it likes by mutating two bytes, instead of
 * hoping that a seed makes a generator land there.
 *
 * Bytes beyond the end of the input read as 0.  Header-only, as
 * crc32c_ref.h explains.
 */
#ifndef IPCCONF_FUZZ_ORACLE_CUTS_H
#define IPCCONF_FUZZ_ORACLE_CUTS_H

#include <stddef.h>
#include <stdint.h>

/* A fuzz input, read front to back. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_in_u8(struct fuzz_in *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_in_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_in_u8(in);

	return (uint16_t)(lo | fuzz_in_u8(in) << 8);
}

#define CUTS_MAX 32u

struct cuts {
	uint16_t len[CUTS_MAX];
	unsigned count; /* chunk lengths read */
	unsigned next;  /* the next one to hand out */
};

/* Reads a cut list of at most `max` (<= CUTS_MAX) cuts from the input. */
static inline void cuts_read(struct cuts *c, struct fuzz_in *in, unsigned max)
{
	c->count = fuzz_in_u8(in) % (max + 1);
	c->next = 0;
	for (unsigned i = 0; i < c->count; i++)
		c->len[i] = fuzz_in_u16(in);
}

/* The size of the next piece when `left` bytes of the stream remain. */
static inline size_t cuts_next(struct cuts *c, size_t left)
{
	size_t n;

	if (c->next == c->count)
		return left;
	n = c->len[c->next++];
	return n < left ? n : left;
}

#endif
