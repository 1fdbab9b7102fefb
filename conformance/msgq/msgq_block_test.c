/*
 * System V message queue clauses: blocking and waking (seed:Q4, Q6).  A
 * receive with nothing to take sleeps until a message it selects arrives,
 * and a message it does not select leaves it asleep; a send into a full
 * queue sleeps until room frees; IPC_NOWAIT turns both waits into errors
 * (ENOMSG, EAGAIN); IPC_RMID wakes both with EIDRM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/msgq/msgq_support.h"

/* A helper's msgrcv (or msgsnd) on queue `id`, into (from) `m`. */
struct msg_call {
	int id;
	long msgtyp;
	size_t len;
	struct msgq_msg m;
};

static long long receive_call(struct ipcconf_t *t, void *arg)
{
	struct msg_call *c = arg;
	memset(&c->m, 0, sizeof c->m);
	return iut_msgrcv(t, c->id, &c->m, sizeof c->m.mtext, c->msgtyp, 0);
}

static long long send_call(struct ipcconf_t *t, void *arg)
{
	struct msg_call *c = arg;
	return iut_msgsnd(t, c->id, &c->m, c->len, 0);
}

/* In the woken helper: the message it got must be type 2, "wanted". */
static void got_wanted(struct ipcconf_t *t, void *arg, long long result)
{
	struct msg_call *c = arg;
	if (result < 0)
		return;
	CHECK_EQ(t, c->m.mtype, 2, "the woken receive's mtype");
	CHECK_MEM(t, c->m.mtext, "wanted", 6, "the woken receive's bytes");
}

/*
 * POSIX.1-2017 XSH msgrcv(): "If the message queue does not contain a
 * message of the desired type and (msgflg & IPC_NOWAIT) is 0, the calling
 * thread shall suspend execution until one of the following occurs: A
 * message of the desired type is placed on the queue ..."  msgop(2)
 * says the same.  seed:Q1.  Checked here: a helper's msgrcv(msgtyp 0) of
 * an empty queue is seen asleep and still in the call after the grace
 * period; the clause's message of type 2 wakes it, and it returns that
 * message.
 */
CLAUSE(msgq_receive_blocks_until_message,
       .id = "msgq.receive.blocks_until_message",
       .title = "a receive from an empty queue blocks until a message arrives, and returns it",
       .cites = "seed:Q1; seed:Q4; POSIX.1-2017 XSH msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msg_call c = { .id = id, .msgtyp = 0 };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "msgrcv(msgtyp 0) of an empty queue",
		.call = receive_call, .then = got_wanted, .arg = &c });
	ipcconf_block_release(t, &b);
	msgq_put_str(t, id, 2, "wanted");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 6, "the woken msgrcv's length");
	CHECK_EQ(t, msgq_qnum(t, id), 0, "msg_qnum after the woken receive");
}

/*
 * POSIX.1-2017 XSH msgrcv(): the caller suspends until "a message of the
 * desired type is placed on the queue" (or the queue is removed, or a
 * signal is caught): a message of another type is none of these.
 * msgop(2) likewise.  seed:Q4.  Checked here: a helper asleep in
 * msgrcv(msgtyp 2) of an empty queue; a message of type 1 is sent: the
 * receive does not return within the grace period and is seen asleep
 * again, the message stays queued; then a message of type 2 releases it
 * with that message, leaving the type-1 message queued.
 */
CLAUSE(msgq_receive_not_woken_by_other_type,
       .id = "msgq.receive.not_woken_by_other_type",
       .title = "a receive waiting for one type is not released by a message of another type",
       .cites = "seed:Q4; POSIX.1-2017 XSH msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msg_call c = { .id = id, .msgtyp = 2 };
	struct ipcconf_blocked b;
	/* That it blocks at all is msgq.receive.blocks_until_message's rule: no grace here. */
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "msgrcv(msgtyp 2) of an empty queue",
		.call = receive_call, .then = got_wanted, .arg = &c });
	STEP(t, "sending a message of type 1 to the waiting msgtyp-2 receiver");
	msgq_put_str(t, id, 1, "other");
	msgq_still_blocked(t, &b, "a message of type 1 was sent");
	CHECK_EQ(t, msgq_qnum(t, id), 1, "msg_qnum with the type-1 message sent to a waiting msgtyp-2 receiver");
	ipcconf_block_release(t, &b);
	msgq_put_str(t, id, 2, "wanted");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 6, "the woken msgtyp-2 receive's length");
	msgq_expect(t, id, 0, 0, 1, "other", "the message left queued afterwards");
}

