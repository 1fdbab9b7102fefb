/*
 * Pipe clauses: messages over the byte stream, with the framing codec
 * (seed:P9, impl/framing/channel.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "impl/framing/channel.h"

#define FRAMED_MESSAGES 300
/* The clause process asks for at most this much per read: POSIX's least PIPE_BUF. */
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

/*
 * The clause process's view of the stream: the IUT's own operations, but
 * reads of at most FRAMED_READ_SIZE bytes, so that most messages need
 * several reads whatever the implementation hands out per read.
 */
static const struct ipcconf_stream_ops *framed_real;

static ssize_t framed_small_read(int h, void *buf, size_t len)
{
	return framed_real->read(h, buf, len < FRAMED_READ_SIZE ? len : FRAMED_READ_SIZE);
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
 * the messages written, however reads and writes split the bytes.
 */
CLAUSE(pipe_io_framed_messages,
       .id = "pipe.io.framed_messages",
       .title = "framed messages of any size cross a pipe whole, in order, none lost or invented, then EOF",
       .cites = "seed:P9; seed:P2; POSIX.1-2017 XSH read(), write(); pipe(7)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT)
{
	static uint8_t want[IPCCONF_FRAME_MAX_PAYLOAD];
	int e[2];

	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		CHECK_EQ(t, t->stream->close(e[0]), 0, "writer: close of its read end");
		for (unsigned i = 0; i < FRAMED_MESSAGES; i++) {
			size_t len = framed_len(i);
			STEP(t, "writer: send message %u (%zu bytes)", i, len);
			framed_payload(i, want, len);
			REQUIRE_EQ(t, ipcconf_channel_send(t->stream, e[1], (uint8_t)i, (uint16_t)i, want, len),
				   0, "writer: send of one framed message (all its bytes)");
		}
		CHECK_EQ(t, t->stream->close(e[1]), 0, "writer: close of its write end");
		ipcconf_exit(t);
	}
	CHECK_EQ(t, t->stream->close(e[1]), 0, "close of the clause's write end");

	struct ipcconf_stream_ops small = *t->stream;
	framed_real = t->stream;
	small.read = framed_small_read;

	static struct ipcconf_channel ch;
	ipcconf_channel_init(&ch);
	struct ipcconf_frame f;
	unsigned got = 0;
	int r;
	for (;;) {
		STEP(t, "receive message %u", got);
		r = ipcconf_channel_recv(&ch, &small, e[0], &f);
		if (r != 1)
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
		for (size_t j = 0; j < len; j++)
			REQUIRE(t, f.payload[j] == want[j],
				"message %u byte %zu is 0x%02x, expected 0x%02x", got, j,
				f.payload[j], want[j]);
		got++;
	}
	if (r < 0 && ipcconf_channel_frame_error(&ch) != 0)
		FAIL(t, "after %u messages the stream did not decode: %s", got,
		     ipcconf_frame_strerror(ipcconf_channel_frame_error(&ch)));
	CHECK_EQ(t, r, 0, "receive after the last message (EOF: the writer has closed)");
	CHECK_EQ(t, got, FRAMED_MESSAGES, "messages received");
	ipcconf_join(t, writer, "the writer");
	CHECK_EQ(t, t->stream->close(e[0]), 0, "close of the read end");
}
