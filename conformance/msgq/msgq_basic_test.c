/*
 * System V message queue clauses: a message's type, length and bytes
 * (seed:Q1, Q2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/msgq/msgq_support.h"

struct small_msg {
	long mtype;
	char mtext[16];
};

/*
 * POSIX.1-2017 XSH msgsnd(): the message's mtype and mtext of msgsz bytes
 * are placed on the queue; XSH msgrcv(): "the received message ... is
 * copied into the buffer" and msgrcv returns "the number of bytes
 * actually placed into the buffer mtext".  Checked here: a 5-byte message
 * of type 7, sent by a helper, is received by the clause process with the
 * same type, length and bytes.
 */
CLAUSE(msgq_io_message_intact,
       .id = "msgq.io.message_intact",
       .title = "a message's type, length and bytes arrive intact in another process",
       .cites = "seed:Q1; seed:Q2; POSIX.1-2017 XSH msgsnd(), msgrcv(); msgop(2)")
{
	int id = iut_msgget(t, ipcconf_sysv_key(t), IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE_OK(t, id, "msgget(IPC_CREAT | IPC_EXCL | 0600)");
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		/* msgq_put: a SKIP where a legal tiny msgmnb or msgmax cannot take 5 bytes. */
		msgq_put(t, id, 7, "hello", 5);
		ipcconf_exit(t);
	}
	msgq_join_helper(t, h, "the sending helper");
	struct small_msg got;
	memset(&got, 0, sizeof got);
	CHECK_EQ(t, iut_msgrcv(t, id, &got, sizeof got.mtext, 0, IPC_NOWAIT), 5, "msgrcv's length");
	CHECK_EQ(t, got.mtype, 7, "the received mtype");
	CHECK_MEM(t, got.mtext, "hello", 5);
}
