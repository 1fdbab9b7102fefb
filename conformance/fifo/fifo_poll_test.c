/*
 * FIFO clauses: readiness and the unread count on a FIFO's ends.  poll(2)
 * tells a reader when data is there (POLLIN) and when the last writer has
 * gone (POLLHUP), and a writer when there is room (POLLOUT); FIONREAD
 * counts the bytes waiting.  fifo(7): once opened, "I/O is performed as
 * for a pipe".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/clause.h"

/* A FIFO in the clause's directory with a reader and a writer open. */
static void fifo_pair(struct ipcconf_t *t, int *r, int *w)
{
	const char *path = ipcconf_make_fifo(t, "f");
	ipcconf_open_fifo_pair(t, path, r, w);
}

/*
 * poll(2): "POLLIN There is data to read."  POSIX.1-2017 XSH poll():
 * "POLLIN Data other than high-priority data may be read without
 * blocking."  Checked here: a FIFO's reader polled with no data waiting
 * (writer open) reports nothing within 0 ms; after a 3-byte write it
 * reports POLLIN, and not POLLHUP (the writer is still open).
 */
CLAUSE(fifo_poll_pollin_with_data,
       .id = "fifo.poll.pollin_with_data",
       .title = "a FIFO's reader polls POLLIN once data is waiting, and nothing before",
       .cites = "POSIX.1-2017 XSH poll(); poll(2); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int r, w;
	fifo_pair(t, &r, &w);
	STEP(t, "poll of the reader of the empty FIFO, writer open");
	CHECK_EQ(t, iut_poll1(t, r, POLLIN, 0), 0, "revents of the empty FIFO's reader (POLLIN asked, 0 ms)");
	REQUIRE_EQ(t, iut_write(t, w, "abc", 3), 3, "write of 3 bytes");
	STEP(t, "poll of the reader with 3 bytes waiting");
	int rev = iut_poll1(t, r, POLLIN, 0);
	char b[32];
	REQUIRE(t, rev >= 0, "poll of the reader: %s", ipcconf_result_name(rev, b));
	CHECK(t, rev & POLLIN, "the reader of a FIFO holding 3 bytes polls revents 0x%x, without POLLIN", rev);
	CHECK(t, !(rev & POLLHUP), "the reader polls POLLHUP (revents 0x%x) while the writer is open", rev);
}

/*
 * poll(2): "POLLOUT Writing is now possible, though a write larger than
 * the available space in a socket or pipe will still block (unless
 * O_NONBLOCK is set)."  Checked here: a FIFO's writer polls POLLOUT while
 * the FIFO is empty; once it is full (nonblocking writes until -EAGAIN)
 * it polls no POLLOUT; once it is drained again, POLLOUT is back.
 * (Linux reports POLLOUT only with room for a whole PIPE_BUF write, so
 * the clause drains all of it rather than judge a partly full FIFO.)
 */
