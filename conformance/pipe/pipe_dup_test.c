/*
 * Pipe clauses: duplicated handles (seed:P4, P10).  A duplicate refers to
 * the same end -- the same open file description -- so it keeps that end
 * open after the original is closed, shares its status flags, and reads
 * from the one stream the original reads.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

static int dup_of(struct ipcconf_t *t, int h, const int e[2], const char *what)
{
	int d = iut_dup(t, h);
	REQUIRE_OK(t, d, what);
	REQUIRE(t, d != e[0] && d != e[1], "%s returned %d, a handle already in use; expected a new handle", what, d);
	return d;
}

/*
 * POSIX.1-2017 XSH dup(): the new descriptor refers to "the same open file
 * description as the original".  pipe(7): EOF only when "all file
 * descriptors referring to the write end of a pipe have been closed".
 * Checked here: after the original write end is closed, writing through
 * its duplicate still delivers bytes to the reader.
 */
CLAUSE(pipe_dup_write_end_survives_close,
       .id = "pipe.dup.write_end_survives_close",
       .title = "a duplicate of the write end keeps working after the original is closed",
       .cites = "seed:P10; POSIX.1-2017 XSH dup(); pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_DUP))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	int w2 = dup_of(t, e[1], e, "dup of the write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the original write end");
	STEP(t, "writing through the duplicate");
	CHECK_EQ(t, iut_write(t, w2, "dup", 3), 3, "write through the duplicate after the original was closed");
	char buf[3] = { 0 };
	ipcconf_read_exact(t, e[0], buf, 3, "reading what the duplicate wrote");
	CHECK_MEM(t, buf, "dup", 3, "the bytes read");
	REQUIRE_OK(t, iut_close(t, w2), "close of the duplicate");
	STEP(t, "read after the duplicate, the last write handle, was closed");
	CHECK_EQ(t, iut_read(t, e[0], buf, 1), 0, "read after every write handle was closed");
}

/*
 * POSIX.1-2017 XSH dup(); write() [EPIPE] only when the pipe is "not open
 * for reading by any process".  Checked here: after the original read end
 * is closed, its duplicate still holds the pipe open for reading: a write
 * succeeds (SIGPIPE ignored, so a wrong -EPIPE shows as a result) and the
 * duplicate reads the bytes.
 */
CLAUSE(pipe_dup_read_end_survives_close,
       .id = "pipe.dup.read_end_survives_close",
       .title = "a duplicate of the read end keeps the pipe open for reading: no EPIPE after the original is closed",
       .cites = "seed:P10; POSIX.1-2017 XSH dup(), write() [EPIPE]; pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_DUP))
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	int r2 = dup_of(t, e[0], e, "dup of the read end");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the original read end");
	STEP(t, "writing with only the duplicate read end open");
	CHECK_EQ(t, iut_write(t, e[1], "abc", 3), 3, "write while only a duplicate of the read end is open");
	char buf[3] = { 0 };
	ipcconf_read_exact(t, r2, buf, 3, "reading through the duplicate");
	CHECK_MEM(t, buf, "abc", 3, "the bytes read");
}

/*
 * POSIX.1-2017 XSH dup(): the two descriptors "share ... file status
 * flags"; XSH fcntl(): O_NONBLOCK is a file status flag of the open file
 * description.  Checked here: O_NONBLOCK set through one read handle shows
 * on its duplicate and makes its reads nonblocking; cleared through the
 * duplicate, it is cleared on the original.  (An implementation keeping
 * the flag per handle fails.)
 */
CLAUSE(pipe_dup_shares_nonblock,
       .id = "pipe.dup.shares_nonblock",
       .title = "a duplicate shares O_NONBLOCK with the original: set on one, it applies to both",
       .cites = "seed:P10; POSIX.1-2017 XSH dup(), fcntl() F_SETFL",
       USES(HANDLE, IPCCONF_HANDLE_CAP_DUP | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	int r2 = dup_of(t, e[0], e, "dup of the read end");
	CHECK_EQ(t, iut_get_nonblock(t, r2), 0, "get_nonblock(duplicate) before any change");
	STEP(t, "O_NONBLOCK set on the original read handle");
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "set_nonblock(original read end, 1)");
	CHECK_EQ(t, iut_get_nonblock(t, r2), 1, "get_nonblock(duplicate) after setting O_NONBLOCK on the original");
	char c;
	CHECK_EQ(t, iut_read(t, r2, &c, 1), -EAGAIN,
		 "read of the empty pipe through the duplicate after O_NONBLOCK was set on the original");
	STEP(t, "O_NONBLOCK cleared on the duplicate");
	REQUIRE_OK(t, iut_set_nonblock(t, r2, 0), "set_nonblock(duplicate, 0)");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 0, "get_nonblock(original) after clearing O_NONBLOCK on the duplicate");
}

/*
 * seed:P4: "Data can be read only once".  POSIX.1-2017 XSH dup(): the
 * duplicate refers to the same open file description, so to the same
 * stream.  Checked here: bytes read through one read handle are gone for
 * the other, which goes on with the next bytes.
 */
CLAUSE(pipe_dup_read_handles_share_stream,
       .id = "pipe.dup.read_handles_share_stream",
       .title = "two handles of the read end read one stream: what one reads, the other never sees",
       .cites = "seed:P4; POSIX.1-2017 XSH dup(), read(); pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_DUP))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	int r2 = dup_of(t, e[0], e, "dup of the read end");
	REQUIRE_EQ(t, iut_write(t, e[1], "abcd", 4), 4);
	char buf[2];
	ipcconf_read_exact(t, e[0], buf, 2, "reading 2 bytes through the original");
	CHECK(t, memcmp(buf, "ab", 2) == 0, "the original read \"%.2s\", expected \"ab\"", buf);
	ipcconf_read_exact(t, r2, buf, 2, "reading 2 bytes through the duplicate");
	CHECK(t, memcmp(buf, "cd", 2) == 0,
	      "the duplicate read \"%.2s\", expected \"cd\" (the bytes after those the original consumed)", buf);
}