/*
 * POSIX.1-2017 XSH msgsnd(): "If (msgflg & IPC_NOWAIT) is 0, the calling
 * thread shall suspend execution until one of the following occurs: The
 * condition responsible for the suspension no longer exists, in which
 * case the message is sent" -- the condition being that "the number of
 * bytes already on the queue is equal to msg_qbytes".  msgop(2): "If
 * insufficient space is available in the queue, then the default
 * behavior of msgsnd() is to block until space becomes available."
 * seed:Q2; seed:Q5 says queues overcome the pipe's bounded buffer, which
 * is loose: a System V queue is bounded too, by its msg_qbytes, and this
 * is what happens at the bound.  Checked here: the
 * queue is filled to its msg_qbytes (read by IPC_STAT, never assumed); a
 * helper's 1-byte msgsnd is seen asleep and still in the call after the
 * grace period; receiving one message releases it with 0, and its
 * message is queued (msg_qnum, msg_cbytes and msg_lspid by IPC_STAT).
 */
CLAUSE(msgq_send_blocks_when_full,
       .id = "msgq.send.blocks_when_full",
       .title = "a send into a full queue blocks until a receive frees room, then completes",
       .cites = "seed:Q2; seed:Q5; POSIX.1-2017 XSH msgsnd(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	size_t largest;
	long n = msgq_fill(t, id, &largest);
	struct msg_call c = { .id = id, .len = 1, .m = { .mtype = 9, .mtext = "z" } };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 1-byte msgsnd into a full queue",
		.call = send_call, .arg = &c });
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	/* A buffer the size of the largest filler takes the oldest one whole. */
	struct msgq_msg *d = malloc(sizeof(long) + largest);
	if (!d)
		BROKEN(t, "malloc(%zu) for a filler message", largest);
	ipcconf_block_release(t, &b);
	ssize_t freed = iut_msgrcv(t, id, d, largest, 0, IPC_NOWAIT);
	free(d);
	REQUIRE_OK(t, freed, "msgrcv of one filler message");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the woken msgsnd");
	/* Its 1 byte is queued: counted by IPC_STAT, sent by the woken helper. */
	struct msqid_ds after;
	msgq_stat(t, id, &after);
	CHECK_EQ(t, after.msg_qnum, n, "msg_qnum: the fillers less one, plus the woken sender's message");
	CHECK_EQ(t, after.msg_cbytes, (long long)ds.msg_qbytes - freed + 1,
		 "msg_cbytes: full, less the received filler, plus the woken sender's byte");
	CHECK_EQ(t, after.msg_lspid, b.pid, "msg_lspid: the woken sender");
}

/*
 * POSIX.1-2017 XSH msgsnd(): "If (msgflg & IPC_NOWAIT) is non-zero, the
 * message shall not be sent and the calling thread shall return
 * immediately"; ERRORS: "[EAGAIN] The message cannot be sent for one of
 * the reasons cited above and (msgflg & IPC_NOWAIT) is non-zero."
 * msgop(2) [EAGAIN].  seed:Q2; seed:Q5 (loose: the queue is bounded,
 * by msg_qbytes).  Checked here: with the queue filled to
 * its msg_qbytes, a 1-byte msgsnd with IPC_NOWAIT fails with -EAGAIN
 * and leaves msg_qnum and msg_cbytes as they were.
 */
CLAUSE(msgq_send_nowait_full_eagain,
       .id = "msgq.send.nowait_full_eagain",
       .title = "a send with IPC_NOWAIT into a full queue fails with -EAGAIN and queues nothing",
       .cites = "seed:Q5; seed:Q2; POSIX.1-2017 XSH msgsnd() ERRORS [EAGAIN]; msgop(2)")
{
	int id = msgq_create(t, NULL);
	msgq_fill(t, id, NULL);
	struct msgq_msg m = { .mtype = 1, .mtext = "z" };
	long long bytes = msgq_cbytes(t, id);
	CHECK_FAILS_UNCHANGED(t, iut_msgsnd(t, id, &m, 1, IPC_NOWAIT), -EAGAIN, msgq_qnum(t, id));
	CHECK_EQ(t, msgq_cbytes(t, id), bytes, "msg_cbytes after the refused send");
}

