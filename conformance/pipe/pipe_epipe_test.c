/*
 * Pipe clauses: writing with no reader (seed:P10).  "With all read ends
 * closed, write fails (SIGPIPE, or EPIPE when SIGPIPE is ignored or
 * blocked)."  The signal goes to the writing thread and kills it by
 * default; a caught, ignored or blocked SIGPIPE leaves -EPIPE.  A reader's
 * death counts as a close; a writer already asleep on a full pipe is woken
 * with -EPIPE; and -EPIPE takes precedence over -EAGAIN.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * SIGPIPE's disposition is set with the harness's raw calls
 * (ipcconf_ignore, ipcconf_catch, ...), never the C library's: these
 * clauses judge pipes, not signal functions.  Helpers inherit it.
 */

/*
 * POSIX.1-2017 XSH write(), ERRORS: "[EPIPE] An attempt is made to write to
 * a pipe or FIFO that is not open for reading by any process, or that only
 * has one end open. A SIGPIPE signal shall also be sent to the thread."
 * pipe(7): "If the calling process is ignoring this signal, then write(2)
 * fails with the error EPIPE."  Checked with SIGPIPE ignored, for a 1-byte
 * and a PIPE_BUF-byte write.
 */
CLAUSE(pipe_write_epipe_no_reader,
       .id = "pipe.write.epipe_no_reader",
       .title = "with SIGPIPE ignored, a write to a pipe whose read end is closed fails with -EPIPE",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS [EPIPE]; pipe(7)",
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the only read end");
	static const char buf[65536];
	STEP(t, "writes with no reader, SIGPIPE ignored");
	CHECK_EQ(t, iut_write(t, e[1], "x", 1), -EPIPE, "1-byte write with no reader (SIGPIPE ignored)");
	CHECK_EQ(t, iut_write(t, e[1], buf, pb < (long)sizeof buf ? (size_t)pb : sizeof buf), -EPIPE,
		 "PIPE_BUF-byte write with no reader (SIGPIPE ignored)");
}

/*
 * POSIX.1-2017 XSH write() [EPIPE]: "not open for reading by any process"
 * -- whatever the pipe still holds.  Unread bytes do not keep a pipe open
 * for writing.  Checked here: bytes are left unread, the read end is
 * closed, and a write fails with -EPIPE.  (An implementation that only
 * checks for a reader when the buffer is empty fails.)
 */
CLAUSE(pipe_write_epipe_despite_unread_data,
       .id = "pipe.write.epipe_despite_unread_data",
       .title = "unread data does not keep a pipe open: with the read end closed a write fails with -EPIPE",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS [EPIPE]; pipe(7)")
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "unread", 6), 6, "write of 6 bytes nobody will read");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the only read end, 6 bytes unread");
	STEP(t, "write with no reader and unread data in the pipe");
	CHECK_EQ(t, iut_write(t, e[1], "x", 1), -EPIPE, "write with no reader, 6 bytes unread (SIGPIPE ignored)");
}

/*
 * POSIX.1-2017 XSH write() [EPIPE]: "A SIGPIPE signal shall also be sent to
 * the thread."  XBD <signal.h>: SIGPIPE's default action is T, "Abnormal
 * termination of the process".  pipe(7): "a write(2) will cause a SIGPIPE
 * signal to be generated for the calling process".  Checked here: a helper
 * with SIGPIPE at its default action writes to a pipe without a reader and
 * is killed by SIGPIPE.  The helper makes its own pipe, so no handle needs
 * to cross a fork.
 */
