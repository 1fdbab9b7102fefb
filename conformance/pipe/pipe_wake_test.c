/*
 * Pipe clauses: what the last close of one side does to the processes
 * asleep on the other (seed:P5, P10).  Every reader asleep on an empty
 * pipe is woken by the last writer's close, each with end-of-file; a
 * writer asleep on a full pipe is woken by the last reader's close with
 * EPIPE and SIGPIPE; and a large write that had made progress when the
 * reader left reports the bytes it wrote, the next write EPIPE.
 * (One reader woken by the close: pipe.read.eof_wakes_blocked_reader; the
 * bare EPIPE of a woken writer, SIGPIPE ignored:
 * pipe.write.epipe_wakes_blocked_writer.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

#define EOF_READERS 3

/* A helper's call on a pipe: `h` the end it uses, `other` the end it closes first. */
struct end_call {
	int h, other;
	size_t len;
	char byte;
};

static void close_other_end(struct ipcconf_t *t, void *arg)
{
	struct end_call *c = arg;
	REQUIRE_OK(t, iut_close(t, c->other), "helper: close of its copy of the other end");
}

static long long read_one(struct ipcconf_t *t, void *arg)
{
	struct end_call *c = arg;
	return iut_read(t, c->h, &c->byte, 1);
}

/*
 * POSIX.1-2017 XSH read(): "When attempting to read from an empty pipe or
 * FIFO: If no process has the pipe open for writing, read() shall return
 * 0 to indicate end-of-file."  pipe(7): "If all file descriptors referring
 * to the write end of a pipe have been closed, then an attempt to read(2)
 * from the pipe will see end-of-file (read(2) will return 0)."  seed:P10.
 * The rule holds for every reader, also those already asleep when the
 * last writer goes.  Checked here: three helpers asleep in 1-byte reads
 * of one empty pipe; closing the only write end wakes all three, each
 * with 0.  (An implementation that wakes one sleeper and forgets the
 * others leaves them asleep, and the clause fails by its timeout.)
 */
CLAUSE(pipe_read_eof_wakes_all_blocked_readers,
       .id = "pipe.read.eof_wakes_all_blocked_readers",
       .title = "closing the last write end wakes every reader asleep on the empty pipe, each with 0 (EOF)",
       .cites = "seed:P10; seed:P5; POSIX.1-2017 XSH read(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct end_call c = { .h = e[0], .other = e[1] };
	struct ipcconf_blocked b[EOF_READERS];
	for (unsigned i = 0; i < EOF_READERS; i++)
		ipcconf_block_begin(t, &b[i], &(struct ipcconf_blocking_call){
			.no_grace = 1,
			.what = "a 1-byte read of an empty pipe whose writer is open",
			.prepare = close_other_end, .call = read_one, .arg = &c });
	for (unsigned i = 0; i < EOF_READERS; i++)
		ipcconf_block_release(t, &b[i]);
	STEP(t, "closing the only write end with %d readers asleep", EOF_READERS);
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the last write end");
	for (unsigned i = 0; i < EOF_READERS; i++)
		CHECK_EQ(t, ipcconf_block_end(t, &b[i]), 0,
			 "a sleeping reader's read when the last writer closed (EOF)");
}

static void close_read_end_catch_sigpipe(struct ipcconf_t *t, void *arg)
{
	close_other_end(t, arg);
	ipcconf_catch(t, SIGPIPE, 0);
}

static long long write_one(struct ipcconf_t *t, void *arg)
{
	struct end_call *c = arg;
	return iut_write(t, c->h, &c->byte, 1);
}

static void sigpipe_caught_once(struct ipcconf_t *t, void *arg, long long result)
{
	CHECK_EQ(t, ipcconf_caught(SIGPIPE), 1,
		 "SIGPIPEs the woken writer caught (it must get exactly one)");
}

/*
 * pipe(7): "If all file descriptors referring to the read end of a pipe
 * have been closed, then a write(2) will cause a SIGPIPE signal to be
 * generated for the calling process.  If the calling process is ignoring
 * this signal, then write(2) fails with the error EPIPE."  POSIX.1-2017
 * XSH write() [EPIPE]: "A SIGPIPE signal shall also be sent to the
 * thread."  A write asleep on a full pipe when the last reader leaves is
 * such a write: it can never complete.  Checked here: a helper, SIGPIPE
 * caught (no SA_RESTART), asleep in a 1-byte write into a full pipe; the
 * last read end is closed; its write returns -EPIPE and its handler ran
 * exactly once.  (An implementation that fails the woken write with
 * EPIPE but raises no signal, because the reader was there when the
 * write began, fails.)
 */
