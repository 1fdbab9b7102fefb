/*
 * System V message queue clauses: sizes and bad arguments (seed:Q1).  A
 * message longer than the buffer is refused (E2BIG) and stays queued
 * unless MSG_NOERROR asks for it truncated, and then it is gone; sizes
 * beyond msgmax or negative, types below 1 and identifiers that name no
 * queue are EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/msgq/msgq_support.h"

/*
 * POSIX.1-2017 XSH msgrcv(): "If the value of msgsz is less than the
 * length of the message, and (msgflg & MSG_NOERROR) is 0, msgrcv() shall
 * fail ... [E2BIG] The value of mtext is greater than msgsz and (msgflg &
 * MSG_NOERROR) is 0."  msgop(2): "If the message text has length greater
 * than msgsz, then the behavior depends on whether MSG_NOERROR is
 * specified in msgflg. ... If MSG_NOERROR is not specified, then the
 * message isn't removed from the queue and the system call fails
 * returning -1 with errno set to E2BIG."  seed:Q1.  Checked here: a
 * 10-byte message; msgrcv with a 4-byte buffer fails with -E2BIG, the
 * message is still queued (msg_qnum 1, msg_cbytes 10), and a receive
 * with room returns it whole.
 */
CLAUSE(msgq_receive_e2big_leaves_message,
       .id = "msgq.receive.e2big_leaves_message",
       .title = "a message longer than the buffer fails with -E2BIG and stays queued, whole",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgrcv() ERRORS [E2BIG]; msgop(2)")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 5, "0123456789");
	struct msgq_msg m;
	memset(&m, 0, sizeof m);
	CHECK_FAILS(t, iut_msgrcv(t, id, &m, 4, 0, 0), -E2BIG);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qnum, 1, "msg_qnum after the refused receive");
	CHECK_EQ(t, ds.msg_cbytes, 10, "msg_cbytes after the refused receive");
	msgq_expect(t, id, 0, 0, 5, "0123456789", "a receive with room afterwards");
}

/*
 * POSIX.1-2017 XSH msgrcv(): "The received message shall be truncated to
 * msgsz bytes if it is larger than msgsz and (msgflg & MSG_NOERROR) is
 * non-zero.  The truncated part of the message shall be lost and no
 * indication of the truncation shall be given to the calling process."
 * msgop(2): "If MSG_NOERROR is specified, then the message text will be
 * truncated (and the truncated part will be lost)".  seed:Q1.  Checked
 * here: a 10-byte message; msgrcv with a 4-byte buffer and MSG_NOERROR
 * returns 4 with its first 4 bytes; the message is gone (msg_qnum 0,
 * msg_cbytes 0), and the next message received is the next one sent,
 * not the rest of this one.
 */
CLAUSE(msgq_receive_noerror_truncates_removes,
       .id = "msgq.receive.noerror_truncates_removes",
       .title = "with MSG_NOERROR a long message is truncated to the buffer and removed whole",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgrcv() MSG_NOERROR; msgop(2)")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 5, "0123456789");
	struct msgq_msg m;
	memset(&m, 0, sizeof m);
	CHECK_EQ(t, iut_msgrcv(t, id, &m, 4, 0, MSG_NOERROR), 4, "msgrcv(4-byte buffer, MSG_NOERROR) of 10 bytes");
	CHECK_EQ(t, m.mtype, 5, "the truncated message's mtype");
	CHECK_MEM(t, m.mtext, "0123", 4, "the truncated message's bytes");
	CHECK_EQ(t, m.mtext[4], 0, "the byte after the 4-byte buffer (must be untouched)");
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qnum, 0, "msg_qnum after the truncating receive");
	CHECK_EQ(t, ds.msg_cbytes, 0, "msg_cbytes after the truncating receive");
	msgq_put_str(t, id, 6, "next");
	msgq_expect(t, id, 0, 0, 6, "next", "the receive after the truncating one");
}

/*
 * POSIX.1-2017 XSH msgsnd() ERRORS: "[EINVAL] ... the value of msgsz is
 * greater than the system-imposed limit."  msgop(2): "EINVAL ... invalid
 * msgsz value (less than 0 or greater than the system value MSGMAX)";
 * proc(5): /proc/sys/kernel/msgmax is that limit.  seed:Q1 (messages of a
 * defined format).  Checked here: msgmax read from the system (a SKIP
 * where it cannot be); a msgsnd of msgmax + 1 bytes fails with -EINVAL
 * and queues nothing.
 */
