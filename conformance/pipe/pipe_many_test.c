/*
 * Pipe clauses: a pipe is one byte stream however many processes use it
 * (seed:P2, P4, P9).  Many writers and many readers at once: every write
 * of at most PIPE_BUF bytes arrives whole and exactly once; and the stream
 * keeps no boundaries between writes, so one read can return the data of
 * several.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

#define MANY_WRITERS 3
#define MANY_READERS 3
#define RECORDS_PER_WRITER 300
#define RECORD_LEN 128 /* <= 512, POSIX's least PIPE_BUF: atomic everywhere */

/* Byte i of writer w's record s: never the same for two records. */
static unsigned char record_byte(unsigned w, unsigned s, unsigned i)
{
	return (unsigned char)((w * 131u + s * 29u + i * 7u + 3u) ^ (i >> 3));
}

/* A record: writer (1 byte), sequence (2 bytes), then the pattern. */
static void make_record(unsigned char *rec, unsigned w, unsigned s)
{
	for (unsigned i = 0; i < RECORD_LEN; i++)
		rec[i] = record_byte(w, s, i);
	rec[0] = (unsigned char)w;
	rec[1] = (unsigned char)(s & 0xff);
	rec[2] = (unsigned char)(s >> 8);
}

/* Counts kept in shared memory: how often each record was read. */
struct tally {
	atomic_uint seen[MANY_WRITERS][RECORDS_PER_WRITER];
	atomic_uint bad; /* reads that were not one whole, known record */
};

/*
 * POSIX.1-2017 XSH write(): "Write requests of {PIPE_BUF} bytes or less
 * shall not be interleaved with data from other processes doing writes on
 * the same pipe."  XSH read(): a read from a pipe returns fewer than the
 * bytes asked only when "the file is a pipe or FIFO ... and has fewer
 * than nbyte bytes immediately available".  seed:P4: data is read once
 * and then gone from the buffer; seed:P2: it leaves in the order it
 * entered.  Checked here: 3 writers each write 300 tagged records of 128
 * bytes (one write each); 3 readers read 128 bytes at a time until EOF.
 * Every read must be exactly one whole record of one writer (writes are
 * atomic, and whole records are always available), every record must be
 * read exactly once in all, and each reader must see each writer's
 * records in increasing order.  A duplicated, lost, torn or interleaved
 * record is a FAIL naming it.
 */
