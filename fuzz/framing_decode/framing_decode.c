/*
 * Fuzz target: the framing decoder (impl/framing) against arbitrary bytes
 * arriving in arbitrary chunks, as from a pipe or a socket, judged by an
 * independent oracle.
 *
 * Input: a cut list (fuzz/oracle/cuts.h: a count byte, taken modulo
 * MAX_CUTS + 1, then that many 2-byte chunk lengths), then the stream.
 * The stream is fed in chunks of those lengths and the rest in one last
 * call; no cuts feed it whole.  The fuzzer picks every cut itself.
 *
 * The oracle is fuzz/oracle/frame_ref.h, a parser written from the
 * documented wire format with its own CRC-32C; it shares no code with the
 * decoder, so a bug in the decoder's checksum (or in the encoder's, since
 * nothing here encodes) cannot hide by moving both sides of the check.
 * Checked, beyond "no crash" and the sanitizers:
 *  - every frame the decoder returns is the oracle's next frame: it ends
 *    where the oracle says, with the same type, flags, length and payload;
 *  - the decoder stops exactly where the oracle does: with the same error
 *    class (bad magic, version, too big, checksum: the documentation fixes
 *    which, field by field in wire order), or, at the end of the input,
 *    cleanly (0) or truncated, as the oracle says;
 *  - the decode() contract: consumed <= offered, NEED_MORE takes
 *    everything, errors stick and consume nothing.
 * Chunking therefore changes nothing either: every chunking must give the
 * oracle's answer, which depends on the bytes alone.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/oracle/cuts.h"
#include "fuzz/oracle/frame_ref.h"
#include "impl/framing/framing.h"

#define MAX_CUTS 16

/*
 * A global, not stack or heap per run: a decoder is 4 KiB and allocating
 * it each run costs throughput; ASan still puts redzones around globals.
 */
static struct ipcconf_frame_decoder dec;

/* The decoder's status code for each of the oracle's verdicts that end a stream. */
static int expected_status(enum frame_ref_verdict v)
{
	switch (v) {
	case FRAME_REF_END: return 0;
	case FRAME_REF_BAD_MAGIC: return IPCCONF_FRAME_EMAGIC;
	case FRAME_REF_BAD_VERSION: return IPCCONF_FRAME_EVERSION;
	case FRAME_REF_TOO_BIG: return IPCCONF_FRAME_ETOOBIG;
	case FRAME_REF_BAD_CHECKSUM: return IPCCONF_FRAME_ECHECKSUM;
	case FRAME_REF_TRUNCATED: return IPCCONF_FRAME_ETRUNCATED;
	case FRAME_REF_FRAME: break;
	}
	return 1; /* FRAME_REF_FRAME: a frame, never a final status */
}

/*
 * The decoder returned frame f, ending at stream offset `end`; *at is
 * where the oracle's next frame starts.  They must be the same frame.
 */
static void check_frame(const uint8_t *stream, size_t len, size_t *at, size_t end,
			const struct ipcconf_frame *f)
{
	struct frame_ref want;

	FUZZ_CHECK(frame_ref_parse(stream + *at, len - *at, &want) == FRAME_REF_FRAME);
	FUZZ_CHECK(end == *at + want.size);
	FUZZ_CHECK(f->type == want.type);
	FUZZ_CHECK(f->flags == want.flags);
	FUZZ_CHECK(f->length == want.length);
	FUZZ_CHECK(memcmp(f->payload, want.payload, want.length) == 0);
	*at = end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct ipcconf_frame f;
	struct frame_ref rest;
	struct cuts cuts;
	const uint8_t *stream;
	size_t len, off = 0, at = 0, used;
	int r = IPCCONF_FRAME_NEED_MORE, status;

	cuts_read(&cuts, &in, MAX_CUTS);
	stream = in.p;
	len = in.left;

	ipcconf_frame_decoder_reset(&dec);
	while (off < len && r >= 0) {
		size_t chunk = cuts_next(&cuts, len - off), pos = 0;

		/* Drain the chunk: each call stops after at most one frame. */
		do {
			r = ipcconf_frame_decode(&dec, stream + off + pos, chunk - pos, &used, &f);
			FUZZ_CHECK(r == IPCCONF_FRAME_READY || r == IPCCONF_FRAME_NEED_MORE || r < 0);
			FUZZ_CHECK(used <= chunk - pos);
			pos += used;
			if (r == IPCCONF_FRAME_READY)
				check_frame(stream, len, &at, off + pos, &f);
			else if (r == IPCCONF_FRAME_NEED_MORE)
				FUZZ_CHECK(pos == chunk);
		} while (r == IPCCONF_FRAME_READY && pos < chunk);
		off += pos;
	}
	status = r < 0 ? r : ipcconf_frame_finish(&dec);

	/* Where the decoder stopped, the oracle stops too, for the same reason. */
	FUZZ_CHECK(status == expected_status(frame_ref_parse(stream + at, len - at, &rest)));
	if (status < 0) {
		/* Sticky: the same error again, and nothing consumed. */
		FUZZ_CHECK(ipcconf_frame_decode(&dec, stream, len, &used, &f) == status);
		FUZZ_CHECK(used == 0);
		FUZZ_CHECK(ipcconf_frame_finish(&dec) == status);
	}
	return 0;
}
