/*
 * channel.h -- framed messages over any byte stream (seed:P9).
 *
 * A pipe, a FIFO or a stream socket carries bytes, not messages: a read may
 * return part of a write, or parts of several.  A channel puts the framing
 * codec (framing.h) on top of such a stream so that writer and reader agree
 * on what a message is.  The stream is given as an implementation (its
 * `struct ipcconf_iut`, whose stream table is used with it as `self`) plus
 * a handle (ipcconf/iut.h), so a channel works over `os` file descriptors,
 * over `ref`, or over any implementation under test.
 *
 * SENDING is stateless: ipcconf_channel_send() encodes one frame on the
 * stack (at most IPCCONF_FRAME_MAX_SIZE bytes) and writes all of it,
 * looping over short writes and -EINTR.  A frame is at most 4096 bytes =
 * PIPE_BUF on Linux, so on a pipe or FIFO it goes out in one atomic write
 * and several senders sharing one stream never interleave frames.
 *
 * RECEIVING keeps state in a `struct ipcconf_channel`: a read buffer of
 * IPCCONF_CHANNEL_READ_SIZE bytes and an incremental decoder.  Each
 * ipcconf_channel_recv() reads chunks until one whole frame is available;
 * it copes with short reads, with frames split across reads and with
 * several frames in one read, and keeps the bytes beyond the frame it
 * returns for the next call.  So every channel has fixed size
 * (sizeof(struct ipcconf_channel), about 8 KiB plus a few words) and
 * allocates nothing; declare it static or embed it if the stack is tight.
 * Use one channel per stream and per reading thread or process: the bytes
 * it has read ahead are its own.
 *
 * The handles are expected to be in blocking mode.  On a non-blocking
 * handle recv returns -EAGAIN when the stream is empty (call again later:
 * nothing is lost); send may return -EAGAIN after writing part of a frame,
 * which tears the stream.
 *
 * ERRORS are negative errno values, like the stream operations':
 *   -EPROTO    end of stream in the middle of a frame (a truncated frame);
 *   -EBADMSG   the stream is corrupt: bad magic, unknown version, length
 *              above the maximum, or a checksum mismatch;
 *   -EMSGSIZE  send: the payload exceeds IPCCONF_FRAME_MAX_PAYLOAD;
 *   -EINVAL    a NULL pointer where one is not allowed;
 *   -EIO       send: the stream accepted 0 bytes of a non-empty write;
 *              recv: a read returned more bytes than asked (sticky);
 *   anything a stream operation returned (-EPIPE, -EBADF, ...), except
 *   -EINTR, which is retried.
 * -EPROTO and -EBADMSG are sticky: every later recv returns them again
 * without reading, and ipcconf_channel_frame_error() gives the precise
 * IPCCONF_FRAME_E* code (name it with ipcconf_frame_strerror()).  There is
 * no resynchronisation after a corrupt frame (see framing.h).  Clean
 * end-of-file is sticky too: recv keeps returning 0.
 */
#ifndef IPCCONF_IMPL_FRAMING_CHANNEL_H
#define IPCCONF_IMPL_FRAMING_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "impl/framing/framing.h"
#include "ipcconf/iut.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most a channel asks of one read. */
#define IPCCONF_CHANNEL_READ_SIZE 4096u

/* Receiving state.  Treat the members as private. */
struct ipcconf_channel {
	struct ipcconf_frame_decoder dec;
	uint32_t pos;   /* rbuf[pos..len) was read but not yet decoded */
	uint32_t len;
	int eof;        /* read() returned 0 and the stream ended cleanly */
	int error;      /* 0, or the sticky negative errno */
	int frame_error; /* the IPCCONF_FRAME_E* code behind -EPROTO/-EBADMSG */
	uint8_t rbuf[IPCCONF_CHANNEL_READ_SIZE];
};

/* Makes ch ready for a new stream (also clears errors and end-of-file). */
void ipcconf_channel_init(struct ipcconf_channel *ch);

/*
 * Sends one frame (type, flags, payload[0..len)) through write handle h.
 * Returns 0 when every byte was written, or a negative errno (above).
 * payload may be NULL when len is 0.
 */
int ipcconf_channel_send(const struct ipcconf_iut *iut, int h, uint8_t type,
                         uint16_t flags, const void *payload, size_t len);

/*
 * Receives the next frame from read handle h.  Returns 1 with *out filled
 * in (out->payload points into ch and stays valid until the next call on
 * ch), 0 at a clean end of stream (no bytes after the last whole frame), or
 * a negative errno (above).  A read error other than -EINTR is returned as
 * is and is not sticky: nothing was consumed, so the call may be repeated.
 */
int ipcconf_channel_recv(struct ipcconf_channel *ch, const struct ipcconf_iut *iut,
                         int h, struct ipcconf_frame *out);

/* The IPCCONF_FRAME_E* code behind a sticky -EPROTO or -EBADMSG, else 0. */
int ipcconf_channel_frame_error(const struct ipcconf_channel *ch);

#ifdef __cplusplus
}
#endif

#endif
