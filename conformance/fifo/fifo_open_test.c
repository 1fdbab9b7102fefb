/*
 * FIFO clauses: open() and its rendezvous (seed:F5, F6).
 *
 * POSIX.1-2017 XSH open(), DESCRIPTION, "When opening a FIFO with O_RDONLY
 * or O_WRONLY set":
 *   "If O_NONBLOCK is set, an open() for reading-only shall return without
 *    delay.  An open() for writing-only shall return an error if no process
 *    currently has the file open for reading."
 *   "If O_NONBLOCK is clear, an open() for reading-only shall block the
 *    calling thread until a thread opens the file for writing.  An open()
 *    for writing-only shall block the calling thread until a thread opens
 *    the file for reading."
 *
 * Every helper here opens the FIFO by its path itself: nothing is opened
 * before a fork, so no clause depends on inherited handles.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

/* Checkpoints: a helper ready; go on. */
enum { CP_READY = 2, CP_GO = 3, CP_WRITTEN = 4 };

/* An open of the FIFO by a helper; blocking ones are watched by block.h. */
struct open_call {
	const char *path;
	int flags;
};

static long long open_fifo(struct ipcconf_t *t, void *arg)
{
	struct open_call *c = arg;
	return iut_fifo_open(t, c->path, c->flags);
}

/* In the released reader: the ends are connected. */
static void read_x(struct ipcconf_t *t, void *arg, long long r)
{
	if (r < 0)
		return; /* the clause process reports the result */
	char c = 0;
	STEP(t, "read the writer's byte");
	ipcconf_read_exact(t, (int)r, &c, 1, "read through the released read-open");
	CHECK_EQ(t, c, 'x', "the byte read through the released read-open");
}

/* In the released writer: the ends are connected. */
static void write_y(struct ipcconf_t *t, void *arg, long long w)
{
	if (w < 0)
		return; /* the clause process reports the result */
	STEP(t, "write one byte to the reader");
	CHECK_EQ(t, iut_write(t, (int)w, "y", 1), 1, "write through the released write-open");
}

/*
 * POSIX.1-2017 XSH open() (quoted above): with O_NONBLOCK clear, "an open()
 * for reading-only shall block the calling thread until a thread opens the
 * file for writing."  fifo(7): "Normally, opening the FIFO blocks until the
 * other end is opened also."
 *
 * A helper's read-open must be observed asleep; the clause's write-open
 * must then release it, and the two ends must be connected.  Caught: a
 * read-open that returns at once, and one that never wakes.
 */
CLAUSE(fifo_open_read_blocks_until_writer,
       .id = "fifo.open.read_blocks_until_writer",
       .title = "open O_RDONLY blocks until a writer opens, and the writer's open releases it",
       .cites = "seed:F5; POSIX.1-2017 XSH open(); fifo(7)")
{
	const char *path = ipcconf_make_fifo(t, "f");
	struct open_call c = { .path = path, .flags = O_RDONLY };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "open O_RDONLY with no writer",
		.call = open_fifo, .then = read_x, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "open O_WRONLY to release the reader");
	int w = iut_fifo_open(t, path, O_WRONLY);
	REQUIRE_OK(t, w, "open O_WRONLY while a reader waits in open");
	CHECK_EQ(t, iut_write(t, w, "x", 1), 1);
	long long r = ipcconf_block_end(t, &b);
	char rb[32];
	CHECK(t, r >= 0, "the read-open released by the writer's open: expected a handle, got %s",
	      ipcconf_result_name(r, rb));
}

/*
 * POSIX.1-2017 XSH open() (quoted above): with O_NONBLOCK clear, "An open()
 * for writing-only shall block the calling thread until a thread opens the
 * file for reading."
 *
 * The mirror image of the clause above.  Caught: a write-open that returns
 * at once (it would have nowhere to deliver data), and one never woken.
 */
CLAUSE(fifo_open_write_blocks_until_reader,
       .id = "fifo.open.write_blocks_until_reader",
       .title = "open O_WRONLY blocks until a reader opens, and the reader's open releases it",
       .cites = "seed:F5; POSIX.1-2017 XSH open(); fifo(7)")
{
	const char *path = ipcconf_make_fifo(t, "f");
	struct open_call c = { .path = path, .flags = O_WRONLY };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "open O_WRONLY with no reader",
		.call = open_fifo, .then = write_y, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "open O_RDONLY to release the writer");
	int r = iut_fifo_open(t, path, O_RDONLY);
	REQUIRE_OK(t, r, "open O_RDONLY while a writer waits in open");
	long long w = ipcconf_block_end(t, &b);
	char wb[32];
	CHECK(t, w >= 0, "the write-open released by the reader's open: expected a handle, got %s",
	      ipcconf_result_name(w, wb));
	char c2 = 0;
	ipcconf_read_exact(t, r, &c2, 1, "read of the writer's byte");
	CHECK_EQ(t, c2, 'y', "the byte written through the released write-open");
}

