/*
 * Pipe clauses: creation (seed:P7, P10).  A pipe has no name and needs no
 * open: the create call itself hands back two ends, each a distinct
 * stream of its own, and the status flags it was asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "conformance/harness/clause.h"

/*
 * POSIX.1-2017 XSH pipe(), DESCRIPTION: "The pipe() function shall create a
 * pipe and place two file descriptors, one each into the arguments
 * fildes[0] and fildes[1], that refer to the open file descriptions for the
 * read and write ends of the pipe. ... Data can be written to the file
 * descriptor fildes[1] and read from the file descriptor fildes[0]."
 * seed:P7/P10: no name, no explicit open: creation returns the ends.
 * Checked here: two distinct non-negative handles, usable at once.
 */
CLAUSE(pipe_create_two_ends,
       .id = "pipe.create.two_ends",
       .title = "create returns two distinct ends, usable at once: bytes written to ends[1] are read from ends[0]",
       .cites = "seed:P7; seed:P10; POSIX.1-2017 XSH pipe(); pipe(2)",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2] = { -1, -1 };
	STEP(t, "create a pipe");
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	CHECK(t, e[0] >= 0 && e[1] >= 0,
	      "create succeeded but handed back ends %d and %d; expected two handles >= 0", e[0], e[1]);
	REQUIRE(t, e[0] != e[1],
		"create returned the same handle %d for both ends; expected two distinct ends", e[0]);

	STEP(t, "write on ends[1], read on ends[0]");
	REQUIRE_EQ(t, t->stream->write(e[1], "P", 1), 1, "write of 1 byte on ends[1]");
	char c = 0;
	ipcconf_read_exact(t, e[0], &c, 1, "read on ends[0]");
	CHECK(t, c == 'P', "read on ends[0] returned '%c' (0x%02x), expected 'P'", c, (unsigned char)c);
}

/*
 * POSIX.1-2017 XSH pipe(): each call creates "a pipe" of its own; seed:P7:
 * a pipe has no name, so the only way to reach one is through the ends the
 * creating call returned.  Checked here: two pipes made one after the
 * other are separate streams: bytes written into one never come out of the
 * other.  (A broken implementation backing every pipe with one shared
 * buffer fails this.)
 */
CLAUSE(pipe_create_independent_pipes,
       .id = "pipe.create.independent_pipes",
       .title = "two pipes are separate streams: bytes written into one never come out of the other",
       .cites = "seed:P7; POSIX.1-2017 XSH pipe(); pipe(7)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_NONBLOCK)
{
	int a[2], b[2];
	REQUIRE_OK(t, t->pipe->create(a, O_NONBLOCK), "create of pipe A");
	REQUIRE_OK(t, t->pipe->create(b, O_NONBLOCK), "create of pipe B");
	int all[4] = { a[0], a[1], b[0], b[1] };
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			CHECK(t, all[i] != all[j],
			      "pipes A (%d, %d) and B (%d, %d) share a handle; expected four distinct handles",
			      a[0], a[1], b[0], b[1]);

	STEP(t, "write 'A' into pipe A; pipe B must stay empty");
	REQUIRE_EQ(t, t->stream->write(a[1], "A", 1), 1, "write of 1 byte into pipe A");
	char c = 0;
	CHECK_EQ(t, t->stream->read(b[0], &c, 1), -EAGAIN,
		 "read of pipe B (O_NONBLOCK) after writing only into pipe A");

	STEP(t, "write 'B' into pipe B; each pipe returns its own byte");
	REQUIRE_EQ(t, t->stream->write(b[1], "B", 1), 1, "write of 1 byte into pipe B");
	c = 0;
	CHECK_EQ(t, t->stream->read(a[0], &c, 1), 1, "read of pipe A");
	CHECK(t, c == 'A', "pipe A returned '%c', expected 'A'", c);
	c = 0;
	CHECK_EQ(t, t->stream->read(b[0], &c, 1), 1, "read of pipe B");
	CHECK(t, c == 'B', "pipe B returned '%c', expected 'B'", c);
}

/*
 * POSIX.1-2017 XSH pipe(), DESCRIPTION: "The O_NONBLOCK and FD_CLOEXEC
 * flags shall be clear on both file descriptors."  Checked here for
 * O_NONBLOCK (what a create with flags 0 must give).
 */
CLAUSE(pipe_create_blocking_by_default,
       .id = "pipe.create.blocking_by_default",
       .title = "a pipe created with flags 0 has O_NONBLOCK clear on both ends",
       .cites = "seed:P10; POSIX.1-2017 XSH pipe(); pipe(2)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_NONBLOCK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	CHECK_EQ(t, t->stream->get_nonblock(e[0]), 0, "get_nonblock(read end) of a pipe created with flags 0");
	CHECK_EQ(t, t->stream->get_nonblock(e[1]), 0, "get_nonblock(write end) of a pipe created with flags 0");
}

/*
 * pipe(2), pipe2(): "O_NONBLOCK: Set the O_NONBLOCK file status flag on the
 * open file descriptions referred to by the new file descriptors."  Both
 * ends, not one.  Checked: the flag reads back as set on each end, and
 * each end behaves nonblocking: a read of the empty pipe is -EAGAIN, and
 * writes into it stop with -EAGAIN once it is full (instead of blocking,
 * which would end this clause by its timeout).
 */
CLAUSE(pipe_create_nonblock_both_ends,
       .id = "pipe.create.nonblock_both_ends",
       .title = "create with O_NONBLOCK makes both ends nonblocking: empty read and full write give -EAGAIN",
       .cites = "seed:P10; pipe(2) pipe2() O_NONBLOCK; POSIX.1-2017 XSH read(), write()",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_NONBLOCK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, O_NONBLOCK), "pipe create with O_NONBLOCK");
	CHECK_EQ(t, t->stream->get_nonblock(e[0]), 1, "get_nonblock(read end) of a pipe created with O_NONBLOCK");
	CHECK_EQ(t, t->stream->get_nonblock(e[1]), 1, "get_nonblock(write end) of a pipe created with O_NONBLOCK");

	STEP(t, "read of the empty pipe through the O_NONBLOCK read end");
	char c;
	CHECK_EQ(t, t->stream->read(e[0], &c, 1), -EAGAIN, "read of an empty pipe created with O_NONBLOCK");

	/* Not ipcconf_fill(): it sets O_NONBLOCK itself, which would hide a
	 * write end that create left blocking. */
	STEP(t, "write into the pipe until it is full; a blocking write end would hang here");
	static const char chunk[1024];
	long total = 0;
	for (;;) {
		ssize_t n = t->stream->write(e[1], chunk, sizeof chunk);
		if (n == -EAGAIN)
			break;
		char b[32];
		REQUIRE(t, n > 0, "write of %zu bytes into the O_NONBLOCK pipe after %ld bytes: expected a count or -EAGAIN, got %s",
			sizeof chunk, total, ipcconf_result_name(n, b));
		total += n;
		REQUIRE(t, total <= (64L << 20),
			"the pipe accepted over 64 MiB without -EAGAIN; its buffer must be bounded (seed:P8)");
	}
	CHECK(t, total > 0, "the first write into the empty O_NONBLOCK pipe returned -EAGAIN; expected it to accept bytes");
}
