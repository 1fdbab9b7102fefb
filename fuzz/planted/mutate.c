/*
 * The numbered single mutations of mutate.h.  Each kind of mutation is a
 * block of numbers; within a block the number picks the place and the
 * value, so that enumerating 0 .. mut_count() - 1 tries every one once.
 */
#include "fuzz/planted/mutate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AFL++'s interesting values (include/config.h), each width holding the narrower ones. */
static const int8_t interesting8[] = { -128, -1, 0, 1, 16, 32, 64, 100, 127 };
static const int16_t interesting16[] = { -128, -1, 0, 1, 16, 32, 64, 100, 127,
					 -32768, -129, 128, 255, 256, 512, 1000, 1024,
					 4096, 32767 };
static const int32_t interesting32[] = { -128, -1, 0, 1, 16, 32, 64, 100, 127,
					 -32768, -129, 128, 255, 256, 512, 1000, 1024,
					 4096, 32767, INT32_MIN, -100663046, -32769, 32768,
					 65535, 65536, 100663045, INT32_MAX };

#define N8 (sizeof interesting8 / sizeof interesting8[0])
#define N16 (sizeof interesting16 / sizeof interesting16[0])
#define N32 (sizeof interesting32 / sizeof interesting32[0])
#define ARITH_MAX 35u  /* AFL++'s ARITH_MAX: +-1..35 */
#define SMALL_MAX 8u   /* the brief set's deletions and duplications: 1..8 bytes */
#define DEL_MAX 16u    /* the extended set's deletions go on to 16 */
#define COPY_MAX 8u
static const size_t run_lengths[] = { 1, 2, 4, 8 };
#define NRUNS (sizeof run_lengths / sizeof run_lengths[0])

enum kind {
	/* The brief set. */
	FLIP,
	SET8_INTERESTING,
	DELETE_SMALL,
	INSERT_RUN,
	INSERT_DUP,
	BRIEF_END,
	/* The extended set adds these. */
	SET8 = BRIEF_END,
	SET16,
	SET32,
	ARITH16,
	ARITH32,
	DELETE_MORE,
	INSERT_BYTE,
	INSERT_COPY,
	OVERWRITE_COPY,
	TRUNCATE,
	DICT_INSERT,
	DICT_OVERWRITE,
	KINDS
};

/* Words of `width` bytes that fit in n bytes. */
static size_t words(size_t n, size_t width)
{
	return n >= width ? n - width + 1 : 0;
}

static size_t kind_count(enum kind k, size_t n, const struct mut_dict *d)
{
	size_t ntok = d != NULL ? d->count : 0;

	switch (k) {
	case FLIP: return 8 * n;
	case SET8_INTERESTING: return N8 * n;
	case DELETE_SMALL: return n * SMALL_MAX;
	case INSERT_RUN: return (n + 1) * N8 * NRUNS;
	case INSERT_DUP: return n * SMALL_MAX;
	case SET8: return 255 * n;
	case SET16: return words(n, 2) * N16 * 2;
	case SET32: return words(n, 4) * N32 * 2;
	case ARITH16: return words(n, 2) * 2 * ARITH_MAX * 2;
	case ARITH32: return words(n, 4) * 2 * ARITH_MAX * 2;
	case DELETE_MORE: return n * (DEL_MAX - SMALL_MAX);
	case INSERT_BYTE: return (n + 1) * 256;
	case INSERT_COPY: return n <= DUP_ALL_MAX ? (n + 1) * n * COPY_MAX : 0;
	case OVERWRITE_COPY: return n <= DUP_ALL_MAX ? n * n * COPY_MAX : 0;
	case TRUNCATE: return n;
	case DICT_INSERT: return (n + 1) * ntok;
	case DICT_OVERWRITE: return n * ntok;
	case KINDS: break;
	}
	return 0;
}

static enum kind last_kind(enum mut_set set)
{
	return set == MUT_BRIEF ? BRIEF_END : KINDS;
}

size_t mut_count(size_t n, const struct mut_dict *dict, enum mut_set set)
{
	size_t total = 0;

	for (int k = 0; k < (int)last_kind(set); k++)
		total += kind_count((enum kind)k, n, dict);
	return total;
}

static void put_word(uint8_t *p, size_t width, uint32_t v, int big_endian)
{
	for (size_t i = 0; i < width; i++) {
		size_t shift = 8 * (big_endian ? width - 1 - i : i);

		p[i] = (uint8_t)(v >> shift);
	}
}