CLAUSE(fifo_poll_pollout_when_room,
       .id = "fifo.poll.pollout_when_room",
       .title = "a FIFO's writer polls POLLOUT while there is room, not when the FIFO is full",
       .cites = "POSIX.1-2017 XSH poll(); poll(2); pipe(7); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL | IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(PIPE, 0))
{
	int r, w;
	fifo_pair(t, &r, &w);
	char b[32];
	STEP(t, "poll of the writer of the empty FIFO");
	int rev = iut_poll1(t, w, POLLOUT, 0);
	REQUIRE(t, rev >= 0, "poll of the writer: %s", ipcconf_result_name(rev, b));
	CHECK(t, rev & POLLOUT, "the writer of an empty FIFO polls revents 0x%x, without POLLOUT", rev);
	long cap = ipcconf_fill(t, w);
	STEP(t, "poll of the writer of the full FIFO (%ld bytes)", cap);
	CHECK_EQ(t, iut_poll1(t, w, POLLOUT, 0), 0, "revents of the full FIFO's writer (POLLOUT asked, 0 ms)");
	ipcconf_read_fill(t, r, cap, "draining the full FIFO");
	STEP(t, "poll of the writer of the drained FIFO");
	rev = iut_poll1(t, w, POLLOUT, 0);
	REQUIRE(t, rev >= 0, "poll of the writer: %s", ipcconf_result_name(rev, b));
	CHECK(t, rev & POLLOUT, "the writer of the drained FIFO polls revents 0x%x, without POLLOUT", rev);
}

/*
 * poll(2): "POLLHUP Hang up ... Note that when reading from a channel
 * such as a pipe or a stream socket, this event merely indicates that the
 * peer closed its end of the channel."  POSIX.1-2017 XSH poll(): "poll()
 * shall set the POLLHUP, POLLERR, and POLLNVAL flag in revents if the
 * condition is true, even if the application did not set the
 * corresponding bit in events".  Checked here:
 * the reader of a FIFO whose only writer (that had been open) closed polls
 * POLLHUP, asked only for POLLIN, both with data still waiting (POLLIN
 * too) and once it is drained (POLLHUP without POLLIN: nothing to read).
 */
CLAUSE(fifo_poll_pollhup_after_last_writer,
       .id = "fifo.poll.pollhup_after_last_writer",
       .title = "a FIFO's reader polls POLLHUP after the last writer closes, with POLLIN while data remains",
       .cites = "seed:P10; POSIX.1-2017 XSH poll(); poll(2); fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int r, w;
	fifo_pair(t, &r, &w);
	REQUIRE_EQ(t, iut_write(t, w, "xy", 2), 2, "write of 2 bytes");
	STEP(t, "closing the only writer");
	REQUIRE_OK(t, iut_close(t, w), "close of the only writer");
	char b[32];
	STEP(t, "poll of the reader: 2 bytes waiting, no writer");
	int rev = iut_poll1(t, r, POLLIN, 0);
	REQUIRE(t, rev >= 0, "poll of the reader: %s", ipcconf_result_name(rev, b));
	CHECK(t, rev & POLLHUP, "the reader polls revents 0x%x after the last writer closed, without POLLHUP", rev);
	CHECK(t, rev & POLLIN, "the reader polls revents 0x%x with 2 bytes waiting, without POLLIN", rev);
	char buf[2];
	ipcconf_read_exact(t, r, buf, 2, "reading the 2 bytes");
	STEP(t, "poll of the reader: drained, no writer");
	rev = iut_poll1(t, r, POLLIN, 0);
	REQUIRE(t, rev >= 0, "poll of the reader: %s", ipcconf_result_name(rev, b));
	CHECK(t, rev & POLLHUP, "the reader of the drained FIFO without writers polls revents 0x%x, without POLLHUP", rev);
	CHECK(t, !(rev & POLLIN), "the reader of the drained FIFO polls POLLIN (revents 0x%x) with nothing to read", rev);
}

/*
 * pipe(7): "ioctl(fd, FIONREAD, &nbytes);" places "a count of the number
 * of unread bytes in the pipe" and "can be applied to a file descriptor
 * that refers to either end of a pipe"; fifo(7): I/O "as for a pipe".
 * Checked here on a FIFO: 0 when empty; 10 after writes of 4 and 6 bytes,
 * on the reader and on the writer; 7 after a 3-byte read; 0 once all is
 * read.
 */
CLAUSE(fifo_nread_counts_unread,
       .id = "fifo.nread.counts_unread",
       .title = "FIONREAD on either end of a FIFO counts the unread bytes",
       .cites = "pipe(7) ioctl FIONREAD; fifo(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(STREAM, IPCCONF_STREAM_CAP_NREAD))
{
	int r, w;
	fifo_pair(t, &r, &w);
	CHECK_EQ(t, iut_nread(t, r), 0, "nread of the empty FIFO's reader");
	REQUIRE_EQ(t, iut_write(t, w, "abcd", 4), 4, "write of 4 bytes");
	REQUIRE_EQ(t, iut_write(t, w, "efghij", 6), 6, "write of 6 bytes");
	STEP(t, "nread with 10 bytes unread");
	CHECK_EQ(t, iut_nread(t, r), 10, "nread of the reader with 10 bytes unread");
	CHECK_EQ(t, iut_nread(t, w), 10, "nread of the writer with 10 bytes unread");
	char buf[10];
	ipcconf_read_exact(t, r, buf, 3, "a 3-byte read");
	CHECK_EQ(t, iut_nread(t, r), 7, "nread of the reader after 3 of 10 bytes were read");
	ipcconf_read_exact(t, r, buf, 7, "reading the other 7 bytes");
	CHECK_EQ(t, iut_nread(t, r), 0, "nread of the reader after every byte was read");
}
