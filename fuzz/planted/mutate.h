/*
 * mutate.h -- every single mutation of a fuzz input, numbered, for the
 * planted-bug depth check (fuzz/planted-bug-check).
 *
 * A planted bug must be at least three mutations away from every
 * committed input of its target: no input reached by one mutation, nor
 * (in a large random sample) by two, may trigger it.  Two sets of
 * mutations are numbered:
 *
 * MUT_BRIEF, what the distance requirement names:
 *   - flip one bit;
 *   - set one byte to an interesting value (AFL++'s: -128, -1, 0, 1, 16,
 *     32, 64, 100, 127);
 *   - delete 1..8 bytes;
 *   - insert 1, 2, 4 or 8 copies of an interesting byte, or a copy of the
 *     1..8 bytes that follow (an op of a script-like input repeated).
 *
 * MUT_EXTENDED, the brief set and the rest of what libFuzzer and AFL++ do
 * in one step:
 *   - set one byte to any other value;
 *   - set a 16- or 32-bit word (either byte order) to an interesting value;
 *   - add or subtract 1..35 to a 16- or 32-bit word (either byte order);
 *   - delete 9..16 bytes; insert one byte of any value;
 *   - insert, or write over, a copy of 1..8 of the input's bytes taken
 *     from anywhere (inputs of at most DUP_ALL_MAX bytes; longer ones
 *     only from the same place);
 *   - truncate;
 *   - insert, or write over, a dictionary token.
 *
 * The mutations of an n-byte input are numbered 0 .. mut_count() - 1 in a
 * fixed order, so that a mutation is named (and a finding reproduced) by
 * its number alone.
 */
#ifndef IPCCONF_FUZZ_PLANTED_MUTATE_H
#define IPCCONF_FUZZ_PLANTED_MUTATE_H

#include <stddef.h>
#include <stdint.h>

/* Inputs up to this size get copies from anywhere to anywhere (n * n * 8 of them). */
#define DUP_ALL_MAX 128u
/* The longest a mutation makes an input: n + MUT_GROWTH at most. */
#define MUT_GROWTH 64u

/* A dictionary: tokens as libFuzzer's -dict= and AFL++'s -x read them. */
struct mut_dict {
	size_t count;
	const uint8_t **tok;
	const size_t *len;
};

enum mut_set { MUT_BRIEF, MUT_EXTENDED };

/* How many single mutations of the set an n-byte input has. */
size_t mut_count(size_t n, const struct mut_dict *dict, enum mut_set set);

/*
 * Applies mutation number idx (< mut_count(n, dict, set)) of the set to in[0..n), writing
 * the result to out (room for n + MUT_GROWTH bytes); returns its length.
 * When desc is not NULL, a short description goes there ("flip bit 3 of
 * byte 17").
 */
size_t mut_apply(size_t idx, const uint8_t *in, size_t n, uint8_t *out,
		 const struct mut_dict *dict, enum mut_set set, char *desc, size_t desc_len);

/*
 * Parses a dictionary file's text (lines name="value" or "value", with
 * \xNN, \\ and \" escapes; # comments) into d; the token bytes are stored
 * in `text` itself, overwriting it.  Returns 0, or -1 with *bad_line set.
 */
int mut_dict_parse(char *text, struct mut_dict *d, unsigned *bad_line);

/* Frees what mut_dict_parse() allocated (not the text). */
void mut_dict_free(struct mut_dict *d);

#endif
