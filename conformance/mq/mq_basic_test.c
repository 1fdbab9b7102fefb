/*
 * POSIX message queue clauses: a message is a unit -- its bytes, length
 * and priority arrive as they were sent, in this process or another, at
 * every length from 0 to mq_msgsize -- and a queue outlives the process
 * that made it (seed:Q1, Q2, Q3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

/*
 * POSIX.1-2017 XSH mq_receive(): "receive the oldest of the highest
 * priority message(s) from the message queue ... If the argument
 * msg_prio is not NULL, the priority of the selected message shall be
 * stored"; it returns "the length of the selected message in bytes".
 * Checked here: a 5-byte message of priority 3 sent on a new queue comes
 * back with its length, bytes and priority.
 */
CLAUSE(mq_io_message_intact,
       .id = "mq.io.message_intact",
       .title = "a message's bytes, length and priority arrive intact",
       .cites = "seed:Q3; POSIX.1-2017 XSH mq_send(), mq_receive(); mq_overview(7)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 4, 64);
	CHECK_EQ(t, iut_mq_send(t, q.h, "hello", 5, 3, NULL), 0, "mq_send of 5 bytes, priority 3");
	ipcconf_mq_expect_queued(t, &q, "hello", 3, "the message sent");
	CHECK_EQ(t, iut_close(t, q.h), 0, "close of the queue handle");
}

/*
 * mq_send(3): "Zero-length messages are allowed."  POSIX.1-2017 XSH
 * mq_send() refuses only a msg_len above mq_msgsize, and mq_receive()
 * returns "the length of the selected message in bytes" -- 0 here.
 * Checked here: an empty message is accepted, received as 0 bytes (a
 * message, not "nothing": the receive returns at once with 0), and the
 * queue is empty afterwards.
 */
CLAUSE(mq_io_zero_length_message,
       .id = "mq.io.zero_length_message",
       .title = "a zero-length message is sent and received as a message of 0 bytes",
       .cites = "seed:Q1; mq_send(3) DESCRIPTION; POSIX.1-2017 XSH mq_send(), mq_receive()")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 4, 64);
	CHECK_EQ(t, iut_mq_send(t, q.h, "", 0, 0, NULL), 0, "mq_send of 0 bytes");
	ipcconf_mq_expect_queued(t, &q, "", -1, "the zero-length message");
	ipcconf_mq_expect_empty(t, &q, "after receiving the zero-length message");
}

/* Bytes of message `i`, `len` long: no two messages and no two offsets alike. */
static void pattern(char *buf, size_t len, unsigned i)
{
	for (size_t k = 0; k < len; k++)
		buf[k] = (char)(k * 7 + i * 31 + 1);
}

/*
 * POSIX.1-2017 XSH mq_send(): "The mq_send() function shall add the
 * message pointed to by the argument msg_ptr to the message queue ... The
 * msg_len argument specifies the length of the message, in bytes, pointed
 * to by msg_ptr.  The value of msg_len shall be less than or equal to the
 * mq_msgsize attribute of the message queue".  mq_send(3): "this length
 * must be less than or equal to the queue's mq_msgsize attribute".
 * Checked here: on a queue whose mq_msgsize is min(1000, msgsize_max), a
 * message of exactly mq_msgsize bytes (every byte different from its
 * neighbours) is accepted and received whole.
 */
CLAUSE(mq_send_msgsize_exact_accepted,
       .id = "mq.send.msgsize_exact_accepted",
       .title = "a message of exactly mq_msgsize bytes is accepted and received whole",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_send(); mq_send(3) DESCRIPTION")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 4, 1000);
	char *msg = malloc((size_t)q.msgsize), *buf = malloc((size_t)q.msgsize);
	if (!msg || !buf)
		BROKEN(t, "malloc(%ld) failed", q.msgsize);
	pattern(msg, (size_t)q.msgsize, 0);
	CHECK_EQ(t, iut_mq_send(t, q.h, msg, (size_t)q.msgsize, 1, NULL), 0,
		 "mq_send of exactly mq_msgsize bytes");
	ssize_t n = iut_mq_receive(t, q.h, buf, (size_t)q.msgsize, NULL, NULL);
	CHECK_EQ(t, n, q.msgsize, "mq_receive of the mq_msgsize-byte message: its length");
	if (n == q.msgsize)
		CHECK_MEM(t, buf, msg, (size_t)q.msgsize, "the mq_msgsize-byte message's bytes");
	free(msg);
	free(buf);
}

#define ACROSS_MAX 4

