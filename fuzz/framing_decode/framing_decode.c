/*
 * Fuzz target: the framing decoder (impl/framing) against arbitrary bytes
 * arriving in arbitrary chunks, as from a pipe or a socket.
 *
 * Input: byte 0 picks the largest chunk (2^(b0 % 13) bytes, 0 = whole
 * stream in one call), byte 1 seeds the chunk sizes; the rest is the stream.
 * At most MAX_CUTS chunks, the last one taking the rest: byte-at-a-time
 * over a 4 KiB stream would cost 4096 calls a run, and runs per second
 * are what finds bugs.  Short streams are still fed one byte at a time
 * (the unit tests do it for long ones).
 *
 * Checked, beyond "no crash" and the sanitizers:
 *  - chunking changes nothing: the chunked decode returns the same frames
 *    and ends with the same status as one call over the whole stream;
 *  - nothing is invented or skipped: frame k is exactly the stream bytes
 *    following frame k-1, and re-encoding it reproduces those bytes;
 *  - the decode() contract: consumed <= offered, NEED_MORE takes
 *    everything, errors stick.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "impl/framing/framing.h"

/*
 * Globals, not stack or heap per run: a decoder is 4 KiB and allocating it
 * each run costs throughput; ASan still puts redzones around globals.
 */
static struct ipcconf_frame_decoder dec;
static uint8_t reencoded[IPCCONF_FRAME_MAX_SIZE];

struct outcome {
	size_t frames;
	size_t end;  /* stream offset just past the last frame */
	int status;  /* final: 0 (clean end) or the error */
};

#define MAX_CUTS 16

/* Chunk sizes: xorshift32, deterministic in the two control bytes. */
struct chunker {
	uint32_t state;
	uint32_t max;  /* largest chunk; 0 = no cuts */
	uint32_t cuts; /* chunks handed out so far */
};

static size_t next_chunk(struct chunker *c, size_t left)
{
	size_t n;

	if (c->max == 0 || ++c->cuts >= MAX_CUTS)
		return left;
	c->state ^= c->state << 13;
	c->state ^= c->state >> 17;
	c->state ^= c->state << 5;
	n = 1 + c->state % c->max;
	return n < left ? n : left;
}

/* A frame just came out, ending at stream offset `end`: check it. */
static void check_frame(const uint8_t *stream, const struct outcome *o, size_t end,
                        const struct ipcconf_frame *f)
{
	size_t size = IPCCONF_FRAME_SIZE((size_t)f->length);
	int n;

	FUZZ_CHECK(f->length <= IPCCONF_FRAME_MAX_PAYLOAD);
	FUZZ_CHECK(end == o->end + size);
	n = ipcconf_frame_encode(reencoded, sizeof reencoded, f->type, f->flags, f->payload,
	                         f->length);
	FUZZ_CHECK(n == (int)size);
	FUZZ_CHECK(memcmp(reencoded, stream + o->end, size) == 0);
}

static struct outcome decode(const uint8_t *stream, size_t len, struct chunker *c)
{
	struct outcome o = {0, 0, 0};
	struct ipcconf_frame f;
	size_t off = 0, used;
	int r = IPCCONF_FRAME_NEED_MORE;

	ipcconf_frame_decoder_reset(&dec);
	while (off < len && r >= 0) {
		size_t chunk = next_chunk(c, len - off), pos = 0;

		/* Drain the chunk: each call stops after at most one frame. */
		do {
			r = ipcconf_frame_decode(&dec, stream + off + pos, chunk - pos, &used, &f);
			FUZZ_CHECK(used <= chunk - pos);
			pos += used;
			if (r == IPCCONF_FRAME_READY) {
				check_frame(stream, &o, off + pos, &f);
				o.frames++;
				o.end = off + pos;
			} else if (r == IPCCONF_FRAME_NEED_MORE) {
				FUZZ_CHECK(pos == chunk);
			}
		} while (r == IPCCONF_FRAME_READY && pos < chunk);
		off += pos;
	}
	o.status = r < 0 ? r : ipcconf_frame_finish(&dec);
	if (o.status < 0) {
		/* Sticky: the same error again, and nothing consumed. */
		FUZZ_CHECK(ipcconf_frame_decode(&dec, stream, len, &used, &f) == o.status);
		FUZZ_CHECK(used == 0);
		FUZZ_CHECK(ipcconf_frame_finish(&dec) == o.status);
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunker whole = {0, 0, 0}, chunked = {0, 0, 0};
	struct outcome a, b;

	if (size < 2)
		return 0;
	chunked.max = data[0] == 0 ? 0 : 1u << (data[0] % 13);
	chunked.state = 0x9e3779b9u ^ data[1];
	data += 2;
	size -= 2;

	a = decode(data, size, &whole);
	b = decode(data, size, &chunked);
	FUZZ_CHECK(a.frames == b.frames);
	FUZZ_CHECK(a.end == b.end);
	FUZZ_CHECK(a.status == b.status);
	/* A clean end means every byte belonged to a returned frame. */
	FUZZ_CHECK(a.status != 0 || a.end == size);
	return 0;
}
