/*
 * FIFO clauses: the byte stream behind the name (seed:F1-F3, and the pipe
 * rules P4, P5, P8 that fifo(7) carries over: "For details of the semantics
 * of I/O on FIFOs, see pipe(7).").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

/* Checkpoints: a helper ready; writers opened; go on. */
enum { CP_READY = 2, CP_OPENED = 3, CP_GO = 4 };

/* A pattern with no short period, so a lost, repeated or moved block shows. */
static uint8_t pattern_byte(size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u;
	return (uint8_t)((x >> 13) ^ (x >> 24) ^ (uint32_t)(i / 4093));
}

/* The first index where `got` differs from the pattern, or `len`. */
static size_t pattern_mismatch(const uint8_t *got, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != pattern_byte(i))
			return i;
	return len;
}

/*
 * POSIX.1-2017 XSH lseek(), ERRORS: "[ESPIPE] The fildes argument is
 * associated with a pipe, FIFO, or socket."  seed:F3: no positioning.
 *
 * Every kind of end (read-only, write-only, read-write) and every whence is
 * refused, and the refusal moves nothing: the buffered bytes still come out
 * from the front.  Caught: a FIFO that seeks (or pretends to, returning 0).
 */
CLAUSE(fifo_seek_espipe,
       .id = "fifo.seek.espipe",
       .title = "lseek on any end of a FIFO fails with ESPIPE and leaves the stream as it was",
       .cites = "seed:F3; POSIX.1-2017 XSH lseek() ERRORS; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_SEEK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	int rw = iut_fifo_open(t, path, O_RDWR);
	REQUIRE_OK(t, rw, "open O_RDWR");
	CHECK_EQ(t, iut_write(t, w, "abcdef", 6), 6);

	static const struct {
		long long off;
		int whence;
		const char *name;
	} seeks[] = {
		{ 0, SEEK_SET, "seek(0, SEEK_SET)" },
		{ 2, SEEK_SET, "seek(2, SEEK_SET)" },
		{ 1, SEEK_CUR, "seek(1, SEEK_CUR)" },
		{ 0, SEEK_CUR, "seek(0, SEEK_CUR)" },
		{ 0, SEEK_END, "seek(0, SEEK_END)" },
	};
	const struct {
		int h;
		const char *name;
	} ends[] = { { r, "read end" }, { w, "write end" }, { rw, "O_RDWR end" } };
	for (size_t e = 0; e < 3; e++) {
		for (size_t s = 0; s < sizeof seeks / sizeof seeks[0]; s++) {
			char what[96];
			snprintf(what, sizeof what, "%s on the FIFO's %s", seeks[s].name, ends[e].name);
			STEP(t, "%s", what);
			ipcconf_check_fails(t, __FILE__, __LINE__, what,
					    iut_seek(t, ends[e].h, seeks[s].off, seeks[s].whence), -ESPIPE);
		}
	}
	STEP(t, "read after the refused seeks");
	char b[6] = { 0 };
	ipcconf_read_exact(t, r, b, 6, "read after the refused seeks");
	CHECK(t, memcmp(b, "abcdef", 6) == 0,
	      "read \"%.6s\" after the refused seeks, expected \"abcdef\" (nothing may move)", b);
}

/*
 * XBD 3.163 FIFO Special File: "A type of file with the property that data
 * written to such a file is read on a first-in-first-out basis."
 * seed:F2: reads return from the front, writes append at the end.
 *
 * Writes made after a partial read still go to the end, behind the unread
 * rest.  Caught: a LIFO or a reordering stream, and one whose write lands
 * at the read position.
 */
