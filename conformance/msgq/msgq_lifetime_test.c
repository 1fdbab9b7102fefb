/*
 * System V message queue clauses: a queue's life (seed:Q6, Q1).  It is
 * found by its key, outlives the process that made it, and is gone only
 * after IPC_RMID: its identifier then names nothing and its key no queue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/msgq/msgq_support.h"

/*
 * seed:Q6: "A System V queue persists with the kernel: it is removed only
 * by an explicit removal (IPC_RMID) or a reboot."  sysvipc(7): System V
 * IPC objects exist until explicitly removed; POSIX.1-2017 XSH msgget()
 * returns "the message queue identifier associated with the argument
 * key" to any caller.  Checked here: a helper creates the queue by key,
 * sends one message and exits; a second helper, which never saw the
 * identifier, finds the queue with msgget(key, 0) and receives the
 * message whole.
 */
CLAUSE(msgq_get_outlives_creator,
       .id = "msgq.get.outlives_creator",
       .title = "a queue and its messages outlive the process that created it",
       .cites = "seed:Q6; seed:Q1; POSIX.1-2017 XSH msgget(); msgget(2); sysvipc(7)")
{
	key_t key = ipcconf_sysv_key(t);
	pid_t creator = ipcconf_fork(t);
	if (creator == 0) {
		int id = iut_msgget(t, key, IPC_CREAT | IPC_EXCL | 0600);
		REQUIRE_OK(t, id, "creator: msgget(key, IPC_CREAT | IPC_EXCL | 0600)");
		msgq_put_str(t, id, 3, "left behind");
		ipcconf_exit(t);
	}
	msgq_join_helper(t, creator, "the creating helper");
	pid_t finder = ipcconf_fork(t);
	if (finder == 0) {
		int id = iut_msgget(t, key, 0);
		REQUIRE_OK(t, id, "msgget(key, 0) after the creator exited");
		msgq_expect(t, id, 0, 0, 3, "left behind", "the creator's message, after it exited");
		ipcconf_exit(t);
	}
	ipcconf_join(t, finder, "the helper that finds the queue by key");
}

/*
 * POSIX.1-2017 XSH msgget(): "The msgget() function shall return the
 * message queue identifier associated with the argument key."  msgget(2):
 * "If msgflg specifies both IPC_CREAT and IPC_EXCL and a message queue
 * already exists for key, then msgget() fails" -- and IPC_CREAT alone
 * returns the existing queue.  seed:Q1 (named by a queue identifier).
 * Checked here: after creating the queue, msgget(key, 0) and msgget(key,
 * IPC_CREAT | 0600) in this process, and msgget(key, 0) in a helper, all
 * return its identifier.
 */
