/*
 * FIFO clauses: the pipe rules that hold for FIFOs too.  fifo(7): "A FIFO
 * special file (a named pipe) is similar to a pipe ... Once the FIFO
 * special file has been opened, I/O is performed as for a pipe"; POSIX
 * words read() and write() for "a pipe or FIFO" alike.  A FIFO's ends come
 * from open() rather than pipe(), which is reason enough to check each
 * rule again on them: wrong-end EBADF, the O_NONBLOCK write rules around
 * PIPE_BUF, EINTR of a sleeping read, and end-of-file for every sleeping
 * reader when the last writer closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

static unsigned char pattern(uint64_t i)
{
	return (unsigned char)(((uint32_t)i * 2654435761u) >> 24) | 1; /* never 0, unlike the filler */
}

static unsigned char *pattern_buf(struct ipcconf_t *t, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);
	if (!b)
		BROKEN(t, "malloc(%zu) failed", len);
	for (size_t i = 0; i < len; i++)
		b[i] = pattern(i);
	return b;
}

/*
 * POSIX.1-2017 XSH read(), ERRORS: "[EBADF] The fildes argument is not a
 * valid file descriptor open for reading."  A FIFO opened O_WRONLY is not
 * open for reading.  Checked here: with 3 bytes in the FIFO, a read
 * through the write end fails with -EBADF, and the reader still gets the
 * 3 bytes (the failed read took nothing).
 */
CLAUSE(fifo_read_write_end_ebadf,
       .id = "fifo.read.write_end_ebadf",
       .title = "a read through a FIFO's write-only end fails with -EBADF and takes nothing",
       .cites = "POSIX.1-2017 XSH read() ERRORS [EBADF]; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	REQUIRE_EQ(t, iut_write(t, w, "abc", 3), 3, "write of 3 bytes");
	char buf[8];
	STEP(t, "read through the write end");
	CHECK_FAILS(t, iut_read(t, w, buf, sizeof buf), -EBADF);
	STEP(t, "the reader gets the 3 bytes");
	ipcconf_read_exact(t, r, buf, 3, "reading the 3 bytes after the failed read");
	CHECK_MEM(t, buf, "abc", 3, "the bytes after the failed read");
	ipcconf_expect_empty(t, r, "read after the 3 bytes");
}

/*
 * POSIX.1-2017 XSH write(), ERRORS: "[EBADF] The fildes argument is not a
 * valid file descriptor open for writing."  A FIFO opened O_RDONLY is not
 * open for writing.  Checked here: a write through the read end fails
 * with -EBADF and puts nothing in the FIFO.
 */
