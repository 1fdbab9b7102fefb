/*
 * framing.h -- how reader and writer of a byte stream agree on messages.
 *
 * A pipe, a FIFO or a stream socket carries an unformatted byte stream: a
 * read may return part of a write, or parts of several (seed:P9).  This
 * codec cuts such a stream into frames again.  The encoder writes one frame
 * into a caller's buffer; the incremental decoder takes the stream in
 * chunks of any size (one byte at a time included) and hands back whole
 * frames, one at a time, in order.
 *
 * WIRE FORMAT (version 1)
 *
 * A stream is a sequence of frames with nothing between them.  A frame is
 * a 16-byte header followed by the payload.  Integers are little-endian
 * and are (de)serialised byte by byte, never through a struct cast, so the
 * format is the same on every host.
 *
 *   OFFSET  SIZE  DESCRIPTION
 *      0      4   Magic: the bytes 0x49 0x50 0x43 0x46 ("IPCF").  Lets the
 *                 reader notice at once that it is not at a frame boundary.
 *      4      1   Version: 1 (IPCCONF_FRAME_VERSION).  Any other value is
 *                 rejected; a new version means a new layout.
 *      5      1   Type: chosen by the application, carried verbatim.
 *      6      2   Flags: chosen by the application, carried verbatim.
 *      8      4   Payload length N in bytes, 0 <= N <= IPCCONF_FRAME_MAX_PAYLOAD.
 *     12      4   Checksum: CRC-32C (Castagnoli; reflected polynomial
 *                 0x82F63B78, initial value and final XOR 0xFFFFFFFF) of
 *                 header bytes 0..11 followed by the N payload bytes.  It
 *                 covers the length and type, so a corrupted header is
 *                 caught even when the corruption keeps the length legal.
 *     16      N   Payload.
 *
 * A whole frame is at most IPCCONF_FRAME_MAX_SIZE = 4096 bytes.  That is
 * PIPE_BUF on Linux: a frame handed to one write(2) on a pipe or FIFO is
 * written atomically, so several writers sharing one pipe never interleave
 * their frames.  (POSIX itself only promises atomicity up to 512 bytes.)
 *
 * Example: type 7, flags 0x0102, payload "hi":
 *   49 50 43 46  01  07  02 01  02 00 00 00  <crc32c, 4 bytes LE>  68 69
 *
 * ERRORS
 *
 * Every function returns a non-negative value on success and one of the
 * negative IPCCONF_FRAME_E* codes below on failure; ipcconf_frame_strerror()
 * names them.  The decoder checks each header field as soon as its last
 * byte has arrived (magic byte by byte, then version, then length), and the
 * checksum once the whole frame is in.  So which error a stream produces,
 * and after how many frames, depends only on the bytes, never on how they
 * were split into chunks.
 */
#ifndef IPCCONF_IMPL_FRAMING_FRAMING_H
#define IPCCONF_IMPL_FRAMING_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPCCONF_FRAME_MAGIC "IPCF"
#define IPCCONF_FRAME_VERSION 1u
#define IPCCONF_FRAME_HEADER_SIZE 16u
#define IPCCONF_FRAME_MAX_SIZE 4096u
#define IPCCONF_FRAME_MAX_PAYLOAD (IPCCONF_FRAME_MAX_SIZE - IPCCONF_FRAME_HEADER_SIZE)

/* The encoded size of a frame carrying `len` payload bytes. */
#define IPCCONF_FRAME_SIZE(len) (IPCCONF_FRAME_HEADER_SIZE + (len))

enum ipcconf_frame_status {
	IPCCONF_FRAME_NEED_MORE = 0,   /* decode: all input taken, no frame yet; finish: clean end */
	IPCCONF_FRAME_READY = 1,       /* decode: *out holds the next frame */
	IPCCONF_FRAME_EMAGIC = -1,     /* the stream is not at a frame boundary */
	IPCCONF_FRAME_EVERSION = -2,   /* a version this decoder does not speak */
	IPCCONF_FRAME_ETOOBIG = -3,    /* length field above IPCCONF_FRAME_MAX_PAYLOAD */
	IPCCONF_FRAME_ECHECKSUM = -4,  /* the CRC-32C does not match header and payload */
	IPCCONF_FRAME_ETRUNCATED = -5, /* end of stream inside a frame */
	IPCCONF_FRAME_ENOSPC = -6,     /* encode: the caller's buffer is too small */
	IPCCONF_FRAME_EINVAL = -7,     /* a NULL pointer where one is not allowed */
};

/* One decoded frame.  `payload` points into the decoder (see below). */
struct ipcconf_frame {
	uint8_t type;
	uint16_t flags;
	uint32_t length;        /* <= IPCCONF_FRAME_MAX_PAYLOAD */
	const uint8_t *payload; /* `length` bytes; valid until the next call on the decoder */
};

/*
 * The decoder: fixed size, no allocation.  Treat the members as private;
 * they are here only so that callers can embed or declare the struct.
 *
 * ERROR STATE.  The first error is sticky: every later decode() and
 * finish() returns it again, consuming nothing, until
 * ipcconf_frame_decoder_reset().  There is no resynchronisation: after an
 * error the stream position is unknown, and guessing (scanning for the
 * magic) could turn payload bytes into an invented frame.
 */
struct ipcconf_frame_decoder {
	int status;     /* 0, or the first error (sticky) */
	uint32_t have;  /* bytes of the current frame in buf; have <= need */
	uint32_t need;  /* header size until the header is complete, then the
	                   frame's full size; need <= sizeof buf always -- this is
	                   what keeps the copy into buf in bounds */
	uint8_t buf[IPCCONF_FRAME_MAX_SIZE];
};

/*
 * Writes one frame into buf[0..cap).  Returns its size,
 * IPCCONF_FRAME_SIZE(len), or IPCCONF_FRAME_ETOOBIG (len above the
 * maximum), IPCCONF_FRAME_ENOSPC (cap too small) or IPCCONF_FRAME_EINVAL
 * (buf NULL, or payload NULL with len > 0).  The payload may already sit
 * at buf + IPCCONF_FRAME_HEADER_SIZE, built in place; any other overlap
 * is also handled.
 */
int ipcconf_frame_encode(void *buf, size_t cap, uint8_t type, uint16_t flags,
                         const void *payload, size_t len);

/* Makes d ready for a new stream; also clears a sticky error. */
void ipcconf_frame_decoder_reset(struct ipcconf_frame_decoder *d);

/*
 * Feeds data[0..len) to the decoder.  Stops after the first complete frame:
 *   IPCCONF_FRAME_READY      *out is that frame; *consumed bytes were taken,
 *                            so call again with the rest of the input;
 *   IPCCONF_FRAME_NEED_MORE  all len bytes taken (*consumed == len), the
 *                            frame in progress needs more;
 *   an error (< 0)           the stream is bad; *consumed says how many bytes
 *                            were taken before the decoder stopped.
 * Every byte taken is kept until its frame is complete: no well-formed
 * frame is ever lost, whatever the chunk sizes.  len may be 0.
 */
int ipcconf_frame_decode(struct ipcconf_frame_decoder *d, const void *data,
                         size_t len, size_t *consumed, struct ipcconf_frame *out);

/*
 * Tells the decoder the stream has ended (read() returned 0).  Returns 0
 * when it ended on a frame boundary, IPCCONF_FRAME_ETRUNCATED (which
 * becomes sticky) when a frame was cut short, or the sticky error.
 */
int ipcconf_frame_finish(struct ipcconf_frame_decoder *d);

/* A short English description of a status code; never NULL. */
const char *ipcconf_frame_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif
