/*
 * Pipe clauses: O_NONBLOCK (seed:P5, P8).  A nonblocking end never
 * sleeps: where a blocking call would wait it fails with -EAGAIN, a write
 * of at most PIPE_BUF bytes is all or nothing, and a larger write takes
 * what fits.  The flag belongs to each end's open file description.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

static unsigned char pattern(uint64_t i)
{
	return (unsigned char)(((uint32_t)i * 2654435761u) >> 24) | 1; /* never 0, unlike the filler */
}

static unsigned char *pattern_buf(struct ipcconf_t *t, size_t len)
{
	unsigned char *b = malloc(len);
	if (!b)
		BROKEN(t, "malloc(%zu) failed", len);
	for (size_t i = 0; i < len; i++)
		b[i] = pattern(i);
	return b;
}

/* Reads `n` bytes and checks they are pattern(0 .. n-1). */
static void read_pattern(struct ipcconf_t *t, int r, size_t n, const char *what)
{
	unsigned char *b = malloc(n ? n : 1);
	if (!b)
		BROKEN(t, "malloc(%zu) failed", n);
	ipcconf_read_exact(t, r, b, n, what);
	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern(i)) {
			FAIL(t, "%s: byte %zu is 0x%02x, expected 0x%02x", what, i, b[i], pattern(i));
			break;
		}
	free(b);
}

/* A nonblocking write into a full pipe: pipe_bufs x PIPE_BUF + plus bytes. */
struct refused_write {
	size_t pipe_bufs, plus;
	const char *what;
};

/*
 * Fills a new pipe; then each nonblocking write of `writes` must fail with
 * -EAGAIN, and the pipe must hold exactly its old contents afterwards.
 */
static void full_pipe_refuses(struct ipcconf_t *t, const struct refused_write *writes, size_t n,
			      const char *step, const char *after)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	long cap = ipcconf_fill(t, e[1]);
	size_t most = 0;
	for (size_t i = 0; i < n; i++)
		if (writes[i].pipe_bufs * (size_t)pb + writes[i].plus > most)
			most = writes[i].pipe_bufs * (size_t)pb + writes[i].plus;
	unsigned char *buf = pattern_buf(t, most);

	STEP(t, "%s", step);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(t, iut_write(t, e[1], buf, writes[i].pipe_bufs * (size_t)pb + writes[i].plus),
			 -EAGAIN, writes[i].what);
	free(buf);

	STEP(t, "the full pipe holds exactly its old %ld bytes", cap);
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	ipcconf_expect_empty(t, e[0], after);
}

/*
 * POSIX.1-2017 XSH read(), "When attempting to read from an empty pipe or
 * FIFO: ... If some process has the pipe open for writing and O_NONBLOCK
 * is set, read() shall return -1 and set errno to [EAGAIN]."  Checked on a
 * pipe that was never written to (pipe.read.consumes covers a drained one).
 */