static uint32_t get_word(const uint8_t *p, size_t width, int big_endian)
{
	uint32_t v = 0;

	for (size_t i = 0; i < width; i++) {
		size_t shift = 8 * (big_endian ? width - 1 - i : i);

		v |= (uint32_t)p[i] << shift;
	}
	return v;
}

/* out = in with `len` bytes from src inserted at `at`. */
static size_t insert(const uint8_t *in, size_t n, size_t at, const uint8_t *src, size_t len,
		     uint8_t *out)
{
	memcpy(out, in, at);
	memmove(out + at, src, len);
	memcpy(out + at + len, in + at, n - at);
	return n + len;
}

/* Clamps a copy of up to `want` bytes from `from` to what in[0..n) holds. */
static size_t copy_len(size_t want, size_t from, size_t n)
{
	return from + want <= n ? want : n - from;
}

/* out = in without `len` bytes at `at` (clamped to the end). */
static size_t delete(const uint8_t *in, size_t n, size_t at, size_t len, uint8_t *out,
		     char *desc, size_t desc_len)
{
	len = copy_len(len, at, n);
	memcpy(out, in, at);
	memcpy(out + at, in + at + len, n - at - len);
	snprintf(desc, desc_len, "delete %zu bytes at %zu", len, at);
	return n - len;
}

