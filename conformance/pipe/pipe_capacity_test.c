/*
 * Pipe clauses: capacity and PIPE_BUF (seed:P8).  The buffer is bounded,
 * holds at least PIPE_BUF bytes, and PIPE_BUF is at least 512.  No
 * particular capacity is assumed: 4 KiB and 1 MiB pipes are both legal.
 * Where an implementation reports (F_GETPIPE_SZ) or sets (F_SETPIPE_SZ)
 * the capacity, what a pipe actually holds must agree with it; FIONREAD
 * counts what is unread.
 */
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * seed:P8: "The buffer is bounded".  pipe(7), Pipe capacity: "A pipe has a
 * limited capacity. If the pipe is full, then a write(2) will block or
 * fail".  POSIX.1-2017 XBD <limits.h>: {_POSIX_PIPE_BUF} "Maximum number of
 * bytes that is guaranteed to be atomic when writing to a pipe. Value:
 * 512"; XSH write(): a nonblocking write, "When all data previously written
 * to the pipe is read, ... shall transfer at least {PIPE_BUF} bytes" -- so
 * an empty pipe holds at least PIPE_BUF bytes.  Checked here: filling stops
 * with -EAGAIN (ipcconf_fill fails beyond 64 MiB), PIPE_BUF >= 512, and
 * the capacity is at least PIPE_BUF.
 */
CLAUSE(pipe_capacity_bounded,
       .id = "pipe.capacity.bounded",
       .title = "a pipe's buffer is bounded, and holds at least PIPE_BUF (>= 512) bytes",
       .cites = "seed:P8; POSIX.1-2017 XBD <limits.h> {_POSIX_PIPE_BUF}, XSH write(); pipe(7) Pipe capacity",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	STEP(t, "filling the pipe: it must stop with -EAGAIN");
	long cap = ipcconf_fill(t, e[1]);
	CHECK(t, cap >= pb, "the pipe filled up after %ld bytes, less than PIPE_BUF (%ld)", cap, pb);
}

/*
 * POSIX.1-2017 XSH fpathconf(), _PC_PIPE_BUF: "If path or fildes refers to
 * a pipe or FIFO, the value returned shall apply to the referenced object
 * itself."  Both ends refer to the same pipe, so both report one value.
 */
CLAUSE(pipe_pipe_buf_same_both_ends,
       .id = "pipe.pipe_buf.same_both_ends",
       .title = "both ends of a pipe report the same PIPE_BUF, at least 512",
       .cites = "seed:P8; POSIX.1-2017 XSH fpathconf() _PC_PIPE_BUF",
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pr = ipcconf_pipe_buf(t, e[0]);
	long pw = ipcconf_pipe_buf(t, e[1]);
	CHECK_EQ(t, pr, pw, "pipe_buf(read end) compared with pipe_buf(write end)");
}

/*
 * fcntl(2), F_GETPIPE_SZ: "Return (as the function result) the capacity of
 * the pipe referred to by fd."  F_SETPIPE_SZ: "Note that because of the way
 * the pages of the pipe buffer are employed when data is written to the
 * pipe, the number of bytes that can be written may be less than the
 * nominal size" -- less, never more.  Checked here: both ends report the
 * same capacity, and what a fill gets in is at most that.
 */
CLAUSE(pipe_get_capacity_bounds_fill,
       .id = "pipe.get_capacity.bounds_fill",
       .title = "both ends report one capacity, and a pipe never holds more than it",
       .cites = "seed:P8; fcntl(2) F_GETPIPE_SZ, F_SETPIPE_SZ; pipe(7) Pipe capacity",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_CAPACITY_GET))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cr = iut_get_capacity(t, e[0]);
	long cw = iut_get_capacity(t, e[1]);
	REQUIRE_OK(t, cr, "get_capacity(read end)");
	REQUIRE_OK(t, cw, "get_capacity(write end)");
	CHECK_EQ(t, cr, cw, "get_capacity(read end) compared with get_capacity(write end)");
	long filled = ipcconf_fill(t, e[1]);
	CHECK(t, filled > 0 && filled <= cw,
	      "the pipe took %ld bytes before -EAGAIN, but reports a capacity of %ld", filled, cw);
}