/*
 * POSIX.1-2017 XSH msgrcv(): "If (msgflg & IPC_NOWAIT) is non-zero, the
 * calling thread shall return immediately with a return value of -1 and
 * errno set to [ENOMSG]."  msgop(2): "ENOMSG IPC_NOWAIT was specified in
 * msgflg and no message of the requested type existed on the message
 * queue."  seed:Q4.  Checked here: msgrcv(msgtyp 0, IPC_NOWAIT) of an
 * empty queue fails with -ENOMSG; with one message of type 1 queued,
 * msgrcv(msgtyp 2, IPC_NOWAIT) fails with -ENOMSG and leaves it queued.
 */
CLAUSE(msgq_receive_nowait_enomsg,
       .id = "msgq.receive.nowait_enomsg",
       .title = "a receive with IPC_NOWAIT and no matching message fails with -ENOMSG",
       .cites = "seed:Q4; POSIX.1-2017 XSH msgrcv() ERRORS [ENOMSG]; msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msgq_msg m;
	CHECK_FAILS(t, iut_msgrcv(t, id, &m, sizeof m.mtext, 0, IPC_NOWAIT), -ENOMSG);
	msgq_put_str(t, id, 1, "one");
	CHECK_FAILS_UNCHANGED(t, iut_msgrcv(t, id, &m, sizeof m.mtext, 2, IPC_NOWAIT), -ENOMSG,
			      msgq_qnum(t, id));
}

/*
 * POSIX.1-2017 XSH msgrcv(): the suspended caller resumes when "The
 * message queue identifier msqid is removed from the system; when this
 * occurs, errno shall be set to [EIDRM] and -1 shall be returned."
 * msgop(2) ERRORS: "EIDRM While the process was sleeping to receive a
 * message, the message queue was removed."  seed:Q6 (removed by
 * IPC_RMID).  Checked here: a helper asleep in msgrcv(msgtyp 0) of an
 * empty queue; msgctl(IPC_RMID) wakes it with -EIDRM.
 */
CLAUSE(msgq_receive_rmid_wakes_eidrm,
       .id = "msgq.receive.rmid_wakes_eidrm",
       .title = "IPC_RMID wakes a receiver waiting on the queue with -EIDRM",
       .cites = "seed:Q6; POSIX.1-2017 XSH msgrcv() [EIDRM], msgctl() IPC_RMID; msgop(2); msgctl(2)")
{
	int id = msgq_create(t, NULL);
	struct msg_call c = { .id = id, .msgtyp = 0 };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "msgrcv(msgtyp 0) of an empty queue",
		.call = receive_call, .arg = &c });
	ipcconf_block_release(t, &b);
	CHECK_EQ(t, iut_msgctl(t, id, IPC_RMID, NULL), 0, "msgctl(IPC_RMID) under the waiting receiver");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EIDRM, "the waiting msgrcv when the queue was removed");
}

/*
 * POSIX.1-2017 XSH msgsnd(): the suspended caller resumes when "The
 * message queue identifier msqid is removed from the system; when this
 * occurs, errno shall be set to [EIDRM] and -1 shall be returned."
 * msgop(2) ERRORS: "EIDRM The message queue was removed."  seed:Q6.
 * Checked here: with the queue full (filled to its msg_qbytes), a helper
 * asleep in a 1-byte msgsnd; msgctl(IPC_RMID) wakes it with -EIDRM.
 */
CLAUSE(msgq_send_rmid_wakes_eidrm,
       .id = "msgq.send.rmid_wakes_eidrm",
       .title = "IPC_RMID wakes a sender waiting on the full queue with -EIDRM",
       .cites = "seed:Q6; POSIX.1-2017 XSH msgsnd() [EIDRM], msgctl() IPC_RMID; msgop(2); msgctl(2)")
{
	int id = msgq_create(t, NULL);
	msgq_fill(t, id, NULL);
	struct msg_call c = { .id = id, .len = 1, .m = { .mtype = 9, .mtext = "z" } };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "a 1-byte msgsnd into a full queue",
		.call = send_call, .arg = &c });
	ipcconf_block_release(t, &b);
	CHECK_EQ(t, iut_msgctl(t, id, IPC_RMID, NULL), 0, "msgctl(IPC_RMID) under the waiting sender");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EIDRM, "the waiting msgsnd when the queue was removed");
}