CLAUSE(fifo_io_first_in_first_out,
       .id = "fifo.io.first_in_first_out",
       .title = "reads take bytes from the front of a FIFO and writes append at the end, across partial reads",
       .cites = "seed:F2; POSIX.1-2017 XBD 3.163 FIFO Special File, XSH read(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	const char *parts[] = { "first,", "second,", "third" };
	for (int i = 0; i < 3; i++) {
		STEP(t, "write part %d", i);
		CHECK_EQ(t, iut_write(t, w, parts[i], strlen(parts[i])),
			 (long long)strlen(parts[i]), "write of one part");
	}
	char b[64] = { 0 };
	STEP(t, "read the front");
	ipcconf_read_exact(t, r, b, 3, "read of the first 3 bytes");
	CHECK(t, memcmp(b, "fir", 3) == 0, "first 3 bytes read: \"%.3s\", expected \"fir\"", b);
	STEP(t, "write after a partial read");
	CHECK_EQ(t, iut_write(t, w, "+fourth", 7), 7, "write of 7 bytes after a partial read");
	const char *rest = "st,second,third+fourth";
	STEP(t, "read the rest");
	ipcconf_read_exact(t, r, b, strlen(rest), "read of the rest");
	CHECK(t, memcmp(b, rest, strlen(rest)) == 0, "rest read: \"%.*s\", expected \"%s\"",
	      (int)strlen(rest), b, rest);
}

/*
 * seed:P4 (data can be read only once), which fifo(7) carries over to
 * FIFOs, and fifo(7): "The kernel maintains exactly one pipe object for
 * each FIFO special file that is opened by at least one process."
 *
 * Two read-opens of one FIFO share one stream: what one reader took is gone
 * for the other, which gets the next bytes.  Caught: a stream per open
 * (both would read "ab"), a broadcasting FIFO, and a read that does not
 * consume.
 */
CLAUSE(fifo_read_consumes_shared_stream,
       .id = "fifo.read.consumes_shared_stream",
       .title = "two readers of one FIFO share one stream: bytes read through one are gone for the other",
       .cites = "seed:F2; seed:P4; POSIX.1-2017 XSH read(); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r1, w;
	ipcconf_open_fifo_pair(t, path, &r1, &w);
	int r2 = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
	REQUIRE_OK(t, r2, "second open O_RDONLY|O_NONBLOCK");
	REQUIRE_OK(t, iut_set_nonblock(t, r1, 1), "set_nonblock(first reader, 1)");
	CHECK_EQ(t, iut_write(t, w, "abcd", 4), 4);

	char b[4] = { 0 };
	STEP(t, "read 2 bytes through the first reader");
	ipcconf_read_exact(t, r1, b, 2, "first reader");
	CHECK(t, memcmp(b, "ab", 2) == 0, "first reader got \"%.2s\", expected \"ab\"", b);
	STEP(t, "read through the second reader");
	size_t n = ipcconf_drain_now(t, r2, b, sizeof b, 4, "second reader (4 bytes were written in all)");
	CHECK(t, n == 2 && memcmp(b, "cd", 2) == 0,
	      "second reader got %zu bytes \"%.*s\", expected \"cd\" (bytes read once must be gone)",
	      n, (int)(n < sizeof b ? n : sizeof b), b);
	STEP(t, "read the drained FIFO through the first reader");
	CHECK_EQ(t, iut_read(t, r1, b, sizeof b), -EAGAIN,
		 "read of the drained FIFO (O_NONBLOCK, writer open)");
}

/*
 * seed:F1: the FIFO has a path name, "so any two processes on the host
 * that can reach the path can communicate, related or not."  fifo(7): "the
 * filesystem entry merely serves as a reference point so that processes can
 * access the pipe using a name in the filesystem."
 *
 * Two sibling helpers, neither the other's ancestor, forked before the FIFO
 * exists: one creates it and writes, the other opens it by name once it
 * exists and reads.  The path is all they share.  Caught: an implementation
 * whose FIFOs work only across fork() (state inherited, not found by name).
 */
CLAUSE(fifo_io_unrelated_processes,
       .id = "fifo.io.unrelated_processes",
       .title = "two processes that are not parent and child and share no handles communicate through the path",
       .cites = "seed:F1; POSIX.1-2017 XSH mkfifo(), open(); fifo(7)")
{
	const char *path = ipcconf_path(t, "f");
	static const char msg[] = "across unrelated processes";
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		STEP(t, "writer: mkfifo");
		REQUIRE_OK(t, iut_mkfifo(t, path, 0600), "writer: mkfifo");
		ipcconf_post(t, CP_READY);
		STEP(t, "writer: open O_WRONLY by path");
		int w = iut_fifo_open(t, path, O_WRONLY);
		REQUIRE_OK(t, w, "writer: open O_WRONLY");
		ipcconf_write_all(t, w, msg, sizeof msg, "writer: write of the message");
		CHECK_EQ(t, iut_close(t, w), 0, "writer: close");
		ipcconf_exit(t);
	}
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		ipcconf_await(t, CP_READY, 1, "the writer's mkfifo");
		STEP(t, "reader: open O_RDONLY by path");
		int r = iut_fifo_open(t, path, O_RDONLY);
		REQUIRE_OK(t, r, "reader: open O_RDONLY");
		char b[sizeof msg];
		ipcconf_read_exact(t, r, b, sizeof msg, "reader: read of the message");
		CHECK(t, memcmp(b, msg, sizeof msg) == 0, "reader: got \"%.*s\", expected \"%s\"",
		      (int)sizeof msg, b, msg);
		STEP(t, "reader: read after the writer closed");
		CHECK_EQ(t, iut_read(t, r, b, 1), 0, "reader: read after the writer closed (EOF)");
		ipcconf_exit(t);
	}
	ipcconf_join(t, writer, "the writer");
	ipcconf_join(t, reader, "the reader");
}

#define BIG_TRANSFER (256u * 1024u)

/*
 * seed:F1 and F2 at scale, with seed:P5 (a full FIFO blocks the writer, a
 * read wakes it): 256 KiB pass between two sibling helpers in uneven
 * chunks -- four times Linux's default capacity, so the writer usually
 * waits on a full FIFO and is woken, though nothing here depends on the
 * capacity.  The reader gathers short reads
 * with ipcconf_read_exact, so any legal chunking passes; a lost, duplicated
 * or reordered block, or a missing wake-up (a timeout), fails.
 */
CLAUSE(fifo_io_large_transfer_intact,
       .id = "fifo.io.large_transfer_intact",
       .title = "256 KiB pass intact and in order between unrelated processes through a FIFO",
       .cites = "seed:F1, seed:F2; seed:P5; POSIX.1-2017 XSH read(), write(); fifo(7)")
{
	static uint8_t buf[BIG_TRANSFER];
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		for (size_t i = 0; i < BIG_TRANSFER; i++)
			buf[i] = pattern_byte(i);
		STEP(t, "writer: open O_WRONLY");
		int w = iut_fifo_open(t, path, O_WRONLY);
		REQUIRE_OK(t, w, "writer: open O_WRONLY");
		static const size_t sizes[] = { 1, 4097, 333, 65536, 7, 20000 };
		size_t off = 0;
		for (unsigned k = 0; off < BIG_TRANSFER; k++) {
			size_t n = sizes[k % 6];
			if (n > BIG_TRANSFER - off)
				n = BIG_TRANSFER - off;
			STEP(t, "writer: write %zu bytes at offset %zu", n, off);
			ipcconf_write_all(t, w, buf + off, n, "writer: write of a chunk");
			off += n;
		}
		CHECK_EQ(t, iut_close(t, w), 0, "writer: close");
		ipcconf_exit(t);
	}
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		STEP(t, "reader: open O_RDONLY");
		int r = iut_fifo_open(t, path, O_RDONLY);
		REQUIRE_OK(t, r, "reader: open O_RDONLY");
		STEP(t, "reader: read 256 KiB");
		ipcconf_read_exact(t, r, buf, BIG_TRANSFER, "reader: read of 256 KiB");
		size_t bad = pattern_mismatch(buf, BIG_TRANSFER);
		CHECK(t, bad == BIG_TRANSFER,
		      "reader: byte %zu of 256 KiB is 0x%02x, expected 0x%02x (data lost, repeated or reordered)",
		      bad, bad < BIG_TRANSFER ? buf[bad] : 0, bad < BIG_TRANSFER ? pattern_byte(bad) : 0);
		STEP(t, "reader: read after the writer closed");
		CHECK_EQ(t, iut_read(t, r, buf, 1), 0,
			 "reader: read after 256 KiB and the writer's close (EOF; no extra bytes)");
		ipcconf_exit(t);
	}
	ipcconf_join(t, writer, "the writer");
	ipcconf_join(t, reader, "the reader");
}

#define ATOMIC_WRITERS 4
#define ATOMIC_TARGET (512u * 1024u) /* bytes in all: several times any usual capacity */