CLAUSE(msgq_send_above_msgmax_einval,
       .id = "msgq.send.above_msgmax_einval",
       .title = "a send of more than msgmax bytes fails with -EINVAL",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgsnd() ERRORS [EINVAL]; msgop(2); proc(5) msgmax")
{
	long msgmax = msgq_sysctl("msgmax");
	if (msgmax < 0)
		SKIP(t, "/proc/sys/kernel/msgmax cannot be read here: the limit is unknown");
	int id = msgq_create(t, NULL);
	struct msgq_msg *m = calloc(1, sizeof(long) + (size_t)msgmax + 1);
	if (!m)
		BROKEN(t, "calloc of a %ld-byte message", msgmax + 1);
	m->mtype = 1;
	CHECK_FAILS_UNCHANGED(t, iut_msgsnd(t, id, m, (size_t)msgmax + 1, IPC_NOWAIT), -EINVAL,
			      msgq_qnum(t, id));
	free(m);
}

/*
 * msgop(2) ERRORS: "EINVAL Invalid msqid value, or nonpositive mtype
 * value, or invalid msgsz value (less than 0 or greater than the system
 * value MSGMAX)."  POSIX.1-2017 XSH msgsnd() [EINVAL] (msgsz above the
 * limit).  A size_t whose value is negative as a long is such a size.
 * seed:Q1.  Checked here: msgsnd with msgsz (size_t)-1 and with
 * SIZE_MAX / 2 + 1 fails with -EINVAL (and neither reads past the
 * clause's small buffer), queueing nothing.
 */
CLAUSE(msgq_send_negative_size_einval,
       .id = "msgq.send.negative_size_einval",
       .title = "a send with a negative (huge) msgsz fails with -EINVAL",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgsnd() ERRORS [EINVAL]; msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msgq_msg m = { .mtype = 1 };
	CHECK_FAILS_UNCHANGED(t, iut_msgsnd(t, id, &m, (size_t)-1, IPC_NOWAIT), -EINVAL, msgq_qnum(t, id));
	CHECK_FAILS_UNCHANGED(t, iut_msgsnd(t, id, &m, SIZE_MAX / 2 + 1, IPC_NOWAIT), -EINVAL,
			      msgq_qnum(t, id));
}

/*
 * msgop(2) ERRORS: "EINVAL msqid was invalid, or msgsz was less than 0."
 * (POSIX.1-2017 XSH msgrcv() leaves a negative msgsz unspecified; Linux
 * and msgop(2) say EINVAL.)  seed:Q1.  Checked here: with a message
 * queued, msgrcv with msgsz (size_t)-1 and SIZE_MAX / 2 + 1 fails with
 * -EINVAL and leaves the message queued.
 */
CLAUSE(msgq_receive_negative_size_einval,
       .id = "msgq.receive.negative_size_einval",
       .title = "a receive with a negative (huge) msgsz fails with -EINVAL",
       .cites = "seed:Q1; msgop(2) ERRORS [EINVAL]; POSIX.1-2017 XSH msgrcv()")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 1, "kept");
	struct msgq_msg m;
	CHECK_FAILS_UNCHANGED(t, iut_msgrcv(t, id, &m, (size_t)-1, 0, IPC_NOWAIT), -EINVAL, msgq_qnum(t, id));
	CHECK_FAILS_UNCHANGED(t, iut_msgrcv(t, id, &m, SIZE_MAX / 2 + 1, 0, IPC_NOWAIT), -EINVAL,
			      msgq_qnum(t, id));
}

/*
 * POSIX.1-2017 XSH msgrcv(): "The argument msgsz shall specify the size in
 * bytes of mtext"; its ERRORS give [EINVAL] only for an invalid msqid,
 * and msgop(2) only for that or "msgsz was less than 0": a buffer larger
 * than any message (larger than msgmax) is no error.  seed:Q1.  Checked
 * here: with a 10-byte message queued, msgrcv with a buffer of msgmax + 1
 * bytes (msgmax read from /proc; 64 KiB where it cannot be) returns the
 * message whole.
 */
