/*
 * ring_layout.h -- the shared-memory ring's region layout, restated for the
 * fuzz harnesses' oracles from the documentation (impl/ring/ring.h REGION
 * LAYOUT, impl/ring/ring_record.h RECORD LAYOUT), with plain byte accessors.
 *
 * Nothing here comes from impl/ring: an oracle that used the ring's own
 * struct, constants or helpers would move with a bug in them.  If the
 * documented layout changes, this file changes with it, by hand.
 */
#ifndef IPCCONF_FUZZ_RING_LAYOUT_H
#define IPCCONF_FUZZ_RING_LAYOUT_H

#include <stdint.h>
#include <string.h>

/* Identity and geometry values (ring.h). */
#define LAYOUT_MAGIC 0x52435049u
#define LAYOUT_VERSION 1u
#define LAYOUT_MODE_BYTES 1u
#define LAYOUT_MODE_RECORDS 2u
#define LAYOUT_REC_FORMAT 2u /* flags of a record-mode ring */
#define LAYOUT_HDR_SIZE 256u /* data[] starts here */
#define LAYOUT_DATA_MAX (UINT32_C(1) << 30)

/* Header fields: byte offset in the region (ring.h). */
enum {
	OFF_MAGIC = 0,          /* 4 */
	OFF_VERSION = 4,        /* 2 */
	OFF_MODE = 6,           /* 2 */
	OFF_FLAGS = 8,          /* 4 */
	OFF_HDR_SIZE = 12,      /* 4 */
	OFF_DATA_SIZE = 16,     /* 4 */
	OFF_CAPACITY = 20,      /* 4 */
	OFF_HEAD = 64,          /* 8 */
	OFF_C_LOCK = 72,        /* 4 */
	OFF_ROOM_WAITERS = 80,  /* 4 */
	OFF_GONE = 84,          /* 4 */
	OFF_TAIL = 128,         /* 8 */
	OFF_P_LOCK = 136,       /* 4 */
	OFF_DATA_WAITERS = 144, /* 4 */
};

/* Records (ring_record.h): a 16-byte header at a multiple of 8, then the payload. */
#define LAYOUT_REC_HDR 16u
#define LAYOUT_REC_ALIGN 8u
#define LAYOUT_REC_MIN_CAPACITY 16u
#define LAYOUT_KIND_DATA 0x5244u
#define LAYOUT_KIND_GONE 0x4752u

/* Record header fields: byte offset from the record's start. */
enum {
	REC_OFF_LENGTH = 0, /* 4 */
	REC_OFF_KIND = 4,   /* 2 */
	REC_OFF_TAG = 6,    /* 2 */
	REC_OFF_TYPE = 8,   /* 2 */
	REC_OFF_ZERO = 10,  /* 6 bytes that must be 0 */
};

/* Bytes of stream a record of `length` payload bytes occupies: header, payload, padding to 8. */
static inline uint64_t layout_record_size(uint64_t length)
{
	return LAYOUT_REC_HDR + (length + 7) / 8 * 8;
}

/* The tag of a record header at stream position pos: pos / 8 folded to 16 bits. */
static inline uint16_t layout_record_tag(uint64_t pos)
{
	uint64_t x = pos / LAYOUT_REC_ALIGN;

	return (uint16_t)(x ^ (x >> 16) ^ (x >> 32) ^ (x >> 48));
}

static inline uint16_t layout_get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline uint32_t layout_get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline uint64_t layout_get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline void layout_put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

static inline void layout_put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof v);
}

/*
 * Copies n bytes of the stream from position pos out of data[] (byte i of
 * the stream is at data[i & (cap - 1)], cap a power of two): in whole
 * pieces, because a byte loop costs a fuzzer's comparison hooks per byte.
 */
static inline void layout_stream_copy(const unsigned char *data, uint32_t cap, uint64_t pos,
				      unsigned char *out, size_t n)
{
	while (n > 0) {
		size_t off = (size_t)(pos & (cap - 1));
		size_t k = cap - off < n ? cap - off : n;

		memcpy(out, data + off, k);
		out += k;
		pos += k;
		n -= k;
	}
}

#endif /* IPCCONF_FUZZ_RING_LAYOUT_H */
