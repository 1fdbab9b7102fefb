/*
 * Writes framing_roundtrip's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/framing_roundtrip:make_corpus -- $PWD/fuzz/framing_roundtrip/corpus
 * The input format is described at the top of framing_roundtrip.c.
 */
#include <stdint.h>
#include <stdio.h>

static uint8_t buf[4096];
static size_t len;
static const char *dir;

static void start(uint8_t max_chunk_log2, uint8_t seed, uint8_t cut)
{
	buf[0] = max_chunk_log2;
	buf[1] = seed;
	buf[2] = cut;
	len = 3;
}

/*
 * A message of n payload bytes, `given` of them in the input.  Only the
 * last message of an input may have given < n (the harness pads it);
 * otherwise the next message's bytes would become its payload.
 */
static void message(uint8_t type, uint16_t flags, uint16_t n, uint16_t given)
{
	buf[len++] = type;
	buf[len++] = (uint8_t)flags;
	buf[len++] = (uint8_t)(flags >> 8);
	buf[len++] = (uint8_t)n;
	buf[len++] = (uint8_t)(n >> 8);
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

	start(0, 0, 0);
	message(1, 0, 5, 5);
	rc |= save("one-message");
	start(1, 3, 0);
	message(0, 0, 0, 0);
	message(0, 0, 0, 0);
	message(0xff, 0xffff, 0, 0);
	rc |= save("empty-messages-bytewise");
	start(4, 9, 0);
	message(1, 1, 3, 3);
	message(2, 0x100, 40, 40);
	message(3, 0x8000, 1, 1);
	rc |= save("mixed-small-chunks");
	start(12, 1, 0);
	message(42, 7, 4080, 3);
	rc |= save("max-message");
	start(9, 77, 1);
	message(1, 0, 100, 100);
	message(2, 0, 4080, 0);
	rc |= save("max-message-cut-short");
	start(3, 5, 1);
	for (int i = 0; i < 20; i++)
		message((uint8_t)i, (uint16_t)(i * 257), (uint16_t)(i % 11), (uint16_t)(i % 11));
	rc |= save("twenty-messages-cut-short");
	return rc;
}
