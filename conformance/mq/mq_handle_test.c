/*
 * POSIX message queue clauses: handles (seed:Q1, Q2).  A handle opened
 * for one direction refuses the other; a closed handle is no handle; and
 * on Linux a queue handle is pollable: POLLIN when a message is there,
 * POLLOUT when there is room.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

/*
 * POSIX.1-2017 XSH mq_receive() ERRORS [EBADF]: "The mqdes argument is
 * not a valid message queue descriptor open for reading."  mq_receive(3):
 * "EBADF The descriptor specified in mqdes was invalid or not opened for
 * reading."  Checked here: a receive through a handle opened O_WRONLY
 * fails with -EBADF, and the queued message stays for a reader.
 */
CLAUSE(mq_receive_write_only_ebadf,
       .id = "mq.receive.write_only_ebadf",
       .title = "mq_receive through a handle opened O_WRONLY fails with -EBADF and takes nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_receive() ERRORS [EBADF]; mq_receive(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "x", 1, 0, NULL), 0, "mq_send");
	int w = ipcconf_mq_reopen(t, &q, O_WRONLY, "mq_open(O_WRONLY) of the name");
	char buf[64];
	STEP(t, "mq_receive through the O_WRONLY handle");
	CHECK_FAILS(t, iut_mq_receive(t, w, buf, sizeof buf, NULL, NULL), -EBADF);
	ipcconf_mq_expect_queued(t, &q, "x", -1, "the message, still queued for a reader");
}

/*
 * POSIX.1-2017 XSH mq_send() ERRORS [EBADF]: "The mqdes argument is not a
 * valid message queue descriptor open for writing."  mq_send(3): "EBADF
 * The descriptor specified in mqdes was invalid or not opened for
 * writing."  Checked here: a send through a handle opened O_RDONLY fails
 * with -EBADF and queues nothing.
 */
CLAUSE(mq_send_read_only_ebadf,
       .id = "mq.send.read_only_ebadf",
       .title = "mq_send through a handle opened O_RDONLY fails with -EBADF and queues nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_send() ERRORS [EBADF]; mq_send(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	int r = ipcconf_mq_reopen(t, &q, O_RDONLY, "mq_open(O_RDONLY) of the name");
	STEP(t, "mq_send through the O_RDONLY handle");
	CHECK_FAILS(t, iut_mq_send(t, r, "x", 1, 0, NULL), -EBADF);
	ipcconf_mq_expect_empty(t, &q, "after the refused send");
}

/*
 * POSIX.1-2017 XSH mq_close(): "The mq_close() function shall remove the
 * association between the message queue descriptor, mqdes, and its
 * message queue.  The results of using this message queue descriptor
 * after successful return from this mq_close(), and until the return of
 * this message queue descriptor from a subsequent mq_open(), are
 * undefined."  iut.h, HANDLES: "an operation given a handle that is not
 * open returns -EBADF", as mq_send(3), mq_receive(3) and mq_getattr(3)
 * ERRORS say for an invalid descriptor.  Checked here (the clause opens
 * nothing in between): after a handle is closed, mq_send, mq_receive,
 * mq_getattr and a second close through it fail with -EBADF, and the
 * queue still holds its message.
 */
CLAUSE(mq_close_handle_invalid_after,
       .id = "mq.close.handle_invalid_after",
       .title = "after close, a queue handle is invalid: send, receive, getattr and close fail with -EBADF",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_close(); mq_send(3), mq_receive(3), mq_getattr(3) ERRORS [EBADF]")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "x", 1, 0, NULL), 0, "mq_send");
	int h = ipcconf_mq_reopen(t, &q, O_RDWR, "mq_open(O_RDWR) of a second handle");
	REQUIRE_EQ(t, iut_close(t, h), 0, "close of the second handle");
	char buf[64];
	struct mq_attr a;
	CHECK_FAILS(t, iut_mq_send(t, h, "y", 1, 0, NULL), -EBADF);
	CHECK_FAILS(t, iut_mq_receive(t, h, buf, sizeof buf, NULL, NULL), -EBADF);
	CHECK_FAILS(t, iut_mq_getattr(t, h, &a), -EBADF);
	CHECK_FAILS(t, iut_close(t, h), -EBADF);
	ipcconf_mq_expect_queued(t, &q, "x", -1, "the message, still queued");
}

/* "POLLIN|POLLOUT", "0", "-EBADF": revents as they read in a message. */
static const char *events_name(int ev, char buf[64])
{
	if (ev < 0)
		return ipcconf_result_name(ev, buf);
	buf[0] = '\0';
	static const struct {
		int bit;
		const char *name;
	} bits[] = { { POLLIN, "POLLIN" }, { POLLOUT, "POLLOUT" }, { POLLHUP, "POLLHUP" },
		     { POLLERR, "POLLERR" }, { POLLNVAL, "POLLNVAL" }, { POLLRDNORM, "POLLRDNORM" },
		     { POLLWRNORM, "POLLWRNORM" } };
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (ev & bits[i].bit) {
			strcat(buf, buf[0] ? "|" : "");
			strcat(buf, bits[i].name);
		}
	if (!buf[0])
		snprintf(buf, 64, "%d", ev);
	return buf;
}

