/*
 * Pipe clauses: creation (seed:P7, P10).  A pipe has no name and needs no
 * open: the create call itself hands back two ends, each a distinct
 * stream of its own, and the status flags it was asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * POSIX.1-2017 XSH pipe(), DESCRIPTION: "The pipe() function shall create a
 * pipe and place two file descriptors, one each into the arguments
 * fildes[0] and fildes[1], that refer to the open file descriptions for the
 * read and write ends of the pipe. ... Data can be written to the file
 * descriptor fildes[1] and read from the file descriptor fildes[0]."
 * seed:P7/P10: no name, no explicit open: creation returns the ends.
 * Checked here: two distinct non-negative handles, usable at once.
 */
CLAUSE(pipe_create_two_ends,
       .id = "pipe.create.two_ends",
       .title = "create returns two distinct ends, usable at once: bytes written to ends[1] are read from ends[0]",
       .cites = "seed:P7; seed:P10; POSIX.1-2017 XSH pipe(); pipe(2)")
{
	int e[2] = { -1, -1 };
	STEP(t, "create a pipe");
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	CHECK(t, e[0] >= 0 && e[1] >= 0,
	      "create succeeded but handed back ends %d and %d; expected two handles >= 0", e[0], e[1]);
	REQUIRE(t, e[0] != e[1],
		"create returned the same handle %d for both ends; expected two distinct ends", e[0]);

	STEP(t, "write on ends[1], read on ends[0]");
	REQUIRE_EQ(t, iut_write(t, e[1], "P", 1), 1, "write of 1 byte on ends[1]");
	char c = 0;
	ipcconf_read_exact(t, e[0], &c, 1, "read on ends[0]");
	CHECK(t, c == 'P', "read on ends[0] returned '%c' (0x%02x), expected 'P'", c, (unsigned char)c);
}

/*
 * POSIX.1-2017 XSH pipe(): each call creates "a pipe" of its own; seed:P7:
 * a pipe has no name, so the only way to reach one is through the ends the
 * creating call returned.  Checked here: two pipes made one after the
 * other are separate streams: bytes written into one never come out of the
 * other.  (A broken implementation backing every pipe with one shared
 * buffer fails this.)
 */
CLAUSE(pipe_create_independent_pipes,
       .id = "pipe.create.independent_pipes",
       .title = "two pipes are separate streams: bytes written into one never come out of the other",
       .cites = "seed:P7; POSIX.1-2017 XSH pipe(); pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int a[2], b[2];
	REQUIRE_OK(t, iut_pipe(t, a, O_NONBLOCK), "create of pipe A");
	REQUIRE_OK(t, iut_pipe(t, b, O_NONBLOCK), "create of pipe B");
	int all[4] = { a[0], a[1], b[0], b[1] };
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			CHECK(t, all[i] != all[j],
			      "pipes A (%d, %d) and B (%d, %d) share a handle; expected four distinct handles",
			      a[0], a[1], b[0], b[1]);

	STEP(t, "write 'A' into pipe A; pipe B must stay empty");
	REQUIRE_EQ(t, iut_write(t, a[1], "A", 1), 1, "write of 1 byte into pipe A");
	char c = 0;
	CHECK_EQ(t, iut_read(t, b[0], &c, 1), -EAGAIN,
		 "read of pipe B (O_NONBLOCK) after writing only into pipe A");

	STEP(t, "write 'B' into pipe B; each pipe returns its own byte");
	REQUIRE_EQ(t, iut_write(t, b[1], "B", 1), 1, "write of 1 byte into pipe B");
	c = 0;
	CHECK_EQ(t, iut_read(t, a[0], &c, 1), 1, "read of pipe A");
	CHECK(t, c == 'A', "pipe A returned '%c', expected 'A'", c);
	c = 0;
	CHECK_EQ(t, iut_read(t, b[0], &c, 1), 1, "read of pipe B");
	CHECK(t, c == 'B', "pipe B returned '%c', expected 'B'", c);
}

/* A blocking call on one end of the pipe under test, made by a helper. */
struct default_mode_call {
	int h;
	char byte;
	const char *buf; /* the write's bytes */
	size_t len;
};

static long long read_one(struct ipcconf_t *t, void *arg)
{
	struct default_mode_call *c = arg;
	return iut_read(t, c->h, &c->byte, 1);
}

static long long write_len(struct ipcconf_t *t, void *arg)
{
	struct default_mode_call *c = arg;
	return iut_write(t, c->h, c->buf, c->len);
}

/* What a new pipe holds, measured by filling a scratch pipe made the same way. */
static long scratch_capacity(struct ipcconf_t *t)
{
	int s[2];
	REQUIRE_OK(t, iut_pipe(t, s, 0), "create of a scratch pipe to measure the capacity");
	long cap = ipcconf_fill(t, s[1]);
	REQUIRE_OK(t, iut_close(t, s[0]), "close of the scratch pipe's read end");
	REQUIRE_OK(t, iut_close(t, s[1]), "close of the scratch pipe's write end");
	return cap;
}