/* How many PIPE_BUF-sized records each writer sends. */
static unsigned atomic_records(long pipe_buf)
{
	long n = (long)(ATOMIC_TARGET / ATOMIC_WRITERS) / pipe_buf;
	return n < 2 ? 2 : n > 255 ? 255 : (unsigned)n;
}

/* Record `seq` of writer `id`: its id, its number, then a fill of both. */
static void make_record(uint8_t *rec, long len, unsigned id, unsigned seq)
{
	rec[0] = (uint8_t)id;
	rec[1] = (uint8_t)seq;
	memset(rec + 2, (int)(0x40u + id * 0x30u + seq), (size_t)len - 2);
}

/*
 * Checks that `buf` is a sequence of whole records, each one writer's
 * records in its order.  Returns 0, or reports the first fault and returns
 * -1.
 */
static int check_records(struct ipcconf_t *t, const uint8_t *buf, long pb, unsigned nrec,
			 uint8_t *scratch)
{
	unsigned next[ATOMIC_WRITERS + 1] = { 0 };
	for (unsigned i = 0; i < ATOMIC_WRITERS * nrec; i++) {
		const uint8_t *rec = buf + (size_t)i * (size_t)pb;
		unsigned id = rec[0], seq = rec[1];
		if (id < 1 || id > ATOMIC_WRITERS || seq != next[id]) {
			FAIL(t, "record %u (offset %ld): header (writer %u, #%u) is not the next record of any writer; "
				"a PIPE_BUF write (%ld bytes) was split or interleaved", i, (long)i * pb, id, seq, pb);
			return -1;
		}
		make_record(scratch, pb, id, seq);
		if (memcmp(rec, scratch, (size_t)pb) != 0) {
			FAIL(t, "record %u (offset %ld, writer %u #%u) holds foreign bytes: a write of "
				"PIPE_BUF (%ld) bytes was interleaved with another writer's data",
			     i, (long)i * pb, id, seq, pb);
			return -1;
		}
		next[id]++;
	}
	return 0;
}

static void atomic_writer(struct ipcconf_t *t, const char *path, unsigned id)
{
	STEP(t, "writer %u: open O_WRONLY", id);
	int w = iut_fifo_open(t, path, O_WRONLY);
	REQUIRE_OK(t, w, "writer: open O_WRONLY");
	long pb = ipcconf_pipe_buf(t, w);
	unsigned nrec = atomic_records(pb);
	uint8_t *rec = malloc((size_t)pb);
	if (!rec)
		BROKEN(t, "malloc(%ld)", pb);
	/* Nobody writes (or closes) before all have opened: no early EOF. */
	ipcconf_post(t, CP_OPENED);
	ipcconf_await(t, CP_OPENED, ATOMIC_WRITERS, "every writer's open");
	for (unsigned seq = 0; seq < nrec; seq++) {
		make_record(rec, pb, id, seq);
		STEP(t, "writer %u: write record %u of %ld bytes", id, seq, pb);
		CHECK_EQ(t, iut_write(t, w, rec, (size_t)pb), pb,
			 "blocking write of PIPE_BUF bytes (must be whole)");
	}
	CHECK_EQ(t, iut_close(t, w), 0, "writer: close");
	ipcconf_exit(t);
}

/*
 * POSIX.1-2017 XSH write(), "Write requests to a pipe or FIFO shall be
 * handled in the same way as a regular file with the following
 * exceptions: ... Write requests of {PIPE_BUF} bytes or less shall not be
 * interleaved with data from other processes doing writes on the same
 * pipe."  With O_NONBLOCK clear, "a write request may cause the thread to
 * block, but on normal completion it shall return nbyte."
 *
 * Four sibling writers, each opening the FIFO by its name, write
 * PIPE_BUF-byte records into it while the reader drains it in odd-sized
 * reads (so the free room is rarely a multiple of PIPE_BUF).  The stream
 * must be whole records, each writer's in its own order.  Caught: a FIFO
 * that splits a PIPE_BUF write to fill partial room.
 */
