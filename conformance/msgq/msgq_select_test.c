/*
 * System V message queue clauses: which message msgrcv takes (seed:Q4,
 * Q3).  msgtyp 0 takes the oldest; msgtyp > 0 the oldest of that type
 * (with MSG_EXCEPT, of any other type); msgtyp < 0 the oldest of the
 * lowest type at most |msgtyp|; MSG_COPY copies the message at a position
 * and leaves it queued.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/msgq/msgq_support.h"

/*
 * POSIX.1-2017 XSH msgrcv(): "If msgtyp is 0, the first message on the
 * queue shall be received."  seed:Q4 (System V msgrcv: msgtyp 0 = first
 * message), seed:Q3.  Checked here: with messages of types 3, 1 and 2
 * queued in that order, msgtyp 0 takes them in that order: the oldest,
 * whatever its type (not the lowest or highest type first).
 */
CLAUSE(msgq_receive_type_zero_oldest,
       .id = "msgq.receive.type_zero_oldest",
       .title = "msgtyp 0 receives the oldest message, whatever its type",
       .cites = "seed:Q4; seed:Q3; POSIX.1-2017 XSH msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 3, "three");
	msgq_put_str(t, id, 1, "one");
	msgq_put_str(t, id, 2, "two");
	msgq_expect(t, id, 0, 0, 3, "three", "the first msgtyp 0 receive (oldest: type 3)");
	msgq_expect(t, id, 0, 0, 1, "one", "the second msgtyp 0 receive (then: type 1)");
	msgq_expect(t, id, 0, 0, 2, "two", "the third msgtyp 0 receive (then: type 2)");
}

/*
 * POSIX.1-2017 XSH msgrcv(): "If msgtyp is greater than 0, the first
 * message of type msgtyp shall be received."  seed:Q4: "Messages can be
 * read selectively, by type, not only in FIFO order."  Checked here: with
 * (1 "a1") (2 "b1") (1 "a2") (2 "b2") (3 "c1") queued, msgtyp 2 takes
 * "b1" then "b2" (passing older messages of type 1), msgtyp 1 then "a1"
 * and "a2", and msgtyp 3 "c1": each the oldest of its type, the others
 * left in place.
 */
CLAUSE(msgq_receive_type_positive_oldest_of_type,
       .id = "msgq.receive.type_positive_oldest_of_type",
       .title = "msgtyp > 0 receives the oldest message of exactly that type",
       .cites = "seed:Q4; POSIX.1-2017 XSH msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 1, "a1");
	msgq_put_str(t, id, 2, "b1");
	msgq_put_str(t, id, 1, "a2");
	msgq_put_str(t, id, 2, "b2");
	msgq_put_str(t, id, 3, "c1");
	msgq_expect(t, id, 2, 0, 2, "b1", "the first msgtyp 2 receive");
	msgq_expect(t, id, 2, 0, 2, "b2", "the second msgtyp 2 receive");
	msgq_expect(t, id, 1, 0, 1, "a1", "the first msgtyp 1 receive");
	msgq_expect(t, id, 1, 0, 1, "a2", "the second msgtyp 1 receive");
	msgq_expect(t, id, 3, 0, 3, "c1", "the msgtyp 3 receive");
}

/*
 * POSIX.1-2017 XSH msgrcv(): "If msgtyp is less than 0, the first message
 * of the lowest type that is less than or equal to the absolute value of
 * msgtyp shall be received."  seed:Q4 (< 0 = first message of the lowest
 * type that is <= |msgtyp|).  Checked here: with (5 "e") (3 "c1") (7 "g")
 * (4 "d") (3 "c2") queued, msgtyp -4 takes "c1", "c2" (type 3, the lowest,
 * oldest first; not type 4, the highest at most 4, nor type 5, the
 * oldest) and then "d"; with only types 5 and 7 left, msgtyp -4 with
 * IPC_NOWAIT finds nothing (-ENOMSG) and msgtyp -6 takes "e".
 */
CLAUSE(msgq_receive_type_negative_lowest_type,
       .id = "msgq.receive.type_negative_lowest_type",
       .title = "msgtyp < 0 receives the oldest message of the lowest type <= |msgtyp|",
       .cites = "seed:Q4; POSIX.1-2017 XSH msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 5, "e");
	msgq_put_str(t, id, 3, "c1");
	msgq_put_str(t, id, 7, "g");
	msgq_put_str(t, id, 4, "d");
	msgq_put_str(t, id, 3, "c2");
	msgq_expect(t, id, -4, 0, 3, "c1", "the first msgtyp -4 receive (lowest type 3, oldest)");
	msgq_expect(t, id, -4, 0, 3, "c2", "the second msgtyp -4 receive (type 3 again)");
	msgq_expect(t, id, -4, 0, 4, "d", "the third msgtyp -4 receive (then type 4)");
	struct msgq_msg m;
	CHECK_FAILS_UNCHANGED(t, iut_msgrcv(t, id, &m, sizeof m.mtext, -4, IPC_NOWAIT), -ENOMSG,
			      msgq_qnum(t, id));
	msgq_expect(t, id, -6, 0, 5, "e", "the msgtyp -6 receive (type 5; type 7 is above 6)");
}

/*
 * msgop(2): "If msgtyp is greater than 0, then the first message in the
 * queue of type msgtyp is read, unless MSG_EXCEPT was specified in
 * msgflg, in which case the first message in the queue of type not equal
 * to msgtyp will be read."  (Linux; not in POSIX.)  seed:Q4.  Checked
 * here: with (2 "x1") (2 "x2") (5 "y") (1 "z") queued, msgtyp 2 with
 * MSG_EXCEPT takes "y" then "z", passing both messages of type 2, which
 * a plain msgtyp 2 then finds in order.
 */
