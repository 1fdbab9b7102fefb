/*
 * Pipe clauses: end-of-file (seed:P10).  "With all write ends closed, read
 * returns end-of-file (0) once the buffer is drained."  All of them: a
 * writer's death counts as a close, a duplicate still open does not let
 * EOF through, and EOF takes precedence over O_NONBLOCK.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/* A read of 1 byte by a helper that first closes its copy of the write end. */
struct eof_read_call {
	int r, w;
	char c;
};

static void close_own_write_end(struct ipcconf_t *t, void *arg)
{
	struct eof_read_call *c = arg;
	/* The reader must not itself hold a write end. */
	REQUIRE_OK(t, iut_close(t, c->w), "reader: close of its copy of the write end");
}

static long long read_one(struct ipcconf_t *t, void *arg)
{
	struct eof_read_call *c = arg;
	return iut_read(t, c->r, &c->c, 1);
}

/*
 * POSIX.1-2017 XSH read(), "When attempting to read from an empty pipe or
 * FIFO: If no process has the pipe open for writing, read() shall return 0
 * to indicate end-of-file."  pipe(7): "If all file descriptors referring
 * to the write end of a pipe have been closed, then an attempt to read(2)
 * from the pipe will see end-of-file (read(2) will return 0)."  Checked
 * here: on a never-written pipe whose write end is closed, a blocking read
 * returns 0 at once, and keeps doing so.
 */
CLAUSE(pipe_read_eof_when_no_writer,
       .id = "pipe.read.eof_when_no_writer",
       .title = "a read of an empty pipe with its write end closed returns 0 (EOF) at once, every time",
       .cites = "seed:P10; POSIX.1-2017 XSH read(); pipe(7) I/O on pipes")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the only write end");
	char buf[8];
	STEP(t, "blocking read with no writer: expected 0 (EOF) at once");
	CHECK_EQ(t, iut_read(t, e[0], buf, sizeof buf), 0, "read of an empty pipe with no writer");
	STEP(t, "second read with no writer: EOF persists");
	CHECK_EQ(t, iut_read(t, e[0], buf, sizeof buf), 0, "second read of an empty pipe with no writer");
}

/*
 * seed:P10: "read returns end-of-file (0) once the buffer is drained" --
 * not before.  POSIX.1-2017 XSH read() gives 0 only "When attempting to
 * read from an empty pipe"; poll(2), POLLHUP: "Subsequent reads from the
 * channel will return 0 (end of file) only after all outstanding data in
 * the channel has been consumed."  Checked here: bytes written before the
 * last close are all read first, then 0.  (An implementation that drops
 * the buffer on the last writer's close fails.)
 */
CLAUSE(pipe_read_data_before_eof,
       .id = "pipe.read.data_before_eof",
       .title = "data written before the last writer closed is read in full before EOF",
       .cites = "seed:P10; POSIX.1-2017 XSH read(); pipe(7); poll(2) POLLHUP")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "last words", 10), 10);
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the only write end");
	char buf[16] = { 0 };
	STEP(t, "reading the 10 bytes written before the close");
	ipcconf_read_exact(t, e[0], buf, 10, "reading the data written before the close");
	CHECK_MEM(t, buf, "last words", 10, "the bytes read");
	STEP(t, "read after the data: expected 0 (EOF)");
	CHECK_EQ(t, iut_read(t, e[0], buf, sizeof buf), 0, "read after the data, no writer left");
}

/*
 * POSIX.1-2017 XSH read(): "If some process has the pipe open for writing
 * and O_NONBLOCK is clear, read() shall block the calling thread until
 * some data is written or the pipe is closed by all processes that had
 * the pipe open for writing."  Checked here: a reader already asleep on
 * the empty pipe is woken by the last writer's close and returns 0.
 */
CLAUSE(pipe_read_eof_wakes_blocked_reader,
       .id = "pipe.read.eof_wakes_blocked_reader",
       .title = "a reader asleep on an empty pipe is woken by the last writer's close and returns 0",
       .cites = "seed:P10; seed:P5; POSIX.1-2017 XSH read(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct eof_read_call c = { .r = e[0], .w = e[1] };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty pipe whose writer is open",
		.prepare = close_own_write_end, .call = read_one, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "closing the last write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the last write end");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the read woken by the last writer's close");
}

/*
 * seed:P10: "with all write ends closed, read returns end-of-file".
 * pipe(7): EOF comes when "all file descriptors referring to the write end
 * of a pipe have been closed".  Checked here: after the original write end
 * is closed, a duplicate of it keeps the pipe open for writing: a
 * nonblocking read says -EAGAIN (not 0), data written through the
 * duplicate arrives, and only closing the duplicate gives EOF.  (An
 * implementation that signals EOF at the first close fails.)
 */
