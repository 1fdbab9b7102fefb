/*
 * Writes framing_roundtrip's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/framing_roundtrip:make_corpus -- $PWD/fuzz/framing_roundtrip/corpus
 * The input format is described at the top of framing_roundtrip.c; the
 * seeds put cuts and early ends inside the fields of a frame.
 */
#include <stdint.h>
#include <stdio.h>

static uint8_t buf[4096];
static size_t len;
static const char *dir;

static void put16(uint16_t v)
{
	buf[len++] = (uint8_t)v;
	buf[len++] = (uint8_t)(v >> 8);
}

/*
 * A new input: the stream ends at `end` when `early`, and is fed in
 * chunks of the n given lengths (a cut list, fuzz/oracle/cuts.h).
 */
static void start(int early, uint16_t end, size_t n, const uint16_t *chunks)
{
	len = 0;
	buf[len++] = (uint8_t)(early ? 1 : 0);
	put16(end);
	buf[len++] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		put16(chunks[i]);
}

#define WHOLE(early, end) start(early, end, 0, NULL)
#define CUT(early, end, ...)                                                     \
	do {                                                                     \
		static const uint16_t chunks_[] = {__VA_ARGS__};                 \
		start(early, end, sizeof chunks_ / sizeof chunks_[0], chunks_);  \
	} while (0)

/*
 * A message of n payload bytes, `given` of them in the input.  Only the
 * last message of an input may have given < n (the harness pads it);
 * otherwise the next message's bytes would become its payload.
 */
static void message(uint8_t type, uint16_t flags, uint16_t n, uint16_t given)
{
	buf[len++] = type;
	put16(flags);
	put16(n);
	for (uint16_t i = 0; i < given; i++)
		buf[len++] = (uint8_t)('a' + i % 26);
}

static int save(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];

	WHOLE(0, 0);
	message(1, 0, 5, 5);
	rc |= save("one-message");
	/* Three empty frames, each header byte by byte. */
	CUT(0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	    1, 1, 1, 1, 1, 1);
	message(0, 0, 0, 0);
	message(0, 0, 0, 0);
	message(0xff, 0xffff, 0, 0);
	rc |= save("empty-messages-bytewise");
	/* Cuts inside magic, version, length, CRC and payload; an empty chunk. */
	CUT(0, 0, 2, 3, 0, 4, 5, 6, 17, 1, 30);
	message(1, 1, 3, 3);
	message(2, 0x100, 40, 40);
	message(3, 0x8000, 1, 1);
	rc |= save("mixed-cuts-inside-fields");
	CUT(0, 0, 2048);
	message(42, 7, 4080, 3);
	rc |= save("max-message-cut-in-payload");
	/* Ends inside the second frame's payload (116 + 16 + 1000). */
	CUT(1, 1132, 100, 100);
	message(1, 0, 100, 100);
	message(2, 0, 4080, 0);
	rc |= save("max-message-ends-early");
	/* Ends inside the sixth frame's header. */
	CUT(1, 100, 7, 9, 11, 13);
	for (int i = 0; i < 20; i++)
		message((uint8_t)i, (uint16_t)(i * 257), (uint16_t)(i % 11), (uint16_t)(i % 11));
	rc |= save("twenty-messages-end-in-header");
	return rc;
}
