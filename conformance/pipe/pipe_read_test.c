/*
 * Pipe clauses: what one read returns (seed:P2, P4, P9).  A read hands
 * back what is there, without waiting for the full count; a zero-length
 * read is a no-op; and the bytes are carried untouched, whatever their
 * values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * POSIX.1-2017 XSH read(), DESCRIPTION: "The read() function shall attempt
 * to read nbyte bytes from the file ..."; "The value returned may be less
 * than nbyte if ... the file is a pipe or FIFO or special file and has
 * fewer than nbyte bytes immediately available for reading."  pipe(7): "If
 * a process attempts to read from an empty pipe, then read(2) will block
 * until data is available" -- until data, not until nbyte bytes.
 *
 * This clause owns the rule "a read returns what is available, up to the
 * count"; every other clause reads through loops that accept any legal
 * short read.  Both halves are checked:
 *  - with 3 bytes in the pipe, a blocking read of 100 returns at once with
 *    1 to 3 of them, in order, and the rest stays readable (an
 *    implementation that waits for the full count hangs, and the clause
 *    fails by its timeout at that step);
 *  - with the pipe full (C bytes, C >= PIPE_BUF >= 512), a read of C/2 + 1
 *    bytes returns exactly that many: fewer would be legal only if fewer
 *    were available.  (An implementation that caps every read at, say,
 *    1000 bytes fails here whenever C/2 + 1 > 1000.)  A read of C bytes
 *    then returns 1 to the C/2 - 1 that remain.
 */
CLAUSE(pipe_read_short_read,
       .id = "pipe.read.short_read",
       .title = "a read returns what is available up to the count: all of the count when that much is there, fewer bytes only when fewer are there, without waiting",
       .cites = "seed:P9; POSIX.1-2017 XSH read(); pipe(7) I/O on pipes",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "abc", 3), 3);

	STEP(t, "blocking read of 100 bytes with only 3 in the pipe: must return, not wait for 100");
	static const char abc[] = "abc";
	char buf[100];
	ssize_t n = iut_read(t, e[0], buf, sizeof buf);
	char b[32];
	REQUIRE(t, n >= 1 && n <= 3,
		"read of 100 bytes with 3 in the pipe: expected 1 to 3, got %s",
		ipcconf_result_name(n, b));
	CHECK_MEM(t, buf, abc, (size_t)n, "the bytes of the short read (a prefix of \"abc\")");
	STEP(t, "the bytes the short read did not return are still there");
	char rest[3];
	ipcconf_read_exact(t, e[0], rest, (size_t)(3 - n), "reading the rest");
	CHECK_MEM(t, rest, abc + n, (size_t)(3 - n), "the rest of \"abc\"");

	long cap = ipcconf_fill(t, e[1]);
	long want = cap / 2 + 1, left = cap - want;
	char *big = malloc((size_t)cap);
	if (!big)
		BROKEN(t, "malloc(%ld) failed", cap);
	STEP(t, "read of %ld bytes with %ld in the pipe: all %ld are available", want, cap, want);
	CHECK_EQ(t, iut_read(t, e[0], big, (size_t)want), want,
		 "a read asking for fewer bytes than the full pipe holds (fewer than asked only when fewer are available)");
	STEP(t, "read of %ld bytes with %ld left in the pipe", cap, left);
	n = iut_read(t, e[0], big, (size_t)cap);
	free(big);
	REQUIRE(t, n >= 1 && n <= left,
		"read of %ld bytes with %ld left in the pipe: expected 1 to %ld, got %s",
		cap, left, left, ipcconf_result_name(n, b));
	ipcconf_read_fill(t, e[0], left - n, "reading what the last read left");
}

/*
 * POSIX.1-2017 XSH read(), DESCRIPTION: "Before any action described below
 * is taken, and if nbyte is zero, the read() function may detect and
 * return errors as described below. In the absence of errors, or if error
 * detection is not performed, the read() function shall return zero and
 * have no other results."  No other results: it neither waits (on an
 * empty pipe) nor consumes anything (on a non-empty one).
 */
CLAUSE(pipe_read_zero_length,
       .id = "pipe.read.zero_length",
       .title = "a read of 0 bytes returns 0 at once and consumes nothing",
       .cites = "seed:P4; POSIX.1-2017 XSH read()")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	char c = 0;

	STEP(t, "read of 0 bytes from an empty pipe (blocking, writer open): must not wait");
	CHECK_EQ(t, iut_read(t, e[0], &c, 0), 0, "read of 0 bytes from an empty pipe");

	REQUIRE_EQ(t, iut_write(t, e[1], "q", 1), 1);
	STEP(t, "read of 0 bytes with a byte in the pipe");
	CHECK_EQ(t, iut_read(t, e[0], &c, 0), 0, "read of 0 bytes from a pipe holding 1 byte");
	STEP(t, "the byte is still there");
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 1, "read of 1 byte after the 0-byte read");
	CHECK(t, c == 'q', "read returned '%c', expected 'q' (a 0-byte read must consume nothing)", c);
}

/*
 * seed:P9: "A pipe carries an unformatted byte stream".  pipe(7): "The
 * communication channel provided by a pipe is a byte stream".  Nothing in
 * the bytes is interpreted: every value, NUL, newline and 0xFF included,
 * comes out as it went in (a text-mode or NUL-terminated implementation
 * fails here).  512 bytes, so the write is atomic on any system
 * (_POSIX_PIPE_BUF is 512) and fits an empty pipe.
 */
CLAUSE(pipe_io_binary_transparent,
       .id = "pipe.io.binary_transparent",
       .title = "every byte value, NUL and newline included, passes through a pipe unchanged",
       .cites = "seed:P9; pipe(7) byte stream; POSIX.1-2017 XSH write(), read()")
{
	unsigned char out[512], in[512];
	for (int i = 0; i < 256; i++) {
		out[i] = (unsigned char)i;
		out[511 - i] = (unsigned char)i;
	}
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	STEP(t, "write the 256 byte values up and down");
	REQUIRE_EQ(t, iut_write(t, e[1], out, sizeof out), (long long)sizeof out);
	memset(in, 0xAA, sizeof in);
	ipcconf_read_exact(t, e[0], in, sizeof in, "reading the 512 bytes back");
	CHECK_MEM(t, in, out, sizeof in, "the 512 bytes as they came out");
}