/*
 * fifo(7): "Under Linux, opening a FIFO for read and write will succeed
 * both in blocking and nonblocking mode.  POSIX leaves this behavior
 * undefined.  This can be used to open a FIFO for writing while there are
 * no readers available."  POSIX.1-2017 XSH open(): "The result is undefined
 * if [O_RDWR] is applied to a FIFO."  seed:F6 adopts Linux's definition.
 *
 * No other process exists: an O_RDWR open that waits for a partner hangs
 * until the clause's bound (a FAIL naming this step).  The one handle is
 * both the reader and the writer of the same stream.
 */
CLAUSE(fifo_open_rdwr_does_not_block,
       .id = "fifo.open.rdwr_does_not_block",
       .title = "open O_RDWR returns at once with no other process, and the handle reads back what it wrote",
       .cites = "seed:F6; fifo(7); POSIX.1-2017 XSH open() (O_RDWR on a FIFO: undefined)")
{
	const char *path = ipcconf_make_fifo(t, "f");
	STEP(t, "open O_RDWR with no other process (must not block)");
	int h = iut_fifo_open(t, path, O_RDWR);
	REQUIRE_OK(t, h, "open O_RDWR");
	STEP(t, "write and read back through the same handle");
	CHECK_EQ(t, iut_write(t, h, "ping", 4), 4, "write of 4 bytes to the O_RDWR handle");
	char b[4] = { 0 };
	ipcconf_read_exact(t, h, b, 4, "read back through the O_RDWR handle");
	CHECK(t, memcmp(b, "ping", 4) == 0, "read back \"%.4s\", expected \"ping\"", b);
	CHECK_EQ(t, iut_close(t, h), 0, "close of the O_RDWR handle");
}

/*
 * As above, with O_NONBLOCK: fifo(7) "will succeed both in blocking and
 * nonblocking mode".  Caught: an implementation that treats O_RDWR as
 * O_WRONLY and, finding no other reader, fails with ENXIO.
 */
CLAUSE(fifo_open_rdwr_nonblock_succeeds,
       .id = "fifo.open.rdwr_nonblock_succeeds",
       .title = "open O_RDWR|O_NONBLOCK succeeds with no other process (no ENXIO)",
       .cites = "seed:F6; fifo(7); POSIX.1-2017 XSH open() (O_RDWR on a FIFO: undefined)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	STEP(t, "open O_RDWR|O_NONBLOCK with no other process");
	int h = iut_fifo_open(t, path, O_RDWR | O_NONBLOCK);
	REQUIRE_OK(t, h, "open O_RDWR|O_NONBLOCK");
	char b;
	CHECK_EQ(t, iut_read(t, h, &b, 1), -EAGAIN,
		 "read of the empty FIFO through O_RDWR|O_NONBLOCK (itself a writer: EAGAIN, not EOF)");
}

/*
 * POSIX.1-2017 XSH open(): with O_NONBLOCK set, "an open() for
 * reading-only shall return without delay."  XSH read(): "When attempting
 * to read from an empty pipe or FIFO: If no process has the pipe open for
 * writing, read() shall return 0 to indicate end-of-file."
 *
 * Caught: a nonblocking read-open that blocks (a timeout naming the step)
 * or fails, and a reader with no writer that reports EAGAIN instead of
 * end-of-file.
 */
CLAUSE(fifo_open_nonblock_read_without_writer,
       .id = "fifo.open.nonblock_read_without_writer",
       .title = "open O_RDONLY|O_NONBLOCK succeeds without a writer, and a read then returns 0 (end-of-file)",
       .cites = "seed:F5; POSIX.1-2017 XSH open(), read(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	STEP(t, "open O_RDONLY|O_NONBLOCK with no writer");
	int r = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
	REQUIRE_OK(t, r, "open O_RDONLY|O_NONBLOCK without a writer");
	char b;
	STEP(t, "read with no writer");
	CHECK_EQ(t, iut_read(t, r, &b, 1), 0, "read of an empty FIFO that has no writer");
}

/*
 * POSIX.1-2017 XSH open(): with O_NONBLOCK set, "An open() for
 * writing-only shall return an error if no process currently has the file
 * open for reading."  ERRORS: "[ENXIO] O_NONBLOCK is set, the named file is
 * a FIFO, O_WRONLY is set, and no process has the file open for reading."
 */
