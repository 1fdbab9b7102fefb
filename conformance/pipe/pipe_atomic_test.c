/*
 * Pipe clauses: atomic writes (seed:P9, P5).  Several processes write
 * records of at most PIPE_BUF bytes into one pipe at the same time, each
 * record in one write; since such writes are never interleaved, a reader
 * can cut the stream back into whole records.  This is what lets a format
 * (seed:P9) be laid over the unformatted byte stream with many writers.
 *
 * To make interleaving likely where an implementation allows it, the pipe
 * starts full, every writer is released at once, and the reader drains
 * the pipe in pieces of 1000 bytes, a size unrelated to the records, so
 * the room that opens up is rarely a whole record.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

#define WRITERS 4
#define CP_READY 0 /* each writer posts it once, before its first write */
#define CP_GO 1    /* posted once by the reader: all writers start */
#define PIECE 1000 /* the reader's read size */

/* Reads exactly `len` bytes in reads of at most PIECE bytes. */
static void read_pieces(struct ipcconf_t *t, int r, void *buf, size_t len, const char *what)
{
	for (size_t off = 0; off < len; off += PIECE)
		ipcconf_read_exact(t, r, (char *)buf + off, len - off < PIECE ? len - off : PIECE, what);
}

static void put_le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le(const unsigned char *p, int bytes)
{
	uint32_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* Writer i's tag: the byte that fills its records. */
static unsigned char tag_of(unsigned i) { return (unsigned char)('A' + i); }

/*
 * Fills the pipe and puts its write end back to blocking mode; returns the
 * bytes in it.  The first few hundred bytes go in as one write of their
 * own, so that the records do not line up with the buffer's own
 * boundaries (a ring's wrap point, its segments): an implementation that
 * copies a record in two steps where it wraps gets to do so.  (At most
 * PIPE_BUF bytes: such a write into an empty pipe never blocks.)
 */
static long fill_offset_then_block(struct ipcconf_t *t, int w, size_t pb)
{
	static const char offset[PIECE];
	size_t len = pb > PIECE ? PIECE : pb / 2;
	REQUIRE_EQ(t, iut_write(t, w, offset, len), (long long)len,
		   "a first write of filler bytes, to offset the records");
	return ipcconf_fill_then_block(t, w) + (long)len;
}

/*
 * Makes record j of writer i in `rec`, which holds PIPE_BUF bytes and
 * starts filled with the writer's tag; returns the record's length.
 */
typedef size_t record_maker(unsigned char *rec, unsigned i, unsigned j, size_t pb);

/* Reads record #index into `rec` (room for PIPE_BUF bytes) and checks it. */
typedef void record_reader(struct ipcconf_t *t, int r, unsigned char *rec, size_t pb,
			   unsigned index, unsigned next[WRITERS]);

/*
 * Writer i (a helper): once all are released, writes `records` records
 * made by `make`, each in one blocking write; then closes `w`.
 */
static void write_records(struct ipcconf_t *t, int w, unsigned i, size_t pb, unsigned records,
			  record_maker *make)
{
	unsigned char *rec = malloc(pb);
	if (!rec)
		BROKEN(t, "malloc(%zu) failed", pb);
	memset(rec, tag_of(i), pb);
	ipcconf_post(t, CP_READY);
	ipcconf_await(t, CP_GO, 1, "the start signal");
	for (unsigned j = 0; j < records; j++) {
		size_t len = make(rec, i, j, pb);
		STEP(t, "writer %c: record %u of %u (%zu bytes, one write)", tag_of(i), j, records, len);
		ssize_t n = iut_write(t, w, rec, len);
		REQUIRE_EQ(t, n, (long long)len, "a blocking write of one record of at most PIPE_BUF bytes");
	}
	free(rec);
	REQUIRE_OK(t, iut_close(t, w), "writer: close of its write end");
}

/*
 * The body of the clauses below.  Fills the pipe (offset), forks WRITERS
 * helpers writing records made by `make`, (`fills` x capacity) /
 * (WRITERS x PIPE_BUF) + 1 records each, at least 64 and at most `most`;
 * releases them all at once and drains the filler while they push; then
 * reads every record with `reader` and expects EOF once all have closed.
 */
static void concurrent_records(struct ipcconf_t *t, unsigned fills, unsigned most,
			       record_maker *make, record_reader *reader)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	size_t pb = (size_t)ipcconf_pipe_buf(t, e[1]);
	long cap = fill_offset_then_block(t, e[1], pb);
	unsigned records = (unsigned)((fills * (size_t)cap) / (WRITERS * pb) + 1);
	if (records < 64)
		records = 64;
	if (records > most)
		records = most;

	pid_t pids[WRITERS];
	for (unsigned i = 0; i < WRITERS; i++) {
		pids[i] = ipcconf_fork(t);
		if (pids[i] == 0) {
			REQUIRE_OK(t, iut_close(t, e[0]), "writer: close of its read end");
			write_records(t, e[1], i, pb, records, make);
			ipcconf_exit(t);
		}
	}
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the parent's write end");
	ipcconf_await(t, CP_READY, WRITERS, "all writers to be ready");
	ipcconf_post(t, CP_GO);
	STEP(t, "draining the %ld filler bytes while the writers push", cap);
	ipcconf_read_fill_by(t, e[0], cap, PIECE, "draining the filler (a record must not overtake it)");

	unsigned char *rec = malloc(pb);
	if (!rec)
		BROKEN(t, "malloc(%zu) failed", pb);
	unsigned next[WRITERS] = { 0 };
	for (unsigned k = 0; k < WRITERS * records; k++) {
		STEP(t, "reading record #%u of %u", k, WRITERS * records);
		reader(t, e[0], rec, pb, k, next);
	}
	free(rec);
	STEP(t, "read after every record, all writers closed: expected 0 (EOF)");
	char c;
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 0, "read after every record was read (extra bytes?)");
	for (unsigned i = 0; i < WRITERS; i++)
		ipcconf_join(t, pids[i], "a writer");
}

