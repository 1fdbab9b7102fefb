/*
 * Pipe clauses: packet mode (pipe2(2) O_DIRECT, Linux 3.4+).  A pipe made
 * with O_DIRECT keeps the boundaries of writes: each write is a packet, a
 * read returns at most one packet, a read shorter than the packet drops
 * the rest of it, and a write larger than PIPE_BUF becomes several
 * packets.  Only implementations that declare IPCCONF_PIPE_CAP_PACKET are
 * judged; the others are SKIPs naming the capability.
 *
 * pipe(2), O_DIRECT: "Create a pipe that performs I/O in "packet" mode.
 * Each write(2) to the pipe is dealt with as a separate packet, and
 * read(2)s from the pipe will read one packet at a time."
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

#ifndef O_DIRECT
#error "O_DIRECT is needed for packet mode (define _GNU_SOURCE or use Linux headers)"
#endif

/* A packet-mode pipe: create(O_DIRECT) must succeed where PACKET is declared. */
static void packet_pipe(struct ipcconf_t *t, int e[2])
{
	REQUIRE_OK(t, iut_pipe(t, e, O_DIRECT), "pipe create with O_DIRECT (packet mode)");
}

/*
 * pipe(2), O_DIRECT: "Each write(2) to the pipe is dealt with as a
 * separate packet, and read(2)s from the pipe will read one packet at a
 * time."  Checked here: two writes ("abc", "defg") wait in the pipe; a
 * read with room for 100 bytes returns the first packet alone (3 bytes),
 * the next read the second alone (4 bytes).  A byte-stream pipe would
 * return all 7 bytes at once.
 */
CLAUSE(pipe_packet_reads_one_packet,
       .id = "pipe.packet.reads_one_packet",
       .title = "in packet mode (O_DIRECT) a read returns one write's packet, never two merged",
       .cites = "pipe(2) O_DIRECT",
       USES(PIPE, IPCCONF_PIPE_CAP_PACKET))
{
	int e[2];
	packet_pipe(t, e);
	STEP(t, "two writes, \"abc\" then \"defg\"");
	CHECK_EQ(t, iut_write(t, e[1], "abc", 3), 3, "write of the 3-byte packet");
	CHECK_EQ(t, iut_write(t, e[1], "defg", 4), 4, "write of the 4-byte packet");

	char buf[100];
	STEP(t, "read with room for 100 bytes: the first packet only");
	memset(buf, 0, sizeof buf);
	ssize_t n = iut_read(t, e[0], buf, sizeof buf);
	CHECK_EQ(t, n, 3, "read(100) with packets of 3 and 4 bytes waiting (one packet per read)");
	if (n == 3)
		CHECK_MEM(t, buf, "abc", 3, "the first packet");
	STEP(t, "second read: the second packet");
	memset(buf, 0, sizeof buf);
	n = iut_read(t, e[0], buf, sizeof buf);
	CHECK_EQ(t, n, 4, "read(100) with the 4-byte packet waiting");
	if (n == 4)
		CHECK_MEM(t, buf, "defg", 4, "the second packet");
}

/*
 * pipe(2), O_DIRECT: "If a read(2) specifies a buffer size that is smaller
 * than the next packet, then the requested number of bytes are read, and
 * the excess bytes in the packet are discarded."  Checked here: packets
 * "hello" and "world"; a 2-byte read returns "he", and the next read
 * returns "world" -- "llo" is gone -- and then the pipe is empty.
 */
