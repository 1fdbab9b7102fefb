/*
 * Pipe clauses: blocking and waking (seed:P5).  A writer sleeps while the
 * pipe is full and a read that makes room wakes it; when several readers
 * or writers sleep, each one is served, none is forgotten.  (The reader
 * that sleeps on an empty pipe and is woken by a write is
 * pipe.read.blocks_until_write in pipe_order_test.c.)
 */
#include <errno.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/* Checkpoints the woken readers of pipe.read.two_blocked_readers post. */
enum { CP_GOT_X = 0, CP_GOT_Y = 1 };

/* A blocking 1-byte call on one end of a pipe, made by a helper. */
struct byte_call {
	int h;
	char byte;
};

static long long write_byte(struct ipcconf_t *t, void *arg)
{
	struct byte_call *c = arg;
	return iut_write(t, c->h, &c->byte, 1);
}

static long long read_byte(struct ipcconf_t *t, void *arg)
{
	struct byte_call *c = arg;
	return iut_read(t, c->h, &c->byte, 1);
}

/* In a woken reader: the byte must be one of the two written, and is counted. */
static void count_byte(struct ipcconf_t *t, void *arg, long long n)
{
	struct byte_call *c = arg;
	if (n != 1)
		return; /* the clause process reports the result */
	CHECK(t, c->byte == 'x' || c->byte == 'y', "a woken reader got 0x%02x, expected 'x' or 'y'",
	      (unsigned char)c->byte);
	if (c->byte == 'x' || c->byte == 'y')
		ipcconf_post(t, c->byte == 'x' ? CP_GOT_X : CP_GOT_Y);
}

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
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cap = ipcconf_fill_then_block(t, e[1]);

	struct byte_call c = { .h = e[1], .byte = 'Z' };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 1-byte write into a full pipe", .call = write_byte, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "draining the %ld bytes of the full pipe to wake the writer", cap);
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	char got = 0;
	ipcconf_read_exact(t, e[0], &got, 1, "reading the woken writer's byte");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1, "the woken 1-byte write");
	CHECK_EQ(t, got, 'Z', "the byte after the old contents (the woken write's)");
}

/*
 * seed:P5: "a write into an empty pipe wakes blocked readers".
 * POSIX.1-2017 XSH read(): with O_NONBLOCK clear, read() "shall block the
 * calling thread until some data is written".  Checked here: two readers
 * asleep on the same empty pipe, each asking for 1 byte; one 2-byte write
 * must serve both, each byte going to exactly one of them.  An
 * implementation that wakes only one sleeper (and forgets the other while
 * a byte is left) fails by its timeout: the second reader never returns.
 */
CLAUSE(pipe_read_two_blocked_readers,
       .id = "pipe.read.two_blocked_readers",
       .title = "two readers asleep on an empty pipe are both served by one 2-byte write",
       .cites = "seed:P5; POSIX.1-2017 XSH read(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct byte_call c = { .h = e[0] };
	struct ipcconf_blocked b[2];
	ipcconf_block_begin(t, &b[0], &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "reader 0's 1-byte read of an empty pipe",
		.call = read_byte, .then = count_byte, .arg = &c });
	ipcconf_block_begin(t, &b[1], &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "reader 1's 1-byte read of an empty pipe",
		.call = read_byte, .then = count_byte, .arg = &c });
	ipcconf_block_release(t, &b[0]);
	ipcconf_block_release(t, &b[1]);

	STEP(t, "one write of 2 bytes for the two sleeping readers");
	CHECK_EQ(t, iut_write(t, e[1], "xy", 2), 2);
	CHECK_EQ(t, ipcconf_block_end(t, &b[0]), 1, "reader 0's read, woken by the 2-byte write");
	CHECK_EQ(t, ipcconf_block_end(t, &b[1]), 1, "reader 1's read, woken by the 2-byte write");
	CHECK(t, ipcconf_posted(t, CP_GOT_X) == 1 && ipcconf_posted(t, CP_GOT_Y) == 1,
	      "the readers got 'x' %u times and 'y' %u times; expected each byte exactly once",
	      ipcconf_posted(t, CP_GOT_X), ipcconf_posted(t, CP_GOT_Y));
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
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cap = ipcconf_fill_then_block(t, e[1]);
	struct byte_call a = { .h = e[1], .byte = 'a' }, z = { .h = e[1], .byte = 'b' };
	struct ipcconf_blocked b[2];
	ipcconf_block_begin(t, &b[0], &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "writer 0's 1-byte write into a full pipe", .call = write_byte, .arg = &a });
	ipcconf_block_begin(t, &b[1], &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "writer 1's 1-byte write into a full pipe", .call = write_byte, .arg = &z });
	ipcconf_block_release(t, &b[0]);
	ipcconf_block_release(t, &b[1]);

	STEP(t, "draining the %ld bytes of the full pipe", cap);
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	char got[2] = { 0, 0 };
	ipcconf_read_exact(t, e[0], got, 2, "reading the two woken writers' bytes");
	CHECK_EQ(t, ipcconf_block_end(t, &b[0]), 1, "writer 0's write, woken by draining the pipe");
	CHECK_EQ(t, ipcconf_block_end(t, &b[1]), 1, "writer 1's write, woken by draining the pipe");
	CHECK(t, (got[0] == 'a' && got[1] == 'b') || (got[0] == 'b' && got[1] == 'a'),
	      "after the old contents came 0x%02x 0x%02x; expected 'a' and 'b' in either order",
	      (unsigned char)got[0], (unsigned char)got[1]);
}