CLAUSE(fifo_open_nonblock_write_enxio,
       .id = "fifo.open.nonblock_write_enxio",
       .title = "open O_WRONLY|O_NONBLOCK without a reader fails with ENXIO",
       .cites = "seed:F5; POSIX.1-2017 XSH open() ERRORS; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	STEP(t, "open O_WRONLY|O_NONBLOCK with no reader");
	CHECK_EQ(t, iut_fifo_open(t, path, O_WRONLY | O_NONBLOCK), -ENXIO,
		 "open O_WRONLY|O_NONBLOCK with no reader");
	/* The failed open must not have left a writer behind. */
	int r = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
	REQUIRE_OK(t, r, "open O_RDONLY|O_NONBLOCK after the refused write-open");
	char b;
	CHECK_EQ(t, iut_read(t, r, &b, 1), 0,
		 "read after the refused write-open (no writer may exist: end-of-file)");
}

/*
 * POSIX.1-2017 XSH open() (quoted above): O_WRONLY|O_NONBLOCK fails only
 * when "no process currently has the file open for reading".  With a reader
 * in another process it succeeds and delivers to that reader; once the
 * reader has closed, it fails with ENXIO again ("currently").
 *
 * Caught: a write-open that refuses a reader held by another process, and
 * one that remembers a reader that has gone.
 */
CLAUSE(fifo_open_nonblock_write_with_reader,
       .id = "fifo.open.nonblock_write_with_reader",
       .title = "open O_WRONLY|O_NONBLOCK succeeds while another process has the FIFO open for reading, and only then",
       .cites = "seed:F1, seed:F5; POSIX.1-2017 XSH open(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		STEP(t, "open O_RDONLY|O_NONBLOCK");
		int r = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
		REQUIRE_OK(t, r, "reader: open O_RDONLY|O_NONBLOCK");
		ipcconf_post(t, CP_READY);
		STEP(t, "wait for the writer's data");
		ipcconf_await(t, CP_GO, 1, "the writer to write");
		char b[2] = { 0 };
		ipcconf_read_exact(t, r, b, 2, "reader: read of the 2 bytes written");
		CHECK(t, memcmp(b, "hi", 2) == 0, "reader: read \"%.2s\", expected \"hi\"", b);
		CHECK_EQ(t, iut_close(t, r), 0, "reader: close");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the reader's open");
	STEP(t, "open O_WRONLY|O_NONBLOCK while the reader holds the FIFO");
	int w = iut_fifo_open(t, path, O_WRONLY | O_NONBLOCK);
	REQUIRE_OK(t, w, "open O_WRONLY|O_NONBLOCK while another process reads");
	CHECK_EQ(t, iut_write(t, w, "hi", 2), 2);
	ipcconf_post(t, CP_GO);
	ipcconf_join(t, reader, "the reader");
	CHECK_EQ(t, iut_close(t, w), 0, "close of the writer");

	STEP(t, "open O_WRONLY|O_NONBLOCK after the reader closed");
	CHECK_EQ(t, iut_fifo_open(t, path, O_WRONLY | O_NONBLOCK), -ENXIO,
		 "open O_WRONLY|O_NONBLOCK after the only reader closed");
}

/*
 * POSIX.1-2017 XSH open(), ERRORS: "[ENOENT] O_CREAT is not set and a
 * component of path does not name an existing file".  Opening a FIFO never
 * creates one: only mkfifo() makes the name (seed:F4).  Nonblocking flags
 * are used so that an implementation that wrongly creates the FIFO does not
 * also hang the clause waiting for a partner.
 */
CLAUSE(fifo_open_enoent,
       .id = "fifo.open.enoent",
       .title = "open of a missing path fails with ENOENT in every mode and creates nothing",
       .cites = "seed:F4; POSIX.1-2017 XSH open() ERRORS",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_path(t, "missing");
	static const struct {
		int flags;
		const char *what;
	} modes[] = {
		{ O_RDONLY | O_NONBLOCK, "open O_RDONLY|O_NONBLOCK of a missing path" },
		{ O_WRONLY | O_NONBLOCK, "open O_WRONLY|O_NONBLOCK of a missing path" },
		{ O_RDWR, "open O_RDWR of a missing path" },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		STEP(t, "%s", modes[i].what);
		CHECK_EQ(t, iut_fifo_open(t, path, modes[i].flags), -ENOENT, modes[i].what);
	}
	struct stat st;
	CHECK(t, lstat(path, &st) < 0 && errno == ENOENT,
	      "the missing path exists after the failed opens (open must not create a FIFO)");
}

static void catch_sigusr1(struct ipcconf_t *t, void *arg)
{
	ipcconf_catch(t, SIGUSR1, 0); /* flags 0: no SA_RESTART */
}

/*
 * In the helper, after the interrupted open: its handler ran once, and it
 * left no half-opened reader behind (a nonblocking write-open, made while
 * the helper still lives, finds no reader).
 */
