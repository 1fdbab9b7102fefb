/*
 * Pipe clauses: blocking and waking (seed:P5).  A writer sleeps while the
 * pipe is full and a read that makes room wakes it; when several readers
 * or writers sleep, each one is served, none is forgotten.  (The reader
 * that sleeps on an empty pipe and is woken by a write is
 * pipe.read.blocks_until_write in pipe_order_test.c.)
 */
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"

/*
 * pipe(7), I/O on pipes: "If a process attempts to write to a full pipe
 * (see below), then write(2) blocks until sufficient data has been read
 * from the pipe to allow the write to complete."  POSIX.1-2017 XSH write():
 * "If the O_NONBLOCK flag is clear, a write request may cause the thread
 * to block, but on normal completion it shall return nbyte."  seed:P5:
 * "writing a full pipe blocks the writer; ... a read from a full pipe
 * wakes blocked writers".  Checked here: a 1-byte write into a full pipe
 * sleeps; draining the pipe wakes it, and its byte follows the old ones.
 */
CLAUSE(pipe_write_blocks_when_full,
       .id = "pipe.write.blocks_when_full",
       .title = "a write into a full pipe blocks, and reading the pipe wakes it",
       .cites = "seed:P5; POSIX.1-2017 XSH write(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_NONBLOCK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	long cap = ipcconf_fill_then_block(t, e[1]);

	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		STEP(t, "blocking 1-byte write into the full pipe");
		ipcconf_post(t, 0);
		ssize_t n = t->stream->write(e[1], "Z", 1);
		ipcconf_post(t, 1);
		CHECK_EQ(t, n, 1, "1-byte write woken by the reader");
		ipcconf_exit(t);
	}
	ipcconf_require_blocked(t, writer, 0, 1, "a 1-byte write into a full pipe");

	STEP(t, "draining the %ld bytes of the full pipe to wake the writer", cap);
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	char c = 0;
	ipcconf_read_exact(t, e[0], &c, 1, "reading the woken writer's byte");
	CHECK(t, c == 'Z', "the byte after the old contents is 0x%02x, expected 'Z' (the woken write)",
	      (unsigned char)c);
	ipcconf_join(t, writer, "the blocked writer");
}

/*
 * seed:P5: "a write into an empty pipe wakes blocked readers".
 * POSIX.1-2017 XSH read(): with O_NONBLOCK clear, read() "shall block the
 * calling thread until some data is written".  Checked here: two readers
 * asleep on the same empty pipe, each asking for 1 byte; one 2-byte write
 * must serve both.  An implementation that wakes only one sleeper (and
 * forgets the other while a byte is left) fails by its timeout: the second
 * reader never returns.
 */
CLAUSE(pipe_read_two_blocked_readers,
       .id = "pipe.read.two_blocked_readers",
       .title = "two readers asleep on an empty pipe are both served by one 2-byte write",
       .cites = "seed:P5; POSIX.1-2017 XSH read(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	pid_t readers[2];
	for (unsigned i = 0; i < 2; i++) {
		readers[i] = ipcconf_fork(t);
		if (readers[i] == 0) {
			char c = 0;
			STEP(t, "reader %u: 1-byte read of the empty pipe", i);
			ipcconf_post(t, 2 * i);
			ssize_t n = t->stream->read(e[0], &c, 1);
			ipcconf_post(t, 2 * i + 1);
			CHECK_EQ(t, n, 1, "1-byte read woken by the 2-byte write");
			CHECK(t, n != 1 || c == 'x' || c == 'y',
			      "reader %u got 0x%02x, expected 'x' or 'y'", i, (unsigned char)c);
			if (n == 1 && (c == 'x' || c == 'y'))
				ipcconf_post(t, c == 'x' ? 4 : 5);
			ipcconf_exit(t);
		}
	}
	ipcconf_require_blocked(t, readers[0], 0, 1, "reader 0's read of an empty pipe");
	ipcconf_require_blocked(t, readers[1], 2, 3, "reader 1's read of an empty pipe");

	STEP(t, "one write of 2 bytes for the two sleeping readers");
	CHECK_EQ(t, t->stream->write(e[1], "xy", 2), 2, "write of 2 bytes");
	ipcconf_join(t, readers[0], "reader 0");
	ipcconf_join(t, readers[1], "reader 1");
	CHECK(t, ipcconf_posted(t, 4) == 1 && ipcconf_posted(t, 5) == 1,
	      "the readers got 'x' %u times and 'y' %u times; expected each byte exactly once",
	      ipcconf_posted(t, 4), ipcconf_posted(t, 5));
}

/*
 * seed:P5: "a read from a full pipe wakes blocked writers".  pipe(7):
 * write(2) "blocks until sufficient data has been read from the pipe to
 * allow the write to complete".  Checked here: two writers asleep on the
 * same full pipe, 1 byte each; draining the pipe must let both complete
 * (an implementation that wakes one writer and forgets the other fails by
 * its timeout).  Their two bytes follow the old contents, in either order.
 */
CLAUSE(pipe_write_two_blocked_writers,
       .id = "pipe.write.two_blocked_writers",
       .title = "two writers asleep on a full pipe both complete once it is drained",
       .cites = "seed:P5; POSIX.1-2017 XSH write(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_NONBLOCK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	long cap = ipcconf_fill_then_block(t, e[1]);
	static const char mine[2] = { 'a', 'b' };
	pid_t writers[2];
	for (unsigned i = 0; i < 2; i++) {
		writers[i] = ipcconf_fork(t);
		if (writers[i] == 0) {
			STEP(t, "writer %u: blocking 1-byte write into the full pipe", i);
			ipcconf_post(t, 2 * i);
			ssize_t n = t->stream->write(e[1], &mine[i], 1);
			ipcconf_post(t, 2 * i + 1);
			CHECK_EQ(t, n, 1, "1-byte write woken by draining the pipe");
			ipcconf_exit(t);
		}
	}
	ipcconf_require_blocked(t, writers[0], 0, 1, "writer 0's write into a full pipe");
	ipcconf_require_blocked(t, writers[1], 2, 3, "writer 1's write into a full pipe");

	STEP(t, "draining the %ld bytes of the full pipe", cap);
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	char got[2] = { 0, 0 };
	ipcconf_read_exact(t, e[0], got, 2, "reading the two woken writers' bytes");
	CHECK(t, (got[0] == 'a' && got[1] == 'b') || (got[0] == 'b' && got[1] == 'a'),
	      "after the old contents came 0x%02x 0x%02x; expected 'a' and 'b' in either order",
	      (unsigned char)got[0], (unsigned char)got[1]);
	ipcconf_join(t, writers[0], "writer 0");
	ipcconf_join(t, writers[1], "writer 1");
}
