/*
 * FIFO clauses: how ends, contents and the name come and go (seed:F4, and
 * seed:P10 carried over by fifo(7): "For details of the semantics of I/O on
 * FIFOs, see pipe(7).").
 *
 * The name lives in the file system; the contents live in memory, as long
 * as some handle holds the FIFO open.  Removing the name does not touch the
 * contents; closing the last handle drops the contents but not the name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

/* Checkpoints: a helper ready; go on. */
enum { CP_READY = 2, CP_GO = 3 };

/* lstat(2) of `path`: 0 if it is a FIFO, -EINVAL if something else, or -errno. */
static int lstat_result(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -errno;
	return S_ISFIFO(st.st_mode) ? 0 : -EINVAL;
}

/*
 * POSIX.1-2017 XSH read(): "When attempting to read from an empty pipe or
 * FIFO: If no process has the pipe open for writing, read() shall return 0
 * to indicate end-of-file."  seed:P10: with all write ends closed, read
 * returns end-of-file once the buffer is drained.
 *
 * Bytes written before the close still come first; end-of-file follows,
 * and stays.  Caught: a close that drops buffered data, and a reader that
 * blocks or gets EAGAIN after the last writer left.
 */
CLAUSE(fifo_read_eof_after_writer_close,
       .id = "fifo.read.eof_after_writer_close",
       .title = "after the last writer closes, a reader gets the buffered bytes, then 0 (end-of-file) on every read",
       .cites = "seed:F2; seed:P10; POSIX.1-2017 XSH read(); fifo(7), pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	CHECK_EQ(t, iut_write(t, w, "bye", 3), 3);
	STEP(t, "close the only writer");
	CHECK_EQ(t, iut_close(t, w), 0, "close of the only writer");
	char b[8] = { 0 };
	STEP(t, "read the buffered bytes");
	ipcconf_read_exact(t, r, b, 3, "read of the bytes written before the close");
	CHECK_MEM(t, b, "bye", 3, "the bytes read");
	STEP(t, "read at end-of-file");
	CHECK_EQ(t, iut_read(t, r, b, sizeof b), 0, "read of the drained FIFO with no writer");
	CHECK_EQ(t, iut_read(t, r, b, sizeof b), 0, "second read at end-of-file");
}

/* A reader that opens the FIFO by name itself, then reads 1 byte. */
struct fifo_read_call {
	const char *path;
	int r;
	char c;
};

/* Before the read: the open meets the writer's, and waits for it to have returned. */
static void open_reader(struct ipcconf_t *t, void *arg)
{
	struct fifo_read_call *c = arg;
	c->r = iut_fifo_open(t, c->path, O_RDONLY);
	REQUIRE_OK(t, c->r, "reader: open O_RDONLY");
	ipcconf_await(t, CP_READY, 1, "the writer's open");
}

static long long read_one(struct ipcconf_t *t, void *arg)
{
	struct fifo_read_call *c = arg;
	return iut_read(t, c->r, &c->c, 1);
}

/*
 * POSIX.1-2017 XSH read(): with a writer and O_NONBLOCK clear, read()
 * "shall block the calling thread until some data is written or the pipe is
 * closed by all processes that had the pipe open for writing."
 *
 * Two helpers open the FIFO by name, a writer and a reader (nothing is
 * opened before a fork, so no handle is inherited); the reader sleeps in
 * read(), and the close of the only writer must wake it with 0.  Caught: a
 * close that forgets to wake readers (the reader times out).
 */
CLAUSE(fifo_read_blocked_reader_woken_by_close,
       .id = "fifo.read.blocked_reader_woken_by_close",
       .title = "a read blocked in an empty FIFO returns 0 when the last writer closes",
       .cites = "seed:F5; seed:P10; POSIX.1-2017 XSH read(); fifo(7), pipe(7)")
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		STEP(t, "writer: open O_WRONLY");
		int w = iut_fifo_open(t, path, O_WRONLY);
		REQUIRE_OK(t, w, "writer: open O_WRONLY");
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead to close");
		STEP(t, "writer: close, the last writer's");
		CHECK_EQ(t, iut_close(t, w), 0, "writer: close");
		ipcconf_exit(t);
	}
	struct fifo_read_call c = { .path = path };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty FIFO with a writer open",
		.prepare = open_reader, .call = read_one, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "letting the only writer close");
	ipcconf_post(t, CP_GO);
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the blocked read when the last writer closed");
	ipcconf_join(t, writer, "the writer");
}

