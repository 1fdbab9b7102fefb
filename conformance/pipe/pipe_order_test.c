/*
 * Pipe clauses: order and consumption of the byte stream (seed:P2-P4).
 */
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"

/*
 * POSIX.1-2017 XSH pipe(): "Data can be written to the file descriptor
 * fildes[1] and read from the file descriptor fildes[0]. A read on the file
 * descriptor fildes[0] shall access data written to the file descriptor
 * fildes[1] on a first-in-first-out basis."
 */
CLAUSE(pipe_io_fifo_order,
       .id = "pipe.io.fifo_order",
       .title = "bytes leave a pipe in the order they entered, across several writes",
       .cites = "seed:P2; POSIX.1-2017 XSH pipe(); pipe(7)",
       .needs = IPCCONF_CAP_PIPE)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	const char *parts[] = { "first,", "second,", "third" };
	for (int i = 0; i < 3; i++) {
		STEP(t, "write part %d", i);
		CHECK_EQ(t, t->stream->write(e[1], parts[i], strlen(parts[i])),
			 (long long)strlen(parts[i]), "write of one part");
	}
	char got[32] = { 0 };
	STEP(t, "read everything back");
	ipcconf_read_exact(t, e[0], got, strlen("first,second,third"), "reading the parts back");
	CHECK(t, memcmp(got, "first,second,third", 18) == 0,
	      "read back \"%.18s\", expected \"first,second,third\"", got);
}

/*
 * POSIX.1-2017 XSH read(): the data is read from the pipe; seed:P4 says the
 * data can be read only once.  A second read must see the next bytes, never
 * the ones already returned.
 */
CLAUSE(pipe_read_consumes,
       .id = "pipe.read.consumes",
       .title = "data read from a pipe is gone from it: a second read returns the next bytes",
       .cites = "seed:P4; POSIX.1-2017 XSH read(); pipe(7)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_NONBLOCK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	REQUIRE_EQ(t, t->stream->write(e[1], "abcd", 4), 4, "write of 4 bytes");
	char b[4];
	ipcconf_read_exact(t, e[0], b, 2, "first read");
	CHECK(t, memcmp(b, "ab", 2) == 0, "first read returned \"%.2s\", expected \"ab\"", b);
	ipcconf_read_exact(t, e[0], b, 2, "second read");
	CHECK(t, memcmp(b, "cd", 2) == 0,
	      "second read returned \"%.2s\", expected \"cd\" (data read once must be gone)", b);
	REQUIRE_OK(t, t->stream->set_nonblock(e[0], 1), "set_nonblock(read end)");
	CHECK_EQ(t, t->stream->read(e[0], b, sizeof b), -EAGAIN,
		 "read of the drained pipe (O_NONBLOCK, writer open)");
}

/*
 * POSIX.1-2017 XSH read(): "When attempting to read from an empty pipe or
 * FIFO: ... If some process has the pipe open for writing and O_NONBLOCK is
 * clear, read() shall block the calling thread until some data is written".
 */
CLAUSE(pipe_read_blocks_until_write,
       .id = "pipe.read.blocks_until_write",
       .title = "a read of an empty pipe blocks, and a write wakes it with the data",
       .cites = "seed:P5; POSIX.1-2017 XSH read(), write(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		char b[8];
		STEP(t, "read of the empty pipe");
		ipcconf_post(t, 0);
		ssize_t n = t->stream->read(e[0], b, sizeof b);
		ipcconf_post(t, 1);
		CHECK_EQ(t, n, 5, "read woken by a 5-byte write");
		CHECK(t, n != 5 || memcmp(b, "hello", 5) == 0, "read returned \"%.5s\", expected \"hello\"", b);
		ipcconf_exit(t);
	}
	ipcconf_require_blocked(t, reader, 0, 1, "read of an empty pipe");
	STEP(t, "write to wake the reader");
	CHECK_EQ(t, t->stream->write(e[1], "hello", 5), 5, "write of 5 bytes");
	ipcconf_join(t, reader, "the blocked reader");
}