size_t mut_apply(size_t idx, const uint8_t *in, size_t n, uint8_t *out,
		 const struct mut_dict *dict, enum mut_set set, char *desc, size_t desc_len)
{
	enum kind k = FLIP;
	char scratch[8];

	if (desc == NULL) {
		desc = scratch;
		desc_len = sizeof scratch;
	}
	while (k < last_kind(set) && idx >= kind_count(k, n, dict)) {
		idx -= kind_count(k, n, dict);
		k++;
	}
	memcpy(out, in, n);
	switch (k == last_kind(set) ? KINDS : k) {
	case FLIP:
		out[idx / 8] ^= (uint8_t)(1u << (idx % 8));
		snprintf(desc, desc_len, "flip bit %zu of byte %zu", idx % 8, idx / 8);
		return n;
	case SET8_INTERESTING:
		out[idx / N8] = (uint8_t)interesting8[idx % N8];
		snprintf(desc, desc_len, "byte %zu = 0x%02x", idx / N8, out[idx / N8]);
		return n;
	case DELETE_SMALL:
		return delete(in, n, idx / SMALL_MAX, idx % SMALL_MAX + 1, out, desc, desc_len);
	case INSERT_RUN: {
		size_t at = idx / (N8 * NRUNS), r = idx % (N8 * NRUNS);
		size_t len = run_lengths[r / N8];
		uint8_t run[8];

		memset(run, (uint8_t)interesting8[r % N8], len);
		snprintf(desc, desc_len, "insert %zu x 0x%02x at %zu", len, run[0], at);
		return insert(in, n, at, run, len, out);
	}
	case INSERT_DUP: {
		size_t at = idx / SMALL_MAX, len = copy_len(idx % SMALL_MAX + 1, at, n);

		snprintf(desc, desc_len, "repeat the %zu bytes at %zu", len, at);
		return insert(in, n, at, in + at, len, out);
	}
	case SET8: {
		size_t at = idx / 255, v = idx % 255;

		/* The 255 values other than the byte's own. */
		out[at] = (uint8_t)(v < in[at] ? v : v + 1);
		snprintf(desc, desc_len, "byte %zu = 0x%02x", at, out[at]);
		return n;
	}
	case SET16:
	case SET32: {
		size_t width = k == SET16 ? 2 : 4, nv = k == SET16 ? N16 : N32;
		size_t at = idx / (nv * 2), v = idx % (nv * 2) / 2;
		int be = (int)(idx % 2);
		uint32_t value = k == SET16 ? (uint32_t)(uint16_t)interesting16[v]
					    : (uint32_t)interesting32[v];

		put_word(out + at, width, value, be);
		snprintf(desc, desc_len, "%zu-bit word at %zu = %d (%s)", width * 8, at,
			 k == SET16 ? interesting16[v] : interesting32[v], be ? "BE" : "LE");
		return n;
	}
	case ARITH16:
	case ARITH32: {
		size_t width = k == ARITH16 ? 2 : 4, per = 2 * ARITH_MAX * 2;
		size_t at = idx / per, r = idx % per;
		int be = (int)(r % 2);
		int32_t delta = (int32_t)(r / 2 % ARITH_MAX + 1) * (r / 2 / ARITH_MAX ? -1 : 1);

		put_word(out + at, width, get_word(in + at, width, be) + (uint32_t)delta, be);
		snprintf(desc, desc_len, "%zu-bit word at %zu %+d (%s)", width * 8, at, delta,
			 be ? "BE" : "LE");
		return n;
	}
	case DELETE_MORE: {
		size_t per = DEL_MAX - SMALL_MAX;

		return delete(in, n, idx / per, SMALL_MAX + 1 + idx % per, out, desc, desc_len);
	}
	case INSERT_BYTE: {
		uint8_t b = (uint8_t)(idx % 256);

		snprintf(desc, desc_len, "insert 0x%02x at %zu", b, idx / 256);
		return insert(in, n, idx / 256, &b, 1, out);
	}
	case INSERT_COPY: {
		size_t at = idx / (n * COPY_MAX), from = idx % (n * COPY_MAX) / COPY_MAX;
		size_t len = copy_len(idx % COPY_MAX + 1, from, n);

		snprintf(desc, desc_len, "insert a copy of %zu bytes from %zu at %zu", len, from, at);
		return insert(in, n, at, in + from, len, out);
	}
	case OVERWRITE_COPY: {
		size_t at = idx / (n * COPY_MAX), from = idx % (n * COPY_MAX) / COPY_MAX;
		size_t len = copy_len(copy_len(idx % COPY_MAX + 1, from, n), at, n);

		memcpy(out + at, in + from, len);
		snprintf(desc, desc_len, "copy %zu bytes from %zu over %zu", len, from, at);
		return n;
	}
	case TRUNCATE:
		snprintf(desc, desc_len, "truncate to %zu bytes", idx);
		return idx;
	case DICT_INSERT:
	case DICT_OVERWRITE: {
		size_t t = idx % dict->count, at = idx / dict->count;
		size_t len = dict->len[t] < MUT_GROWTH ? dict->len[t] : MUT_GROWTH;

		if (k == DICT_INSERT) {
			snprintf(desc, desc_len, "insert token %zu at %zu", t, at);
			return insert(in, n, at, dict->tok[t], len, out);
		}
		memcpy(out + at, dict->tok[t], len);
		snprintf(desc, desc_len, "token %zu over %zu", t, at);
		return at + len > n ? at + len : n;
	}
	case KINDS:
		break;
	}
	snprintf(desc, desc_len, "none");
	return n;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the quoted value starting after the opening quote at *p into dst; NULL on a bad line. */
static uint8_t *unquote(char *p, uint8_t *dst)
{
	while (*p != '"') {
		if (*p == '\0')
			return NULL;
		if (*p != '\\') {
			*dst++ = (uint8_t)*p++;
			continue;
		}
		p++;
		if (*p == '\\' || *p == '"') {
			*dst++ = (uint8_t)*p++;
		} else if (*p == 'x' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
			*dst++ = (uint8_t)(hex(p[1]) << 4 | hex(p[2]));
			p += 3;
		} else {
			return NULL;
		}
	}
	return dst;
}

int mut_dict_parse(char *text, struct mut_dict *d, unsigned *bad_line)
{
	size_t lines = 1;
	const uint8_t **toks;
	size_t *lens;
	unsigned line = 0;
	char *p = text;
	/* Tokens are written back into text: an escape is never shorter than its byte. */
	uint8_t *w = (uint8_t *)text;

	for (const char *c = text; *c != '\0'; c++)
		lines += *c == '\n';
	toks = malloc(lines * sizeof *toks);
	lens = malloc(lines * sizeof *lens);
	*bad_line = 0;
	if (toks == NULL || lens == NULL) {
		free(toks);
		free(lens);
		return -1;
	}
	d->count = 0;
	d->tok = toks;
	d->len = lens;
	while (*p != '\0') {
		char *end = strchr(p, '\n'), *q = p;
		uint8_t *start = w, *stop;

		line++;
		if (end != NULL)
			*end = '\0';
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '\0' && *q != '#') {
			q = strchr(q, '"');
			if (q == NULL || (stop = unquote(q + 1, start)) == NULL) {
				*bad_line = line;
				mut_dict_free(d);
				return -1;
			}
			toks[d->count] = start;
			lens[d->count++] = (size_t)(stop - start);
			w = stop;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

void mut_dict_free(struct mut_dict *d)
{
	free((void *)d->tok);
	free((void *)d->len);
	d->tok = NULL;
	d->len = NULL;
	d->count = 0;
}
