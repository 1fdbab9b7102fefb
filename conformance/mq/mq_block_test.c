/*
 * POSIX message queue clauses: waiting (seed:Q1, Q2).  A receive on an
 * empty queue sleeps until a send; a send on a full queue sleeps until a
 * receive; the timed variants give up at their absolute CLOCK_REALTIME
 * timeout with ETIMEDOUT, never while the operation can be done at once,
 * and refuse an invalid timeout when they would have to wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

/* A helper's call on the queue, through a handle it opens by name itself. */
struct q_call {
	const char *name;
	int flags;
	int h;
	size_t msgsize;
	const char *text; /* sent, or expected */
	struct timespec abs;
	int timed;
	unsigned prio;
	char buf[64];
};

static void open_by_name(struct ipcconf_t *t, void *arg)
{
	struct q_call *c = arg;
	c->h = iut_mq_open(t, c->name, c->flags, 0, NULL);
	REQUIRE_OK(t, c->h, "helper: mq_open of the queue by name");
}

static long long receive_call(struct ipcconf_t *t, void *arg)
{
	struct q_call *c = arg;
	return iut_mq_receive(t, c->h, c->buf, c->msgsize, &c->prio, c->timed ? &c->abs : NULL);
}

static long long send_call(struct ipcconf_t *t, void *arg)
{
	struct q_call *c = arg;
	return iut_mq_send(t, c->h, c->text, strlen(c->text), 0, c->timed ? &c->abs : NULL);
}

/* In the woken receiver: the bytes it got are the message sent. */
static void check_received(struct ipcconf_t *t, void *arg, long long n)
{
	struct q_call *c = arg;
	if (n == (long long)strlen(c->text))
		CHECK_MEM(t, c->buf, c->text, strlen(c->text), "the bytes the woken receive got");
}

/*
 * POSIX.1-2017 XSH mq_receive(): "If the specified message queue is
 * empty and O_NONBLOCK is not set in the message queue description
 * associated with mqdes, mq_receive() shall block until a message is
 * enqueued on the message queue or until mq_receive() is interrupted by a
 * signal."  mq_receive(3): "If the queue is empty, then, by default,
 * mq_receive() blocks until a message becomes available".  Checked here
 * (block.h): a helper that opened the queue by name is seen asleep in
 * mq_receive on the empty queue and stays so for the grace period; the
 * clause process sends "wake"; the helper's receive returns those 4
 * bytes.
 */
CLAUSE(mq_receive_blocks_until_send,
       .id = "mq.receive.blocks_until_send",
       .title = "mq_receive on an empty queue blocks until a message is sent, and returns that message",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_receive(); mq_receive(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct q_call c = { .name = q.name, .flags = O_RDONLY, .msgsize = (size_t)q.msgsize,
			    .text = "wake" };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "mq_receive of an empty queue", .prepare = open_by_name,
		.call = receive_call, .then = check_received, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "sending \"wake\" under the sleeping receiver");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "wake", 4, 1, NULL), 0, "mq_send");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 4, "the woken receive's length");
}

/*
 * POSIX.1-2017 XSH mq_send(): "If the specified message queue is full and
 * O_NONBLOCK is not set in the message queue description associated with
 * mqdes, mq_send() shall block until space becomes available to enqueue
 * the message, or until mq_send() is interrupted by a signal."
 * mq_send(3): "If the message queue is already full (i.e., the number of
 * messages on the queue equals the queue's mq_maxmsg attribute), then, by
 * default, mq_send() blocks until sufficient space becomes available".
 * Checked here (block.h): with mq_maxmsg messages queued, a helper that
 * opened the queue by name is seen asleep in mq_send of "last" and stays
 * so for the grace period; the clause process receives the oldest
 * message; the helper's send returns 0, and the queue then holds the
 * other mq_maxmsg - 1 messages followed by "last".
 */
CLAUSE(mq_send_blocks_until_receive,
       .id = "mq.send.blocks_until_receive",
       .title = "mq_send on a full queue blocks until a receive makes room, then queues its message",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_send(); mq_send(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	ipcconf_mq_fill(t, &q);
	struct q_call c = { .name = q.name, .flags = O_WRONLY, .text = "last" };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "mq_send into a full queue", .prepare = open_by_name,
		.call = send_call, .arg = &c });
	ipcconf_block_release(t, &b);
	ipcconf_mq_expect_queued(t, &q, "f0", -1, "the oldest message, under the sleeping sender");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the woken send");
	for (long i = 1; i < q.maxmsg; i++) {
		char text[32];
		snprintf(text, sizeof text, "f%ld", i);
		ipcconf_mq_expect_queued(t, &q, text, -1, "a message queued before the woken send's");
	}
	ipcconf_mq_expect_queued(t, &q, "last", -1, "the woken send's message");
}

