/*
 * input_cursor.h -- reads a fuzz input front to back; past its end every
 * read is 0, so that any prefix of an input is an input too.
 */
#ifndef IPCCONF_FUZZ_INPUT_CURSOR_H
#define IPCCONF_FUZZ_INPUT_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t take8(struct cursor *c)
{
	if (c->left == 0)
		return 0;
	c->left--;
	return *c->p++;
}

/* `bytes` bytes, little-endian. */
static inline uint64_t take(struct cursor *c, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)take8(c) << (8 * i);
	return v;
}

#endif /* IPCCONF_FUZZ_INPUT_CURSOR_H */
