/*
 * Pipe clauses: order and consumption of the byte stream (seed:P2-P4), and
 * the reader that sleeps on an empty pipe until a write wakes it (seed:P5).
 */
#include <errno.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * POSIX.1-2017 XSH pipe(): "Data can be written to the file descriptor
 * fildes[1] and read from the file descriptor fildes[0]. A read on the file
 * descriptor fildes[0] shall access data written to the file descriptor
 * fildes[1] on a first-in-first-out basis."
 */
CLAUSE(pipe_io_fifo_order,
       .id = "pipe.io.fifo_order",
       .title = "bytes leave a pipe in the order they entered, across several writes",
       .cites = "seed:P2; POSIX.1-2017 XSH pipe(); pipe(7)")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	static const char *const parts[] = { "first,", "second,", "third" };
	for (int i = 0; i < 3; i++) {
		STEP(t, "write part %d", i);
		CHECK_EQ(t, iut_write(t, e[1], parts[i], strlen(parts[i])), (long long)strlen(parts[i]));
	}
	static const char all[] = "first,second,third";
	char got[sizeof all - 1];
	STEP(t, "read everything back");
	ipcconf_read_exact(t, e[0], got, sizeof got, "reading the parts back");
	CHECK_MEM(t, got, all, sizeof got, "the bytes read back, in order");
}

/*
 * POSIX.1-2017 XSH read(): the data is read from the pipe; seed:P4 says the
 * data can be read only once.  A second read must see the next bytes, never
 * the ones already returned, and once every byte was read the pipe is
 * empty.
 */
CLAUSE(pipe_read_consumes,
       .id = "pipe.read.consumes",
       .title = "data read from a pipe is gone from it: a second read returns the next bytes",
       .cites = "seed:P4; POSIX.1-2017 XSH read(); pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "abcd", 4), 4);
	char b[2];
	ipcconf_read_exact(t, e[0], b, 2, "first read");
	CHECK_MEM(t, b, "ab", 2, "the first 2 bytes read");
	ipcconf_read_exact(t, e[0], b, 2, "second read");
	CHECK_MEM(t, b, "cd", 2, "the next 2 bytes read (data read once must be gone)");
	ipcconf_expect_empty(t, e[0], "read of the drained pipe (O_NONBLOCK, writer open)");
}

struct read_call {
	int r;
	char buf[5];
};

static long long read_5(struct ipcconf_t *t, void *arg)
{
	struct read_call *c = arg;
	return iut_read(t, c->r, c->buf, sizeof c->buf);
}

/* In the woken reader: a short read is legal (pipe.read.short_read); the rest must follow. */
static void read_rest_of_hello(struct ipcconf_t *t, void *arg, long long n)
{
	struct read_call *c = arg;
	if (n < 1 || n > 5)
		return; /* the clause process reports the result */
	ipcconf_read_exact(t, c->r, c->buf + n, sizeof c->buf - (size_t)n,
			   "reader: the rest of the 5 bytes after the woken read");
	CHECK_MEM(t, c->buf, "hello", 5, "the 5 bytes the woken reader got");
}

/*
 * POSIX.1-2017 XSH read(): "When attempting to read from an empty pipe or
 * FIFO: ... If some process has the pipe open for writing and O_NONBLOCK is
 * clear, read() shall block the calling thread until some data is written".
 * seed:P5: "Reading an empty pipe blocks the reader; ... a write into an
 * empty pipe wakes blocked readers".  Checked here: a 5-byte read of the
 * empty pipe is asleep and stays so until a 5-byte write, which wakes it
 * with the data (all 5 bytes, or a first part of them and the rest on the
 * next reads).
 */
CLAUSE(pipe_read_blocks_until_write,
       .id = "pipe.read.blocks_until_write",
       .title = "a read of an empty pipe blocks, and a write wakes it with the data",
       .cites = "seed:P5; POSIX.1-2017 XSH read(), write(); pipe(7) I/O on pipes",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct read_call c = { .r = e[0] };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 5-byte read of an empty pipe",
		.call = read_5, .then = read_rest_of_hello, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "write to wake the reader");
	CHECK_EQ(t, iut_write(t, e[1], "hello", 5), 5);
	long long n = ipcconf_block_end(t, &b);
	char rb[32];
	CHECK(t, n >= 1 && n <= 5, "the woken 5-byte read returned %s; expected 1 to 5 bytes of the write",
	      ipcconf_result_name(n, rb));
}
