/*
 * Pipe clauses: misuse of the ends (seed:P6, P3).  Data flows one way
 * only, so each end refuses the other's operation with -EBADF and moves
 * no data; a closed handle is refused the same way; and the positions of
 * a pipe cannot be moved (-ESPIPE).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * POSIX.1-2017 XSH write(), ERRORS: "[EBADF] The fildes argument is not a
 * valid file descriptor open for writing."  XSH pipe(): fildes[0] is "open
 * for reading" only.  seed:P6: one-directional data flow only.  Checked
 * here: a write on the read end fails with -EBADF and puts nothing into
 * the pipe (the next bytes read are the ones written on the write end).
 */
CLAUSE(pipe_write_read_end_ebadf,
       .id = "pipe.write.read_end_ebadf",
       .title = "a write on the read end fails with -EBADF and puts nothing into the pipe",
       .cites = "seed:P6; POSIX.1-2017 XSH write() ERRORS [EBADF], pipe(); pipe(7)")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	STEP(t, "write on the read end");
	CHECK_FAILS(t, iut_write(t, e[0], "xx", 2), -EBADF);
	REQUIRE_EQ(t, iut_write(t, e[1], "ok", 2), 2, "write of 2 bytes on the write end");
	char buf[2];
	ipcconf_read_exact(t, e[0], buf, 2, "reading the pipe");
	CHECK(t, memcmp(buf, "ok", 2) == 0,
	      "read \"%.2s\", expected \"ok\": the refused write on the read end left bytes in the pipe", buf);
}

/*
 * POSIX.1-2017 XSH read(), ERRORS: "[EBADF] The fildes argument is not a
 * valid file descriptor open for reading."  XSH pipe(): fildes[1] is "open
 * for writing" only.  seed:P6.  Checked here: with data in the pipe, a
 * read on the write end fails with -EBADF and consumes nothing.
 */
CLAUSE(pipe_read_write_end_ebadf,
       .id = "pipe.read.write_end_ebadf",
       .title = "a read on the write end fails with -EBADF and consumes nothing",
       .cites = "seed:P6; POSIX.1-2017 XSH read() ERRORS [EBADF], pipe(); pipe(7)")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "ok", 2), 2);
	char buf[2] = { 0, 0 };
	STEP(t, "read on the write end");
	CHECK_FAILS(t, iut_read(t, e[1], buf, 2), -EBADF);
	ipcconf_read_exact(t, e[0], buf, 2, "reading the pipe");
	CHECK(t, memcmp(buf, "ok", 2) == 0,
	      "read \"%.2s\", expected \"ok\": the refused read on the write end consumed bytes", buf);
}

/*
 * POSIX.1-2017 XSH read() and write(), ERRORS: "[EBADF] The fildes argument
 * is not a valid file descriptor open for reading" / "for writing".  XSH
 * close(): the descriptor is deallocated.  Checked here: after close, each
 * end refuses its own operation with -EBADF.  SIGPIPE is ignored, so an
 * implementation that still writes into the reader-less pipe shows as a
 * wrong result (-EPIPE) rather than a dead process.
 */
CLAUSE(pipe_close_use_after_close_ebadf,
       .id = "pipe.close.use_after_close_ebadf",
       .title = "a read or write through a closed handle fails with -EBADF",
       .cites = "seed:P10; POSIX.1-2017 XSH read(), write() ERRORS [EBADF], close()")
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "d", 1), 1);
	char c;
	STEP(t, "read through the closed read end");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the read end");
	CHECK_FAILS(t, iut_read(t, e[0], &c, 1), -EBADF);
	STEP(t, "write through the closed write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the write end");
	CHECK_FAILS(t, iut_write(t, e[1], "x", 1), -EBADF);
}

/*
 * POSIX.1-2017 XSH close(), ERRORS: "[EBADF] The fildes argument is not a
 * open file descriptor."  iut.h: "close(2): releases this handle; -EBADF
 * if it is not open."  Checked for both ends.
 */
CLAUSE(pipe_close_twice_ebadf,
       .id = "pipe.close.twice_ebadf",
       .title = "closing an end a second time fails with -EBADF",
       .cites = "seed:P10; POSIX.1-2017 XSH close() ERRORS [EBADF]")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	CHECK_EQ(t, iut_close(t, e[1]), 0, "first close of the write end");
	CHECK_FAILS(t, iut_close(t, e[1]), -EBADF);
	CHECK_EQ(t, iut_close(t, e[0]), 0, "first close of the read end");
	CHECK_FAILS(t, iut_close(t, e[0]), -EBADF);
}

