/*
 * Pipe clauses: readiness (seed:P5, P10).  poll() tells, without blocking,
 * what a read or write would do: POLLIN when there is data, POLLOUT when
 * there is room, POLLHUP on the read end once every writer is gone,
 * POLLERR on the write end once every reader is gone; and a poll that
 * waits is woken by the event it waits for.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/* "POLLIN|POLLHUP", "0", "-EBADF": revents as they read in a message. */
static const char *events_name(int ev, char buf[64])
{
	if (ev < 0)
		return ipcconf_result_name(ev, buf);
	buf[0] = '\0';
	static const struct {
		int bit;
		const char *name;
	} bits[] = { { POLLIN, "POLLIN" }, { POLLOUT, "POLLOUT" }, { POLLHUP, "POLLHUP" },
		     { POLLERR, "POLLERR" }, { POLLNVAL, "POLLNVAL" }, { POLLPRI, "POLLPRI" } };
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (ev & bits[i].bit) {
			strcat(buf, buf[0] ? "|" : "");
			strcat(buf, bits[i].name);
		}
	if (!buf[0])
		snprintf(buf, 64, "%d", ev);
	return buf;
}

/* Polls `h` with timeout 0 and checks which of `bits` are set. */
static void expect_events(struct ipcconf_t *t, int h, short events, int must, int must_not, const char *what)
{
	int ev = iut_poll1(t, h, events, 0);
	char b[64];
	CHECK(t, ev >= 0 && (ev & must) == must && (ev & must_not) == 0,
	      "%s: got revents %s; expected %s set%s%s", what, events_name(ev, b),
	      must ? events_name(must, (char[64]){ 0 }) : "nothing",
	      must_not ? " and not " : "", must_not ? events_name(must_not, (char[64]){ 0 }) : "");
}

/* A poll with no timeout, made by a helper that may first close one handle. */
struct poll_call {
	int h;
	short events;
	int close_first; /* -1: none */
};

static void close_before_poll(struct ipcconf_t *t, void *arg)
{
	struct poll_call *c = arg;
	if (c->close_first >= 0)
		REQUIRE_OK(t, iut_close(t, c->close_first), "poller: close of its copy of the write end");
}

static long long poll_forever(struct ipcconf_t *t, void *arg)
{
	struct poll_call *c = arg;
	return iut_poll1(t, c->h, c->events, -1);
}

/*
 * Starts a helper waiting in poll(h, events, no timeout) -- after closing
 * `close_first` unless -1 -- and returns once it is seen blocked there
 * (block.h).  The caller releases it, acts, and ends it with end_poller().
 * `owns_wait`: the clause's rule is that poll waits (then the grace period
 * of block.h applies), not only that a waiting poll is woken.
 */
static void start_poller(struct ipcconf_t *t, struct ipcconf_blocked *b, struct poll_call *c,
			 const char *what, int owns_wait)
{
	ipcconf_block_begin(t, b, &(struct ipcconf_blocking_call){
		.what = what, .prepare = close_before_poll, .call = poll_forever, .arg = c,
		.no_grace = !owns_wait });
}

/* Ends the poller; `want` must be among its revents ("poll woken by <cause>"). */
static void end_poller(struct ipcconf_t *t, struct ipcconf_blocked *b, int want, const char *cause)
{
	long long ev = ipcconf_block_end(t, b);
	char eb[64], wb[64];
	CHECK(t, ev > 0 && (ev & want), "poll woken by %s: expected %s, got %s", cause,
	      events_name(want, wb), events_name((int)ev, eb));
}

/*
 * POSIX.1-2017 XSH poll(): "POLLIN Data other than high-priority data may
 * be read without blocking."  Checked here: with a byte in the pipe and its
 * writer open, the read end is POLLIN, and neither POLLHUP nor POLLERR.
 */