CLAUSE(pipe_write_sigpipe_kills_writer,
       .id = "pipe.write.sigpipe_kills_writer",
       .title = "with SIGPIPE at its default action, a writer to a pipe without a reader dies of SIGPIPE",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS [EPIPE], XBD <signal.h>; pipe(7)",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	ipcconf_default_action(t, SIGPIPE);
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		int e[2];
		REQUIRE_OK(t, iut_pipe(t, e, 0), "writer: pipe create");
		REQUIRE_OK(t, iut_close(t, e[0]), "writer: close of the only read end");
		STEP(t, "write with no reader, SIGPIPE at its default action: should not return");
		ssize_t n = iut_write(t, e[1], "x", 1);
		char b[32];
		FAIL(t, "write with no reader returned %s; expected the writer to be killed by SIGPIPE",
		     ipcconf_result_name(n, b));
		ipcconf_exit(t);
	}
	int st = 0;
	if (!ipcconf_wait(t, writer, &st)) {
		FAIL(t, "timeout: the writer (pid %d) neither died nor returned from its write", (int)writer);
		return;
	}
	if (WIFSIGNALED(st))
		CHECK(t, WTERMSIG(st) == SIGPIPE, "the writer was killed by signal %d, expected SIGPIPE (%d)",
		      WTERMSIG(st), SIGPIPE);
	else
		CHECK(t, 0, "the writer exited with status %d; expected it to be killed by SIGPIPE",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * pipe(7) and seed:P10: write fails with "EPIPE when SIGPIPE is ignored or
 * blocked".  POSIX.1-2017 XSH write() [EPIPE]: "A SIGPIPE signal shall also
 * be sent to the thread"; XSH 2.4.1: a generated signal that is blocked
 * "shall remain pending".  Checked here: with SIGPIPE blocked, the write
 * fails with -EPIPE and SIGPIPE is pending for the writer afterwards.
 */
CLAUSE(pipe_write_sigpipe_blocked_pending,
       .id = "pipe.write.sigpipe_blocked_pending",
       .title = "with SIGPIPE blocked, a write without a reader fails with -EPIPE and leaves SIGPIPE pending",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS [EPIPE], XSH 2.4.1 Signal Generation and Delivery; pipe(7)",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	ipcconf_block_signal(t, SIGPIPE);
	REQUIRE(t, !ipcconf_signal_pending(t, SIGPIPE), "SIGPIPE was pending before the clause wrote anything");

	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the only read end");
	STEP(t, "write with no reader, SIGPIPE blocked");
	CHECK_EQ(t, iut_write(t, e[1], "x", 1), -EPIPE, "write with no reader (SIGPIPE blocked)");
	CHECK(t, ipcconf_signal_pending(t, SIGPIPE),
	      "after the failed write, SIGPIPE is not pending; expected the write to have sent it");
	/* It stays pending and blocked until the clause process ends: never delivered. */
}

/*
 * POSIX.1-2017 XSH write() [EPIPE]: the write fails with EPIPE and "A
 * SIGPIPE signal shall also be sent to the thread."  With a handler
 * installed the process survives, the handler runs once, and the write
 * returns -EPIPE.  (The signal is sent to the writing thread itself, so
 * the handler has run by the time the write returns.)
 */
CLAUSE(pipe_write_sigpipe_caught_then_epipe,
       .id = "pipe.write.sigpipe_caught_then_epipe",
       .title = "with a SIGPIPE handler, a write without a reader runs the handler once and fails with -EPIPE",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS [EPIPE]; pipe(7)",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	ipcconf_catch(t, SIGPIPE, 0);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the only read end");
	STEP(t, "write with no reader, SIGPIPE caught");
	CHECK_EQ(t, iut_write(t, e[1], "x", 1), -EPIPE, "write with no reader (SIGPIPE caught)");
	CHECK_EQ(t, ipcconf_caught(SIGPIPE), 1, "times the SIGPIPE handler ran during the write");
}

/* A 1-byte write by a helper that first closes its copy of the read end. */
struct epipe_write_call {
	int r, w;
};

static void close_own_read_end(struct ipcconf_t *t, void *arg)
{
	struct epipe_write_call *c = arg;
	REQUIRE_OK(t, iut_close(t, c->r), "writer: close of its copy of the read end");
}

static long long write_x(struct ipcconf_t *t, void *arg)
{
	struct epipe_write_call *c = arg;
	return iut_write(t, c->w, "x", 1);
}

