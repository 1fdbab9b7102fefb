/*
 * Fuzz target: encode -> cut -> decode through the framing codec
 * (impl/framing): the messages that go in come out, in order, none lost,
 * none invented, wherever the stream is cut; and what the encoder writes
 * is the documented format, as an independent oracle reads it.
 *
 * Input:
 *   byte 0     bit 0 set: the stream ends early (a writer that died
 *              mid-frame), at the offset in bytes 1-2
 *   bytes 1-2  that offset, little-endian, taken modulo the stream's
 *              length + 1 (ignored unless bit 0 is set)
 *   then a cut list (fuzz/oracle/cuts.h: a count byte, taken modulo
 *              MAX_CUTS + 1, then that many 2-byte chunk lengths): the
 *              stream is fed to the decoder in chunks of those lengths,
 *              the rest in one last call
 *   then messages, each: type (1 byte), flags (2, LE), length (2, LE,
 *   taken modulo IPCCONF_FRAME_MAX_PAYLOAD + 1), and payload bytes from
 *   the input; when the input runs out the payload is padded with a fill
 *   byte, so a few input bytes can describe a maximal message.
 * Bounded for speed (runs per second find bugs): at most STREAM_MAX bytes
 * of frames.
 *
 * Checked:
 *  - the encoder: each frame it writes is, by the oracle
 *    (fuzz/oracle/frame_ref.h: a parser written from the documented wire
 *    format, with its own CRC-32C), one whole valid frame of exactly the
 *    size it returned, carrying the message's type, flags and payload; a
 *    buffer one byte short is refused (ENOSPC).  Decoding alone could not
 *    see a checksum bug that encoder and decoder share;
 *  - the decoder: every message wholly before the end comes out, in
 *    order, completing exactly where its frame ends, with its type,
 *    flags and payload, and nothing else does; finish() says what the
 *    oracle says of the bytes after the last whole frame: a clean end, or
 *    a truncated frame.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/oracle/cuts.h"
#include "fuzz/oracle/frame_ref.h"
#include "impl/framing/framing.h"

#define STREAM_MAX (16u * 1024u) /* four maximal frames */
#define MSGS_MAX 64u
#define MAX_CUTS 32u

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

/* The oracle reads the frame the encoder just wrote at stream[at..at+n). */
static void check_encoded(size_t at, int n, const struct msg *m)
{
	struct frame_ref f;

	FUZZ_CHECK(frame_ref_parse(stream + at, (size_t)n, &f) == FRAME_REF_FRAME);
	FUZZ_CHECK(f.size == (size_t)n);
	FUZZ_CHECK(f.type == m->type);
	FUZZ_CHECK(f.flags == m->flags);
	FUZZ_CHECK(f.length == m->len);
	FUZZ_CHECK(memcmp(f.payload, m->payload, m->len) == 0);
}

/* Builds and encodes the messages the input describes; returns how many. */
static size_t build(struct fuzz_in *in, size_t *stream_len)
{
	size_t count = 0, used = 0, slen = 0;

	while (in->left >= 5 && count < MSGS_MAX) {
		struct msg *m = &msgs[count];
		uint8_t type = fuzz_in_u8(in);
		uint16_t flags = fuzz_in_u16(in);
		uint32_t len = fuzz_in_u16(in) % (IPCCONF_FRAME_MAX_PAYLOAD + 1);
		size_t from_input = in->left < len ? in->left : len;
		uint8_t *p = payloads + used;
		int r;

		if (slen + IPCCONF_FRAME_SIZE(len) > STREAM_MAX)
			break;
		m->type = type;
		m->flags = flags;
		m->len = len;
		m->payload = p;
		memcpy(p, in->p, from_input);
		memset(p + from_input, type ^ 0x5a, len - from_input);
		in->p += from_input;
		in->left -= from_input;
		used += len;

		r = ipcconf_frame_encode(stream + slen, IPCCONF_FRAME_SIZE(len) - 1, type, flags, p,
					 len);
		FUZZ_CHECK(r == IPCCONF_FRAME_ENOSPC);
		r = ipcconf_frame_encode(stream + slen, STREAM_MAX - slen, type, flags, p, len);
		FUZZ_CHECK(r == (int)IPCCONF_FRAME_SIZE(len));
		check_encoded(slen, r, m);
		slen += (size_t)r;
		m->end = slen;
		count++;
	}
	*stream_len = slen;
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct ipcconf_frame f;
	struct frame_ref rest;
	struct cuts cuts;
	size_t nmsgs, slen, end, off = 0, got = 0, last = 0, used;
	uint8_t mode = fuzz_in_u8(&in);
	uint16_t early_end = fuzz_in_u16(&in);
	int r, want;

	cuts_read(&cuts, &in, MAX_CUTS);
	nmsgs = build(&in, &slen);
	end = (mode & 1) ? early_end % (slen + 1) : slen;

	ipcconf_frame_decoder_reset(&dec);
	while (off < end) {
		size_t chunk = cuts_next(&cuts, end - off), pos = 0;

		do {
			r = ipcconf_frame_decode(&dec, stream + off + pos, chunk - pos, &used, &f);
			FUZZ_CHECK(used <= chunk - pos);
			FUZZ_CHECK(r == IPCCONF_FRAME_READY || r == IPCCONF_FRAME_NEED_MORE);
			pos += used;
			if (r != IPCCONF_FRAME_READY) {
				FUZZ_CHECK(pos == chunk); /* NEED_MORE takes the rest */
				break;
			}
			FUZZ_CHECK(got < nmsgs);
			/* In order: the frame completes exactly where its message ends. */
			FUZZ_CHECK(off + pos == msgs[got].end);
			FUZZ_CHECK(f.type == msgs[got].type);
			FUZZ_CHECK(f.flags == msgs[got].flags);
			FUZZ_CHECK(f.length == msgs[got].len);
			FUZZ_CHECK(memcmp(f.payload, msgs[got].payload, f.length) == 0);
			last = msgs[got].end;
			got++;
		} while (pos < chunk);
		off += chunk;
	}

	/* Every message wholly before the end came out, and no other. */
	FUZZ_CHECK(got == nmsgs || msgs[got].end > end);
	/* After the last whole frame: nothing (a clean end) or a frame cut short. */
	switch (frame_ref_parse(stream + last, end - last, &rest)) {
	case FRAME_REF_END: want = 0; break;
	case FRAME_REF_TRUNCATED: want = IPCCONF_FRAME_ETRUNCATED; break;
	default: want = 1; break; /* a whole frame the decoder did not return */
	}
	FUZZ_CHECK(ipcconf_frame_finish(&dec) == want);
	return 0;
}