CLAUSE(pipe_poll_pollin_with_data,
       .id = "pipe.poll.pollin_with_data",
       .title = "the read end of a pipe holding data polls POLLIN (and no POLLHUP/POLLERR while a writer exists)",
       .cites = "seed:P5; POSIX.1-2017 XSH poll(); poll(2)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "x", 1), 1);
	expect_events(t, e[0], POLLIN, POLLIN, POLLHUP | POLLERR, "poll(read end, POLLIN, 0) with 1 byte in the pipe");
}

/*
 * POSIX.1-2017 XSH poll(): "If none of the defined events have occurred on
 * any selected file descriptor, poll() shall wait at least timeout
 * milliseconds ... If the value of timeout is 0, poll() shall return
 * immediately."  An empty pipe with a writer has nothing to read, and a
 * read would block: poll with timeout 0 reports no event.
 */
CLAUSE(pipe_poll_empty_no_events,
       .id = "pipe.poll.empty_no_events",
       .title = "the read end of an empty pipe with a writer reports no event (poll with timeout 0 returns 0)",
       .cites = "seed:P5; POSIX.1-2017 XSH poll(); poll(2)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	int ev = iut_poll1(t, e[0], POLLIN, 0);
	char b[64];
	CHECK(t, ev == 0, "poll(read end, POLLIN, 0) of an empty pipe with a writer: expected 0 (no event), got %s",
	      events_name(ev, b));
}

/*
 * POSIX.1-2017 XSH poll(): "POLLHUP ... a pipe or FIFO has been closed by
 * the last process that had it open for writing. ... this event and
 * POLLIN, POLLRDNORM, POLLRDBAND, or POLLPRI are not mutually exclusive."
 * poll(2): POLLHUP "merely indicates that the peer closed its end".
 * Checked here: with no writer left, the read end is POLLHUP both while
 * data remains (then also POLLIN) and once it is drained.
 */
CLAUSE(pipe_poll_pollhup_no_writer,
       .id = "pipe.poll.pollhup_no_writer",
       .title = "the read end polls POLLHUP once every writer has closed, with data left (POLLIN too) or not",
       .cites = "seed:P10; POSIX.1-2017 XSH poll() POLLHUP; poll(2)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_EQ(t, iut_write(t, e[1], "x", 1), 1);
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the only write end");
	expect_events(t, e[0], POLLIN, POLLIN | POLLHUP, 0,
		      "poll(read end, POLLIN, 0): no writer, 1 byte left");
	char c;
	ipcconf_read_exact(t, e[0], &c, 1, "reading the last byte");
	expect_events(t, e[0], POLLIN, POLLHUP, 0, "poll(read end, POLLIN, 0): no writer, drained");
}

/*
 * POSIX.1-2017 XSH poll(): "POLLOUT Normal data may be written without
 * blocking."  An empty pipe has room for at least PIPE_BUF bytes.
 */
CLAUSE(pipe_poll_pollout_when_empty,
       .id = "pipe.poll.pollout_when_empty",
       .title = "the write end of an empty pipe polls POLLOUT",
       .cites = "seed:P5; POSIX.1-2017 XSH poll(); poll(2)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	expect_events(t, e[1], POLLOUT, POLLOUT, POLLERR | POLLHUP, "poll(write end, POLLOUT, 0) of an empty pipe");
}

/*
 * POSIX.1-2017 XSH poll(): POLLOUT means "Normal data may be written
 * without blocking"; a full pipe blocks every write (seed:P5), so no
 * POLLOUT.  Once drained, POLLOUT is back.  (An implementation that always
 * reports POLLOUT fails here.)
 */
CLAUSE(pipe_poll_no_pollout_when_full,
       .id = "pipe.poll.no_pollout_when_full",
       .title = "the write end of a full pipe does not poll POLLOUT; once drained it does again",
       .cites = "seed:P5; seed:P8; POSIX.1-2017 XSH poll(); poll(2)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cap = ipcconf_fill(t, e[1]);
	expect_events(t, e[1], POLLOUT, 0, POLLOUT, "poll(write end, POLLOUT, 0) of a full pipe");
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	expect_events(t, e[1], POLLOUT, POLLOUT, 0, "poll(write end, POLLOUT, 0) after draining the full pipe");
}