/*
 * POSIX.1-2017 XSH write() [EPIPE]: a write to a pipe "not open for reading
 * by any process" fails; pipe(7): write(2) blocks "until sufficient data
 * has been read from the pipe" -- which can no longer happen once the last
 * reader is gone.  Linux wakes such a writer with EPIPE.  Checked here: a
 * writer asleep on a full pipe (SIGPIPE ignored) returns -EPIPE when the
 * last read end is closed.  (An implementation that does not wake writers
 * on the reader's close leaves it asleep, and the clause fails by its
 * timeout.)
 */
CLAUSE(pipe_write_epipe_wakes_blocked_writer,
       .id = "pipe.write.epipe_wakes_blocked_writer",
       .title = "a writer asleep on a full pipe is woken with -EPIPE when the last reader closes",
       .cites = "seed:P10; seed:P5; POSIX.1-2017 XSH write() ERRORS [EPIPE]; pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	ipcconf_fill_then_block(t, e[1]);
	struct epipe_write_call c = { .r = e[0], .w = e[1] };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte write into a full pipe",
		.prepare = close_own_read_end, .call = write_x, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "closing the last read end");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the last read end");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EPIPE,
		 "the write asleep on a full pipe when the last reader closed (SIGPIPE ignored)");
}

/*
 * iut.h: "An end whose holders have all closed it, or have all exited
 * (killed or not), is gone."  POSIX.1-2017 XSH _exit(): a terminating
 * process's descriptors are closed.  Checked here: the only reader, a
 * helper, is killed by SIGKILL without closing anything; a write then
 * fails with -EPIPE (SIGPIPE ignored).
 */
CLAUSE(pipe_write_epipe_on_reader_killed,
       .id = "pipe.write.epipe_on_reader_killed",
       .title = "a reader killed by SIGKILL without closing counts as closed: a write then fails with -EPIPE",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS [EPIPE], _exit(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH)
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		REQUIRE_OK(t, iut_close(t, e[1]), "reader: close of its write end");
		ipcconf_post(t, 0);
		STEP(t, "reader: waiting to be killed, read end still open");
		ipcconf_await(t, 1, 1, "the parent to kill this reader (it never posts)");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the parent's read end");
	ipcconf_await(t, 0, 1, "the reader to be ready");
	STEP(t, "write with the reader alive: must succeed");
	CHECK_EQ(t, iut_write(t, e[1], "a", 1), 1, "write while the only reader is alive");
	STEP(t, "killing the only reader with SIGKILL");
	ipcconf_kill(t, reader, SIGKILL);
	int st = 0;
	if (!ipcconf_wait(t, reader, &st))
		BROKEN(t, "the SIGKILLed reader %d did not end", (int)reader);
	STEP(t, "write after the only reader was killed");
	CHECK_EQ(t, iut_write(t, e[1], "b", 1), -EPIPE, "write after the only reader was killed (SIGPIPE ignored)");
}

/*
 * pipe(7): "If all file descriptors referring to the read end of a pipe
 * have been closed, then a write(2) will cause a SIGPIPE signal to be
 * generated" -- with no exception for a full pipe.  POSIX.1-2017 XSH
 * write() lists both [EAGAIN] and [EPIPE] without ranking them; Linux
 * (fs/pipe.c) tests for a reader first, and a write that can never
 * succeed is better told so than told to retry.  Checked here: a
 * nonblocking write into a full pipe whose reader is gone fails with
 * -EPIPE, not -EAGAIN.  (An implementation that tests for room first
 * fails.)
 */
CLAUSE(pipe_write_epipe_beats_eagain,
       .id = "pipe.write.epipe_beats_eagain",
       .title = "a nonblocking write into a full pipe with no reader fails with -EPIPE, not -EAGAIN",
       .cites = "seed:P10; pipe(7) I/O on pipes; POSIX.1-2017 XSH write() ERRORS [EPIPE], [EAGAIN]",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	ipcconf_fill(t, e[1]);
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the only read end of the full pipe");
	STEP(t, "nonblocking write into the full pipe with no reader");
	CHECK_EQ(t, iut_write(t, e[1], "x", 1), -EPIPE,
		 "nonblocking 1-byte write into a full pipe with no reader (SIGPIPE ignored)");
}
