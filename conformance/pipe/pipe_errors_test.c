/*
 * Pipe clauses: misuse of the ends (seed:P6, P3).  Data flows one way
 * only, so each end refuses the other's operation with -EBADF and moves
 * no data; a closed handle is refused the same way; and the positions of
 * a pipe cannot be moved (-ESPIPE).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/clause.h"

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
       .cites = "seed:P6; POSIX.1-2017 XSH write() ERRORS [EBADF], pipe(); pipe(7)",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	STEP(t, "write on the read end");
	CHECK_EQ(t, t->stream->write(e[0], "xx", 2), -EBADF, "write of 2 bytes on the read end");
	REQUIRE_EQ(t, t->stream->write(e[1], "ok", 2), 2, "write of 2 bytes on the write end");
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
       .cites = "seed:P6; POSIX.1-2017 XSH read() ERRORS [EBADF], pipe(); pipe(7)",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	REQUIRE_EQ(t, t->stream->write(e[1], "ok", 2), 2, "write of 2 bytes");
	char buf[2] = { 0, 0 };
	STEP(t, "read on the write end");
	CHECK_EQ(t, t->stream->read(e[1], buf, 2), -EBADF, "read of 2 bytes on the write end");
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
       .cites = "seed:P10; POSIX.1-2017 XSH read(), write() ERRORS [EBADF], close()",
       .needs = IPCCONF_CAP_PIPE)
{
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		BROKEN(t, "signal(SIGPIPE, SIG_IGN) failed");
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	REQUIRE_EQ(t, t->stream->write(e[1], "d", 1), 1, "write of 1 byte");
	char c;
	STEP(t, "read through the closed read end");
	REQUIRE_OK(t, t->stream->close(e[0]), "close of the read end");
	CHECK_EQ(t, t->stream->read(e[0], &c, 1), -EBADF, "read through the closed read end (1 byte was in the pipe)");
	STEP(t, "write through the closed write end");
	REQUIRE_OK(t, t->stream->close(e[1]), "close of the write end");
	CHECK_EQ(t, t->stream->write(e[1], "x", 1), -EBADF, "write through the closed write end");
}

/*
 * POSIX.1-2017 XSH close(), ERRORS: "[EBADF] The fildes argument is not a
 * open file descriptor."  iut.h: "close(2): releases this handle; -EBADF
 * if it is not open."  Checked for both ends.
 */
CLAUSE(pipe_close_twice_ebadf,
       .id = "pipe.close.twice_ebadf",
       .title = "closing an end a second time fails with -EBADF",
       .cites = "seed:P10; POSIX.1-2017 XSH close() ERRORS [EBADF]",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	CHECK_EQ(t, t->stream->close(e[1]), 0, "first close of the write end");
	CHECK_EQ(t, t->stream->close(e[1]), -EBADF, "second close of the write end");
	CHECK_EQ(t, t->stream->close(e[0]), 0, "first close of the read end");
	CHECK_EQ(t, t->stream->close(e[0]), -EBADF, "second close of the read end");
}

/*
 * POSIX.1-2017 XSH read(), write(), close(), ERRORS [EBADF]: a handle that
 * was never returned is not open.  -1 is never a handle (iut.h: every
 * failure is a negative result, so no success can be -1).
 */
CLAUSE(pipe_io_invalid_handle_ebadf,
       .id = "pipe.io.invalid_handle_ebadf",
       .title = "read, write and close of handle -1 fail with -EBADF",
       .cites = "seed:P10; POSIX.1-2017 XSH read(), write(), close() ERRORS [EBADF]",
       .needs = IPCCONF_CAP_PIPE)
{
	char c = 0;
	CHECK_EQ(t, t->stream->read(-1, &c, 1), -EBADF, "read of handle -1");
	CHECK_EQ(t, t->stream->write(-1, &c, 1), -EBADF, "write of handle -1");
	CHECK_EQ(t, t->stream->close(-1), -EBADF, "close of handle -1");
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
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_SEEK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	REQUIRE_EQ(t, t->stream->write(e[1], "abcdef", 6), 6, "write of 6 bytes");
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
			CHECK_EQ(t, t->stream->seek(e[end], seeks[i].offset, seeks[i].whence), -ESPIPE, what);
		}
	STEP(t, "reading on after the refused seeks");
	ipcconf_read_exact(t, e[0], buf, 4, "reading the remaining 4 bytes");
	CHECK(t, memcmp(buf, "cdef", 4) == 0,
	      "after the seeks the stream gave \"%.4s\", expected \"cdef\" (positions must not move)", buf);
}