CLAUSE(fifo_write_atomic_pipe_buf,
       .id = "fifo.write.atomic_pipe_buf",
       .title = "writes of PIPE_BUF bytes from several processes into one FIFO are never interleaved",
       .cites = "seed:F1, seed:F2; seed:P5; POSIX.1-2017 XSH write() (pipes and FIFOs), fpathconf(); fifo(7)",
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF),
       .timeout_ms = 4000)
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writers[ATOMIC_WRITERS];
	for (unsigned id = 1; id <= ATOMIC_WRITERS; id++)
		if ((writers[id - 1] = ipcconf_fork(t)) == 0)
			atomic_writer(t, path, id);
	STEP(t, "open O_RDONLY (releases the writers)");
	int r = iut_fifo_open(t, path, O_RDONLY);
	REQUIRE_OK(t, r, "open O_RDONLY");
	/* Every writer holds the FIFO before the first read: an early end-of-file
	 * would be the open rendezvous's rule (fifo.open.*), not this one's. */
	ipcconf_await(t, CP_OPENED, ATOMIC_WRITERS, "every writer's open");
	long pb = ipcconf_pipe_buf(t, r);
	unsigned nrec = atomic_records(pb);
	size_t total = (size_t)ATOMIC_WRITERS * nrec * (size_t)pb;
	uint8_t *buf = malloc(total), *scratch = malloc((size_t)pb);
	if (!buf || !scratch)
		BROKEN(t, "malloc(%zu)", total);

	static const size_t sizes[] = { 1000, 1, 4099, 13, 777, 9000 };
	size_t off = 0;
	for (unsigned k = 0; off < total; k++) {
		size_t n = sizes[k % 6];
		if (n > total - off)
			n = total - off;
		STEP(t, "read %zu bytes at offset %zu of %zu", n, off, total);
		ipcconf_read_exact(t, r, buf + off, n, "read of the writers' records");
		off += n;
	}
	STEP(t, "read after every writer closed");
	CHECK_EQ(t, iut_read(t, r, scratch, 1), 0,
		 "read after all records and every writer's close (EOF; no extra bytes)");
	check_records(t, buf, pb, nrec, scratch);
	for (unsigned i = 0; i < ATOMIC_WRITERS; i++)
		ipcconf_join(t, writers[i], "a writer");
}

/*
 * The FIFO's only writer, a helper that opens it by name (blocking, until
 * a reader opens), posts CP_OPENED, and on CP_GO writes `data` (unless
 * NULL) and closes.  Nothing is opened before the fork, so no clause
 * depends on inherited handles.
 */
static pid_t fork_fifo_writer(struct ipcconf_t *t, const char *path, const char *data)
{
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		STEP(t, "writer: open O_WRONLY");
		int w = iut_fifo_open(t, path, O_WRONLY);
		REQUIRE_OK(t, w, "writer: open O_WRONLY");
		ipcconf_post(t, CP_OPENED);
		ipcconf_await(t, CP_GO, 1, "the clause's go-ahead");
		if (data)
			CHECK_EQ(t, iut_write(t, w, data, strlen(data)), (long long)strlen(data),
				 "writer: write");
		CHECK_EQ(t, iut_close(t, w), 0, "writer: close");
		ipcconf_exit(t);
	}
	return writer;
}

/* A reader that opens the FIFO by name itself, then reads 5 bytes. */
struct fifo_read_call {
	const char *path;
	int r;
	char buf[5];
};

/* Before the read: the open meets the writer's, and waits for it to have returned. */
static void open_reader(struct ipcconf_t *t, void *arg)
{
	struct fifo_read_call *c = arg;
	c->r = iut_fifo_open(t, c->path, O_RDONLY);
	REQUIRE_OK(t, c->r, "reader: open O_RDONLY");
	ipcconf_await(t, CP_OPENED, 1, "the writer's open");
}

static long long read_5(struct ipcconf_t *t, void *arg)
{
	struct fifo_read_call *c = arg;
	return iut_read(t, c->r, c->buf, sizeof c->buf);
}

/* In the woken reader: a short read is legal (pipe.read.short_read); the rest must follow. */
static void read_rest_of_hello(struct ipcconf_t *t, void *arg, long long n)
{
	struct fifo_read_call *c = arg;
	if (n < 1 || n > 5)
		return; /* the clause process reports the result */
	ipcconf_read_exact(t, c->r, c->buf + n, sizeof c->buf - (size_t)n,
			   "reader: the rest of the 5 bytes after the woken read");
	CHECK_MEM(t, c->buf, "hello", 5, "the 5 bytes the woken reader got");
}