/*
 * After set_capacity(want) returned `got`, the pipe of write end `w` must
 * take from `want` to `got` bytes before a write fails with -EAGAIN.
 */
static void check_fill_between(struct ipcconf_t *t, int w, long want, long got)
{
	long filled = ipcconf_fill(t, w);
	CHECK(t, filled >= want && filled <= got,
	      "after set_capacity(%ld) returned %ld the pipe took %ld bytes; expected %ld to %ld",
	      want, got, filled, want, got);
}

/*
 * fcntl(2), F_SETPIPE_SZ: "Change the capacity of the pipe referred to by
 * fd to be at least arg bytes. ... The actual capacity (in bytes) that is
 * set is returned as the function result."  "Attempts by an unprivileged
 * process to set the pipe capacity above the limit in
 * /proc/sys/fs/pipe-max-size yield the error EPERM" (then the clause is a
 * SKIP).  Checked here: doubling the capacity through the write end
 * returns at least the request; both ends then report the value returned;
 * and the pipe holds at least the request and at most the value returned.
 */
CLAUSE(pipe_set_capacity_grow,
       .id = "pipe.set_capacity.grow",
       .title = "setting a larger capacity returns at least the request, and the pipe then holds that many bytes",
       .cites = "seed:P8; fcntl(2) F_SETPIPE_SZ, F_GETPIPE_SZ",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_CAPACITY_GET | IPCCONF_PIPE_CAP_CAPACITY_SET))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cur = iut_get_capacity(t, e[1]);
	REQUIRE_OK(t, cur, "get_capacity(write end)");
	long want = 2 * cur;
	STEP(t, "set_capacity(%ld), twice the current %ld", want, cur);
	long got = iut_set_capacity(t, e[1], want);
	if (got == -EPERM)
		SKIP(t, "set_capacity(%ld) was refused with -EPERM: the limit for this user is below twice the default capacity (pipe(7) pipe-max-size)",
		     want);
	char b[32];
	REQUIRE(t, got >= want, "set_capacity(%ld): expected a capacity of at least %ld, got %s",
		want, want, ipcconf_result_name(got, b));
	CHECK_EQ(t, iut_get_capacity(t, e[1]), got, "get_capacity(write end) after set_capacity");
	CHECK_EQ(t, iut_get_capacity(t, e[0]), got, "get_capacity(read end) after set_capacity on the write end");
	check_fill_between(t, e[1], want, got);
}

/*
 * fcntl(2), F_SETPIPE_SZ: capacity "at least arg bytes"; "Attempts to set
 * the pipe capacity below the page size are silently rounded up".
 * Checked here on an empty pipe: asking for PIPE_BUF bytes (the least a
 * pipe may hold, see pipe.capacity.bounded) returns at least PIPE_BUF, and
 * the pipe then holds from PIPE_BUF bytes to the value returned.
 */
CLAUSE(pipe_set_capacity_small,
       .id = "pipe.set_capacity.small",
       .title = "setting the capacity to PIPE_BUF returns at least PIPE_BUF, and the pipe holds between the two",
       .cites = "seed:P8; fcntl(2) F_SETPIPE_SZ; POSIX.1-2017 XSH write()",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF | IPCCONF_PIPE_CAP_CAPACITY_GET | IPCCONF_PIPE_CAP_CAPACITY_SET))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	STEP(t, "set_capacity(PIPE_BUF = %ld) on the empty pipe", pb);
	long got = iut_set_capacity(t, e[1], pb);
	char b[32];
	REQUIRE(t, got >= pb, "set_capacity(%ld) on an empty pipe: expected a capacity of at least %ld, got %s",
		pb, pb, ipcconf_result_name(got, b));
	CHECK_EQ(t, iut_get_capacity(t, e[0]), got, "get_capacity(read end) after set_capacity");
	check_fill_between(t, e[1], pb, got);
}