/*
 * POSIX.1-2017 XSH mq_timedreceive(): "This wait shall be terminated
 * when the specified timeout expires", the timeout "expires when the
 * absolute time specified by abs_timeout passes, as measured by the
 * clock on which timeouts are based (that is, when the value of that
 * clock equals or exceeds abs_timeout)", ERRORS [ETIMEDOUT]; the clock is
 * CLOCK_REALTIME.  Checked here: on an empty queue, mq_timedreceive with
 * a timeout 5 ms ahead fails with -ETIMEDOUT, and not before the
 * timeout: CLOCK_REALTIME read after it returned is at or past it.
 */
CLAUSE(mq_receive_timed_etimedout,
       .id = "mq.receive.timed_etimedout",
       .title = "mq_timedreceive on an empty queue fails with -ETIMEDOUT once its absolute CLOCK_REALTIME timeout has passed, not before",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedreceive() ERRORS [ETIMEDOUT]; mq_receive(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	char buf[64];
	struct timespec abs = ipcconf_mq_abs_in(5);
	STEP(t, "mq_timedreceive of an empty queue, timeout 5 ms ahead");
	ssize_t r = iut_mq_receive(t, q.h, buf, sizeof buf, NULL, &abs);
	long long now = ipcconf_mq_realtime_ns();
	long long at = (long long)abs.tv_sec * 1000000000LL + abs.tv_nsec;
	CHECK_FAILS(t, r, -ETIMEDOUT);
	if (r == -ETIMEDOUT)
		CHECK(t, now >= at, "mq_timedreceive timed out %.3f ms before its timeout",
		      (double)(at - now) / 1e6);
}

/*
 * POSIX.1-2017 XSH mq_timedsend(): "if the specified message queue is
 * full, the wait for sufficient room in the queue shall be terminated
 * when the specified timeout expires", ERRORS [ETIMEDOUT] "The O_NONBLOCK
 * flag was not set when the message queue was opened, but the timeout
 * expired before the message could be added to the queue."  Checked
 * here: with mq_maxmsg messages queued, mq_timedsend with a timeout 5 ms
 * ahead fails with -ETIMEDOUT, not before the timeout, and the queue
 * still holds exactly its mq_maxmsg messages.
 */
CLAUSE(mq_send_timed_etimedout,
       .id = "mq.send.timed_etimedout",
       .title = "mq_timedsend on a full queue fails with -ETIMEDOUT once its timeout has passed, not before, and queues nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedsend() ERRORS [ETIMEDOUT]; mq_send(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	ipcconf_mq_fill(t, &q);
	struct timespec abs = ipcconf_mq_abs_in(5);
	STEP(t, "mq_timedsend into a full queue, timeout 5 ms ahead");
	int r = iut_mq_send(t, q.h, "late", 4, 0, &abs);
	long long now = ipcconf_mq_realtime_ns();
	long long at = (long long)abs.tv_sec * 1000000000LL + abs.tv_nsec;
	CHECK_FAILS(t, r, -ETIMEDOUT);
	if (r == -ETIMEDOUT)
		CHECK(t, now >= at, "mq_timedsend timed out %.3f ms before its timeout",
		      (double)(at - now) / 1e6);
	for (long i = 0; i < q.maxmsg; i++) {
		char text[32];
		snprintf(text, sizeof text, "f%ld", i);
		ipcconf_mq_expect_queued(t, &q, text, -1, "a message of the full queue");
	}
	ipcconf_mq_expect_empty(t, &q, "after the mq_maxmsg messages (the timed-out one must not be there)");
}

/*
 * POSIX.1-2017 XSH mq_timedreceive(): "Under no circumstance shall the
 * operation fail with a timeout if a message can be removed from the
 * message queue immediately."  Checked here: with a message queued, a
 * mq_timedreceive whose timeout passed a second ago returns the message.
 */
CLAUSE(mq_receive_timed_expired_with_message_ok,
       .id = "mq.receive.timed_expired_with_message_ok",
       .title = "mq_timedreceive with an expired timeout returns a message that is there",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedreceive()")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "here", 4, 0, NULL), 0, "mq_send");
	char buf[64];
	struct timespec past = ipcconf_mq_abs_in(-1000);
	STEP(t, "mq_timedreceive with a timeout a second in the past");
	ssize_t n = iut_mq_receive(t, q.h, buf, sizeof buf, NULL, &past);
	CHECK_EQ(t, n, 4, "mq_timedreceive of a queued message, timeout expired");
	if (n == 4)
		CHECK_MEM(t, buf, "here", 4);
}

/*
 * POSIX.1-2017 XSH mq_timedsend(): "Under no circumstance shall the
 * operation fail with a timeout if there is sufficient room in the queue
 * to add the message immediately."  Checked here: on an empty queue, a
 * mq_timedsend whose timeout passed a second ago succeeds, and the
 * message is then there.
 */
CLAUSE(mq_send_timed_expired_with_room_ok,
       .id = "mq.send.timed_expired_with_room_ok",
       .title = "mq_timedsend with an expired timeout queues its message when there is room",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedsend()")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct timespec past = ipcconf_mq_abs_in(-1000);
	STEP(t, "mq_timedsend with a timeout a second in the past");
	CHECK_EQ(t, iut_mq_send(t, q.h, "sent", 4, 0, &past), 0,
		 "mq_timedsend into an empty queue, timeout expired");
	ipcconf_mq_expect_queued(t, &q, "sent", -1, "the message of the expired mq_timedsend");
}

/*
 * Invalid timeouts, each already past once "normalised", so that an
 * implementation that does not check them fails at once with -ETIMEDOUT
 * rather than waiting: tv_nsec of 1000 million, tv_nsec -1 (POSIX), and
 * tv_sec -1 (mq_receive(3), mq_send(3): "because tv_sec was less than
 * zero").
 */
static void bad_timeouts(struct timespec out[3])
{
	long long now_s = ipcconf_mq_realtime_ns() / 1000000000LL;
	out[0] = (struct timespec){ .tv_sec = (time_t)now_s - 2, .tv_nsec = 1000000000L };
	out[1] = (struct timespec){ .tv_sec = (time_t)now_s - 1, .tv_nsec = -1 };
	out[2] = (struct timespec){ .tv_sec = -1, .tv_nsec = 0 };
}

static const char *const bad_names[3] = { "tv_nsec 1000 million", "tv_nsec -1", "tv_sec -1" };

/*
 * POSIX.1-2017 XSH mq_timedreceive() ERRORS [EINVAL]: "The process or
 * thread would have blocked, and the abs_timeout parameter specified a
 * nanoseconds field value less than zero or greater than or equal to 1000
 * million."  mq_receive(3): "EINVAL The call would have blocked, and
 * abs_timeout was invalid, either because tv_sec was less than zero, or
 * because tv_nsec was less than zero or greater than 1000 million."
 * Checked here: on an empty queue (the call would block), mq_timedreceive
 * with each of the three invalid timeouts fails with -EINVAL.
 */
CLAUSE(mq_receive_timed_invalid_timeout_einval,
       .id = "mq.receive.timed_invalid_timeout_einval",
       .title = "mq_timedreceive that would block fails with -EINVAL for an invalid timeout (tv_nsec outside 0..999999999, tv_sec < 0)",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedreceive() ERRORS [EINVAL]; mq_receive(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct timespec bad[3];
	bad_timeouts(bad);
	char buf[64];
	for (int i = 0; i < 3; i++) {
		STEP(t, "mq_timedreceive of an empty queue, timeout with %s", bad_names[i]);
		ssize_t r = iut_mq_receive(t, q.h, buf, sizeof buf, NULL, &bad[i]);
		char rb[32];
		CHECK(t, r == -EINVAL, "mq_timedreceive of an empty queue with a timeout of %s: expected -EINVAL, got %s",
		      bad_names[i], ipcconf_result_name(r, rb));
	}
}

/*
 * POSIX.1-2017 XSH mq_timedsend() ERRORS [EINVAL]: "The process or
 * thread would have blocked, and the abs_timeout parameter specified a
 * nanoseconds field value less than zero or greater than or equal to 1000
 * million."  mq_send(3) ERRORS, EINVAL, likewise with tv_sec < 0.
 * Checked here: on a full queue (the call would block), mq_timedsend with
 * each of the three invalid timeouts fails with -EINVAL, and the queue
 * gains nothing.
 */
CLAUSE(mq_send_timed_invalid_timeout_einval,
       .id = "mq.send.timed_invalid_timeout_einval",
       .title = "mq_timedsend that would block fails with -EINVAL for an invalid timeout, and queues nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedsend() ERRORS [EINVAL]; mq_send(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	ipcconf_mq_fill(t, &q);
	struct timespec bad[3];
	bad_timeouts(bad);
	for (int i = 0; i < 3; i++) {
		STEP(t, "mq_timedsend into a full queue, timeout with %s", bad_names[i]);
		int r = iut_mq_send(t, q.h, "bad", 3, 0, &bad[i]);
		char rb[32];
		CHECK(t, r == -EINVAL, "mq_timedsend into a full queue with a timeout of %s: expected -EINVAL, got %s",
		      bad_names[i], ipcconf_result_name(r, rb));
	}
	for (long i = 0; i < q.maxmsg; i++) {
		char text[32];
		snprintf(text, sizeof text, "f%ld", i);
		ipcconf_mq_expect_queued(t, &q, text, -1, "a message of the full queue");
	}
	ipcconf_mq_expect_empty(t, &q, "after the mq_maxmsg messages");
}

/*
 * POSIX.1-2017 XSH mq_timedreceive(): "The validity of the abs_timeout
 * parameter need not be checked if a message can be removed from the
 * message queue immediately."  "Need not": both answers are allowed --
 * the message (an implementation that checks only when it would block,
 * as mq_receive(3) describes), or -EINVAL (Linux checks the timeout on
 * entry, ipc/mqueue.c prepare_timeout(), before looking at the queue) --
 * but a failed call takes nothing.  Checked here: with one message
 * queued, mq_timedreceive with a tv_nsec of 1000 million either returns
 * that message, or fails with -EINVAL and the message is still there.
 */
CLAUSE(mq_receive_timed_invalid_timeout_message_present,
       .id = "mq.receive.timed_invalid_timeout_message_present",
       .title = "mq_timedreceive with an invalid timeout and a message present returns the message, or fails with -EINVAL taking nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedreceive() DESCRIPTION, ERRORS [EINVAL]; mq_receive(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "here", 4, 0, NULL), 0, "mq_send");
	struct timespec bad[3];
	bad_timeouts(bad);
	char buf[64];
	STEP(t, "mq_timedreceive with a message queued, timeout with tv_nsec 1000 million");
	ssize_t n = iut_mq_receive(t, q.h, buf, sizeof buf, NULL, &bad[0]);
	char nb[32];
	CHECK(t, n == 4 || n == -EINVAL,
	      "mq_timedreceive with a message queued and an invalid timeout: expected the 4-byte message or -EINVAL, got %s",
	      ipcconf_result_name(n, nb));
	if (n == 4)
		CHECK_MEM(t, buf, "here", 4, "the message received despite the invalid timeout");
	else if (n == -EINVAL)
		ipcconf_mq_expect_queued(t, &q, "here", -1, "the message, after the refused mq_timedreceive");
}

/*
 * POSIX.1-2017 XSH mq_timedsend(): "The validity of the abs_timeout
 * parameter need not be checked when there is sufficient room in the
 * queue."  As for the receive, both answers are allowed -- the message
 * queued, or -EINVAL (Linux checks on entry) with nothing queued.
 * Checked here: on an empty queue, mq_timedsend with a tv_nsec of 1000
 * million either succeeds and the message is there, or fails with
 * -EINVAL and the queue is empty.
 */
CLAUSE(mq_send_timed_invalid_timeout_room_present,
       .id = "mq.send.timed_invalid_timeout_room_present",
       .title = "mq_timedsend with an invalid timeout and room in the queue queues its message, or fails with -EINVAL queuing nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedsend() DESCRIPTION, ERRORS [EINVAL]; mq_send(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct timespec bad[3];
	bad_timeouts(bad);
	STEP(t, "mq_timedsend into an empty queue, timeout with tv_nsec 1000 million");
	int r = iut_mq_send(t, q.h, "sent", 4, 0, &bad[0]);
	char rb[32];
	CHECK(t, r == 0 || r == -EINVAL,
	      "mq_timedsend with room and an invalid timeout: expected 0 or -EINVAL, got %s",
	      ipcconf_result_name(r, rb));
	if (r == 0)
		ipcconf_mq_expect_queued(t, &q, "sent", -1, "the message of the accepted mq_timedsend");
	else if (r == -EINVAL)
		ipcconf_mq_expect_empty(t, &q, "after the refused mq_timedsend");
}

/*
 * POSIX.1-2017 XSH mq_timedreceive(): "This function shall be equivalent
 * to mq_receive(), except that if no message exists on the queue ... the
 * wait shall be terminated when the specified timeout expires" -- until
 * then it waits as mq_receive() does, and a message sent meanwhile ends
 * the wait.  Checked here (block.h, no grace: the blocking itself is
 * mq.receive.blocks_until_send's rule): a helper asleep in
 * mq_timedreceive with a timeout ten seconds ahead is woken by a send and
 * returns that message.
 */
CLAUSE(mq_receive_timed_woken_by_send,
       .id = "mq.receive.timed_woken_by_send",
       .title = "mq_timedreceive asleep on an empty queue is woken by a send before its timeout and returns the message",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_timedreceive(); mq_receive(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct q_call c = { .name = q.name, .flags = O_RDONLY, .msgsize = (size_t)q.msgsize,
			    .text = "soon", .timed = 1, .abs = ipcconf_mq_abs_in(10000) };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "mq_timedreceive of an empty queue, timeout 10 s ahead",
		.prepare = open_by_name, .call = receive_call, .then = check_received, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "sending \"soon\" under the sleeping timed receiver");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "soon", 4, 0, NULL), 0, "mq_send");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 4, "the woken mq_timedreceive's length");
}