static void left_no_reader(struct ipcconf_t *t, void *arg, long long result)
{
	struct open_call *c = arg;
	CHECK_EQ(t, ipcconf_caught(SIGUSR1), 1, "times the helper's SIGUSR1 handler ran");
	STEP(t, "open O_WRONLY|O_NONBLOCK after the interrupted open");
	CHECK_EQ(t, iut_fifo_open(t, c->path, O_WRONLY | O_NONBLOCK), -ENXIO,
		 "open O_WRONLY|O_NONBLOCK after the interrupted read-open (it must leave no reader)");
}

/*
 * POSIX.1-2017 XSH open(), ERRORS: "[EINTR] A signal was caught during
 * open()."  XSH sigaction(): without SA_RESTART an interrupted call fails
 * with EINTR.  iut.h: "A blocking operation interrupted by a caught signal
 * returns -EINTR when it has transferred nothing."
 *
 * A helper's read-open, observed asleep waiting for a writer, gets a caught
 * SIGUSR1.  Caught: an open that restarts (the helper never finishes), one
 * that returns a handle, and one that leaves a half-opened reader behind
 * (after EINTR a nonblocking write-open must still find no reader).
 */
CLAUSE(fifo_open_eintr,
       .id = "fifo.open.eintr",
       .title = "a blocked open interrupted by a caught signal (no SA_RESTART) fails with EINTR and opens nothing",
       .cites = "seed:F5; POSIX.1-2017 XSH open() ERRORS, sigaction(); signal(7)",
       .needs = IPCCONF_CAP_EINTR,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	struct open_call c = { .path = path, .flags = O_RDONLY };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "open O_RDONLY with no writer, SIGUSR1 caught without SA_RESTART",
		.prepare = catch_sigusr1, .call = open_fifo, .then = left_no_reader, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "interrupt the blocked open with SIGUSR1");
	ipcconf_kill(t, b.pid, SIGUSR1);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR, "the open O_RDONLY interrupted by a caught SIGUSR1");
}

/*
 * POSIX.1-2017 XSH open(): O_NONBLOCK read-opens "return without delay";
 * XSH read(), "When attempting to read from an empty pipe or FIFO": with a
 * writer and O_NONBLOCK set, "read() shall return -1 and set errno to
 * [EAGAIN]"; with no writer, "read() shall return 0".
 *
 * A reader opened before any writer is a full member of the FIFO: it gets
 * the bytes of a writer that opens later, EAGAIN while that writer is open
 * and quiet, and end-of-file once it has closed.  Caught: a reader opened
 * early that is not connected to later writers.
 */
CLAUSE(fifo_open_nonblock_reader_sees_later_writer,
       .id = "fifo.open.nonblock_reader_sees_later_writer",
       .title = "a reader opened O_NONBLOCK before any writer receives a later writer's data, then EAGAIN, then EOF",
       .cites = "seed:F2, seed:F5; POSIX.1-2017 XSH open(), read(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		ipcconf_await(t, CP_READY, 1, "the reader's open");
		STEP(t, "open O_WRONLY (a reader exists) and write");
		int w = iut_fifo_open(t, path, O_WRONLY);
		REQUIRE_OK(t, w, "writer: open O_WRONLY with a reader present");
		CHECK_EQ(t, iut_write(t, w, "data", 4), 4, "writer: write of 4 bytes");
		ipcconf_post(t, CP_WRITTEN);
		STEP(t, "hold the writer open until the reader has seen EAGAIN");
		ipcconf_await(t, CP_GO, 1, "the reader's EAGAIN check");
		CHECK_EQ(t, iut_close(t, w), 0, "writer: close");
		ipcconf_exit(t);
	}
	STEP(t, "open O_RDONLY|O_NONBLOCK before any writer");
	int r = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
	REQUIRE_OK(t, r, "open O_RDONLY|O_NONBLOCK");
	ipcconf_post(t, CP_READY);
	ipcconf_await(t, CP_WRITTEN, 1, "the writer's open and write");

	STEP(t, "read the later writer's data");
	char b[8] = { 0 };
	ipcconf_read_exact(t, r, b, 4, "read of the 4 bytes the later writer wrote");
	CHECK_MEM(t, b, "data", 4, "the bytes read");
	CHECK_EQ(t, iut_read(t, r, b, sizeof b), -EAGAIN,
		 "read of the empty FIFO, O_NONBLOCK, writer still open");
	ipcconf_post(t, CP_GO);
	ipcconf_join(t, writer, "the writer");

	STEP(t, "read after the writer closed");
	CHECK_EQ(t, iut_read(t, r, b, sizeof b), 0, "read of the empty FIFO after its only writer closed");
}