CLAUSE(pipe_write_sigpipe_wakes_blocked_writer,
       .id = "pipe.write.sigpipe_wakes_blocked_writer",
       .title = "a writer asleep on a full pipe gets SIGPIPE and -EPIPE when the last reader closes",
       .cites = "seed:P10; seed:P5; POSIX.1-2017 XSH write() ERRORS [EPIPE]; pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_SIGPIPE,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	ipcconf_fill_then_block(t, e[1]);
	struct end_call c = { .h = e[1], .other = e[0], .byte = 'x' };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte write into a full pipe, SIGPIPE caught",
		.prepare = close_read_end_catch_sigpipe, .call = write_one,
		.then = sigpipe_caught_once, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "closing the last read end under the sleeping writer");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the last read end");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EPIPE,
		 "the sleeping write when the last reader closed (SIGPIPE caught)");
}

/* The capacity, measured by filling a scratch pipe (get_capacity is optional). */
static long measured_capacity(struct ipcconf_t *t)
{
	int s[2];
	REQUIRE_OK(t, iut_pipe(t, s, 0), "create of a scratch pipe to measure the capacity");
	long cap = ipcconf_fill(t, s[1]);
	REQUIRE_OK(t, iut_close(t, s[0]), "close of the scratch pipe's read end");
	REQUIRE_OK(t, iut_close(t, s[1]), "close of the scratch pipe's write end");
	return cap;
}

static void close_read_end_ignore_sigpipe(struct ipcconf_t *t, void *arg)
{
	close_other_end(t, arg);
	ipcconf_ignore(t, SIGPIPE);
}

static long long write_large(struct ipcconf_t *t, void *arg)
{
	struct end_call *c = arg;
	char *buf = calloc(1, c->len);
	if (!buf)
		BROKEN(t, "calloc(%zu) failed", c->len);
	long long n = iut_write(t, c->h, buf, c->len);
	free(buf);
	return n;
}

static void next_write_epipe(struct ipcconf_t *t, void *arg, long long result)
{
	struct end_call *c = arg;
	STEP(t, "helper: the write after the partial one");
	CHECK_EQ(t, iut_write(t, c->h, "y", 1), -EPIPE,
		 "the next write, with no reader left (SIGPIPE ignored)");
}

/*
 * write(2): "The number of bytes written may be less than count if, for
 * example, ... the call was interrupted ... after having written less
 * than count bytes"; RETURN VALUE: "On success, the number of bytes
 * written is returned", and "a successful write() may transfer fewer than
 * count bytes".  pipe(7): with no reader left a write fails with EPIPE.
 * Linux (fs/pipe.c, pipe_write()) combines the two: a write that had put
 * bytes into the pipe when the last reader left returns their count, and
 * only a write that transferred nothing fails with EPIPE ("if (!ret) ret
 * = -EPIPE") -- a count, once data moved, is never lost to an error.
 * Checked here: a helper (SIGPIPE ignored) makes one blocking write of
 * twice the capacity + 1 into an empty pipe; it fills the pipe and sleeps;
 * the only read end is closed; the write returns a count between 1 and
 * the capacity, and the helper's next write fails with -EPIPE.
 */
CLAUSE(pipe_write_partial_then_epipe,
       .id = "pipe.write.partial_then_epipe",
       .title = "a large write that made progress when the last reader closed returns its partial count; the next write fails with -EPIPE",
       .cites = "seed:P10; write(2) RETURN VALUE; pipe(7) I/O on pipes; POSIX.1-2017 XSH write() ERRORS [EPIPE]",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	long cap = measured_capacity(t);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct end_call c = { .h = e[1], .other = e[0], .len = 2 * (size_t)cap + 1 };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "one blocking write of twice the capacity + 1 into an empty pipe",
		.prepare = close_read_end_ignore_sigpipe, .call = write_large,
		.then = next_write_epipe, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "closing the only read end under the writer that filled the pipe");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the last read end");
	long long n = ipcconf_block_end(t, &b);
	char nb[32];
	CHECK(t, n > 0 && n <= cap,
	      "the large write when the last reader closed returned %s; expected the count it had written, 1 to the capacity %ld (-EPIPE only when nothing was written)",
	      ipcconf_result_name(n, nb), cap);
}