CLAUSE(msgq_receive_except_other_type,
       .id = "msgq.receive.except_other_type",
       .title = "MSG_EXCEPT with msgtyp > 0 receives the oldest message of any other type",
       .cites = "seed:Q4; msgop(2) MSG_EXCEPT; POSIX.1-2017 XSH msgrcv()",
       USES(MSGQ, IPCCONF_MSGQ_CAP_EXCEPT))
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 2, "x1");
	msgq_put_str(t, id, 2, "x2");
	msgq_put_str(t, id, 5, "y");
	msgq_put_str(t, id, 1, "z");
	msgq_expect(t, id, 2, MSG_EXCEPT, 5, "y", "the first MSG_EXCEPT msgtyp 2 receive");
	msgq_expect(t, id, 2, MSG_EXCEPT, 1, "z", "the second MSG_EXCEPT msgtyp 2 receive");
	msgq_expect(t, id, 2, 0, 2, "x1", "a plain msgtyp 2 receive afterwards");
	msgq_expect(t, id, 2, 0, 2, "x2", "a second plain msgtyp 2 receive");
}

/*
 * The first MSG_COPY receive: a SKIP where the kernel lacks it (Linux
 * builds without CONFIG_CHECKPOINT_RESTORE say -ENOSYS; some emulators
 * -EINVAL).
 */
static ssize_t first_copy(struct ipcconf_t *t, int id, struct msgq_msg *m, long pos)
{
	ssize_t n = iut_msgrcv(t, id, m, sizeof m->mtext, pos, MSG_COPY | IPC_NOWAIT);
	char b[32];
	if (n == -ENOSYS || n == -EINVAL)
		SKIP(t, "MSG_COPY | IPC_NOWAIT is refused here (%s): Linux has it only with CONFIG_CHECKPOINT_RESTORE",
		     ipcconf_result_name(n, b));
	return n;
}

/*
 * msgop(2): "MSG_COPY (since Linux 3.8) Nondestructively fetch a copy of
 * the message at the ordinal position in the queue specified by msgtyp
 * (messages are considered to be numbered starting at 0).  This flag
 * must be specified in conjunction with IPC_NOWAIT, with the result
 * that, if there is no message available at the given position, the
 * call fails immediately with the error ENOMSG."  (Linux; not in POSIX.)
 * seed:Q4.  Checked here: with (1 "a") (2 "bb") (3 "ccc") queued, the copy
 * at position 1 is "bb" of type 2, at 0 "a", at 2 "ccc"; position 3 is
 * -ENOMSG; all three messages are still queued (msg_qnum 3) and a
 * plain receive still takes "a" first.  Where the kernel lacks MSG_COPY,
 * a SKIP saying so.
 */
CLAUSE(msgq_receive_copy_by_position,
       .id = "msgq.receive.copy_by_position",
       .title = "MSG_COPY | IPC_NOWAIT copies the message at position msgtyp and leaves it queued",
       .cites = "seed:Q4; msgop(2) MSG_COPY; POSIX.1-2017 XSH msgrcv()",
       USES(MSGQ, IPCCONF_MSGQ_CAP_COPY))
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 1, "a");
	msgq_put_str(t, id, 2, "bb");
	msgq_put_str(t, id, 3, "ccc");
	struct msgq_msg m;
	memset(&m, 0, sizeof m);
	ssize_t n = first_copy(t, id, &m, 1);
	CHECK_EQ(t, n, 2, "MSG_COPY of position 1: its length");
	CHECK_EQ(t, m.mtype, 2, "MSG_COPY of position 1: its mtype");
	CHECK_MEM(t, m.mtext, "bb", 2, "MSG_COPY of position 1: its bytes");
	msgq_expect(t, id, 0, MSG_COPY, 1, "a", "MSG_COPY of position 0");
	msgq_expect(t, id, 2, MSG_COPY, 3, "ccc", "MSG_COPY of position 2");
	CHECK_FAILS(t, iut_msgrcv(t, id, &m, sizeof m.mtext, 3, MSG_COPY | IPC_NOWAIT), -ENOMSG);
	CHECK_EQ(t, msgq_qnum(t, id), 3, "msg_qnum after four MSG_COPY receives");
	msgq_expect(t, id, 0, 0, 1, "a", "a plain receive after the copies");
}

/*
 * msgop(2) MSG_COPY: "This flag must be specified in conjunction with
 * IPC_NOWAIT"; ERRORS: "EINVAL ... MSG_COPY was specified in msgflg, and
 * IPC_NOWAIT was not."  (Linux; not in POSIX.)  Checked here, where
 * MSG_COPY | IPC_NOWAIT works: MSG_COPY alone on a queue holding a
 * message at position 0 fails with -EINVAL and takes nothing.
 */
CLAUSE(msgq_receive_copy_needs_nowait,
       .id = "msgq.receive.copy_needs_nowait",
       .title = "MSG_COPY without IPC_NOWAIT fails with -EINVAL",
       .cites = "seed:Q4; msgop(2) MSG_COPY, ERRORS [EINVAL]; POSIX.1-2017 XSH msgrcv()",
       USES(MSGQ, IPCCONF_MSGQ_CAP_COPY))
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 1, "a");
	struct msgq_msg m;
	CHECK_EQ(t, first_copy(t, id, &m, 0), 1, "MSG_COPY | IPC_NOWAIT of position 0 (supported here)");
	CHECK_FAILS_UNCHANGED(t, iut_msgrcv(t, id, &m, sizeof m.mtext, 0, MSG_COPY), -EINVAL,
			      msgq_qnum(t, id));
}
