/*
 * framing_int.h -- internals shared by the codec's source files and its
 * tests.  Not part of the public interface (framing.h).
 */
#ifndef IPCCONF_IMPL_FRAMING_FRAMING_INT_H
#define IPCCONF_IMPL_FRAMING_FRAMING_INT_H

#include <stddef.h>
#include <stdint.h>

/* Header field offsets; framing.h documents the layout. */
enum {
	FRAME_OFF_MAGIC = 0,
	FRAME_OFF_VERSION = 4,
	FRAME_OFF_TYPE = 5,
	FRAME_OFF_FLAGS = 6,
	FRAME_OFF_LENGTH = 8,
	FRAME_OFF_CRC = 12,
};

/*
 * Little-endian access, one byte at a time: independent of the host's byte
 * order and of the alignment of p (stream buffers are not aligned).
 */
static inline uint16_t frame_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t frame_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void frame_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void frame_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * For pure arithmetic loops (the CRC): coverage-guided fuzzers gain nothing
 * from edges and comparisons inside them, and their callbacks would cost
 * more than the loop itself.  Only clang knows the "coverage" sanitizer
 * name (gcc warns about it), and it only matters in instrumented builds.
 */
#if defined(__clang__)
#define FRAME_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FRAME_NO_COVERAGE
#endif

/*
 * CRC-32C, chainable the zlib way: ipcconf_crc32c(0, p, n) is the CRC of
 * p[0..n), and ipcconf_crc32c(ipcconf_crc32c(0, a, n), b, m) that of a then b.
 */
uint32_t ipcconf_crc32c(uint32_t crc, const void *p, size_t n);

/* The same, always by table lookup: what ipcconf_crc32c() falls back to. */
uint32_t ipcconf_crc32c_portable(uint32_t crc, const void *p, size_t n);

/* The CRC a frame's header (bytes 0..11, already written) and payload must carry. */
uint32_t ipcconf_frame_checksum(const uint8_t *header, const uint8_t *payload, uint32_t len);

#endif
