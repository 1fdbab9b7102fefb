/*
 * mutate_test: the numbering of mutate.h covers what it says, once each --
 * every one-bit neighbour and every interesting byte value appear among
 * the brief set's single mutations, every other value of each byte among
 * the extended set's; the extended set starts with the brief set, in the
 * same order; deletions, insertions and truncations give the lengths they
 * name; interesting words land in both byte orders; dictionary tokens are
 * inserted and written over; and the dictionary parser reads escapes and
 * comments as libFuzzer does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/planted/mutate.h"

static int failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "mutate_test: %s:%d: FAIL: %s\n", __FILE__,  \
				__LINE__, #cond);                                    \
			failures++;                                                  \
		}                                                                    \
	} while (0)

static const uint8_t input[] = { 0x00, 0x7f, 0x80, 0xff, 0x12, 0x34 };
#define N sizeof input

/* How many single mutations of the set give exactly `want` (of length wlen). */
static size_t occurrences(const struct mut_dict *d, enum mut_set set, const uint8_t *want,
			  size_t wlen)
{
	uint8_t out[N + MUT_GROWTH];
	size_t hits = 0, count = mut_count(N, d, set);

	for (size_t i = 0; i < count; i++) {
		size_t len = mut_apply(i, input, N, out, d, set, NULL, 0);

		hits += len == wlen && memcmp(out, want, len) == 0;
	}
	return hits;
}

static void every_bit_and_byte(const struct mut_dict *d)
{
	static const uint8_t interesting[] = { 0x80, 0xff, 0, 1, 16, 32, 64, 100, 127 };
	uint8_t want[N];

	for (size_t at = 0; at < N; at++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(want, input, N);
			want[at] ^= (uint8_t)(1u << bit);
			CHECK(occurrences(d, MUT_BRIEF, want, N) >= 1);
		}
		for (size_t i = 0; i < sizeof interesting; i++) {
			memcpy(want, input, N);
			want[at] = interesting[i];
			CHECK(occurrences(d, MUT_BRIEF, want, N) >= 1);
		}
		/* 0x42 is neither interesting nor one bit from any byte of the input. */
		memcpy(want, input, N);
		want[at] = 0x42;
		CHECK(occurrences(d, MUT_BRIEF, want, N) == 0);
		for (unsigned v = 0; v < 256; v++) {
			if (v == input[at])
				continue;
			memcpy(want, input, N);
			want[at] = (uint8_t)v;
			CHECK(occurrences(d, MUT_EXTENDED, want, N) >= 1);
		}
	}
}

static void brief_set_first(const struct mut_dict *d)
{
	uint8_t a[N + MUT_GROWTH], b[N + MUT_GROWTH];
	size_t brief = mut_count(N, d, MUT_BRIEF);

	CHECK(brief > 0 && brief < mut_count(N, d, MUT_EXTENDED));
	for (size_t i = 0; i < brief; i++) {
		size_t la = mut_apply(i, input, N, a, d, MUT_BRIEF, NULL, 0);
		size_t lb = mut_apply(i, input, N, b, d, MUT_EXTENDED, NULL, 0);

		CHECK(la == lb && memcmp(a, b, la) == 0);
	}
}

static void lengths_and_descriptions(const struct mut_dict *d, enum mut_set set,
				     size_t want_shorter)
{
	uint8_t out[N + MUT_GROWTH];
	size_t count = mut_count(N, d, set), shorter = 0, longer = 0;
	char desc[128];

	for (size_t i = 0; i < count; i++) {
		size_t len = mut_apply(i, input, N, out, d, set, desc, sizeof desc);

		CHECK(len <= N + MUT_GROWTH);
		CHECK(desc[0] != '\0' && strcmp(desc, "none") != 0);
		shorter += len < N;
		longer += len > N;
	}
	CHECK(shorter == want_shorter);
	CHECK(longer > 0);
	/* Numbers beyond the last are not mutations. */
	mut_apply(count, input, N, out, d, set, desc, sizeof desc);
	CHECK(strcmp(desc, "none") == 0);
}

static void words_and_tokens(const struct mut_dict *d)
{
	uint8_t le[N], be[N], ins[N + 4], ovr[N], dup[N + 2];

	/* 4096 as a 16-bit word at offset 1, both byte orders. */
	memcpy(le, input, N);
	le[1] = 0x00;
	le[2] = 0x10;
	memcpy(be, input, N);
	be[1] = 0x10;
	be[2] = 0x00;
	CHECK(occurrences(d, MUT_EXTENDED, le, N) >= 1);
	CHECK(occurrences(d, MUT_EXTENDED, be, N) >= 1);
	CHECK(occurrences(d, MUT_BRIEF, le, N) == 0);
	/* Token "AB\xff" inserted at 2, and written over bytes 2..4. */
	memcpy(ins, input, 2);
	memcpy(ins + 2, "AB\xff", 3);
	memcpy(ins + 5, input + 2, N - 2);
	CHECK(occurrences(d, MUT_EXTENDED, ins, N + 3) == 1);
	memcpy(ovr, input, N);
	memcpy(ovr + 2, "AB\xff", 3);
	CHECK(occurrences(d, MUT_EXTENDED, ovr, N) >= 1);
	CHECK(occurrences(d, MUT_BRIEF, ovr, N) == 0);
	/* Bytes 3..4 repeated: in the brief set. */
	memcpy(dup, input, 5);
	memcpy(dup + 5, input + 3, N - 3);
	CHECK(occurrences(d, MUT_BRIEF, dup, N + 2) >= 1);
}

static void dictionary_parsing(void)
{
	char bad_text[] = "# a comment\n"
			  "magic=\"IPCF\"\n"
			  "\n"
			  "\n"
			  "bad_escape=\"\\q\"\n";
	char short_text[] = "x=\"\\x41\"\ny=\"\"";
	char good[] = "# a comment\nmagic=\"IPCF\"\n  \"A\\\\\\\"\\x00\\xFf\"\n";
	struct mut_dict d;
	unsigned bad = 0;

	CHECK(mut_dict_parse(bad_text, &d, &bad) == -1);
	CHECK(bad == 5);
	CHECK(mut_dict_parse(short_text, &d, &bad) == 0);
	CHECK(d.count == 2 && d.len[0] == 1 && d.tok[0][0] == 'A' && d.len[1] == 0);
	mut_dict_free(&d);
	CHECK(mut_dict_parse(good, &d, &bad) == 0);
	CHECK(d.count == 2);
	CHECK(d.len[0] == 4 && memcmp(d.tok[0], "IPCF", 4) == 0);
	CHECK(d.len[1] == 5 && memcmp(d.tok[1], "A\\\"\x00\xff", 5) == 0);
	mut_dict_free(&d);
}

int main(void)
{
	char text[] = "t=\"AB\\xff\"\n";
	struct mut_dict d;
	unsigned bad;

	if (mut_dict_parse(text, &d, &bad) != 0 || d.count != 1) {
		fprintf(stderr, "mutate_test: FAIL: the test's own dictionary\n");
		return 1;
	}
	every_bit_and_byte(&d);
	brief_set_first(&d);
	/* Deletions of 1..8 bytes at each of N places; the extended set adds 9..16, and truncations. */
	lengths_and_descriptions(&d, MUT_BRIEF, N * 8);
	lengths_and_descriptions(&d, MUT_EXTENDED, N * 16 + N);
	words_and_tokens(&d);
	dictionary_parsing();
	mut_dict_free(&d);
	if (failures) {
		fprintf(stderr, "mutate_test: %d check(s) failed\n", failures);
		return 1;
	}
	printf("mutate_test: all checks passed\n");
	return 0;
}