CLAUSE(pipe_read_eof_needs_all_writers,
       .id = "pipe.read.eof_needs_all_writers",
       .title = "EOF waits for every write handle: a duplicate still open keeps the pipe open",
       .cites = "seed:P10; POSIX.1-2017 XSH read(), dup(); pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_DUP | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	int w2 = iut_dup(t, e[1]);
	REQUIRE_OK(t, w2, "dup of the write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the original write end");
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "set_nonblock(read end, 1)");

	char c = 0;
	STEP(t, "read with the duplicate write end still open");
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), -EAGAIN,
		 "nonblocking read of the empty pipe while a duplicate of the write end is open (0 would be a premature EOF)");
	REQUIRE_EQ(t, iut_write(t, w2, "k", 1), 1, "write through the duplicate");
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 1, "read of the byte written through the duplicate");
	CHECK(t, c == 'k', "read returned '%c', expected 'k'", c);

	STEP(t, "closing the duplicate, the last write handle");
	REQUIRE_OK(t, iut_close(t, w2), "close of the duplicate write end");
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 0, "read after the last write handle was closed");
}

/*
 * iut.h: "An end whose holders have all closed it, or have all exited
 * (killed or not), is gone."  POSIX.1-2017 XSH _exit(): "All of the file
 * descriptors ... open in the calling process shall be closed" -- also
 * when the process is killed.  seed:P10: EOF once all write ends are
 * closed.  Checked here: the only writer, a helper, writes 3 bytes and is
 * killed with SIGKILL without closing anything; before it is reaped, the
 * reader gets the 3 bytes, then 0.  (An implementation that counts only explicit closes
 * leaves the read blocked, and the clause fails by its timeout at the
 * step below.)
 */
CLAUSE(pipe_read_eof_on_writer_killed,
       .id = "pipe.read.eof_on_writer_killed",
       .title = "a writer killed by SIGKILL without closing counts as closed: the reader gets its data, then EOF",
       .cites = "seed:P10; POSIX.1-2017 XSH _exit() Consequences of Process Termination, read(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		REQUIRE_OK(t, iut_close(t, e[0]), "writer: close of its read end");
		REQUIRE_EQ(t, iut_write(t, e[1], "abc", 3), 3, "writer: write of 3 bytes");
		ipcconf_post(t, 0);
		STEP(t, "writer: waiting to be killed, write end still open");
		ipcconf_await(t, 1, 1, "the parent to kill this writer (it never posts)");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the parent's write end");
	ipcconf_await(t, 0, 1, "the writer to write its 3 bytes");
	STEP(t, "killing the only writer with SIGKILL");
	ipcconf_kill(t, writer, SIGKILL);

	/* Not reaped yet: the end must be released by the death itself, while
	 * the writer is still dying or a zombie; the read waits for that. */
	char buf[4] = { 0 };
	STEP(t, "reading the killed writer's 3 bytes");
	ipcconf_read_exact(t, e[0], buf, 3, "reading the bytes the killed writer wrote");
	CHECK_MEM(t, buf, "abc", 3, "the bytes read");
	STEP(t, "read after the only writer was killed: expected 0 (EOF); blocking here means its end was never released");
	CHECK_EQ(t, iut_read(t, e[0], buf, 1), 0, "read after the only writer was killed (before it was reaped)");

	int st = 0;
	if (!ipcconf_wait(t, writer, &st) || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		BROKEN(t, "the writer %d did not end by SIGKILL", (int)writer);
}

/*
 * POSIX.1-2017 XSH read(), empty pipe: "If no process has the pipe open for
 * writing, read() shall return 0 to indicate end-of-file" comes before,
 * and independently of, the O_NONBLOCK case, which applies only "If some
 * process has the pipe open for writing".  Checked here: with O_NONBLOCK
 * set and no writer, the read returns the remaining byte, then 0 -- never
 * -EAGAIN.
 */
CLAUSE(pipe_read_eof_beats_nonblock,
       .id = "pipe.read.eof_beats_nonblock",
       .title = "a nonblocking read with no writer left returns 0 (EOF), not -EAGAIN",
       .cites = "seed:P10; POSIX.1-2017 XSH read()",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, O_NONBLOCK), "pipe create with O_NONBLOCK");
	REQUIRE_EQ(t, iut_write(t, e[1], "z", 1), 1);
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the only write end");
	char c = 0;
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 1, "nonblocking read of the last byte, no writer");
	CHECK(t, c == 'z', "read returned '%c', expected 'z'", c);
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 0, "nonblocking read of the drained pipe with no writer");
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 0, "second nonblocking read of the drained pipe with no writer");
}
