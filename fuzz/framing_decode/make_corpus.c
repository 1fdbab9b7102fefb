/*
 * Writes framing_decode's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/framing_decode:make_corpus -- $PWD/fuzz/framing_decode/corpus
 * Seeds are built with the real encoder, so they follow the current wire
 * format; each starts with a cut list (fuzz/oracle/cuts.h), chosen to put
 * cuts inside the fields where the decoder has to wait for more.
 */
#include <stdio.h>
#include <string.h>

#include "impl/framing/framing.h"

static uint8_t buf[3 * IPCCONF_FRAME_MAX_SIZE];
static uint8_t pattern[IPCCONF_FRAME_MAX_PAYLOAD];
static size_t len;
static const char *dir;

/* A new input whose stream is cut after chunks of the n given lengths. */
static void start(size_t n, const uint16_t *chunks)
{
	buf[0] = (uint8_t)n;
	len = 1;
	for (size_t i = 0; i < n; i++) {
		buf[len++] = (uint8_t)chunks[i];
		buf[len++] = (uint8_t)(chunks[i] >> 8);
	}
}

#define START(...)                                                               \
	do {                                                                     \
		static const uint16_t chunks_[] = {__VA_ARGS__};                 \
		start(sizeof chunks_ / sizeof chunks_[0], chunks_);              \
	} while (0)

static size_t frame(uint8_t type, uint16_t flags, const void *payload, size_t n)
{
	int r = ipcconf_frame_encode(buf + len, sizeof buf - len, type, flags, payload, n);

	if (r < 0) {
		fprintf(stderr, "make_corpus: encode: %s\n", ipcconf_frame_strerror(r));
		return 0;
	}
	len += (size_t)r;
	return len - (size_t)r; /* where the frame starts */
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

static void three_frames(void)
{
	frame(0, 0, NULL, 0);
	frame(2, 0x8001, "hello", 5);
	frame(0xff, 0xffff, pattern, 300);
}

int main(int argc, char **argv)
{
	int rc = 0;
	size_t at;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 8));

	start(0, NULL);
	rc |= save("empty-stream");
	start(0, NULL);
	frame(1, 0, "hello", 5);
	rc |= save("one-frame");
	/* Every header byte alone, then the rest. */
	START(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
	three_frames();
	rc |= save("three-frames-header-bytewise");
	/* Cuts inside the magic, before the version, inside length and CRC, an empty chunk. */
	START(3, 0, 2, 5, 7, 20, 300);
	three_frames();
	rc |= save("three-frames-cut-inside-fields");
	START(4000);
	frame(42, 7, pattern, IPCCONF_FRAME_MAX_PAYLOAD);
	frame(1, 0, "tail", 4);
	rc |= save("max-frame-cut-in-payload");

	START(2);
	at = frame(1, 0, "hello", 5);
	buf[at + 3] = 'X';
	rc |= save("error-bad-magic");
	START(4, 1);
	at = frame(1, 0, "hello", 5);
	buf[at + 4] = 2;
	rc |= save("error-bad-version");
	START(11, 1);
	at = frame(1, 0, "hello", 5);
	buf[at + 9] = 0x10; /* length 0x1005: over the maximum */
	rc |= save("error-too-big");
	START(16);
	at = frame(1, 0, "hello", 5);
	buf[at + 16] ^= 1;
	rc |= save("error-checksum");
	START(21, 8);
	frame(1, 0, "hello", 5);
	frame(1, 0, "world", 5);
	len -= 3;
	rc |= save("error-truncated");
	start(0, NULL);
	frame(1, 0, "hello", 5);
	memcpy(buf + len, "garbage", 7);
	len += 7;
	rc |= save("frame-then-garbage");
	return rc;
}