CLAUSE(msgq_get_existing_same_id,
       .id = "msgq.get.existing_same_id",
       .title = "msgget of an existing key returns that queue's identifier, in any process",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgget(); msgget(2)")
{
	key_t key;
	int id = msgq_create(t, &key);
	CHECK_EQ(t, iut_msgget(t, key, 0), id, "msgget(key, 0)");
	CHECK_EQ(t, iut_msgget(t, key, IPC_CREAT | 0600), id, "msgget(key, IPC_CREAT | 0600) of an existing key");
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		CHECK_EQ(t, iut_msgget(t, key, 0), id, "msgget(key, 0) in another process");
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper");
}

/*
 * POSIX.1-2017 XSH msgget() ERRORS: "[EEXIST] A message queue identifier
 * exists for the argument key but ((msgflg & IPC_CREAT) && (msgflg &
 * IPC_EXCL)) is non-zero."  msgget(2) [EEXIST].  seed:Q1.  Checked here:
 * on a key whose queue exists (and holds a message), msgget with
 * IPC_CREAT | IPC_EXCL | 0600, and with IPC_CREAT | IPC_EXCL | 0666,
 * fails with -EEXIST; the queue is unchanged and still holds its
 * message.
 */
CLAUSE(msgq_get_excl_existing_eexist,
       .id = "msgq.get.excl_existing_eexist",
       .title = "IPC_CREAT | IPC_EXCL on a key that has a queue fails with -EEXIST",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgget() ERRORS [EEXIST]; msgget(2)")
{
	key_t key;
	int id = msgq_create(t, &key);
	msgq_put_str(t, id, 1, "still here");
	CHECK_FAILS(t, iut_msgget(t, key, IPC_CREAT | IPC_EXCL | 0600), -EEXIST);
	CHECK_FAILS(t, iut_msgget(t, key, IPC_CREAT | IPC_EXCL | 0666), -EEXIST);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_perm.mode & 0777, 0600, "the queue's mode after the refused msgget calls");
	msgq_expect(t, id, 0, 0, 1, "still here", "the queue's message after the refused msgget calls");
}

/*
 * POSIX.1-2017 XSH msgget() ERRORS: "[ENOENT] A message queue identifier
 * does not exist for the argument key and (msgflg & IPC_CREAT) is 0."
 * msgget(2) [ENOENT].  seed:Q1.  Checked here: on a key no queue uses,
 * msgget(key, 0) and msgget(key, 0600) fail with -ENOENT, and create
 * nothing (msgget(key, 0) is still -ENOENT).
 */
CLAUSE(msgq_get_missing_enoent,
       .id = "msgq.get.missing_enoent",
       .title = "msgget without IPC_CREAT on a key with no queue fails with -ENOENT",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgget() ERRORS [ENOENT]; msgget(2)")
{
	key_t key = ipcconf_sysv_key(t);
	CHECK_FAILS(t, iut_msgget(t, key, 0), -ENOENT);
	CHECK_FAILS(t, iut_msgget(t, key, 0600), -ENOENT);
	CHECK_FAILS(t, iut_msgget(t, key, 0), -ENOENT);
}

static int gone(long long r)
{
	return r == -EINVAL || r == -EIDRM;
}

/*
 * POSIX.1-2017 XSH msgctl() IPC_RMID: "Remove the message queue
 * identifier specified by msqid from the system and destroy the message
 * queue and msqid_ds data structure associated with it."  msgctl(2):
 * "IPC_RMID Immediately remove the message queue".  seed:Q6.  After it,
 * the identifier names no queue: msgop(2) and msgctl(2) give EINVAL ("
 * invalid msqid") or EIDRM ("the message queue was removed"), either of
 * which is allowed here; the key has no queue (msgget(2) [ENOENT]).
 * Checked here: a queue holding a message is removed; msgsnd, msgrcv
 * (IPC_NOWAIT) and IPC_STAT on its identifier fail with -EINVAL or
 * -EIDRM; msgget(key, 0) fails with -ENOENT; and a queue created anew on
 * the key is empty (the message did not survive).
 */
CLAUSE(msgq_control_rmid_removes,
       .id = "msgq.control.rmid_removes",
       .title = "after IPC_RMID the identifier names nothing and the key has no queue",
       .cites = "seed:Q6; POSIX.1-2017 XSH msgctl() IPC_RMID, msgget() [ENOENT]; msgctl(2); msgget(2)")
{
	key_t key;
	int id = msgq_create(t, &key);
	msgq_put_str(t, id, 1, "doomed");
	REQUIRE_EQ(t, iut_msgctl(t, id, IPC_RMID, NULL), 0, "msgctl(IPC_RMID)");
	struct msgq_msg m = { .mtype = 1, .mtext = "x" };
	struct msqid_ds ds;
	long long r;
	char b[32];
	r = iut_msgsnd(t, id, &m, 1, IPC_NOWAIT);
	CHECK(t, gone(r), "msgsnd on the removed identifier: expected -EINVAL or -EIDRM, got %s",
	      ipcconf_result_name(r, b));
	r = iut_msgrcv(t, id, &m, sizeof m.mtext, 0, IPC_NOWAIT);
	CHECK(t, gone(r), "msgrcv on the removed identifier: expected -EINVAL or -EIDRM, got %s",
	      ipcconf_result_name(r, b));
	r = iut_msgctl(t, id, IPC_STAT, &ds);
	CHECK(t, gone(r), "IPC_STAT on the removed identifier: expected -EINVAL or -EIDRM, got %s",
	      ipcconf_result_name(r, b));
	CHECK_FAILS(t, iut_msgget(t, key, 0), -ENOENT);
	int again = iut_msgget(t, key, IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE_OK(t, again, "msgget(key, IPC_CREAT | IPC_EXCL | 0600) after IPC_RMID");
	CHECK_EQ(t, msgq_qnum(t, again), 0, "msg_qnum of the queue made anew on the key");
}