/*
 * POSIX.1-2017 XSH write(), ERRORS: "[EPIPE] An attempt is made to write to
 * a pipe or FIFO that is not open for reading by any process, or that only
 * has one end open.  A SIGPIPE signal shall also be sent to the thread."
 * seed:P10: "EPIPE when SIGPIPE is ignored".
 *
 * The only reader is another process that closes and exits.  Caught: a
 * write that succeeds into a reader-less FIFO (bytes nobody can read), or
 * blocks.
 */
CLAUSE(fifo_write_epipe_without_reader,
       .id = "fifo.write.epipe_without_reader",
       .title = "with SIGPIPE ignored, a write to a FIFO whose readers have all closed fails with EPIPE",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS; fifo(7), pipe(7)")
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		STEP(t, "reader: open O_RDONLY, read one byte, close");
		int r = iut_fifo_open(t, path, O_RDONLY);
		REQUIRE_OK(t, r, "reader: open O_RDONLY");
		char c;
		ipcconf_read_exact(t, r, &c, 1, "reader: read of one byte");
		CHECK_EQ(t, iut_close(t, r), 0, "reader: close");
		ipcconf_exit(t);
	}
	ipcconf_ignore(t, SIGPIPE);
	STEP(t, "open O_WRONLY");
	int w = iut_fifo_open(t, path, O_WRONLY);
	REQUIRE_OK(t, w, "open O_WRONLY");
	CHECK_EQ(t, iut_write(t, w, "x", 1), 1, "write of one byte while the reader is open");
	ipcconf_join(t, reader, "the reader");
	STEP(t, "write after the only reader closed");
	CHECK_EQ(t, iut_write(t, w, "y", 1), -EPIPE, "write after the only reader closed");
	CHECK_EQ(t, iut_write(t, w, "z", 1), -EPIPE, "second write after the only reader closed");
}

/*
 * POSIX.1-2017 XSH write(), ERRORS, [EPIPE]: "A SIGPIPE signal shall also
 * be sent to the thread."  fifo(7): "When a process tries to write to a
 * FIFO that is not opened for read on the other side, the process is sent a
 * SIGPIPE signal."  signal(7): SIGPIPE's default action is to terminate.
 *
 * A writer helper with the default disposition writes after the only
 * reader closed and must die of SIGPIPE.  Caught: an implementation that
 * returns EPIPE without raising the signal.
 */
CLAUSE(fifo_write_sigpipe_kills_writer,
       .id = "fifo.write.sigpipe_kills_writer",
       .title = "a writer with default SIGPIPE handling is killed by SIGPIPE when it writes to a reader-less FIFO",
       .cites = "seed:P10; POSIX.1-2017 XSH write() ERRORS; fifo(7); signal(7)",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		/* Clause processes start with default actions; said here, as the rule needs it. */
		ipcconf_default_action(t, SIGPIPE);
		STEP(t, "writer: open O_WRONLY");
		int w = iut_fifo_open(t, path, O_WRONLY);
		REQUIRE_OK(t, w, "writer: open O_WRONLY");
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "the reader's close");
		STEP(t, "writer: write to the FIFO whose reader closed");
		ssize_t n = iut_write(t, w, "x", 1);
		char b[32];
		FAIL(t, "writer: write after the only reader closed returned %s; expected death by SIGPIPE",
		     ipcconf_result_name(n, b));
		ipcconf_exit(t);
	}
	STEP(t, "open O_RDONLY");
	int r = iut_fifo_open(t, path, O_RDONLY);
	REQUIRE_OK(t, r, "open O_RDONLY");
	ipcconf_await(t, CP_READY, 1, "the writer's open");
	STEP(t, "close the only reader");
	CHECK_EQ(t, iut_close(t, r), 0, "close of the only reader");
	ipcconf_post(t, CP_GO);
	int st = 0;
	if (!ipcconf_wait(t, writer, &st)) {
		FAIL(t, "timeout: the writer neither died nor finished after writing to a reader-less FIFO");
		return;
	}
	CHECK(t, WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	      "the writer %s %d; expected it to be killed by SIGPIPE (%d)",
	      WIFSIGNALED(st) ? "was killed by signal" : "exited with status",
	      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), SIGPIPE);
}

