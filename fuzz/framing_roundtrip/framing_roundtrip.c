/*
 * Fuzz target: encode -> cut -> decode through the framing codec
 * (impl/framing): the messages that go in come out, in order, none lost,
 * none invented, whatever the chunking.
 *
 * Input:
 *   byte 0   largest chunk, 2^(b0 % 13) bytes (0 = whole stream at once)
 *   byte 1   seed of the chunk sizes
 *   byte 2   bit 0 set: the stream ends early, at a point the seed picks
 *            (a writer that died mid-frame)
 *   then messages, each: type (1 byte), flags (2, LE), length (2, LE,
 *   taken modulo IPCCONF_FRAME_MAX_PAYLOAD + 1), and payload bytes from
 *   the input; when the input runs out the payload is padded with a fill
 *   byte, so a few input bytes can describe a maximal message.
 * Bounded for speed (runs per second find bugs): at most STREAM_MAX bytes
 * of frames and MAX_CUTS chunks, the last chunk taking the rest.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "impl/framing/framing.h"

#define STREAM_MAX (16u * 1024u) /* four maximal frames */
#define MSGS_MAX 64u
#define MAX_CUTS 64u

struct msg {
	uint8_t type;
	uint16_t flags;
	uint32_t len;
	const uint8_t *payload; /* into `payloads` */
	size_t end;             /* stream offset just past this message's frame */
};

static struct msg msgs[MSGS_MAX];
static uint8_t payloads[STREAM_MAX];
static uint8_t stream[STREAM_MAX];
static struct ipcconf_frame_decoder dec;

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Builds and encodes the messages the input describes; returns how many. */
static size_t build(const uint8_t *in, size_t n, size_t *stream_len)
{
	size_t count = 0, used = 0, slen = 0;

	while (n >= 5 && count < MSGS_MAX) {
		struct msg *m = &msgs[count];
		uint32_t len = (uint32_t)(in[3] | in[4] << 8) % (IPCCONF_FRAME_MAX_PAYLOAD + 1);
		size_t from_input = n - 5 < len ? n - 5 : len;
		uint8_t *p = payloads + used;
		int r;

		if (slen + IPCCONF_FRAME_SIZE(len) > STREAM_MAX)
			break;
		m->type = in[0];
		m->flags = (uint16_t)(in[1] | in[2] << 8);
		m->len = len;
		m->payload = p;
		memcpy(p, in + 5, from_input);
		memset(p + from_input, m->type ^ 0x5a, len - from_input);
		in += 5 + from_input;
		n -= 5 + from_input;
		used += len;

		r = ipcconf_frame_encode(stream + slen, STREAM_MAX - slen, m->type, m->flags, p, len);
		FUZZ_CHECK(r == (int)IPCCONF_FRAME_SIZE(len));
		FUZZ_CHECK(memcmp(stream + slen + IPCCONF_FRAME_HEADER_SIZE, p, len) == 0);
		slen += (size_t)r;
		m->end = slen;
		count++;
	}
	*stream_len = slen;
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t max_chunk, seed;
	size_t nmsgs, slen, cut, off = 0, got = 0, want = 0, used, cuts = 0;
	struct ipcconf_frame f;
	int r = IPCCONF_FRAME_NEED_MORE, at_boundary;

	if (size < 3)
		return 0;
	max_chunk = data[0] == 0 ? 0 : 1u << (data[0] % 13);
	seed = 0x9e3779b9u ^ data[1];
	nmsgs = build(data + 3, size - 3, &slen);
	cut = (data[2] & 1) ? xorshift(&seed) % (slen + 1) : slen;

	ipcconf_frame_decoder_reset(&dec);
	while (off < cut) {
		size_t chunk = cut - off;

		if (max_chunk != 0 && ++cuts < MAX_CUTS)
			chunk = 1 + xorshift(&seed) % max_chunk;
		if (chunk > cut - off)
			chunk = cut - off;
		for (size_t pos = 0; pos < chunk; pos += used) {
			r = ipcconf_frame_decode(&dec, stream + off + pos, chunk - pos, &used, &f);
			FUZZ_CHECK(r == IPCCONF_FRAME_READY || r == IPCCONF_FRAME_NEED_MORE);
			if (r != IPCCONF_FRAME_READY)
				continue; /* NEED_MORE took the rest of the chunk */
			FUZZ_CHECK(got < nmsgs);
			/* In order: the frame completes exactly where its message ends. */
			FUZZ_CHECK(off + pos + used == msgs[got].end);
			FUZZ_CHECK(f.type == msgs[got].type);
			FUZZ_CHECK(f.flags == msgs[got].flags);
			FUZZ_CHECK(f.length == msgs[got].len);
			FUZZ_CHECK(memcmp(f.payload, msgs[got].payload, f.length) == 0);
			got++;
		}
		off += chunk;
	}

	/* Every message wholly before the cut came out; a cut inside a frame is reported. */
	at_boundary = cut == 0;
	for (size_t i = 0; i < nmsgs && msgs[i].end <= cut; i++) {
		want++;
		at_boundary |= msgs[i].end == cut;
	}
	FUZZ_CHECK(got == want);
	FUZZ_CHECK(ipcconf_frame_finish(&dec) == (at_boundary ? 0 : IPCCONF_FRAME_ETRUNCATED));
	return 0;
}