/*
 * Record of exactly PIPE_BUF bytes: byte 0 is the writer's tag, bytes 1-4
 * the record's sequence number (little-endian), every other byte the tag.
 */
static size_t make_atomic_record(unsigned char *rec, unsigned i, unsigned j, size_t pb)
{
	put_le(rec + 1, j, 4);
	return pb;
}

/* Reads and checks one PIPE_BUF record; `next` holds each writer's expected sequence. */
static void read_atomic_record(struct ipcconf_t *t, int r, unsigned char *rec, size_t pb,
			       unsigned index, unsigned next[WRITERS])
{
	read_pieces(t, r, rec, pb, "reading a PIPE_BUF record");
	unsigned w = (unsigned)(rec[0] - 'A');
	REQUIRE(t, rec[0] >= 'A' && w < WRITERS,
		"record #%u starts with 0x%02x, not a writer's tag: the stream is out of step (a record was split)",
		index, rec[0]);
	for (size_t k = 5; k < pb; k++)
		REQUIRE(t, rec[k] == rec[0],
			"record #%u began as writer %c's but its byte %zu is 0x%02x: a %zu-byte (PIPE_BUF) write was interleaved with another",
			index, rec[0], k, rec[k], pb);
	uint32_t seq = get_le(rec + 1, 4);
	REQUIRE(t, seq == next[w],
		"record #%u: writer %c's record %u arrived where its record %u was due (lost, repeated or reordered)",
		index, rec[0], (unsigned)seq, next[w]);
	next[w]++;
}

/*
 * POSIX.1-2017 XSH write(), pipes: "Write requests of {PIPE_BUF} bytes or
 * less shall not be interleaved with data from other processes doing
 * writes on the same pipe."  pipe(7): "POSIX.1 says that writes of less
 * than PIPE_BUF bytes must be atomic: the output data is written to the
 * pipe as a contiguous sequence."  Checked here with records of exactly
 * PIPE_BUF bytes from four concurrent writers: read back PIPE_BUF bytes at
 * a time, every block is one whole record of one writer, and each writer's
 * records come in the order it wrote them.
 */