/*
 * seed:Q2: "One or more processes can write to it and read from it."
 * mq_overview(7): "Two processes can operate on the same queue by passing
 * the same name to mq_open(3)."  POSIX.1-2017 XSH mq_receive(): the
 * selected message's length is returned and its priority stored.
 * Checked here: a helper process opens the queue by name (not through an
 * inherited handle), sends up to four messages of lengths mq_msgsize, 1,
 * mq_msgsize / 3 and 0, each of its own bytes, all of priority 9, and
 * exits; the clause process then receives each, in order, with its length,
 * bytes and priority.
 */
CLAUSE(mq_io_across_processes_intact,
       .id = "mq.io.across_processes_intact",
       .title = "messages sent by another process, which opened the queue by name, arrive with their lengths, bytes and priorities",
       .cites = "seed:Q2; seed:Q1; mq_overview(7); POSIX.1-2017 XSH mq_open(), mq_send(), mq_receive()")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, ACROSS_MAX, 512);
	long n = q.maxmsg < ACROSS_MAX ? q.maxmsg : ACROSS_MAX;
	size_t lens[ACROSS_MAX] = { (size_t)q.msgsize, 1, (size_t)q.msgsize / 3, 0 };
	char *msg = malloc((size_t)q.msgsize), *buf = malloc((size_t)q.msgsize);
	if (!msg || !buf)
		BROKEN(t, "malloc(%ld) failed", q.msgsize);
	pid_t sender = ipcconf_fork(t);
	if (sender == 0) {
		STEP(t, "sender: mq_open(O_WRONLY) by name");
		int w = iut_mq_open(t, q.name, O_WRONLY, 0, NULL);
		REQUIRE_OK(t, w, "sender: mq_open(O_WRONLY) of the queue by name");
		for (long i = 0; i < n; i++) {
			pattern(msg, lens[i], (unsigned)i);
			STEP(t, "sender: message %ld of %zu bytes", i, lens[i]);
			CHECK_EQ(t, iut_mq_send(t, w, msg, lens[i], 9, NULL), 0, "sender: mq_send");
		}
		ipcconf_exit(t);
	}
	ipcconf_join(t, sender, "the sending process");
	for (long i = 0; i < n; i++) {
		unsigned prio = ~0u;
		STEP(t, "receiving message %ld", i);
		ssize_t got = iut_mq_receive(t, q.h, buf, (size_t)q.msgsize, &prio, NULL);
		CHECK_EQ(t, got, (long long)lens[i], "the length of a message from the other process");
		pattern(msg, lens[i], (unsigned)i);
		if (got == (ssize_t)lens[i])
			CHECK_MEM(t, buf, msg, lens[i], "the bytes of a message from the other process");
		if (got >= 0)
			CHECK_EQ(t, prio, 9, "the priority of a message from the other process");
	}
	free(msg);
	free(buf);
}

/*
 * mq_overview(7), Persistence: "POSIX message queues have kernel
 * persistence: if not removed by mq_unlink(3), a message queue will exist
 * until the system is shut down."  POSIX.1-2017 XSH mq_close(): it
 * "shall remove the association between the message queue descriptor ...
 * and its message queue" -- the queue itself stays (only mq_unlink()
 * removes a name).  seed:Q1: the messages are kept in kernel memory.
 * Checked here: a helper creates the queue, sends one message, closes its
 * handle and exits; afterwards the clause process opens the name (without
 * O_CREAT) and receives that message.
 */
CLAUSE(mq_close_queue_outlives_creator,
       .id = "mq.close.queue_outlives_creator",
       .title = "a queue and its messages outlive the close and exit of the process that made it",
       .cites = "seed:Q1; mq_overview(7) Persistence; POSIX.1-2017 XSH mq_close(), mq_unlink()")
{
	struct ipcconf_mq q;
	pid_t creator = ipcconf_fork(t);
	if (creator == 0) {
		ipcconf_mq_create(t, &q, "q", 0, 1, 4, 64);
		CHECK_EQ(t, iut_mq_send(t, q.h, "kept", 4, 2, NULL), 0, "creator: mq_send");
		CHECK_EQ(t, iut_close(t, q.h), 0, "creator: close of its only handle");
		ipcconf_exit(t);
	}
	ipcconf_join(t, creator, "the creating process");
	/* ipcconf_posix_name() gives the creator's name again: same clause, same leaf. */
	q.name = ipcconf_posix_name(t, "q");
	q.msgsize = 64;
	struct mq_attr a;
	int h = ipcconf_mq_reopen(t, &q, O_RDONLY,
				  "mq_open(O_RDONLY) of the name after its creator closed it and exited");
	REQUIRE_OK(t, iut_mq_getattr(t, h, &a), "mq_getattr of the reopened queue");
	q.msgsize = a.mq_msgsize;
	ipcconf_mq_expect(t, &q, h, "kept", -1, "the message its creator left");
}
