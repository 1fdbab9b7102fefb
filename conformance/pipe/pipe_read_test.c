/*
 * Pipe clauses: what one read returns (seed:P2, P4, P9).  A read hands
 * back what is there, without waiting for the full count; a zero-length
 * read is a no-op; and the bytes are carried untouched, whatever their
 * values.
 */
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"

/*
 * POSIX.1-2017 XSH read(), DESCRIPTION: "The value returned may be less
 * than nbyte if ... the file is a pipe or FIFO ...".  pipe(7): "If a
 * process attempts to read from an empty pipe, then read(2) will block
 * until data is available" -- until data, not until nbyte bytes.
 * Checked here: with 3 bytes in the pipe, a blocking read of 100 returns
 * at once with 1 to 3 of them, in order; the rest stays readable.  An
 * implementation that waits for the full count hangs, and the clause
 * fails by its timeout at the step below.
 */
CLAUSE(pipe_read_short_read,
       .id = "pipe.read.short_read",
       .title = "a read returns the bytes available instead of waiting for the full count",
       .cites = "seed:P9; POSIX.1-2017 XSH read(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	REQUIRE_EQ(t, t->stream->write(e[1], "abc", 3), 3, "write of 3 bytes");

	STEP(t, "blocking read of 100 bytes with only 3 in the pipe: must return, not wait for 100");
	static const char abc[] = "abc";
	char buf[100];
	ssize_t n = t->stream->read(e[0], buf, sizeof buf);
	char b[32];
	REQUIRE(t, n >= 1 && n <= 3,
		"read of 100 bytes with 3 in the pipe: expected 1 to 3, got %s",
		ipcconf_result_name(n, b));
	CHECK(t, memcmp(buf, abc, (size_t)n) == 0,
	      "read returned \"%.*s\", expected a prefix of \"abc\"", (int)n, buf);

	STEP(t, "the bytes the short read did not return are still there");
	char rest[3];
	ipcconf_read_exact(t, e[0], rest, (size_t)(3 - n), "reading the rest");
	CHECK(t, memcmp(rest, abc + n, (size_t)(3 - n)) == 0,
	      "the rest read back as \"%.*s\", expected \"%s\"", (int)(3 - n), rest, abc + n);
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
       .cites = "seed:P4; POSIX.1-2017 XSH read()",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	char c = 0;

	STEP(t, "read of 0 bytes from an empty pipe (blocking, writer open): must not wait");
	CHECK_EQ(t, t->stream->read(e[0], &c, 0), 0, "read of 0 bytes from an empty pipe");

	REQUIRE_EQ(t, t->stream->write(e[1], "q", 1), 1, "write of 1 byte");
	STEP(t, "read of 0 bytes with a byte in the pipe");
	CHECK_EQ(t, t->stream->read(e[0], &c, 0), 0, "read of 0 bytes from a pipe holding 1 byte");
	STEP(t, "the byte is still there");
	CHECK_EQ(t, t->stream->read(e[0], &c, 1), 1, "read of 1 byte after the 0-byte read");
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
       .cites = "seed:P9; pipe(7) byte stream; POSIX.1-2017 XSH write(), read()",
       .needs = IPCCONF_CAP_PIPE)
{
	unsigned char out[512], in[512];
	for (int i = 0; i < 256; i++) {
		out[i] = (unsigned char)i;
		out[511 - i] = (unsigned char)i;
	}
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	STEP(t, "write the 256 byte values up and down");
	REQUIRE_EQ(t, t->stream->write(e[1], out, sizeof out), (long long)sizeof out, "write of 512 bytes");
	memset(in, 0xAA, sizeof in);
	ipcconf_read_exact(t, e[0], in, sizeof in, "reading the 512 bytes back");
	for (size_t i = 0; i < sizeof in; i++)
		if (in[i] != out[i]) {
			FAIL(t, "byte %zu came out as 0x%02x, expected 0x%02x", i, in[i], out[i]);
			break;
		}
}