/*
 * POSIX.1-2017 XSH read(), "When attempting to read from an empty pipe or
 * FIFO: ... If some process has the pipe open for writing and O_NONBLOCK is
 * clear, read() shall block the calling thread until some data is written
 * or the pipe is closed by all processes that had the pipe open for
 * writing."  seed:P5 (a write into an empty pipe wakes blocked readers),
 * through seed:F2.
 *
 * A reader and a writer, two helpers, each open the FIFO by its name; the
 * reader's read of the empty FIFO must be asleep, and stay so until the
 * writer writes.  Caught: a read of an empty FIFO that returns 0 or EAGAIN
 * while a writer is open, and a read never woken by the write.
 */
CLAUSE(fifo_read_blocks_until_write,
       .id = "fifo.read.blocks_until_write",
       .title = "a read of an empty FIFO with a writer open blocks, and a write wakes it with the data",
       .cites = "seed:F2; seed:P5; POSIX.1-2017 XSH read(); fifo(7), pipe(7)")
{
	const char *path = ipcconf_make_fifo(t, "f");
	pid_t writer = fork_fifo_writer(t, path, "hello");
	struct fifo_read_call c = { .path = path };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 5-byte read of an empty FIFO with a writer open",
		.prepare = open_reader, .call = read_5, .then = read_rest_of_hello, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "letting the writer write 5 bytes");
	ipcconf_post(t, CP_GO);
	long long n = ipcconf_block_end(t, &b);
	char rb[32];
	CHECK(t, n >= 1 && n <= 5, "the woken 5-byte read returned %s; expected 1 to 5 bytes of the write",
	      ipcconf_result_name(n, rb));
	ipcconf_join(t, writer, "the writer");
}

/*
 * seed:P8 (the buffer is bounded and lives in memory; never assume one
 * capacity) through fifo(7) "see pipe(7)"; pipe(7): "A pipe has a limited
 * capacity."  POSIX.1-2017 XSH write(): with O_NONBLOCK set and no room,
 * write() "shall return -1 and set errno to [EAGAIN]".
 *
 * The FIFO is filled through an O_RDWR handle until a one-byte write gets
 * EAGAIN.  It must have held at least PIPE_BUF bytes (an empty FIFO takes
 * a PIPE_BUF write whole), and exactly the bytes accepted must come back.
 * Caught: an unbounded FIFO (ipcconf_fill's limit), one that drops or
 * invents bytes at the limit, and one that stays full after draining.
 */
CLAUSE(fifo_write_capacity_bounded,
       .id = "fifo.write.capacity_bounded",
       .title = "a FIFO's buffer is bounded: it fills (EAGAIN), returns exactly what it accepted, and takes data again",
       .cites = "seed:P8; seed:F4; POSIX.1-2017 XSH write(); pipe(7) Pipe capacity; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int h = iut_fifo_open(t, path, O_RDWR);
	REQUIRE_OK(t, h, "open O_RDWR");
	long pb = ipcconf_pipe_buf(t, h);
	long filled = ipcconf_fill(t, h);
	CHECK(t, filled >= pb, "capacity: the FIFO took %ld bytes, less than PIPE_BUF (%ld)", filled, pb);
	CHECK_EQ(t, iut_write(t, h, "z", 1), -EAGAIN, "one more byte into the full FIFO (O_NONBLOCK)");

	STEP(t, "drain the full FIFO");
	char *b = malloc((size_t)filled);
	if (!b)
		BROKEN(t, "malloc(%ld)", filled);
	size_t drained = ipcconf_drain_now(t, h, b, (size_t)filled, (size_t)filled,
					   "draining the full FIFO (no more than it accepted)");
	CHECK_EQ(t, drained, filled, "bytes drained from the full FIFO (what it accepted)");
	for (size_t i = 0; i < drained; i++)
		if (b[i] != 0) {
			FAIL(t, "byte %zu drained is 0x%02x, not the zero that was written", i, (unsigned char)b[i]);
			break;
		}
	STEP(t, "write into the drained FIFO");
	size_t again = (size_t)(pb < filled ? pb : filled);
	CHECK_EQ(t, iut_write(t, h, b, again), (long long)again, "write of PIPE_BUF bytes into the drained FIFO");
	free(b);
}