/*
 * fcntl(2), F_SETPIPE_SZ: "Attempting to set the pipe capacity smaller than
 * the amount of buffer space currently used to store data produces the
 * error EBUSY."  Checked here: with the pipe full, asking for half the
 * bytes it holds either fails with -EBUSY (capacity unchanged) or -- when
 * the implementation rounds the request up to at least what it holds --
 * returns a capacity no smaller than the contents.  Either way not a byte
 * is lost.  (An implementation that shrinks and drops data fails.)
 */
CLAUSE(pipe_set_capacity_below_contents_ebusy,
       .id = "pipe.set_capacity.below_contents_ebusy",
       .title = "shrinking a pipe below the bytes it holds fails with -EBUSY and loses nothing",
       .cites = "seed:P8; seed:P4; fcntl(2) F_SETPIPE_SZ EBUSY",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_CAPACITY_GET | IPCCONF_PIPE_CAP_CAPACITY_SET))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long before = iut_get_capacity(t, e[1]);
	REQUIRE_OK(t, before, "get_capacity(write end)");
	long held = ipcconf_fill(t, e[1]);
	long want = held / 2;
	STEP(t, "set_capacity(%ld) with %ld bytes in the pipe", want, held);
	long got = iut_set_capacity(t, e[1], want);
	char b[32];
	if (got == -EBUSY)
		CHECK_EQ(t, iut_get_capacity(t, e[1]), before, "get_capacity after the refused shrink");
	else
		CHECK(t, got >= held,
		      "set_capacity(%ld) with %ld bytes in the pipe returned %s; expected -EBUSY (or a capacity of at least %ld)",
		      want, held, ipcconf_result_name(got, b), held);
	STEP(t, "the %ld bytes are all still there", held);
	ipcconf_read_fill(t, e[0], held, "draining after the shrink attempt");
	ipcconf_expect_empty(t, e[0], "read after the contents were drained");
}

/*
 * pipe(7): "The following ioctl(2) operation, which can be applied to a
 * file descriptor that refers to either end of a pipe, places a count of
 * the number of unread bytes in the pipe in the int buffer".  seed:P4:
 * read data is gone, so the count falls as bytes are read.
 */
CLAUSE(pipe_nread_counts_unread,
       .id = "pipe.nread.counts_unread",
       .title = "nread (FIONREAD) counts the unread bytes: it grows with writes and falls with reads",
       .cites = "seed:P4; pipe(7) FIONREAD",
       USES(STREAM, IPCCONF_STREAM_CAP_NREAD))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	CHECK_EQ(t, iut_nread(t, e[0]), 0, "nread of a new pipe");
	REQUIRE_EQ(t, iut_write(t, e[1], "12345", 5), 5);
	CHECK_EQ(t, iut_nread(t, e[0]), 5, "nread after writing 5 bytes");
	REQUIRE_EQ(t, iut_write(t, e[1], "6789abc", 7), 7, "write of 7 more bytes");
	CHECK_EQ(t, iut_nread(t, e[0]), 12, "nread after writing 12 bytes in two writes");
	char buf[12];
	ipcconf_read_exact(t, e[0], buf, 4, "reading 4 bytes");
	CHECK_EQ(t, iut_nread(t, e[0]), 8, "nread after reading 4 of 12 bytes");
	ipcconf_read_exact(t, e[0], buf, 8, "reading the other 8 bytes");
	CHECK_EQ(t, iut_nread(t, e[0]), 0, "nread after reading every byte");
}

/*
 * pipe(7): FIONREAD gives "the number of unread bytes in the pipe".
 * Checked on a full pipe: the count equals what the fill got in, over
 * every page or segment of the buffer.
 */
CLAUSE(pipe_nread_full_pipe,
       .id = "pipe.nread.full_pipe",
       .title = "nread (FIONREAD) of a full pipe equals the bytes written into it",
       .cites = "seed:P8; pipe(7) FIONREAD",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(STREAM, IPCCONF_STREAM_CAP_NREAD))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long filled = ipcconf_fill(t, e[1]);
	CHECK_EQ(t, iut_nread(t, e[0]), filled, "nread of the full pipe (what the fill wrote)");
}
