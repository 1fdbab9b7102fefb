/*
 * POSIX message queue clauses: which message a receive takes (seed:Q3,
 * Q4).  The highest priority first; within one priority, the oldest
 * first; and the range of priorities a send accepts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

#define ORDER_MAX 4

/* The system's MQ_PRIO_MAX: sysconf(_SC_MQ_PRIO_MAX), at least 32 (POSIX). */
static long prio_max(struct ipcconf_t *t)
{
	long m = sysconf(_SC_MQ_PRIO_MAX);
	if (m < 32)
		SKIP(t, "sysconf(_SC_MQ_PRIO_MAX) gives %ld: the priority range is unknown", m);
	return m;
}

/*
 * POSIX.1-2017 XSH mq_receive(): "The mq_receive() function shall receive
 * the oldest of the highest priority message(s) from the message queue".
 * mq_send(): "Messages are placed on the queue in decreasing order of
 * priority".  mq_overview(7): "messages are always delivered to the
 * receiving process highest priority first.  Message priorities range
 * from 0 (low) to sysconf(_SC_MQ_PRIO_MAX) - 1 (high)."  seed:Q4:
 * messages can be read selectively, not only in FIFO order.  Checked
 * here: messages of priorities 5, MQ_PRIO_MAX - 1, 0 and 1 (as many as
 * the queue holds, at least 2), sent in that order, come back highest
 * priority first, each with its bytes and priority.
 */
CLAUSE(mq_receive_highest_priority_first,
       .id = "mq.receive.highest_priority_first",
       .title = "mq_receive takes the message of the highest priority first, whatever the order of sending",
       .cites = "seed:Q4; seed:Q3; POSIX.1-2017 XSH mq_receive(), mq_send(); mq_overview(7)")
{
	long top = prio_max(t) - 1;
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 2, ORDER_MAX, 64);
	long n = q.maxmsg < ORDER_MAX ? q.maxmsg : ORDER_MAX;
	const long sent[ORDER_MAX] = { 5, top, 0, 1 };
	char text[ORDER_MAX][16];
	for (long i = 0; i < n; i++) {
		snprintf(text[i], sizeof text[i], "p%ld", sent[i]);
		STEP(t, "sending \"%s\" at priority %ld", text[i], sent[i]);
		REQUIRE_EQ(t, iut_mq_send(t, q.h, text[i], strlen(text[i]), (unsigned)sent[i], NULL),
			   0, "mq_send");
	}
	/* The expected order: the sent priorities, highest first (selection sort on indices). */
	int used[ORDER_MAX] = { 0 };
	for (long k = 0; k < n; k++) {
		long best = -1;
		for (long i = 0; i < n; i++)
			if (!used[i] && (best < 0 || sent[i] > sent[best]))
				best = i;
		used[best] = 1;
		char what[64];
		snprintf(what, sizeof what, "receive %ld: the message of priority %ld", k + 1, sent[best]);
		ipcconf_mq_expect_queued(t, &q, text[best], sent[best], what);
	}
}

/*
 * POSIX.1-2017 XSH mq_send(): "A message shall be inserted after other
 * messages in the queue, if any, with equal msg_prio."  mq_receive():
 * "the oldest of the highest priority message(s)".  mq_send(3): "newer
 * messages of the same priority being placed after older messages with
 * the same priority."  seed:Q3: "By default messages leave in the order
 * they entered."  Checked here: up to four messages "m1" ... "m4", all of
 * priority 4, come back in the order they were sent (only the order is
 * judged here; priorities have their own clause).
 */
CLAUSE(mq_receive_fifo_within_priority,
       .id = "mq.receive.fifo_within_priority",
       .title = "messages of one priority are received oldest first",
       .cites = "seed:Q3; POSIX.1-2017 XSH mq_send(), mq_receive(); mq_send(3) DESCRIPTION")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 2, ORDER_MAX, 64);
	long n = q.maxmsg < ORDER_MAX ? q.maxmsg : ORDER_MAX;
	for (long i = 0; i < n; i++) {
		char text[16];
		int len = snprintf(text, sizeof text, "m%ld", i + 1);
		REQUIRE_EQ(t, iut_mq_send(t, q.h, text, (size_t)len, 4, NULL), 0, "mq_send at priority 4");
	}
	for (long i = 0; i < n; i++) {
		char text[16], what[64];
		snprintf(text, sizeof text, "m%ld", i + 1);
		snprintf(what, sizeof what, "receive %ld of %ld messages of one priority", i + 1, n);
		ipcconf_mq_expect_queued(t, &q, text, -1, what);
	}
}

/*
 * POSIX.1-2017 XSH mq_send(): "The value of msg_prio shall be less than
 * {MQ_PRIO_MAX}", ERRORS [EINVAL]: "The value of msg_prio was outside the
 * valid range."  mq_overview(7): priorities "range from 0 (low) to
 * sysconf(_SC_MQ_PRIO_MAX) - 1 (high)".  Checked here: a send at
 * MQ_PRIO_MAX fails with -EINVAL and queues nothing; a send at
 * MQ_PRIO_MAX - 1 succeeds.
 */
CLAUSE(mq_send_priority_out_of_range_einval,
       .id = "mq.send.priority_out_of_range_einval",
       .title = "a send at priority MQ_PRIO_MAX fails with -EINVAL and queues nothing; MQ_PRIO_MAX - 1 is accepted",
       .cites = "seed:Q4; POSIX.1-2017 XSH mq_send() ERRORS [EINVAL]; mq_overview(7)")
{
	long max = prio_max(t);
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 4, 64);
	STEP(t, "mq_send at priority MQ_PRIO_MAX (%ld)", max);
	CHECK_FAILS(t, iut_mq_send(t, q.h, "x", 1, (unsigned)max, NULL), -EINVAL);
	ipcconf_mq_expect_empty(t, &q, "after the send at MQ_PRIO_MAX");
	STEP(t, "mq_send at priority MQ_PRIO_MAX - 1 (%ld)", max - 1);
	CHECK_EQ(t, iut_mq_send(t, q.h, "y", 1, (unsigned)(max - 1), NULL), 0,
		 "mq_send at MQ_PRIO_MAX - 1");
}