/* A writer that opens the FIFO by name itself, then writes a PIPE_BUF record of 'W'. */
struct fifo_write_call {
	const char *path;
	long pb;
	int w;
	char *rec;
};

static void open_writer_with_record(struct ipcconf_t *t, void *arg)
{
	struct fifo_write_call *c = arg;
	c->w = iut_fifo_open(t, c->path, O_WRONLY);
	REQUIRE_OK(t, c->w, "writer: open O_WRONLY (a reader is open)");
	c->rec = malloc((size_t)c->pb);
	if (!c->rec)
		BROKEN(t, "malloc(%ld)", c->pb);
	memset(c->rec, 'W', (size_t)c->pb);
}

static long long write_record(struct ipcconf_t *t, void *arg)
{
	struct fifo_write_call *c = arg;
	return iut_write(t, c->w, c->rec, (size_t)c->pb);
}

static void close_writer(struct ipcconf_t *t, void *arg, long long result)
{
	struct fifo_write_call *c = arg;
	CHECK_EQ(t, iut_close(t, c->w), 0, "writer: close");
}

/*
 * seed:P5: "writing a full pipe blocks the writer ... a read from a full
 * pipe wakes blocked writers", through fifo(7) "see pipe(7)".  POSIX.1-2017
 * XSH write(): with O_NONBLOCK clear, "a write request may cause the thread
 * to block, but on normal completion it shall return nbyte"; a write of at
 * most PIPE_BUF bytes goes in whole, appended at the end (seed:F2).
 *
 * The clause fills the FIFO with zeros and closes its writer; a helper
 * that opens the FIFO by name writes PIPE_BUF bytes of 'W' and must block;
 * reading PIPE_BUF bytes makes room and must wake it.  Then the stream holds exactly the rest of
 * the zeros followed by the helper's record.  Caught: a write into a full
 * FIFO that fails or returns short, a writer never woken, and a record that
 * lands anywhere but at the end.
 */
CLAUSE(fifo_write_blocks_when_full,
       .id = "fifo.write.blocks_when_full",
       .title = "a write into a full FIFO blocks until a read makes room, then appends its data whole",
       .cites = "seed:F2; seed:P5; POSIX.1-2017 XSH write(), read(); fifo(7), pipe(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF))
{
	const char *path = ipcconf_make_fifo(t, "f");
	int r, w;
	ipcconf_open_fifo_pair(t, path, &r, &w);
	long pb = ipcconf_pipe_buf(t, r);
	long filled = ipcconf_fill(t, w);
	REQUIRE(t, filled >= pb, "capacity: the FIFO took %ld bytes, less than PIPE_BUF (%ld)", filled, pb);
	REQUIRE_OK(t, iut_close(t, w), "close of the filling writer");

	struct fifo_write_call c = { .path = path, .pb = pb };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a write of PIPE_BUF bytes into a full FIFO",
		.prepare = open_writer_with_record, .call = write_record, .then = close_writer, .arg = &c });
	ipcconf_block_release(t, &b);

	STEP(t, "read PIPE_BUF bytes to make room");
	char *buf = malloc((size_t)filled);
	if (!buf)
		BROKEN(t, "malloc(%ld)", filled);
	ipcconf_read_exact(t, r, buf, (size_t)pb, "read of PIPE_BUF bytes from the full FIFO");
	CHECK_EQ(t, ipcconf_block_end(t, &b), pb, "the blocked write of PIPE_BUF bytes, once room was made");

	STEP(t, "read the rest");
	ipcconf_read_exact(t, r, buf, (size_t)filled, "read of the rest and the woken writer's record");
	long bad = -1;
	for (long i = 0; i < filled && bad < 0; i++)
		if (buf[i] != (i < filled - pb ? 0 : 'W'))
			bad = i;
	CHECK(t, bad < 0,
	      "after the first PIPE_BUF bytes, byte %ld is 0x%02x: expected %ld zeros, then %ld bytes of 'W' (appended at the end)",
	      bad, bad >= 0 ? (unsigned char)buf[bad] : 0, filled - pb, pb);
	free(buf);
	CHECK_EQ(t, iut_read(t, r, &(char){ 0 }, 1), 0, "read after everything, every writer closed (EOF)");
}