/*
 * poll(2), POLLERR: "This bit is also set for a file descriptor referring
 * to the write end of a pipe when the read end has been closed."
 */
CLAUSE(pipe_poll_pollerr_no_reader,
       .id = "pipe.poll.pollerr_no_reader",
       .title = "the write end polls POLLERR once every reader has closed",
       .cites = "seed:P10; poll(2) POLLERR",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of the only read end");
	expect_events(t, e[1], POLLOUT, POLLERR, 0, "poll(write end, POLLOUT, 0) with no reader");
}

/*
 * POSIX.1-2017 XSH poll(): "If none of the defined events have occurred on
 * any selected file descriptor, poll() shall wait ... for an event to
 * occur".  seed:P5: "a write into an empty pipe wakes blocked readers" --
 * a waiting poll included.  Checked here: a helper waits in poll for
 * POLLIN on the empty pipe; a write wakes it with POLLIN.
 */
CLAUSE(pipe_poll_woken_by_write,
       .id = "pipe.poll.woken_by_write",
       .title = "a poll waiting for POLLIN on an empty pipe is woken by a write",
       .cites = "seed:P5; POSIX.1-2017 XSH poll(); poll(2)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct poll_call c = { .h = e[0], .events = POLLIN, .close_first = -1 };
	struct ipcconf_blocked b;
	start_poller(t, &b, &c, "poll(read end, POLLIN, no timeout) on an empty pipe", 1);
	ipcconf_block_release(t, &b);
	STEP(t, "writing to wake the poller");
	CHECK_EQ(t, iut_write(t, e[1], "w", 1), 1);
	end_poller(t, &b, POLLIN, "a write");
}

/*
 * POSIX.1-2017 XSH poll(): poll waits "for an event to occur"; seed:P5: "a
 * read from a full pipe wakes blocked writers" -- a waiting poll included.
 * Checked here: a helper waits in poll for POLLOUT on a full pipe;
 * draining the pipe wakes it with POLLOUT.
 */
CLAUSE(pipe_poll_pollout_woken_by_read,
       .id = "pipe.poll.pollout_woken_by_read",
       .title = "a poll waiting for POLLOUT on a full pipe is woken when the pipe is drained",
       .cites = "seed:P5; POSIX.1-2017 XSH poll(); poll(2)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cap = ipcconf_fill(t, e[1]);
	struct poll_call c = { .h = e[1], .events = POLLOUT, .close_first = -1 };
	struct ipcconf_blocked b;
	start_poller(t, &b, &c, "poll(write end, POLLOUT, no timeout) on a full pipe", 1);
	ipcconf_block_release(t, &b);
	STEP(t, "draining the pipe to wake the poller");
	ipcconf_read_fill(t, e[0], cap, "draining the full pipe");
	end_poller(t, &b, POLLOUT, "draining");
}

/*
 * POSIX.1-2017 XSH poll(): POLLHUP when "a pipe or FIFO has been closed by
 * the last process that had it open for writing"; a waiting poll is woken
 * by it even though only POLLIN was asked ("POLLHUP ... is only valid in
 * the revents bitmask; it shall be ignored in the events member").
 * Checked here: a helper waits in poll for POLLIN on the empty pipe; the
 * last writer's close wakes it with POLLHUP.
 */
CLAUSE(pipe_poll_pollhup_wakes_poller,
       .id = "pipe.poll.pollhup_wakes_poller",
       .title = "a poll waiting on an empty pipe's read end is woken with POLLHUP by the last writer's close",
       .cites = "seed:P10; POSIX.1-2017 XSH poll() POLLHUP; poll(2)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct poll_call c = { .h = e[0], .events = POLLIN, .close_first = e[1] };
	struct ipcconf_blocked b;
	start_poller(t, &b, &c, "poll(read end, POLLIN, no timeout) on an empty pipe", 0);
	ipcconf_block_release(t, &b);
	STEP(t, "closing the last write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the last write end");
	end_poller(t, &b, POLLHUP, "the last writer's close");
}
