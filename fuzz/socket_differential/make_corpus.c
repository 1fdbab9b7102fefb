/*
 * Writes socket_differential's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/socket_differential:make_corpus -- $PWD/fuzz/socket_differential/corpus
 * One seed per situation in which the socket rules matter, in the
 * encoding of socket_differential.h: a full stream direction and short
 * counts, message boundaries with truncation, peeking and zero-length
 * messages, every kind of shutdown on each type, a close with data
 * unread (ECONNRESET), a datagram peer that goes away, closed handles.
 * The type byte assumes both sides have all three types (stream 0,
 * seqpacket 1, datagram 2); with fewer, the seeds still run, on others.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz/socket_differential/socket_differential.h"

enum { A, B };                          /* which end an op acts on */
enum { STREAM = 0, SEQPACKET = 1, DGRAM = 2, CLOEXEC = 4 };
enum { HOW_RD, HOW_WR, HOW_RDWR, HOW_BAD };

static uint8_t buf[1024];
static size_t len;
static const char *dir;

static void start(int type)
{
	buf[0] = (uint8_t)type;
	len = 1;
}

static void op(enum sock_op o, int end)
{
	if (len < sizeof buf)
		buf[len++] = (uint8_t)(o | (end == B ? OP_END1 : 0));
}

static void arg8(uint8_t v)
{
	if (len < sizeof buf)
		buf[len++] = v;
}

static void send_(int end, uint16_t n)
{
	op(OP_SEND, end);
	arg8((uint8_t)n);
	arg8((uint8_t)(n >> 8));
}

static void recv_(int end, uint16_t n, uint8_t flags)
{
	op(OP_RECV, end);
	arg8((uint8_t)n);
	arg8((uint8_t)(n >> 8));
	arg8(flags);
}

static void shut(int end, int how)
{
	op(OP_SHUTDOWN, end);
	arg8((uint8_t)how);
}

static void poll_both(void)
{
	op(OP_POLL, A);
	arg8(0x7f);
	op(OP_POLL, B);
	arg8(0x7f);
}

static int save(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];

	/* A stream direction filled past any buffer, then drained in uneven pieces. */
	start(STREAM);
	for (int i = 0; i < 8; i++)
		send_(A, 65535);
	poll_both();
	recv_(B, 1, 0);
	recv_(B, 5000, RECV_PEEK);
	recv_(B, 5000, 0);
	send_(A, 100);
	for (int i = 0; i < 6; i++)
		recv_(B, 65535, 0);
	send_(B, 7);
	recv_(A, 3, 0);
	recv_(A, 0, 0);
	poll_both();
	rc |= save("stream-fill-drain");

	/* Message boundaries: sizes, zero-length, truncation, peeking, MSG_TRUNC. */
	for (int t = SEQPACKET; t <= DGRAM; t++) {
		start(t);
		send_(A, 10);
		send_(A, 0);
		send_(A, 4096);
		send_(A, 3);
		send_(A, 65535);
		poll_both();
		recv_(B, 100, RECV_PEEK | RECV_TRUNC);
		recv_(B, 4, RECV_PEEK);
		recv_(B, 4, 0);
		recv_(B, 100, 0);
		recv_(B, 10, RECV_TRUNC);
		recv_(B, 0, RECV_TRUNC);
		recv_(B, 65535, 0);
		recv_(B, 1, 0);
		poll_both();
		rc |= save(t == SEQPACKET ? "seqpacket-boundaries" : "dgram-boundaries");
	}

	/* Each type: the peer shuts down writing, then reading; end of file, EPIPE. */
	for (int t = STREAM; t <= DGRAM; t++) {
		static const char *const name[] = { "stream-shutdown", "seqpacket-shutdown",
						    "dgram-shutdown" };

		start(t);
		send_(A, 300);
		shut(A, HOW_WR);
		send_(A, 1);
		poll_both();
		recv_(B, 200, 0);
		recv_(B, 200, 0);
		recv_(B, 200, 0);
		shut(B, HOW_RD);
		send_(A, 5);
		send_(B, 5);
		recv_(A, 10, 0);
		recv_(B, 10, 0);
		poll_both();
		shut(B, HOW_BAD);
		shut(B, HOW_RDWR);
		poll_both();
		rc |= save(name[t]);
	}

	/* Each type: a close with data unread by the closer (ECONNRESET), then the survivor. */
	for (int t = STREAM; t <= DGRAM; t++) {
		static const char *const name[] = { "stream-reset", "seqpacket-reset", "dgram-gone" };

		start(t);
		send_(A, 50);
		send_(B, 60);
		send_(B, 70);
		op(OP_CLOSE, B);
		poll_both();
		send_(A, 1);
		send_(A, 1);
		recv_(A, 100, RECV_PEEK);
		recv_(A, 100, 0);
		recv_(A, 100, 0);
		recv_(A, 100, 0);
		shut(A, HOW_RDWR);
		poll_both();
		rc |= save(name[t]);
	}

	/* Flags and closed handles: O_NONBLOCK off and back, SO_TYPE, EBADF, POLLNVAL, a new pair. */
	start(STREAM | CLOEXEC);
	op(OP_GET_NONBLOCK, A);
	op(OP_SET_NONBLOCK, A);
	arg8(0);
	op(OP_GET_NONBLOCK, A);
	recv_(A, 10, 0);
	op(OP_GET_NONBLOCK, A);
	op(OP_GET_TYPE, B);
	op(OP_CLOSE, A);
	op(OP_CLOSE, A);
	send_(A, 1);
	recv_(A, 1, 0);
	shut(A, HOW_RD);
	op(OP_GET_TYPE, A);
	op(OP_GET_NONBLOCK, A);
	poll_both();
	op(OP_RECREATE, A);
	arg8(SEQPACKET);
	op(OP_GET_TYPE, A);
	op(OP_RECREATE, B);
	arg8(DGRAM | CLOEXEC);
	op(OP_GET_TYPE, B);
	send_(B, 1);
	rc |= save("flags-and-handles");
	return rc;
}