CLAUSE(pipe_write_atomic_pipe_buf_records,
       .id = "pipe.write.atomic_pipe_buf_records",
       .title = "PIPE_BUF-byte writes from four concurrent writers are never interleaved",
       .cites = "seed:P9; seed:P5; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	/* Four times the capacity in all (and at least 64 records per
	 * writer), so the writers queue up on a full pipe again and again. */
	concurrent_records(t, 4, 4096, make_atomic_record, read_atomic_record);
}

/*
 * Variable records: an 8-byte header (tag, ~tag, 16-bit sequence, 32-bit
 * total length) and a body of the tag; lengths run from 8 to PIPE_BUF.
 * Writer and reader compute the same lengths.
 */
#define HDR 8

static size_t mixed_len(unsigned writer, unsigned j, size_t pb)
{
	if (j % 5 == 4)
		return pb; /* every fifth record is exactly PIPE_BUF */
	return HDR + (j * 977u + writer * 131u) % (pb - HDR + 1);
}

static size_t make_mixed_record(unsigned char *rec, unsigned i, unsigned j, size_t pb)
{
	size_t len = mixed_len(i, j, pb);
	rec[1] = (unsigned char)~tag_of(i);
	put_le(rec + 2, j, 2);
	put_le(rec + 4, (uint32_t)len, 4);
	return len;
}

/* Reads and checks one variable record; returns nothing, fails on error. */
static void read_mixed_record(struct ipcconf_t *t, int r, unsigned char *rec, size_t pb,
			      unsigned index, unsigned next[WRITERS])
{
	read_pieces(t, r, rec, HDR, "reading a record header");
	unsigned w = (unsigned)(rec[0] - 'A');
	REQUIRE(t, rec[0] >= 'A' && w < WRITERS && rec[1] == (unsigned char)~rec[0],
		"record #%u: header starts 0x%02x 0x%02x, not a writer's tag and its complement: the stream is out of step (a record was split)",
		index, rec[0], rec[1]);
	unsigned seq = (unsigned)get_le(rec + 2, 2);
	size_t len = get_le(rec + 4, 4);
	REQUIRE(t, seq == next[w],
		"record #%u: writer %c's record %u arrived where its record %u was due",
		index, rec[0], seq, next[w]);
	REQUIRE(t, len == mixed_len(w, seq, pb),
		"record #%u (writer %c, record %u): header says %zu bytes, the writer wrote %zu",
		index, rec[0], seq, len, mixed_len(w, seq, pb));
	read_pieces(t, r, rec + HDR, len - HDR, "reading a record body");
	for (size_t k = HDR; k < len; k++)
		REQUIRE(t, rec[k] == rec[0],
			"record #%u (writer %c, %zu bytes): byte %zu is 0x%02x: the write was interleaved with another",
			index, rec[0], len, k, rec[k]);
	next[w]++;
}

/*
 * POSIX.1-2017 XSH write(), pipes: "Write requests of {PIPE_BUF} bytes or
 * less shall not be interleaved with data from other processes doing
 * writes on the same pipe."  Every size up to PIPE_BUF, not only PIPE_BUF
 * itself.  Checked here: four concurrent writers write records of varied
 * lengths (8 to PIPE_BUF bytes) each in one write; the reader parses the
 * stream record by record, and every record is whole and in its writer's
 * order.
 */
CLAUSE(pipe_write_atomic_mixed_sizes,
       .id = "pipe.write.atomic_mixed_sizes",
       .title = "writes of any size up to PIPE_BUF from concurrent writers arrive whole, so records can be parsed",
       .cites = "seed:P9; POSIX.1-2017 XSH write(); pipe(7) PIPE_BUF",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	/* Records average about PIPE_BUF/2 (the 16-bit sequence bounds them
	 * at 65535 per writer): about four times the capacity in all, and at
	 * least 64 records per writer. */
	concurrent_records(t, 8, 65535, make_mixed_record, read_mixed_record);
}
