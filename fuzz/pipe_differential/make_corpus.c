/*
 * Writes pipe_differential's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/pipe_differential:make_corpus -- $PWD/fuzz/pipe_differential/corpus
 * One seed per situation in which the pipe rules matter, in the encoding
 * of pipe_differential.h; several reach the legal differences between a
 * system that counts room in pages (Linux) and ref's byte ring, and the
 * edges POSIX fixes: PIPE_BUF-sized writes, larger ones into an empty or
 * a nearly full pipe.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz/pipe_differential/pipe_differential.h"

enum { R, W }; /* which end an op acts on */

static uint8_t buf[1024];
static size_t len;
static const char *dir;

static void start(int nonblock)
{
	buf[0] = (uint8_t)nonblock;
	len = 1;
}

static void op(enum pipe_op o, int end)
{
	if (len < sizeof buf)
		buf[len++] = (uint8_t)(o | (end == W ? OP_WRITE_END : 0));
}

static void arg8(uint8_t v)
{
	if (len < sizeof buf)
		buf[len++] = v;
}

static void io(enum pipe_op o, int end, uint16_t n)
{
	op(o, end);
	arg8((uint8_t)n);
	arg8((uint8_t)(n >> 8));
}

static void poll_both(void)
{
	op(OP_POLL, R);
	arg8(0x7f);
	op(OP_POLL, W);
	arg8(0x7f);
	op(OP_NREAD, R);
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

	/* Full in pages, then one byte read: Linux still full, ref has a byte of room. */
	start(1);
	for (int i = 0; i < 16; i++)
		io(OP_WRITE, W, 4096);
	io(OP_WRITE, W, 1);
	io(OP_READ, R, 1);
	poll_both();
	io(OP_WRITE, W, 1);
	io(OP_WRITE, W, 4096);
	io(OP_READ, R, 65535);
	io(OP_READ, R, 65535);
	poll_both();
	rc |= save("full-then-one-byte");

	/* Small writes merge into pages; uneven ones leave pages part-used. */
	start(1);
	for (int i = 0; i < 40; i++)
		io(OP_WRITE, W, (uint16_t)(3000 + 97 * i));
	io(OP_READ, R, 5000);
	io(OP_WRITE, W, 100);
	poll_both();
	io(OP_READ, R, 65535);
	rc |= save("uneven-writes");

	/* Writes larger than PIPE_BUF: partial counts. */
	start(0);
	io(OP_WRITE, W, 65535);
	io(OP_WRITE, W, 5000);
	io(OP_READ, R, 4097);
	io(OP_WRITE, W, 9000);
	io(OP_READ, R, 100);
	io(OP_WRITE, W, 9000);
	poll_both();
	rc |= save("big-writes");

	/* The reader goes: EPIPE, POLLERR; then the handle is gone: EBADF, POLLNVAL. */
	start(1);
	io(OP_WRITE, W, 10);
	op(OP_CLOSE, R);
	io(OP_WRITE, W, 10);
	io(OP_WRITE, W, 0);
	poll_both();
	io(OP_READ, R, 10);
	op(OP_CLOSE, R);
	op(OP_GET_CAPACITY, W);
	rc |= save("reader-closed");

	/* The writer goes: the data, then end of file, POLLHUP. */
	start(1);
	io(OP_WRITE, W, 300);
	op(OP_CLOSE, W);
	poll_both();
	io(OP_READ, R, 200);
	io(OP_READ, R, 200);
	io(OP_READ, R, 200);
	poll_both();
	rc |= save("writer-closed");

	/* Flags, wrong ends, zero lengths, a fresh pipe. */
	start(0);
	op(OP_GET_NONBLOCK, R);
	op(OP_SET_NONBLOCK, W);
	arg8(1);
	op(OP_GET_NONBLOCK, W);
	io(OP_READ, R, 10);
	io(OP_READ, W, 10);
	io(OP_WRITE, R, 10);
	io(OP_WRITE, W, 0);
	io(OP_READ, R, 0);
	op(OP_SET_NONBLOCK, R);
	arg8(0);
	op(OP_GET_NONBLOCK, R);
	op(OP_GET_CAPACITY, R);
	op(OP_RECREATE, R);
	arg8(1);
	io(OP_WRITE, W, 4096);
	poll_both();
	rc |= save("flags-and-ends");
	return rc;
}