/*
 * POSIX.1-2017 XSH close(), DESCRIPTION: "When all file descriptors
 * associated with a pipe or FIFO special file are closed, any data
 * remaining in the pipe or FIFO shall be discarded."  seed:F4: the contents
 * live in memory, the name in the file system.
 *
 * Two ways to be the last holder: a reader and a writer, and one O_RDWR
 * handle.  After the last close the name is still a FIFO, but reopened it
 * is empty.  Caught: an implementation that keeps the bytes with the name.
 */
CLAUSE(fifo_close_last_close_discards_data,
       .id = "fifo.close.last_close_discards_data",
       .title = "when every handle of a FIFO is closed its unread data is discarded; the name stays",
       .cites = "seed:F4; POSIX.1-2017 XSH close(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *a = ipcconf_make_fifo(t, "a");
	const char *b = ipcconf_make_fifo(t, "b");
	char buf[8] = { 0 };

	STEP(t, "a: write through a reader/writer pair, then close both");
	int r, w;
	ipcconf_open_fifo_pair(t, a, &r, &w);
	CHECK_EQ(t, iut_write(t, w, "stale", 5), 5);
	CHECK_EQ(t, iut_close(t, r), 0, "close of the reader");
	CHECK_EQ(t, iut_close(t, w), 0, "close of the writer");
	CHECK_EQ(t, lstat_result(a), 0, "lstat (must be a FIFO) of the name after the last close");
	STEP(t, "a: reopen and read");
	ipcconf_open_fifo_pair(t, a, &r, &w);
	REQUIRE_OK(t, iut_set_nonblock(t, r, 1), "set_nonblock(reader, 1)");
	CHECK_EQ(t, iut_read(t, r, buf, sizeof buf), -EAGAIN,
		 "read of the reopened FIFO (the old bytes must be gone; a writer is open)");
	CHECK_EQ(t, iut_write(t, w, "fresh", 5), 5, "write of 5 new bytes");
	size_t n = ipcconf_drain_now(t, r, buf, sizeof buf, 10, "reading the reopened FIFO (10 bytes were written in all)");
	CHECK(t, n == 5 && memcmp(buf, "fresh", 5) == 0,
	      "the reopened FIFO held %zu bytes \"%.*s\", expected only the new \"fresh\"", n,
	      (int)(n < sizeof buf ? n : sizeof buf), buf);

	STEP(t, "b: write through one O_RDWR handle, then close it");
	int h = iut_fifo_open(t, b, O_RDWR);
	REQUIRE_OK(t, h, "open O_RDWR");
	CHECK_EQ(t, iut_write(t, h, "stale", 5), 5);
	CHECK_EQ(t, iut_close(t, h), 0, "close of the only handle");
	STEP(t, "b: reopen and read");
	h = iut_fifo_open(t, b, O_RDWR | O_NONBLOCK);
	REQUIRE_OK(t, h, "reopen O_RDWR|O_NONBLOCK");
	CHECK_EQ(t, iut_read(t, h, buf, sizeof buf), -EAGAIN,
		 "read of the reopened O_RDWR FIFO (the old bytes must be gone)");
}

/*
 * POSIX.1-2017 XSH unlink(), DESCRIPTION: "If one or more processes have
 * the file open when the last link is removed, the link shall be removed
 * before unlink() returns, but the removal of the file contents shall be
 * postponed until all references to the file are closed."  seed:F4: the
 * name lives in the file system, the contents in memory.
 *
 * After the name goes: it is gone from the file system at once, new opens
 * fail with ENOENT, yet the ends already open keep the stream, its old
 * bytes, new bytes and end-of-file.  Caught: an unlink that tears down the
 * open stream, and one that leaves the name reachable.
 */