/* A refused call on a handle that is not open, named for the message. */
static void expect_ebadf(struct ipcconf_t *t, const char *call, const char *handle, long long result)
{
	char expr[128];
	snprintf(expr, sizeof expr, "%s of %s", call, handle);
	ipcconf_check_fails(t, __FILE__, __LINE__, expr, result, -EBADF);
}

/*
 * POSIX.1-2017 XSH read(), ERRORS: "[EBADF] The fildes argument is not a
 * valid file descriptor open for reading"; write(): "... open for
 * writing"; close(): "[EBADF] The fildes argument is not a open file
 * descriptor."  iut.h: "an operation given a handle that is not open
 * returns -EBADF".  Checked here with every kind of handle that is not
 * open: -1 (never a handle: iut.h makes every failure negative, so no
 * success is -1), both ends of a pipe after they were closed, and two
 * large numbers never returned by this process (1<<20 and INT_MAX).  Each
 * must be refused by read, write and close alike.  (SIGPIPE is ignored,
 * so an implementation that still writes into a closed, reader-less pipe
 * shows as a wrong result rather than a dead process.)
 */
CLAUSE(pipe_io_invalid_handle_ebadf,
       .id = "pipe.io.invalid_handle_ebadf",
       .title = "read, write and close of a handle that is not open (-1, closed, never opened) fail with -EBADF",
       .cites = "seed:P10; POSIX.1-2017 XSH read(), write(), close() ERRORS [EBADF]")
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the read end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the write end");
	const struct {
		int h;
		const char *what;
	} handles[] = {
		{ -1, "handle -1" },
		{ e[0], "a closed read end" },
		{ e[1], "a closed write end" },
		{ 1 << 20, "handle 1<<20 (never opened)" },
		{ INT_MAX, "handle INT_MAX (never opened)" },
	};
	for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++) {
		int h = handles[i].h;
		char c = 'x';
		STEP(t, "read, write and close of %s (%d)", handles[i].what, h);
		expect_ebadf(t, "read", handles[i].what, iut_read(t, h, &c, 1));
		expect_ebadf(t, "write", handles[i].what, iut_write(t, h, &c, 1));
		expect_ebadf(t, "close", handles[i].what, iut_close(t, h));
	}
}

/*
 * POSIX.1-2017 XSH lseek(), ERRORS: "[ESPIPE] The fildes argument is
 * associated with a pipe, FIFO, or socket."  pipe(7): "It is not possible
 * to apply lseek(2) to a pipe."  seed:P3: the read and write positions
 * "advance by themselves and cannot be moved".  Checked here: every
 * whence on both ends fails with -ESPIPE, and the stream goes on exactly
 * where it was (a rewind would show "ab" again).
 */
CLAUSE(pipe_seek_espipe,
       .id = "pipe.seek.espipe",
       .title = "seeking either end of a pipe fails with -ESPIPE and moves nothing",
       .cites = "seed:P3; POSIX.1-2017 XSH lseek() ERRORS [ESPIPE]; pipe(7); lseek(2)",
       USES(PIPE, IPCCONF_PIPE_CAP_SEEK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "abcdef", 6), 6);
	char buf[4];
	ipcconf_read_exact(t, e[0], buf, 2, "reading the first 2 bytes");

	static const struct {
		int whence;
		const char *name;
		long long offset;
	} seeks[] = {
		{ SEEK_SET, "SEEK_SET", 0 }, { SEEK_CUR, "SEEK_CUR", 0 },
		{ SEEK_CUR, "SEEK_CUR", -2 }, { SEEK_END, "SEEK_END", 0 },
	};
	for (int end = 0; end < 2; end++)
		for (size_t i = 0; i < sizeof seeks / sizeof seeks[0]; i++) {
			char what[96];
			snprintf(what, sizeof what, "seek(%s end, %lld, %s)", end ? "write" : "read",
				 seeks[i].offset, seeks[i].name);
			ipcconf_check_fails(t, __FILE__, __LINE__, what,
					    iut_seek(t, e[end], seeks[i].offset, seeks[i].whence), -ESPIPE);
		}
	STEP(t, "reading on after the refused seeks");
	ipcconf_read_exact(t, e[0], buf, 4, "reading the remaining 4 bytes");
	CHECK(t, memcmp(buf, "cdef", 4) == 0,
	      "after the seeks the stream gave \"%.4s\", expected \"cdef\" (positions must not move)", buf);
}