CLAUSE(pipe_read_nonblock_empty_eagain,
       .id = "pipe.read.nonblock_empty_eagain",
       .title = "a nonblocking read of an empty pipe whose write end is open fails with -EAGAIN",
       .cites = "seed:P5; POSIX.1-2017 XSH read(); pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "set_nonblock(read end, 1)");
	char buf[16];
	STEP(t, "nonblocking read of the never-written pipe");
	CHECK_EQ(t, iut_read(t, e[0], buf, sizeof buf), -EAGAIN,
		 "read of an empty pipe (O_NONBLOCK, writer open)");
	CHECK_EQ(t, iut_read(t, e[0], buf, 1), -EAGAIN,
		 "second read of the empty pipe (O_NONBLOCK, writer open)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set: "A write request for
 * {PIPE_BUF} or fewer bytes shall have the following effect: if there is
 * sufficient space available in the pipe, write() shall transfer all the
 * data and return the number of bytes requested. Otherwise, write() shall
 * transfer no data and return -1 with errno set to [EAGAIN]."  Checked on
 * a full pipe, for 1 byte and for exactly PIPE_BUF bytes; the pipe keeps
 * exactly its old contents.
 */
CLAUSE(pipe_write_nonblock_full_eagain,
       .id = "pipe.write.nonblock_full_eagain",
       .title = "a nonblocking write of at most PIPE_BUF bytes into a full pipe fails with -EAGAIN",
       .cites = "seed:P5; seed:P8; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	static const struct refused_write writes[] = {
		{ 0, 1, "1-byte write into a full pipe (O_NONBLOCK)" },
		{ 1, 0, "PIPE_BUF-byte write into a full pipe (O_NONBLOCK)" },
	};
	full_pipe_refuses(t, writes, 2, "nonblocking writes into the full pipe",
			  "read after draining (the refused writes must have left nothing)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set, {PIPE_BUF} or fewer bytes:
 * "Otherwise, write() shall transfer no data and return -1 with errno set
 * to [EAGAIN]."  pipe(7): "If there is room to write n bytes to the pipe,
 * then write(2) succeeds immediately, writing all n bytes; otherwise
 * write(2) fails, with errno set to EAGAIN."  All or nothing, never a
 * partial count.  Checked here: with room for only PIPE_BUF/2 bytes, a
 * write of PIPE_BUF bytes and one of PIPE_BUF/2 + 1 bytes both fail with
 * -EAGAIN and leave nothing in the pipe.  (An implementation that writes
 * what fits and returns the count fails here.)
 */
CLAUSE(pipe_write_nonblock_all_or_nothing,
       .id = "pipe.write.nonblock_all_or_nothing",
       .title = "a nonblocking write of at most PIPE_BUF bytes that does not fit transfers nothing: -EAGAIN, never a partial count",
       .cites = "seed:P8; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	long cap = ipcconf_fill(t, e[1]);
	long room = pb / 2;
	REQUIRE(t, cap >= room, "the pipe holds only %ld bytes, less than PIPE_BUF/2 = %ld", cap, room);

	STEP(t, "reading %ld bytes to leave room for PIPE_BUF/2 bytes", room);
	ipcconf_read_fill(t, e[0], room, "making room");
	unsigned char *rec = pattern_buf(t, (size_t)pb);
	ssize_t n = iut_write(t, e[1], rec, (size_t)pb);
	CHECK_EQ(t, n, -EAGAIN, "PIPE_BUF-byte write with room for PIPE_BUF/2 (O_NONBLOCK)");
	n = iut_write(t, e[1], rec, (size_t)room + 1);
	CHECK_EQ(t, n, -EAGAIN, "(PIPE_BUF/2 + 1)-byte write with room for PIPE_BUF/2 (O_NONBLOCK)");
	free(rec);

	STEP(t, "the pipe holds only the old bytes");
	ipcconf_read_fill(t, e[0], cap - room, "draining the old contents");
	ipcconf_expect_empty(t, e[0], "read after the old contents (bytes of a refused write?)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set: "A write request for more than
 * {PIPE_BUF} bytes shall cause one of the following: ... When no data can
 * be written, transfer no data, and return -1 with errno set to [EAGAIN]."
 * pipe(7): "O_NONBLOCK enabled, n > PIPE_BUF: If the pipe is full, then
 * write(2) fails, with errno set to EAGAIN."
 */
CLAUSE(pipe_write_nonblock_large_full_eagain,
       .id = "pipe.write.nonblock_large_full_eagain",
       .title = "a nonblocking write of more than PIPE_BUF bytes into a full pipe fails with -EAGAIN",
       .cites = "seed:P5; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	static const struct refused_write writes[] = {
		{ 2, 1, "(2 x PIPE_BUF + 1)-byte write into a full pipe (O_NONBLOCK)" },
	};
	full_pipe_refuses(t, writes, 1, "nonblocking write of 2 x PIPE_BUF + 1 bytes into the full pipe",
			  "read after draining (the refused write must have left nothing)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set, more than {PIPE_BUF} bytes:
 * "When at least one byte can be written, transfer what it can and return
 * the number of bytes written."  pipe(7): "Otherwise, from 1 to n bytes
 * may be written (i.e., a "partial write" may occur ...)".
 *
 * The room is arranged so that the rule shows on every legal pipe, as
 * small as capacity == PIPE_BUF (4096 bytes, or 512): the pipe is emptied
 * and then holds one old byte, so all of it but that byte is free and the
 * old data is not all read (which would be pipe.write.nonblock_large_empty).
 * The write is capacity + PIPE_BUF + 1 bytes: more than PIPE_BUF and more
 * than the room.  The odd length matters to an implementation that keeps
 * the pipe in pages: Linux first appends the write's tail (its length
 * modulo the page size) to the partly filled last page, then fills whole
 * free pages; a one-page pipe holding one byte has no free page, so a
 * write whose length is a multiple of the page would find no room there.
 *
 * Checked here: the write returns a count from 1 to the room, and exactly
 * that many bytes follow the old byte.  (An implementation that treats
 * every nonblocking write as all-or-nothing returns -EAGAIN and fails.)
 */
CLAUSE(pipe_write_nonblock_large_partial,
       .id = "pipe.write.nonblock_large_partial",
       .title = "a nonblocking write larger than PIPE_BUF and than the room left transfers part and returns its count",
       .cites = "seed:P8; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	long cap = ipcconf_fill(t, e[1]);
	STEP(t, "emptying the pipe, then writing one old byte");
	ipcconf_read_fill(t, e[0], cap, "emptying the full pipe");
	REQUIRE_EQ(t, iut_write(t, e[1], "o", 1), 1, "the 1-byte write of the old byte");
	long room = cap - 1;

	size_t len = (size_t)cap + (size_t)pb + 1;
	unsigned char *big = pattern_buf(t, len);
	STEP(t, "nonblocking write of %zu bytes with room for %ld", len, room);
	ssize_t n = iut_write(t, e[1], big, len);
	free(big);
	char b[32];
	REQUIRE(t, n >= 1 && n <= room,
		"%zu-byte write (more than PIPE_BUF %ld) with room for %ld (O_NONBLOCK): expected a partial count from 1 to %ld, got %s",
		len, pb, room, room, ipcconf_result_name(n, b));

	STEP(t, "the old byte, then exactly the %zd bytes written", n);
	char old = 0;
	ipcconf_read_exact(t, e[0], &old, 1, "reading the old byte");
	CHECK_EQ(t, old, 'o', "the first byte (the old one, written before)");
	read_pattern(t, e[0], (size_t)n, "reading the partially written bytes");
	ipcconf_expect_empty(t, e[0], "read after the reported count of bytes (more written than reported?)");
}

/*
 * POSIX.1-2017 XSH write(), O_NONBLOCK set, more than {PIPE_BUF} bytes:
 * "When at least one byte can be written, transfer what it can and return
 * the number of bytes written. When all data previously written to the
 * pipe is read, it shall transfer at least {PIPE_BUF} bytes."  Checked
 * here: into an empty pipe of measured capacity C, a nonblocking write of
 * C + PIPE_BUF bytes returns a count from PIPE_BUF to C, and exactly those
 * bytes come out.
 */
CLAUSE(pipe_write_nonblock_large_empty,
       .id = "pipe.write.nonblock_large_empty",
       .title = "a nonblocking write larger than an empty pipe transfers at least PIPE_BUF bytes and at most the capacity",
       .cites = "seed:P8; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long pb = ipcconf_pipe_buf(t, e[1]);
	long cap = ipcconf_fill(t, e[1]);
	STEP(t, "draining the pipe: all data previously written is read");
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");

	size_t len = (size_t)cap + (size_t)pb;
	unsigned char *big = pattern_buf(t, len);
	STEP(t, "nonblocking write of capacity + PIPE_BUF = %zu bytes into the empty pipe", len);
	ssize_t n = iut_write(t, e[1], big, len);
	free(big);
	char b[32];
	REQUIRE(t, n >= pb && n <= cap,
		"%zu-byte write into an empty pipe of capacity %ld (O_NONBLOCK): expected a count from PIPE_BUF %ld to %ld, got %s",
		len, cap, pb, cap, ipcconf_result_name(n, b));
	read_pattern(t, e[0], (size_t)n, "reading the written bytes");
	ipcconf_expect_empty(t, e[0], "read after the reported count of bytes (more written than reported?)");
}

/*
 * POSIX.1-2017 XSH pipe(): the two descriptors "refer to the open file
 * descriptions for the read and write ends"; XSH fcntl(): F_SETFL sets
 * "the file status flags ... for the file description associated with
 * fildes".  Two open file descriptions, so O_NONBLOCK set on one end is
 * not set on the other.  (An implementation keeping one flag per pipe
 * fails here.)
 */
CLAUSE(pipe_set_nonblock_per_end,
       .id = "pipe.set_nonblock.per_end",
       .title = "O_NONBLOCK set on one end of a pipe leaves the other end as it was",
       .cites = "seed:P10; POSIX.1-2017 XSH pipe(), fcntl() F_SETFL",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	STEP(t, "O_NONBLOCK on the read end only");
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "set_nonblock(read end, 1)");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 1, "get_nonblock(read end) after setting it");
	CHECK_EQ(t, iut_get_nonblock(t, e[1]), 0, "get_nonblock(write end) after setting only the read end");
	char c;
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), -EAGAIN, "read of the empty pipe through the O_NONBLOCK read end");

	STEP(t, "O_NONBLOCK on the write end, then cleared on the read end");
	REQUIRE_OK(t, iut_set_nonblock(t, e[1], 1), "set_nonblock(write end, 1)");
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 0), "set_nonblock(read end, 0)");
	CHECK_EQ(t, iut_get_nonblock(t, e[1]), 1, "get_nonblock(write end) after clearing only the read end");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 0, "get_nonblock(read end) after clearing it");
}