CLAUSE(fifo_unlink_open_ends_survive,
       .id = "fifo.unlink.open_ends_survive",
       .title = "after unlink of a FIFO's name, open ends keep working and new opens fail with ENOENT",
       .cites = "seed:F4; POSIX.1-2017 XSH unlink(), open() ERRORS; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	CHECK_EQ(t, iut_write(t, w, "before", 6), 6, "write of 6 bytes before the unlink");

	STEP(t, "unlink the name");
	CHECK_EQ(t, iut_fifo_unlink(t, path), 0, "unlink of the FIFO's name with both ends open");
	CHECK_EQ(t, lstat_result(path), -ENOENT, "lstat(2) of the name after unlink");
	CHECK_EQ(t, iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK), -ENOENT,
		 "open O_RDONLY|O_NONBLOCK of the unlinked name");
	CHECK_EQ(t, iut_fifo_open(t, path, O_RDWR), -ENOENT, "open O_RDWR of the unlinked name");
	CHECK_EQ(t, iut_fifo_unlink(t, path), -ENOENT, "second unlink of the name");

	STEP(t, "use the open ends after the unlink");
	CHECK_EQ(t, iut_write(t, w, "+after", 6), 6, "write of 6 bytes after the unlink");
	char b[12] = { 0 };
	ipcconf_read_exact(t, r, b, 12, "read after the unlink");
	CHECK_MEM(t, b, "before+after", 12, "the bytes read");
	CHECK_EQ(t, iut_close(t, w), 0, "close of the writer");
	CHECK_EQ(t, iut_read(t, r, b, 1), 0, "read after the writer closed (EOF)");
}

/*
 * POSIX.1-2017 XSH mkfifo(): "The mkfifo() function shall create a new
 * FIFO special file"; XSH unlink() (quoted above): the unlinked FIFO lives
 * on only for the ends that hold it.  seed:F4: a name is a reference to
 * contents, not the contents.
 *
 * A FIFO made again under the name of an unlinked one that is still open
 * is a different FIFO: bytes written to one never appear in the other.
 * Caught: an implementation that keys its streams by path name.
 */
CLAUSE(fifo_unlink_new_fifo_same_name_is_distinct,
       .id = "fifo.unlink.new_fifo_same_name_is_distinct",
       .title = "a FIFO created under the name of an unlinked, still-open FIFO is a separate stream",
       .cites = "seed:F4; POSIX.1-2017 XSH mkfifo(), unlink(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int old_r, old_w;
	ipcconf_open_fifo_pair(t, path, &old_r, &old_w);
	CHECK_EQ(t, iut_write(t, old_w, "old", 3), 3, "write of 3 bytes into the old FIFO");
	STEP(t, "unlink and make a new FIFO under the same name");
	REQUIRE_OK(t, iut_fifo_unlink(t, path), "unlink");
	REQUIRE_OK(t, iut_mkfifo(t, path, 0600), "mkfifo under the unlinked name");
	int new_r, new_w;
	ipcconf_open_fifo_pair(t, path, &new_r, &new_w);
	REQUIRE_OK(t, iut_set_nonblock(t, old_r, 1), "set_nonblock(old reader, 1)");
	REQUIRE_OK(t, iut_set_nonblock(t, new_r, 1), "set_nonblock(new reader, 1)");

	char b[8] = { 0 };
	STEP(t, "the new FIFO starts empty");
	CHECK_EQ(t, iut_read(t, new_r, b, sizeof b), -EAGAIN,
		 "read of the new FIFO (the old one's bytes must not be in it)");
	CHECK_EQ(t, iut_write(t, new_w, "new", 3), 3, "write of 3 bytes into the new FIFO");
	STEP(t, "each reader gets its own FIFO's bytes, and only those");
	size_t n = ipcconf_drain_now(t, old_r, b, sizeof b, 6, "reading the old FIFO (6 bytes were written in all)");
	CHECK(t, n == 3 && memcmp(b, "old", 3) == 0, "the old FIFO held %zu bytes \"%.*s\", expected \"old\"",
	      n, (int)(n < sizeof b ? n : sizeof b), b);
	n = ipcconf_drain_now(t, new_r, b, sizeof b, 6, "reading the new FIFO (6 bytes were written in all)");
	CHECK(t, n == 3 && memcmp(b, "new", 3) == 0, "the new FIFO held %zu bytes \"%.*s\", expected \"new\"",
	      n, (int)(n < sizeof b ? n : sizeof b), b);
}

/*
 * Forks the FIFO's only `who` ("writer" or "reader"): it opens `path`
 * with `flags` (blocking), writes `data` unless NULL, posts CP_READY and
 * waits to be killed.
 */