/* Polls `h` for POLLIN | POLLOUT with timeout 0; `must` set, `must_not` clear. */
static void expect_events(struct ipcconf_t *t, int h, int must, int must_not, const char *what)
{
	int ev = iut_poll1(t, h, POLLIN | POLLOUT, 0);
	char b[64], m[64], n[64];
	CHECK(t, ev >= 0 && (ev & must) == must && (ev & must_not) == 0,
	      "%s: got revents %s; expected %s set and %s clear", what, events_name(ev, b),
	      events_name(must, m), events_name(must_not, n));
}

/*
 * mq_overview(7), Polling message queue descriptors: "On Linux, a message
 * queue descriptor is actually a file descriptor.  (POSIX does not
 * require such an implementation.)  This means that a message queue
 * descriptor can be monitored using select(2), poll(2), or epoll(7)."
 * poll(2): POLLIN "There is data to read", POLLOUT "Writing is now
 * possible".  Linux (ipc/mqueue.c, mqueue_poll_file()) sets POLLIN when
 * mq_curmsgs is not 0 and POLLOUT when it is below mq_maxmsg.  Checked
 * here: an empty queue's handle polls POLLOUT and not POLLIN; after one
 * send, POLLIN (and POLLOUT: there is room left when mq_maxmsg > 1).
 */
CLAUSE(mq_poll_pollin_when_message,
       .id = "mq.poll.pollin_when_message",
       .title = "a queue handle polls POLLIN only when a message is queued",
       .cites = "seed:Q2; mq_overview(7) Polling message queue descriptors; poll(2)",
       USES(MQ, IPCCONF_MQ_CAP_POLL),
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	expect_events(t, q.h, POLLOUT, POLLIN, "poll of an empty queue");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "x", 1, 0, NULL), 0, "mq_send");
	expect_events(t, q.h, POLLIN | (q.maxmsg > 1 ? POLLOUT : 0), 0,
		      "poll of a queue holding one message");
	ipcconf_mq_expect_queued(t, &q, "x", -1, "the message");
	expect_events(t, q.h, POLLOUT, POLLIN, "poll of the queue emptied again");
}

/*
 * mq_overview(7), Polling message queue descriptors (as above); poll(2):
 * POLLOUT "Writing is now possible".  Checked here: a queue holding
 * mq_maxmsg messages polls POLLIN and not POLLOUT; after one receive it
 * polls POLLOUT again.
 */
CLAUSE(mq_poll_pollout_when_room,
       .id = "mq.poll.pollout_when_room",
       .title = "a queue handle polls POLLOUT only when there is room for a message",
       .cites = "seed:Q2; mq_overview(7) Polling message queue descriptors; poll(2)",
       USES(MQ, IPCCONF_MQ_CAP_POLL),
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	ipcconf_mq_fill(t, &q);
	expect_events(t, q.h, POLLIN, POLLOUT, "poll of a full queue");
	ipcconf_mq_expect_queued(t, &q, "f0", -1, "the oldest message");
	expect_events(t, q.h, POLLOUT, 0, "poll of the queue after one receive");
}

struct poller {
	const char *name;
	int h;
};

static void poller_open(struct ipcconf_t *t, void *arg)
{
	struct poller *p = arg;
	p->h = iut_mq_open(t, p->name, O_RDONLY, 0, NULL);
	REQUIRE_OK(t, p->h, "poller: mq_open(O_RDONLY) by name");
}

static long long poll_in_forever(struct ipcconf_t *t, void *arg)
{
	struct poller *p = arg;
	return iut_poll1(t, p->h, POLLIN, -1);
}

/*
 * mq_overview(7), Polling message queue descriptors; poll(2): "If none
 * of the events requested (and no error) has occurred for any of the file
 * descriptors, then poll() blocks until one of the events occurs."
 * Checked here (block.h, no grace: poll's waiting is poll(2)'s own rule):
 * a helper asleep in poll(POLLIN, no timeout) on an empty queue's handle
 * is woken by a send with POLLIN.
 */
CLAUSE(mq_poll_woken_by_send,
       .id = "mq.poll.woken_by_send",
       .title = "a poll for POLLIN asleep on an empty queue is woken by a send, with POLLIN",
       .cites = "seed:Q2; mq_overview(7) Polling message queue descriptors; poll(2)",
       USES(MQ, IPCCONF_MQ_CAP_POLL),
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct poller p = { .name = q.name };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "poll(POLLIN) of an empty queue", .prepare = poller_open,
		.call = poll_in_forever, .arg = &p });
	ipcconf_block_release(t, &b);
	STEP(t, "sending under the sleeping poller");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "x", 1, 0, NULL), 0, "mq_send");
	long long ev = ipcconf_block_end(t, &b);
	char eb[64];
	CHECK(t, ev > 0 && (ev & POLLIN), "the woken poll: expected POLLIN, got %s",
	      events_name((int)ev, eb));
}
