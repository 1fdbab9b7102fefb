/*
 * Pipe clauses: messages over the byte stream, with the framing codec
 * (seed:P9, impl/framing/framing.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"
#include "impl/framing/framing.h"

#define FRAMED_MESSAGES 300
/* The reader asks for at most this much per read: POSIX's least PIPE_BUF. */
#define FRAMED_READ_SIZE 512

/* Message i's payload length: empty, tiny, maximal, and everything between. */
static size_t framed_len(unsigned i)
{
	if (i % 7 == 0)
		return IPCCONF_FRAME_MAX_PAYLOAD;
	if (i % 7 == 1)
		return i % 3;
	return (i * 2654435761u) % (IPCCONF_FRAME_MAX_PAYLOAD + 1);
}

static void framed_payload(unsigned i, uint8_t *buf, size_t len)
{
	for (size_t j = 0; j < len; j++)
		buf[j] = (uint8_t)(i * 31u + j * 7u + (j >> 8));
}

/* Sends message i through write end `w`: one frame, written whole (over short writes). */
static void send_message(struct ipcconf_t *t, int w, unsigned i, const uint8_t *payload, size_t len)
{
	uint8_t frame[IPCCONF_FRAME_MAX_SIZE];
	int n = ipcconf_frame_encode(frame, sizeof frame, (uint8_t)i, (uint16_t)i, payload, len);
	if (n < 0)
		BROKEN(t, "encoding message %u (%zu bytes): %s", i, len, ipcconf_frame_strerror(n));
	ipcconf_write_all(t, w, frame, (size_t)n, "writer: write of one framed message");
}

/*
 * The reader's side: the decoder and the bytes read but not yet decoded.
 * Reads ask for at most FRAMED_READ_SIZE bytes, so that most messages
 * need several reads whatever the implementation hands out per read.
 */
struct receiver {
	struct ipcconf_frame_decoder dec;
	uint8_t buf[FRAMED_READ_SIZE];
	size_t pos, len;
};

/*
 * The next message from read end `r`: 1 with *f filled in (its payload
 * valid until the next call), or 0 at a clean end of stream.  A stream
 * that does not decode, or a read error, is a FAIL and the caller ends.
 */
static int receive_message(struct ipcconf_t *t, int r, struct receiver *rx, struct ipcconf_frame *f,
			   unsigned got)
{
	for (;;) {
		if (rx->pos < rx->len) {
			size_t used = 0;
			int s = ipcconf_frame_decode(&rx->dec, rx->buf + rx->pos, rx->len - rx->pos, &used, f);
			rx->pos += used;
			if (s == IPCCONF_FRAME_READY)
				return 1;
			REQUIRE(t, s == IPCCONF_FRAME_NEED_MORE,
				"after %u messages the stream did not decode: %s", got, ipcconf_frame_strerror(s));
			continue;
		}
		ssize_t n = iut_read(t, r, rx->buf, sizeof rx->buf);
		if (n == -EINTR)
			continue;
		char b[32];
		REQUIRE(t, n >= 0 && (size_t)n <= sizeof rx->buf,
			"read of up to %zu bytes after %u messages: expected a count or 0 (EOF), got %s",
			sizeof rx->buf, got, ipcconf_result_name(n, b));
		if (n == 0) {
			int s = ipcconf_frame_finish(&rx->dec);
			REQUIRE(t, s == 0, "after %u messages the stream ended inside a message: %s", got,
				ipcconf_frame_strerror(s));
			return 0;
		}
		rx->pos = 0;
		rx->len = (size_t)n;
	}
}

/*
 * seed:P9: "A pipe carries an unformatted byte stream: reader and writer
 * must agree on a format (how many bytes make a message...)."  seed:P2:
 * data leaves in the order it entered.  POSIX.1-2017 XSH read(): "The
 * value returned may be less than nbyte if the number of bytes left in the
 * file is less than nbyte, if the read() request was interrupted by a
 * signal, or if the file is a pipe or FIFO or special file and has fewer
 * than nbyte bytes immediately available for reading."  XSH write(): a
 * write to a pipe of more than {PIPE_BUF} bytes may be interleaved and
 * split, but "Write requests to a pipe or FIFO shall be handled in the same
 * way as a regular file" as to order.  pipe(7): "a pipe ... provides a
 * unidirectional interprocess communication channel"; applications "should
 * not rely on a particular capacity".
 *
 * So a reader that cuts the stream by an agreed format gets back exactly
 * the messages written, however reads and writes split the bytes.  The
 * format is ipcconf's framing codec; the clause does its own reads and
 * writes through the implementation, in pieces of its choosing.
 */
CLAUSE(pipe_io_framed_messages,
       .id = "pipe.io.framed_messages",
       .title = "framed messages of any size cross a pipe whole, in order, none lost or invented, then EOF",
       .cites = "seed:P9; seed:P2; POSIX.1-2017 XSH read(), write(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	static uint8_t want[IPCCONF_FRAME_MAX_PAYLOAD];
	int e[2];

	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		CHECK_EQ(t, iut_close(t, e[0]), 0, "writer: close of its read end");
		for (unsigned i = 0; i < FRAMED_MESSAGES; i++) {
			size_t len = framed_len(i);
			STEP(t, "writer: send message %u (%zu bytes)", i, len);
			framed_payload(i, want, len);
			send_message(t, e[1], i, want, len);
		}
		CHECK_EQ(t, iut_close(t, e[1]), 0, "writer: close of its write end");
		ipcconf_exit(t);
	}
	CHECK_EQ(t, iut_close(t, e[1]), 0, "close of the clause's write end");

	static struct receiver rx;
	ipcconf_frame_decoder_reset(&rx.dec);
	struct ipcconf_frame f;
	unsigned got = 0;
	for (;;) {
		STEP(t, "receive message %u", got);
		if (!receive_message(t, e[0], &rx, &f, got))
			break;
		REQUIRE(t, got < FRAMED_MESSAGES,
			"message %u arrived (type %u, %u bytes), but only %u were sent", got,
			(unsigned)f.type, (unsigned)f.length, FRAMED_MESSAGES);
		/* The index rides in flags: a lost or repeated message shows here. */
		REQUIRE_EQ(t, f.flags, (uint16_t)got, "index (flags) of the next message");
		REQUIRE_EQ(t, f.type, (uint8_t)got, "type of the next message");
		size_t len = framed_len(got);
		REQUIRE_EQ(t, f.length, len, "payload length of the next message");
		framed_payload(got, want, len);
		REQUIRE_MEM(t, f.payload, want, len, "the payload of the next message");
		got++;
	}
	CHECK_EQ(t, got, FRAMED_MESSAGES, "messages received before EOF");
	ipcconf_join(t, writer, "the writer");
	CHECK_EQ(t, iut_close(t, e[0]), 0, "close of the read end");
}
