/* POSIX message queue clauses: a message's bytes and priority (seed:Q3). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
	const char *name = ipcconf_posix_name(t, "q");
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 64 };
	int q = iut_mq_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	REQUIRE_OK(t, q, "mq_open(O_RDWR | O_CREAT | O_EXCL, maxmsg 4, msgsize 64)");
	CHECK_EQ(t, iut_mq_send(t, q, "hello", 5, 3, NULL), 0, "mq_send of 5 bytes, priority 3");
	char buf[64];
	unsigned prio = 0;
	CHECK_EQ(t, iut_mq_receive(t, q, buf, sizeof buf, &prio, NULL), 5, "mq_receive's length");
	CHECK_MEM(t, buf, "hello", 5);
	CHECK_EQ(t, prio, 3, "the received priority");
	CHECK_EQ(t, iut_close(t, q), 0, "close of the queue handle");
}