CLAUSE(msgq_receive_buffer_above_msgmax_ok,
       .id = "msgq.receive.buffer_above_msgmax_ok",
       .title = "a receive into a buffer larger than msgmax returns the message",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgrcv(); msgop(2)")
{
	long msgmax = msgq_sysctl("msgmax");
	if (msgmax > (256L << 20))
		SKIP(t, "msgmax %ld: a buffer above it is too large to allocate here", msgmax);
	size_t size = msgmax >= 0 ? (size_t)msgmax + 1 : 65536;
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 5, "0123456789");
	struct msgq_msg *m = calloc(1, sizeof(long) + size);
	if (!m)
		BROKEN(t, "calloc of a %zu-byte buffer", size);
	CHECK_EQ(t, iut_msgrcv(t, id, m, size, 0, IPC_NOWAIT), 10, "msgrcv of 10 bytes into a buffer of msgmax + 1 bytes");
	CHECK_EQ(t, m->mtype, 5, "the message's mtype");
	CHECK_MEM(t, m->mtext, "0123456789", 10, "the message's bytes");
	free(m);
}

/*
 * POSIX.1-2017 XSH msgsnd(): "mtype is a non-zero positive type long int
 * that can be used by the receiving process for message selection";
 * ERRORS: "[EINVAL] ... the value of mtype is less than 1".  msgop(2):
 * "The mtype field must have a strictly positive integer value."
 * seed:Q4 (types select messages), seed:Q1.  Checked here: msgsnd of a
 * message of type 0 and of type -3 each fails with -EINVAL and queues
 * nothing.
 */
CLAUSE(msgq_send_type_below_one_einval,
       .id = "msgq.send.type_below_one_einval",
       .title = "a send with mtype < 1 fails with -EINVAL",
       .cites = "seed:Q1; seed:Q4; POSIX.1-2017 XSH msgsnd() ERRORS [EINVAL]; msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msgq_msg m = { .mtype = 0, .mtext = "x" };
	CHECK_FAILS_UNCHANGED(t, iut_msgsnd(t, id, &m, 1, IPC_NOWAIT), -EINVAL, msgq_qnum(t, id));
	m.mtype = -3;
	CHECK_FAILS_UNCHANGED(t, iut_msgsnd(t, id, &m, 1, IPC_NOWAIT), -EINVAL, msgq_qnum(t, id));
}

/*
 * POSIX.1-2017 XSH msgsnd() ERRORS: "[EINVAL] The value of msqid is not a
 * valid message queue identifier".  msgop(2) [EINVAL].  seed:Q1 (a queue
 * is named by its identifier).  Checked here: msgsnd (IPC_NOWAIT) on the
 * identifier -1 fails with -EINVAL.
 */
CLAUSE(msgq_send_invalid_id_einval,
       .id = "msgq.send.invalid_id_einval",
       .title = "a send on an identifier that names no queue fails with -EINVAL",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgsnd() ERRORS [EINVAL]; msgop(2)")
{
	struct msgq_msg m = { .mtype = 1, .mtext = "x" };
	CHECK_FAILS(t, iut_msgsnd(t, -1, &m, 1, IPC_NOWAIT), -EINVAL);
}

/*
 * POSIX.1-2017 XSH msgrcv() ERRORS: "[EINVAL] msqid is not a valid
 * message queue identifier."  msgop(2) [EINVAL].  seed:Q1.  Checked here:
 * msgrcv (IPC_NOWAIT) on the identifier -1 fails with -EINVAL.
 */
CLAUSE(msgq_receive_invalid_id_einval,
       .id = "msgq.receive.invalid_id_einval",
       .title = "a receive on an identifier that names no queue fails with -EINVAL",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgrcv() ERRORS [EINVAL]; msgop(2)")
{
	struct msgq_msg m;
	CHECK_FAILS(t, iut_msgrcv(t, -1, &m, sizeof m.mtext, 0, IPC_NOWAIT), -EINVAL);
}

/*
 * POSIX.1-2017 XSH msgctl() ERRORS: "[EINVAL] The value of msqid is not a
 * valid message queue identifier".  msgctl(2) [EINVAL].  seed:Q1.
 * Checked here: msgctl(IPC_STAT) and msgctl(IPC_RMID) on the identifier
 * -1 fail with -EINVAL.
 */
CLAUSE(msgq_control_invalid_id_einval,
       .id = "msgq.control.invalid_id_einval",
       .title = "IPC_STAT and IPC_RMID on an identifier that names no queue fail with -EINVAL",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgctl() ERRORS [EINVAL]; msgctl(2)")
{
	struct msqid_ds ds;
	CHECK_FAILS(t, iut_msgctl(t, -1, IPC_STAT, &ds), -EINVAL);
	CHECK_FAILS(t, iut_msgctl(t, -1, IPC_RMID, NULL), -EINVAL);
}