/*
 * POSIX.1-2017 XSH pipe(), DESCRIPTION: "The O_NONBLOCK and FD_CLOEXEC
 * flags shall be clear on both file descriptors."  Checked here for
 * O_NONBLOCK, what a create with flags 0 must give.
 *
 * This clause owns the default mode, not what a blocking call then does
 * (pipe.read.blocks_until_write and pipe.write.blocks_when_full own
 * that).  So it checks the flag each end reports, and on each end, left
 * exactly as create made it, the one behaviour that tells the two modes
 * apart: where O_NONBLOCK would make the call return at once (-EAGAIN, or
 * a partial count), it waits -- seen asleep, still waiting after the grace
 * period -- until the clause makes it possible.  On the read end that is a
 * read of the new, empty pipe, let through by a 1-byte write; on the write
 * end a write of more than the pipe holds (twice what a scratch pipe made
 * the same way took, plus one), let through by reading it all.
 */
CLAUSE(pipe_create_blocking_by_default,
       .id = "pipe.create.blocking_by_default",
       .title = "a pipe created with flags 0 has O_NONBLOCK clear on both ends: it says so, and its calls wait",
       .cites = "seed:P10; POSIX.1-2017 XSH pipe(); pipe(2)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	size_t len = 2 * (size_t)scratch_capacity(t) + 1;
	char *big = calloc(len, 1);
	if (!big)
		BROKEN(t, "calloc(%zu) failed", len);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 0, "get_nonblock(read end) of a pipe created with flags 0");
	CHECK_EQ(t, iut_get_nonblock(t, e[1]), 0, "get_nonblock(write end) of a pipe created with flags 0");

	struct default_mode_call rc = { .h = e[0] };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, /* the grace period is pipe.read.blocks_until_write's */
		.what = "a 1-byte read of the new, empty pipe (read end as created)",
		.call = read_one, .arg = &rc });
	ipcconf_block_release(t, &b);
	STEP(t, "a 1-byte write to let the read through");
	CHECK_EQ(t, iut_write(t, e[1], "d", 1), 1);
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1, "the read of the new pipe, once a byte was written");

	struct default_mode_call wc = { .h = e[1], .buf = big, .len = len };
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, /* the grace period is pipe.write.blocks_when_full's */
		.what = "a write of more than the pipe holds (write end as created)",
		.call = write_len, .arg = &wc });
	ipcconf_block_release(t, &b);
	STEP(t, "reading the %zu bytes to let the write through", len);
	ipcconf_read_fill(t, e[0], (long)len, "reading what the waiting write wrote");
	CHECK_EQ(t, ipcconf_block_end(t, &b), (long long)len, "the write of more than the pipe holds, once read");
	free(big);
}

/*
 * pipe(2), pipe2(): "O_NONBLOCK: Set the O_NONBLOCK file status flag on the
 * open file descriptions referred to by the new file descriptors."  Both
 * ends, not one.  Checked: the flag reads back as set on each end, and
 * each end behaves nonblocking: a read of the empty pipe is -EAGAIN, and
 * writes into it stop with -EAGAIN once it is full (instead of blocking,
 * which would end this clause by its timeout).
 */
CLAUSE(pipe_create_nonblock_both_ends,
       .id = "pipe.create.nonblock_both_ends",
       .title = "create with O_NONBLOCK makes both ends nonblocking: empty read and full write give -EAGAIN",
       .cites = "seed:P10; pipe(2) pipe2() O_NONBLOCK; POSIX.1-2017 XSH read(), write()",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, O_NONBLOCK), "pipe create with O_NONBLOCK");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 1, "get_nonblock(read end) of a pipe created with O_NONBLOCK");
	CHECK_EQ(t, iut_get_nonblock(t, e[1]), 1, "get_nonblock(write end) of a pipe created with O_NONBLOCK");

	STEP(t, "read of the empty pipe through the O_NONBLOCK read end");
	char c;
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), -EAGAIN, "read of an empty pipe created with O_NONBLOCK");

	/* Not ipcconf_fill(): it sets O_NONBLOCK itself, which would hide a
	 * write end that create left blocking. */
	STEP(t, "write into the pipe until it is full; a blocking write end would hang here");
	static const char chunk[1024];
	long bound = t->iut->pipe->get_capacity ? iut_get_capacity(t, e[1]) : -1;
	if (bound <= 0)
		bound = 64L << 20; /* no capacity reported: ipcconf_fill's own bound */
	long total = 0;
	for (;;) {
		ssize_t n = iut_write(t, e[1], chunk, sizeof chunk);
		if (n == -EAGAIN)
			break;
		char b[32];
		REQUIRE(t, n > 0, "write of %zu bytes into the O_NONBLOCK pipe after %ld bytes: expected a count or -EAGAIN, got %s",
			sizeof chunk, total, ipcconf_result_name(n, b));
		total += n;
		REQUIRE(t, total <= bound,
			"the pipe accepted %ld bytes without -EAGAIN, more than %ld (its capacity, or 64 MiB if it reports none): the write end is not nonblocking, or the buffer is unbounded (seed:P8)",
			total, bound);
	}
	CHECK(t, total > 0, "the first write into the empty O_NONBLOCK pipe returned -EAGAIN; expected it to accept bytes");
}