CLAUSE(fifo_write_read_end_ebadf,
       .id = "fifo.write.read_end_ebadf",
       .title = "a write through a FIFO's read-only end fails with -EBADF and puts nothing in it",
       .cites = "POSIX.1-2017 XSH write() ERRORS [EBADF]; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	STEP(t, "write through the read end");
	CHECK_FAILS(t, iut_write(t, r, "xyz", 3), -EBADF);
	ipcconf_expect_empty(t, r, "read after the refused write (its bytes must not be there)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set, {PIPE_BUF} or fewer bytes:
 * "if there is sufficient space available in the pipe, write() shall
 * transfer all the data and return the number of bytes requested.
 * Otherwise, write() shall transfer no data and return -1 with errno set
 * to [EAGAIN]."  pipe(7), PIPE_BUF: "O_NONBLOCK enabled, n <= PIPE_BUF:
 * If there is room to write n bytes to the pipe, then write(2) succeeds
 * immediately, writing all n bytes; otherwise write(2) fails, with errno
 * set to EAGAIN."  The same for a FIFO.  Checked here: a full FIFO with
 * PIPE_BUF/2 bytes read out; nonblocking writes of PIPE_BUF and of
 * PIPE_BUF/2 + 1 bytes both fail with -EAGAIN and the FIFO holds only its
 * old bytes afterwards.
 */
CLAUSE(fifo_write_nonblock_all_or_nothing,
       .id = "fifo.write.nonblock_all_or_nothing",
       .title = "a nonblocking write of at most PIPE_BUF bytes into a FIFO without room for it transfers nothing: -EAGAIN",
       .cites = "POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	long pb = ipcconf_pipe_buf(t, w);
	long cap = ipcconf_fill(t, w);
	long room = pb / 2;
	REQUIRE(t, cap >= room, "the FIFO holds only %ld bytes, less than PIPE_BUF/2 = %ld", cap, room);
	STEP(t, "reading %ld bytes to leave room for PIPE_BUF/2 bytes", room);
	ipcconf_read_fill(t, r, room, "making room");
	unsigned char *rec = pattern_buf(t, (size_t)pb);
	CHECK_EQ(t, iut_write(t, w, rec, (size_t)pb), -EAGAIN,
		 "PIPE_BUF-byte write into the FIFO with room for PIPE_BUF/2 (O_NONBLOCK)");
	CHECK_EQ(t, iut_write(t, w, rec, (size_t)room + 1), -EAGAIN,
		 "(PIPE_BUF/2 + 1)-byte write into the FIFO with room for PIPE_BUF/2 (O_NONBLOCK)");
	free(rec);
	STEP(t, "the FIFO holds only the old bytes");
	ipcconf_read_fill(t, r, cap - room, "draining the old contents");
	ipcconf_expect_empty(t, r, "read after the old contents (bytes of a refused write?)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set, more than {PIPE_BUF} bytes:
 * "When at least one byte can be written, transfer what it can and return
 * the number of bytes written."  pipe(7): "O_NONBLOCK enabled, n >
 * PIPE_BUF: If the pipe is full, then write(2) fails, with errno set to
 * EAGAIN.  Otherwise, from 1 to n bytes may be written (i.e., a "partial
 * write" may occur)".  The same for a FIFO.  The room is arranged as in
 * pipe.write.nonblock_large_partial: the FIFO is emptied and holds one old
 * byte, and the write is capacity + PIPE_BUF + 1 bytes (the odd length
 * lets an implementation that keeps pages use the partly filled one).
 * Checked here: the write returns a count from 1 to the room, and exactly
 * that many bytes follow the old byte.
 */
CLAUSE(fifo_write_nonblock_large_partial,
       .id = "fifo.write.nonblock_large_partial",
       .title = "a nonblocking write larger than PIPE_BUF and than the room left in a FIFO transfers part and returns its count",
       .cites = "POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	long pb = ipcconf_pipe_buf(t, w);
	long cap = ipcconf_fill(t, w);
	STEP(t, "emptying the FIFO, then writing one old byte");
	ipcconf_read_fill(t, r, cap, "emptying the full FIFO");
	REQUIRE_EQ(t, iut_write(t, w, "o", 1), 1, "the 1-byte write of the old byte");
	long room = cap - 1;

	size_t len = (size_t)cap + (size_t)pb + 1;
	unsigned char *big = pattern_buf(t, len);
	STEP(t, "nonblocking write of %zu bytes with room for %ld", len, room);
	ssize_t n = iut_write(t, w, big, len);
	char b[32];
	REQUIRE(t, n >= 1 && n <= room,
		"%zu-byte write (more than PIPE_BUF %ld) into a FIFO with room for %ld (O_NONBLOCK): expected a partial count from 1 to %ld, got %s",
		len, pb, room, room, ipcconf_result_name(n, b));
	STEP(t, "the old byte, then exactly the %zd bytes written", n);
	char old = 0;
	ipcconf_read_exact(t, r, &old, 1, "reading the old byte");
	CHECK_EQ(t, old, 'o', "the first byte (the old one, written before)");
	unsigned char *got = malloc((size_t)n);
	if (!got)
		BROKEN(t, "malloc(%zd) failed", n);
	ipcconf_read_exact(t, r, got, (size_t)n, "reading the partially written bytes");
	CHECK_MEM(t, got, big, (size_t)n, "the bytes of the partial write");
	free(got);
	free(big);
	ipcconf_expect_empty(t, r, "read after the reported count of bytes (more written than reported?)");
}

/* A helper's 1-byte read of a FIFO, SIGUSR1 caught without SA_RESTART. */
struct fifo_read_call {
	const char *path;
	int r, w;
	char byte;
};

static void catch_sigusr1(struct ipcconf_t *t, void *arg)
{
	ipcconf_catch(t, SIGUSR1, 0);
}

static long long read_byte(struct ipcconf_t *t, void *arg)
{
	struct fifo_read_call *c = arg;
	return iut_read(t, c->r, &c->byte, 1);
}

static void handled_once(struct ipcconf_t *t, void *arg, long long result)
{
	CHECK_EQ(t, ipcconf_caught(SIGUSR1), 1, "times the helper's SIGUSR1 handler ran");
}

/*
 * POSIX.1-2017 XSH read(), ERRORS: "[EINTR] The read operation was
 * terminated due to the receipt of a signal, and no data was
 * transferred."  XSH sigaction(), SA_RESTART: without it an interrupted
 * function fails with [EINTR].  signal(7) lists read(2) on "pipes, FIFOs"
 * among the calls so interrupted.  Checked here: a helper asleep in a
 * 1-byte read of an empty FIFO whose writer is open (SIGUSR1 caught
 * without SA_RESTART) gets SIGUSR1: the read returns -EINTR and the
 * handler ran once; a byte written afterwards is still there for the
 * reader (the interrupted read took nothing).  (An interrupted open is
 * fifo.open.eintr.)
 */
CLAUSE(fifo_read_eintr,
       .id = "fifo.read.eintr",
       .title = "a read asleep on an empty FIFO fails with -EINTR when a caught signal (no SA_RESTART) arrives",
       .cites = "seed:P5; POSIX.1-2017 XSH read() ERRORS [EINTR], sigaction() SA_RESTART; signal(7); fifo(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	struct fifo_read_call c = { .path = path };
	ipcconf_open_fifo_pair(t, path, &c.r, &c.w);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty FIFO (writer open), SIGUSR1 caught without SA_RESTART",
		.prepare = catch_sigusr1, .call = read_byte, .then = handled_once, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "sending SIGUSR1 to the sleeping reader %d", (int)b.pid);
	ipcconf_kill(t, b.pid, SIGUSR1);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR,
		 "the FIFO read interrupted by a caught SIGUSR1 (no SA_RESTART), nothing read");
	STEP(t, "a byte written after the interrupted read reaches the reader");
	REQUIRE_EQ(t, iut_write(t, c.w, "k", 1), 1, "write of 1 byte");
	char k = 0;
	ipcconf_read_exact(t, c.r, &k, 1, "read of the byte written after the interruption");
	CHECK_EQ(t, k, 'k', "the byte written after the interruption");
}

#define EOF_READERS 3

/* In the helper: its own reader on the FIFO; the inherited ends closed. */
static void own_reader_only(struct ipcconf_t *t, void *arg)
{
	struct fifo_read_call *c = arg;
	int mine = iut_fifo_open(t, c->path, O_RDONLY | O_NONBLOCK);
	REQUIRE_OK(t, mine, "helper: open O_RDONLY|O_NONBLOCK of its own reader");
	REQUIRE_OK(t, iut_set_nonblock(t, mine, 0), "helper: set_nonblock(own reader, 0)");
	REQUIRE_OK(t, iut_close(t, c->w), "helper: close of its copy of the writer");
	REQUIRE_OK(t, iut_close(t, c->r), "helper: close of its copy of the parent's reader");
	c->r = mine;
}

/*
 * POSIX.1-2017 XSH read(): "When attempting to read from an empty pipe or
 * FIFO: If no process has the pipe open for writing, read() shall return
 * 0 to indicate end-of-file."  fifo(7): I/O "as for a pipe"; pipe(7): "If
 * all file descriptors referring to the write end of a pipe have been
 * closed, then an attempt to read(2) from the pipe will see end-of-file".
 * This holds for every reader, also those asleep when the last writer
 * goes.  Checked here: three helpers, each with its own read-open of the
 * FIFO, asleep in 1-byte reads; closing the only writer wakes all three,
 * each with 0.  (One sleeping reader: fifo.read.blocked_reader_woken_by_close.)
 */
CLAUSE(fifo_read_eof_wakes_all_blocked_readers,
       .id = "fifo.read.eof_wakes_all_blocked_readers",
       .title = "closing a FIFO's last writer wakes every reader asleep on it, each with 0 (EOF)",
       .cites = "seed:P10; seed:F2; POSIX.1-2017 XSH read(); fifo(7); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	struct fifo_read_call c = { .path = path };
	ipcconf_open_fifo_pair(t, path, &c.r, &c.w);
	struct ipcconf_blocked b[EOF_READERS];
	for (unsigned i = 0; i < EOF_READERS; i++)
		ipcconf_block_begin(t, &b[i], &(struct ipcconf_blocking_call){
			.no_grace = 1,
			.what = "a 1-byte read of an empty FIFO whose writer is open",
			.prepare = own_reader_only, .call = read_byte, .arg = &c });
	for (unsigned i = 0; i < EOF_READERS; i++)
		ipcconf_block_release(t, &b[i]);
	STEP(t, "closing the only writer with %d readers asleep", EOF_READERS);
	REQUIRE_OK(t, iut_close(t, c.w), "close of the last writer");
	for (unsigned i = 0; i < EOF_READERS; i++)
		CHECK_EQ(t, ipcconf_block_end(t, &b[i]), 0,
			 "a sleeping FIFO reader's read when the last writer closed (EOF)");
}