CLAUSE(pipe_io_many_readers_many_writers,
       .id = "pipe.io.many_readers_many_writers",
       .title = "with 3 writers and 3 readers at once, every write of at most PIPE_BUF bytes is read whole, exactly once, in order per writer",
       .cites = "seed:P2; seed:P4; POSIX.1-2017 XSH write() (PIPE_BUF atomicity), read(); pipe(7) PIPE_BUF",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       .timeout_ms = 6000)
{
	struct tally *tally = mmap(NULL, sizeof *tally, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		BROKEN(t, "mmap of %zu shared bytes failed", sizeof *tally);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");

	pid_t readers[MANY_READERS], writers[MANY_WRITERS];
	for (unsigned k = 0; k < MANY_READERS; k++) {
		readers[k] = ipcconf_fork(t);
		if (readers[k] != 0)
			continue;
		REQUIRE_OK(t, iut_close(t, e[1]), "reader: close of its write end");
		int last[MANY_WRITERS];
		for (unsigned w = 0; w < MANY_WRITERS; w++)
			last[w] = -1;
		STEP(t, "reader %u: reading records of %d bytes until EOF", k, RECORD_LEN);
		for (unsigned reads = 0;; reads++) {
			unsigned char rec[RECORD_LEN], want[RECORD_LEN];
			ssize_t n = iut_read(t, e[0], rec, sizeof rec);
			if (n == 0)
				break;
			char b[32];
			if (n != RECORD_LEN) {
				atomic_fetch_add(&tally->bad, 1);
				FAIL(t, "reader %u, read %u: a read of %d bytes returned %s; expected one whole record (all writes are %d bytes, atomic)",
				     k, reads, RECORD_LEN, ipcconf_result_name(n, b), RECORD_LEN);
				ipcconf_exit(t);
			}
			unsigned w = rec[0], s = rec[1] | (unsigned)rec[2] << 8;
			if (w < MANY_WRITERS && s < RECORDS_PER_WRITER)
				make_record(want, w, s);
			if (w >= MANY_WRITERS || s >= RECORDS_PER_WRITER || memcmp(rec, want, sizeof rec)) {
				atomic_fetch_add(&tally->bad, 1);
				FAIL(t, "reader %u, read %u: the 128 bytes are not one writer's record (torn, interleaved or corrupt; header says writer %u, record %u)",
				     k, reads, w, s);
				ipcconf_exit(t);
			}
			CHECK(t, (int)s > last[w],
			      "reader %u got record %u of writer %u after record %d of the same writer (out of order)",
			      k, s, w, last[w]);
			last[w] = (int)s;
			atomic_fetch_add(&tally->seen[w][s], 1);
		}
		ipcconf_exit(t);
	}
	for (unsigned w = 0; w < MANY_WRITERS; w++) {
		writers[w] = ipcconf_fork(t);
		if (writers[w] != 0)
			continue;
		REQUIRE_OK(t, iut_close(t, e[0]), "writer: close of its read end");
		STEP(t, "writer %u: %d records of %d bytes", w, RECORDS_PER_WRITER, RECORD_LEN);
		for (unsigned s = 0; s < RECORDS_PER_WRITER; s++) {
			unsigned char rec[RECORD_LEN];
			make_record(rec, w, s);
			ssize_t n = iut_write(t, e[1], rec, sizeof rec);
			REQUIRE_EQ(t, n, RECORD_LEN, "a blocking write of one 128-byte record");
		}
		REQUIRE_OK(t, iut_close(t, e[1]), "writer: close of its write end");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the parent's read end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the parent's write end");
	for (unsigned w = 0; w < MANY_WRITERS; w++)
		ipcconf_join(t, writers[w], "a writer");
	for (unsigned k = 0; k < MANY_READERS; k++)
		ipcconf_join(t, readers[k], "a reader");

	STEP(t, "every record read exactly once");
	unsigned missing = 0, doubled = 0;
	for (unsigned w = 0; w < MANY_WRITERS; w++)
		for (unsigned s = 0; s < RECORDS_PER_WRITER; s++) {
			unsigned n = atomic_load(&tally->seen[w][s]);
			if (n == 0 && missing++ == 0)
				FAIL(t, "record %u of writer %u was never read (lost)", s, w);
			if (n > 1 && doubled++ == 0)
				FAIL(t, "record %u of writer %u was read %u times (delivered twice)", s, w, n);
		}
	CHECK(t, missing == 0 && doubled == 0 && atomic_load(&tally->bad) == 0,
	      "of %d records: %u lost, %u read more than once, %u bad reads",
	      MANY_WRITERS * RECORDS_PER_WRITER, missing, doubled, atomic_load(&tally->bad));
	munmap(tally, sizeof *tally);
}

/*
 * seed:P9: "A pipe carries an unformatted byte stream: reader and writer
 * must agree on a format".  POSIX.1-2017 XSH read() returns fewer bytes
 * than asked from a pipe only when fewer "are immediately available"; the
 * writes that put them there leave no mark in the stream.  Checked here:
 * three writes of 10 bytes wait in the pipe; one read asking for 30 must
 * run past the first write's end (a stream that returned one write per
 * read would be keeping message boundaries); reading on, the 30 bytes
 * come in order.
 */
CLAUSE(pipe_read_spans_writes,
       .id = "pipe.read.spans_writes",
       .title = "one read returns data of several writes: the stream keeps no write boundaries",
       .cites = "seed:P9; seed:P2; POSIX.1-2017 XSH read(); pipe(7)")
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	static const char data[31] = "first-wr__second-w__third-wri_";
	STEP(t, "three writes of 10 bytes");
	for (unsigned i = 0; i < 3; i++)
		REQUIRE_EQ(t, iut_write(t, e[1], data + 10 * i, 10), 10, "a 10-byte write");

	char got[30];
	STEP(t, "one read of 30 bytes with the three writes waiting");
	ssize_t n = iut_read(t, e[0], got, sizeof got);
	char b[32];
	REQUIRE(t, n > 0, "read of 30 bytes with 30 waiting: got %s", ipcconf_result_name(n, b));
	CHECK(t, n > 10,
	      "one read of 30 bytes, with three 10-byte writes waiting, returned %zd bytes: it stopped at the first write's end (message boundaries kept)",
	      n);
	if (n < 30)
		ipcconf_read_exact(t, e[0], got + n, 30 - (size_t)n, "reading the rest of the three writes");
	CHECK_MEM(t, got, data, 30, "the three writes' bytes");
}