static pid_t fork_doomed_peer(struct ipcconf_t *t, const char *path, int flags, const char *data,
			      const char *who)
{
	pid_t peer = ipcconf_fork(t);
	if (peer == 0) {
		char what[64];
		STEP(t, "%s: open %s%s, wait to be killed", who, flags == O_WRONLY ? "O_WRONLY" : "O_RDONLY",
		     data ? ", write" : "");
		int h = iut_fifo_open(t, path, flags);
		snprintf(what, sizeof what, "%s: open %s", who, flags == O_WRONLY ? "O_WRONLY" : "O_RDONLY");
		REQUIRE_OK(t, h, what);
		if (data) {
			snprintf(what, sizeof what, "%s: write of %zu bytes", who, strlen(data));
			CHECK_EQ(t, iut_write(t, h, data, strlen(data)), (long long)strlen(data), what);
		}
		ipcconf_post(t, CP_READY);
		ipcconf_await(t, CP_GO, 1, "SIGKILL (never posted)");
		ipcconf_exit(t);
	}
	return peer;
}

/* Once the peer is ready (`ready`), kills it with SIGKILL and reaps it. */
static void kill_peer(struct ipcconf_t *t, pid_t peer, const char *ready, const char *who)
{
	ipcconf_await(t, CP_READY, 1, ready);
	STEP(t, "kill the only %s", who);
	ipcconf_kill(t, peer, SIGKILL);
	int st = 0;
	if (!ipcconf_wait(t, peer, &st))
		BROKEN(t, "the killed %s was not reaped", who);
}

/*
 * POSIX.1-2017 XSH 2.4.3 Signal Actions: on abnormal termination by a
 * signal "the process is terminated ... with all the consequences of
 * _exit()"; XSH _exit(): "All of the file descriptors ... open in the
 * calling process shall be closed."  iut.h: an end whose holders "have all
 * exited (killed or not), is gone."  Then seed:P10: the reader gets the
 * buffered bytes and end-of-file.
 *
 * The only writer, another process, is killed with SIGKILL, so it closes
 * nothing itself.  Caught: an implementation that only counts explicit
 * closes (the reader would block forever: a timeout FAIL).
 */
CLAUSE(fifo_close_killed_writer_counts_as_closed,
       .id = "fifo.close.killed_writer_counts_as_closed",
       .title = "when the only writer is killed, the reader gets its buffered bytes, then end-of-file",
       .cites = "seed:P10; seed:F4; POSIX.1-2017 XSH 2.4.3 Signal Actions, _exit(), read(); fifo(7)",
       .needs = IPCCONF_CAP_PEER_DEATH)
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writer = fork_doomed_peer(t, path, O_WRONLY, "last", "writer");
	STEP(t, "open O_RDONLY");
	int r = iut_fifo_open(t, path, O_RDONLY);
	REQUIRE_OK(t, r, "open O_RDONLY");
	kill_peer(t, writer, "the writer's write", "writer");
	char b[4] = { 0 };
	STEP(t, "read after the writer was killed");
	ipcconf_read_exact(t, r, b, 4, "read of the killed writer's bytes");
	CHECK_MEM(t, b, "last", 4, "the bytes read");
	CHECK_EQ(t, iut_read(t, r, b, 1), 0, "read after the only writer was killed (EOF)");
}

/*
 * As above for the other end: once the only reader is killed, POSIX.1-2017
 * XSH write(), ERRORS: "[EPIPE] An attempt is made to write to a pipe or
 * FIFO that is not open for reading by any process".  seed:P10.  Caught: a
 * killed reader that still counts, so the write succeeds into a FIFO nobody
 * can read.
 */
CLAUSE(fifo_close_killed_reader_counts_as_closed,
       .id = "fifo.close.killed_reader_counts_as_closed",
       .title = "when the only reader is killed, a write fails with EPIPE (SIGPIPE ignored)",
       .cites = "seed:P10; POSIX.1-2017 XSH 2.4.3 Signal Actions, _exit(), write() ERRORS; fifo(7)",
       .needs = IPCCONF_CAP_PEER_DEATH)
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t reader = fork_doomed_peer(t, path, O_RDONLY, NULL, "reader");
	ipcconf_ignore(t, SIGPIPE);
	STEP(t, "open O_WRONLY");
	int w = iut_fifo_open(t, path, O_WRONLY);
	REQUIRE_OK(t, w, "open O_WRONLY");
	kill_peer(t, reader, "the reader's open", "reader");
	STEP(t, "write after the reader was killed");
	CHECK_EQ(t, iut_write(t, w, "x", 1), -EPIPE, "write after the only reader was killed");
}
