/*
 * Pipe clauses: long streams (seed:P2, P3).  Several times the pipe's
 * capacity goes through it, so a circular buffer wraps many times; the
 * bytes must come out unchanged and in order, however the writes and the
 * reads are cut.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/* A byte that depends on its position in the stream (period 2^32), so a
 * lost, repeated or reordered stretch shows up at once. */
static unsigned char pattern(uint64_t i)
{
	return (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
}

/* The capacity of a fresh pipe, measured by filling a scratch one. */
static long scratch_capacity(struct ipcconf_t *t)
{
	int s[2];
	REQUIRE_OK(t, iut_pipe(t, s, 0), "create of a scratch pipe to measure the capacity");
	long cap = ipcconf_fill(t, s[1]);
	REQUIRE_OK(t, iut_close(t, s[0]), "close of the scratch pipe's read end");
	REQUIRE_OK(t, iut_close(t, s[1]), "close of the scratch pipe's write end");
	return cap;
}

/*
 * Reads `total` bytes from `r` with reads whose sizes cycle through
 * `sizes`, checking each byte against pattern(); then expects EOF.
 * Reports the first wrong byte and stops.
 */
static void read_pattern(struct ipcconf_t *t, int r, uint64_t total,
			 const size_t *sizes, size_t nsizes)
{
	unsigned char buf[8192];
	uint64_t pos = 0;
	for (size_t k = 0; pos < total; k++) {
		size_t want = sizes[k % nsizes];
		if (want > sizeof buf)
			want = sizeof buf;
		if (want > total - pos)
			want = (size_t)(total - pos);
		ssize_t n = iut_read(t, r, buf, want);
		if (n == -EINTR)
			continue;
		char b[32];
		REQUIRE(t, n > 0 && (size_t)n <= want,
			"read of %zu bytes at stream offset %llu of %llu: expected 1 to %zu, got %s",
			want, (unsigned long long)pos, (unsigned long long)total, want,
			ipcconf_result_name(n, b));
		for (ssize_t i = 0; i < n; i++)
			REQUIRE(t, buf[i] == pattern(pos + (uint64_t)i),
				"stream offset %llu: got 0x%02x, expected 0x%02x (bytes lost, repeated or out of order)",
				(unsigned long long)(pos + (uint64_t)i), buf[i], pattern(pos + (uint64_t)i));
		pos += (uint64_t)n;
	}
	STEP(t, "read after all %llu bytes, every writer closed: expected 0 (EOF)",
	     (unsigned long long)total);
	char extra;
	CHECK_EQ(t, iut_read(t, r, &extra, 1), 0,
		 "read after the whole stream was read and the writer closed (extra bytes?)");
}

/*
 * POSIX.1-2017 XSH write(), pipes: "If the O_NONBLOCK flag is clear, a
 * write request may cause the thread to block, but on normal completion it
 * shall return nbyte."  pipe(7), PIPE_BUF: "O_NONBLOCK disabled, n >
 * PIPE_BUF: ... write(2) blocks until n bytes have been written."
 * seed:P2: the bytes leave in the order they entered.  Checked here: one
 * blocking write of three times the capacity (so it must block part-way)
 * returns the full count, and a reader using short reads of odd sizes gets
 * every byte in order.
 */
CLAUSE(pipe_write_large_blocking_full_count,
       .id = "pipe.write.large_blocking_full_count",
       .title = "one blocking write larger than the pipe returns its full count, and every byte arrives in order",
       .cites = "seed:P2; seed:P5; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	long cap = scratch_capacity(t);
	size_t total = 3 * (size_t)cap + 123;
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");

	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		REQUIRE_OK(t, iut_close(t, e[0]), "writer: close of its read end");
		unsigned char *buf = malloc(total);
		if (!buf)
			BROKEN(t, "malloc(%zu) failed", total);
		for (size_t i = 0; i < total; i++)
			buf[i] = pattern(i);
		STEP(t, "one blocking write of %zu bytes (3 x capacity %ld + 123)", total, cap);
		ssize_t n = iut_write(t, e[1], buf, total);
		CHECK_EQ(t, n, (long long)total, "one blocking write of 3 x capacity + 123 bytes");
		free(buf);
		REQUIRE_OK(t, iut_close(t, e[1]), "writer: close of its write end");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the parent's write end");
	static const size_t sizes[] = { 1000, 1, 4097, 333 };
	STEP(t, "reading the %zu bytes in short reads", total);
	read_pattern(t, e[0], total, sizes, sizeof sizes / sizeof sizes[0]);
	ipcconf_join(t, writer, "the writer");
}

/*
 * seed:P3: "The buffer is a circular queue; the read and write positions
 * advance by themselves".  seed:P2: FIFO order.  POSIX.1-2017 XSH pipe():
 * reads access the data written "on a first-in-first-out basis".  Checked
 * here: many writes and reads of unrelated, odd sizes (1 byte to over
 * 2 x PIPE_BUF) move three times the capacity through the pipe, so the
 * positions wrap around repeatedly at every offset; the stream is intact.
 */
CLAUSE(pipe_io_stream_wraps,
       .id = "pipe.io.stream_wraps",
       .title = "odd-sized writes and reads moving 3 x the capacity through a pipe keep every byte in order",
       .cites = "seed:P2; seed:P3; POSIX.1-2017 XSH pipe(), write(), read(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	long cap = scratch_capacity(t);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	uint64_t total = 3 * (uint64_t)cap + 1234;

	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		REQUIRE_OK(t, iut_close(t, e[0]), "writer: close of its read end");
		size_t sizes[] = { 1, 13, 997, (size_t)pb - 1, (size_t)pb, (size_t)pb + 1,
				   2 * (size_t)pb + 3, 4093 };
		size_t nsizes = sizeof sizes / sizeof sizes[0];
		unsigned char *buf = malloc(2 * (size_t)pb + 3 > 4093 ? 2 * (size_t)pb + 3 : 4093);
		if (!buf)
			BROKEN(t, "malloc failed");
		uint64_t pos = 0;
		for (size_t k = 0; pos < total; k++) {
			size_t len = sizes[k % nsizes];
			if (len > total - pos)
				len = (size_t)(total - pos);
			for (size_t i = 0; i < len; i++)
				buf[i] = pattern(pos + i);
			STEP(t, "write #%zu of %zu bytes at stream offset %llu", k, len,
			     (unsigned long long)pos);
			ssize_t n = iut_write(t, e[1], buf, len);
			REQUIRE_EQ(t, n, (long long)len, "a blocking write (must return its full count)");
			pos += len;
		}
		free(buf);
		REQUIRE_OK(t, iut_close(t, e[1]), "writer: close of its write end");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the parent's write end");
	static const size_t sizes[] = { 7, 1, 500, 4099, 3000, 65 };
	STEP(t, "reading %llu bytes in reads of odd sizes", (unsigned long long)total);
	read_pattern(t, e[0], total, sizes, sizeof sizes / sizeof sizes[0]);
	ipcconf_join(t, writer, "the writer");
}
