/*
 * frame_ref.h -- a reference parser of the framing wire format, the oracle
 * the framing fuzz targets judge impl/framing by.
 *
 * Written from the format's documentation (the "WIRE FORMAT (version 1)"
 * and "ERRORS" sections of impl/framing/framing.h), not from the code: it
 * includes nothing from impl/framing, restates the constants below, and
 * checks the checksum with its own CRC (crc32c_ref.h).  Unlike the
 * decoder it is not incremental: it looks at a whole stream (or what is
 * left of one) and says what its first frame is, or why there is none.
 *
 * What the documentation fixes, and this parser therefore decides:
 *   - a frame is a 16-byte header and N payload bytes; fields
 *     little-endian: magic "IPCF" (0..3), version 1 (4), type (5),
 *     flags (6..7), N (8..11), CRC-32C of bytes 0..11 then the payload
 *     (12..15);
 *   - N is at most 4096 - 16 = 4080 (a whole frame fits in 4096 bytes);
 *   - the fields are judged in wire order, each as soon as its last byte
 *     is there: the magic byte by byte, then the version, then the
 *     length, then (whole frame in) the checksum.  So a stream that ends
 *     after "IX" has a bad magic, not a truncated frame, and one that
 *     ends inside an otherwise sound header or payload is truncated;
 *   - the first error ends the stream: nothing after it is looked at.
 *
 * Header-only, as crc32c_ref.h explains.
 */
#ifndef IPCCONF_FUZZ_ORACLE_FRAME_REF_H
#define IPCCONF_FUZZ_ORACLE_FRAME_REF_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz/oracle/crc32c_ref.h"

/* From the documented wire format (framing.h), restated on purpose. */
#define FRAME_REF_HEADER_SIZE 16u
#define FRAME_REF_MAX_SIZE 4096u
#define FRAME_REF_MAX_PAYLOAD (FRAME_REF_MAX_SIZE - FRAME_REF_HEADER_SIZE)
#define FRAME_REF_VERSION 1u
#define FRAME_REF_AT_VERSION 4u
#define FRAME_REF_AT_TYPE 5u
#define FRAME_REF_AT_FLAGS 6u
#define FRAME_REF_AT_LENGTH 8u
#define FRAME_REF_AT_CRC 12u
static const uint8_t frame_ref_magic[4] = {0x49, 0x50, 0x43, 0x46}; /* "IPCF" */

/* What the bytes at the front of a stream are. */
enum frame_ref_verdict {
	FRAME_REF_FRAME,        /* a whole, valid frame (*out describes it) */
	FRAME_REF_END,          /* no bytes: the stream ended on a frame boundary */
	FRAME_REF_BAD_MAGIC,    /* a byte of the magic is wrong */
	FRAME_REF_BAD_VERSION,  /* magic right, version byte not 1 */
	FRAME_REF_TOO_BIG,      /* magic and version right, N above the maximum */
	FRAME_REF_BAD_CHECKSUM, /* a whole frame whose CRC field does not match */
	FRAME_REF_TRUNCATED,    /* the bytes end inside a frame that is sound so far */
};

struct frame_ref {
	uint8_t type;
	uint16_t flags;
	uint32_t length;        /* N */
	const uint8_t *payload; /* into the parsed bytes */
	size_t size;            /* header and payload: where the next frame starts */
};

static inline uint32_t frame_ref_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The CRC a frame must carry: over header bytes 0..11, then the payload. */
static inline uint32_t frame_ref_checksum(const uint8_t *frame, uint32_t length)
{
	uint32_t reg = crc32c_ref(CRC32C_REF_INIT, frame, FRAME_REF_AT_CRC);

	reg = crc32c_ref(reg, frame + FRAME_REF_HEADER_SIZE, length);
	return CRC32C_REF_FINAL(reg);
}

/* Judges the front of p[0..n); fills *out only for FRAME_REF_FRAME. */
static inline enum frame_ref_verdict frame_ref_parse(const uint8_t *p, size_t n,
						     struct frame_ref *out)
{
	uint32_t length;

	if (n == 0)
		return FRAME_REF_END;
	for (size_t i = 0; i < sizeof frame_ref_magic; i++) {
		if (i == n)
			return FRAME_REF_TRUNCATED;
		if (p[i] != frame_ref_magic[i])
			return FRAME_REF_BAD_MAGIC;
	}
	if (n <= FRAME_REF_AT_VERSION)
		return FRAME_REF_TRUNCATED;
	if (p[FRAME_REF_AT_VERSION] != FRAME_REF_VERSION)
		return FRAME_REF_BAD_VERSION;
	if (n < FRAME_REF_AT_LENGTH + 4)
		return FRAME_REF_TRUNCATED;
	length = frame_ref_le32(p + FRAME_REF_AT_LENGTH);
	if (length > FRAME_REF_MAX_PAYLOAD)
		return FRAME_REF_TOO_BIG;
	if (n < FRAME_REF_HEADER_SIZE + (size_t)length)
		return FRAME_REF_TRUNCATED;
	if (frame_ref_checksum(p, length) != frame_ref_le32(p + FRAME_REF_AT_CRC))
		return FRAME_REF_BAD_CHECKSUM;
	out->type = p[FRAME_REF_AT_TYPE];
	out->flags = (uint16_t)(p[FRAME_REF_AT_FLAGS] | p[FRAME_REF_AT_FLAGS + 1] << 8);
	out->length = length;
	out->payload = p + FRAME_REF_HEADER_SIZE;
	out->size = FRAME_REF_HEADER_SIZE + (size_t)length;
	return FRAME_REF_FRAME;
}

#endif