CLAUSE(pipe_packet_short_read_discards,
       .id = "pipe.packet.short_read_discards",
       .title = "in packet mode a read shorter than the packet returns its start and discards the rest",
       .cites = "pipe(2) O_DIRECT",
       USES(PIPE, IPCCONF_PIPE_CAP_PACKET),
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	packet_pipe(t, e);
	STEP(t, "two packets, \"hello\" then \"world\"");
	CHECK_EQ(t, iut_write(t, e[1], "hello", 5), 5, "write of the packet \"hello\"");
	CHECK_EQ(t, iut_write(t, e[1], "world", 5), 5, "write of the packet \"world\"");

	char buf[100];
	STEP(t, "a 2-byte read of the 5-byte packet");
	memset(buf, 0, sizeof buf);
	ssize_t n = iut_read(t, e[0], buf, 2);
	CHECK_EQ(t, n, 2, "read(2) of a 5-byte packet");
	if (n == 2)
		CHECK_MEM(t, buf, "he", 2, "the start of the packet \"hello\"");
	STEP(t, "the next read: the next packet, the rest of \"hello\" discarded");
	memset(buf, 0, sizeof buf);
	n = iut_read(t, e[0], buf, sizeof buf);
	CHECK_EQ(t, n, 5, "read(100) after the short read (expected the packet \"world\", not \"llo\")");
	if (n == 5)
		CHECK_MEM(t, buf, "world", 5, "the read after the short read");
	ipcconf_expect_empty(t, e[0], "read after both packets (the discarded bytes must be gone)");
}

/*
 * pipe(2), O_DIRECT: "Writes of greater than PIPE_BUF bytes (see pipe(7))
 * will be split into multiple packets." and "Specifying a buffer size of
 * PIPE_BUF will be sufficient to read the largest possible packets".
 * Checked here: one write of 2 x PIPE_BUF + 100 bytes (which the pipe can
 * hold: it is checked against the capacity where that is reported); reads
 * with room for the whole write each return at most PIPE_BUF bytes, it
 * takes more than one read, and the packets put together are the write's
 * bytes in order, none lost.
 */
CLAUSE(pipe_packet_large_write_split,
       .id = "pipe.packet.large_write_split",
       .title = "in packet mode a write larger than PIPE_BUF becomes packets of at most PIPE_BUF bytes, in order",
       .cites = "pipe(2) O_DIRECT; pipe(7) PIPE_BUF",
       USES(PIPE, IPCCONF_PIPE_CAP_PACKET | IPCCONF_PIPE_CAP_PIPE_BUF),
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	packet_pipe(t, e);
	long pb = ipcconf_pipe_buf(t, e[1]);
	size_t len = 2 * (size_t)pb + 100;
	if (t->iut->pipe->get_capacity) {
		long cap = iut_get_capacity(t, e[1]);
		if (cap > 0 && (size_t)cap < len + 2 * (size_t)pb)
			SKIP(t, "the packet pipe's capacity %ld cannot hold a write of 2 x PIPE_BUF + 100 = %zu bytes split in packets",
			     cap, len);
	}
	unsigned char *data = malloc(len), *got = malloc(len + 1);
	if (!data || !got)
		BROKEN(t, "malloc(%zu) failed", len);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + 1);

	STEP(t, "one write of %zu bytes (2 x PIPE_BUF %ld + 100)", len, pb);
	REQUIRE_EQ(t, iut_write(t, e[1], data, len), (long long)len,
		   "one write of 2 x PIPE_BUF + 100 bytes into an empty packet pipe");

	STEP(t, "reading the packets with room for the whole write");
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "set_nonblock(read end, 1)");
	size_t total = 0;
	unsigned reads = 0;
	while (total < len) {
		ssize_t n = iut_read(t, e[0], got + total, len + 1 - total);
		char b[32];
		REQUIRE(t, n > 0, "read %u of the split write, after %zu of %zu bytes: expected a packet, got %s",
			reads + 1, total, len, ipcconf_result_name(n, b));
		reads++;
		CHECK(t, n <= pb, "read %u returned %zd bytes, more than PIPE_BUF (%ld): the write was not split into packets",
		      reads, n, pb);
		total += (size_t)n;
	}
	CHECK(t, reads > 1, "the whole %zu-byte write came in one read: not split into packets", len);
	CHECK_MEM(t, got, data, len, "the packets put together");
	ipcconf_expect_empty(t, e[0], "read after every packet of the split write");
	free(data);
	free(got);
}
