/*
 * System V message queue clauses: msgctl(IPC_STAT) reports what happened
 * to the queue, IPC_SET changes its capacity and mode within the limits,
 * and the mode decides what another user may do (seed:Q1, Q2, Q6).
 * Limits are read from the system (IPC_STAT, /proc/sys/kernel/msgmnb),
 * never assumed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/msgq/msgq_support.h"

/*
 * POSIX.1-2017 XSH msgget(): when a queue is created, "msg_perm.cuid,
 * msg_perm.uid, msg_perm.cgid, and msg_perm.gid shall be set to the
 * effective user ID and effective group ID, respectively, of the calling
 * process.  The low-order 9 bits of msg_perm.mode shall be set to the
 * low-order 9 bits of msgflg.  msg_qnum, msg_lspid, msg_lrpid,
 * msg_stime, and msg_rtime shall be set to 0.  msg_ctime shall be set to
 * the current time ...  msg_qbytes shall be set to the system limit."
 * msgget(2) says the same, the limit being MSGMNB (proc(5):
 * /proc/sys/kernel/msgmnb).  seed:Q1.  Checked here: IPC_STAT of a new
 * queue made with mode 0600 reports those values (msg_cbytes 0 too;
 * msg_ctime not before the clause started; msg_qbytes equal to msgmnb
 * where /proc says it, else merely above 0).
 */
CLAUSE(msgq_control_stat_initial,
       .id = "msgq.control.stat_initial",
       .title = "IPC_STAT of a new queue: owner, mode, zero counts, pids and times, msg_qbytes = msgmnb",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgget(), msgctl() IPC_STAT; msgget(2); msgctl(2); proc(5) msgmnb")
{
	time_t before = time(NULL);
	int id = msgq_create(t, NULL);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_perm.uid, geteuid(), "msg_perm.uid");
	CHECK_EQ(t, ds.msg_perm.cuid, geteuid(), "msg_perm.cuid");
	CHECK_EQ(t, ds.msg_perm.gid, getegid(), "msg_perm.gid");
	CHECK_EQ(t, ds.msg_perm.cgid, getegid(), "msg_perm.cgid");
	CHECK_EQ(t, ds.msg_perm.mode & 0777, 0600, "msg_perm.mode's low 9 bits");
	CHECK_EQ(t, ds.msg_qnum, 0, "msg_qnum");
	CHECK_EQ(t, ds.msg_cbytes, 0, "msg_cbytes");
	CHECK_EQ(t, ds.msg_lspid, 0, "msg_lspid");
	CHECK_EQ(t, ds.msg_lrpid, 0, "msg_lrpid");
	CHECK_EQ(t, ds.msg_stime, 0, "msg_stime");
	CHECK_EQ(t, ds.msg_rtime, 0, "msg_rtime");
	CHECK(t, ds.msg_ctime >= before, "msg_ctime %lld is before the clause started (%lld)",
	      (long long)ds.msg_ctime, (long long)before);
	long mnb = msgq_sysctl("msgmnb");
	if (mnb >= 0)
		CHECK_EQ(t, ds.msg_qbytes, mnb, "msg_qbytes (the system limit /proc/sys/kernel/msgmnb)");
	else
		CHECK(t, ds.msg_qbytes > 0, "msg_qbytes of a new queue is 0");
}

/*
 * POSIX.1-2017 XSH msgsnd(): "Upon successful completion ... msg_qnum
 * shall be incremented by 1"; XSH msgrcv(): "msg_qnum shall be
 * decremented by 1"; msgctl(2): "__msg_cbytes Current number of bytes in
 * queue (nonstandard)".  seed:Q1.  Checked here: after sends of 3 and 5
 * bytes, msg_qnum is 2 and msg_cbytes 8; after the 3-byte message is
 * received, 1 and 5; after the other, 0 and 0.
 */
CLAUSE(msgq_control_stat_counts,
       .id = "msgq.control.stat_counts",
       .title = "IPC_STAT's msg_qnum and msg_cbytes follow every send and receive",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgsnd(), msgrcv(), msgctl() IPC_STAT; msgctl(2)")
{
	int id = msgq_create(t, NULL);
	msgq_put_str(t, id, 1, "abc");
	msgq_put_str(t, id, 2, "defgh");
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qnum, 2, "msg_qnum after two sends");
	CHECK_EQ(t, ds.msg_cbytes, 8, "msg_cbytes after sends of 3 and 5 bytes");
	msgq_expect(t, id, 1, 0, 1, "abc", "the 3-byte message");
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qnum, 1, "msg_qnum after one receive");
	CHECK_EQ(t, ds.msg_cbytes, 5, "msg_cbytes after the 3-byte message was received");
	msgq_expect(t, id, 2, 0, 2, "defgh", "the 5-byte message");
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qnum, 0, "msg_qnum after both receives");
	CHECK_EQ(t, ds.msg_cbytes, 0, "msg_cbytes after both receives");
}

/*
 * POSIX.1-2017 XSH msgsnd(): on success "msg_lspid shall be set to the
 * process ID of the calling process"; XSH msgrcv(): "msg_lrpid shall be
 * set to the process ID of the calling process."  msgctl(2) msg_lspid,
 * msg_lrpid.  seed:Q2 (several processes use one queue).  Checked here:
 * a helper sends: msg_lspid is its pid and msg_lrpid still 0; another
 * helper receives: msg_lrpid is its pid and msg_lspid still the
 * sender's.
 */
CLAUSE(msgq_control_stat_pids,
       .id = "msgq.control.stat_pids",
       .title = "IPC_STAT's msg_lspid and msg_lrpid name the last sender and receiver",
       .cites = "seed:Q2; POSIX.1-2017 XSH msgsnd(), msgrcv(), msgctl() IPC_STAT; msgctl(2)")
{
	int id = msgq_create(t, NULL);
	pid_t sender = ipcconf_fork(t);
	if (sender == 0) {
		msgq_put_str(t, id, 1, "from the sender");
		ipcconf_exit(t);
	}
	msgq_join_helper(t, sender, "the sending helper");
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_lspid, sender, "msg_lspid after the helper's send (its pid)");
	CHECK_EQ(t, ds.msg_lrpid, 0, "msg_lrpid before any receive");
	pid_t receiver = ipcconf_fork(t);
	if (receiver == 0) {
		msgq_expect(t, id, 0, 0, 1, "from the sender", "the receiving helper's receive");
		ipcconf_exit(t);
	}
	ipcconf_join(t, receiver, "the receiving helper");
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_lrpid, receiver, "msg_lrpid after the other helper's receive (its pid)");
	CHECK_EQ(t, ds.msg_lspid, sender, "msg_lspid after the receive (still the sender's)");
}

/*
 * POSIX.1-2017 XSH msgsnd(): on success "msg_stime shall be set to the
 * current time"; XSH msgrcv(): "msg_rtime shall be set to the current
 * time."  msgctl(2) msg_stime, msg_rtime.  seed:Q1.  Checked here, with
 * time(NULL) taken before the queue was made (equality allowed; no upper
 * bound, which a slow machine could miss): msg_stime and msg_rtime are 0
 * at first; after a send msg_stime is not before that time and msg_rtime
 * still 0; after a receive msg_rtime is not before that time.
 */
CLAUSE(msgq_control_stat_times,
       .id = "msgq.control.stat_times",
       .title = "IPC_STAT's msg_stime and msg_rtime are set by the first send and receive",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgsnd(), msgrcv(), msgctl() IPC_STAT; msgctl(2)")
{
	time_t before = time(NULL);
	int id = msgq_create(t, NULL);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_stime, 0, "msg_stime before any send");
	CHECK_EQ(t, ds.msg_rtime, 0, "msg_rtime before any receive");
	msgq_put_str(t, id, 1, "tick");
	msgq_stat(t, id, &ds);
	CHECK(t, ds.msg_stime >= before, "msg_stime after a send is %lld, before the clause started (%lld)",
	      (long long)ds.msg_stime, (long long)before);
	CHECK_EQ(t, ds.msg_rtime, 0, "msg_rtime after a send, before any receive");
	msgq_expect(t, id, 0, 0, 1, "tick", "the receive");
	msgq_stat(t, id, &ds);
	CHECK(t, ds.msg_rtime >= before, "msg_rtime after a receive is %lld, before the clause started (%lld)",
	      (long long)ds.msg_rtime, (long long)before);
}

/*
 * POSIX.1-2017 XSH msgctl() IPC_SET: "Set the value of the following
 * members of the msqid_ds data structure associated with msqid to the
 * corresponding value found in the structure pointed to by buf:
 * msg_perm.uid, msg_perm.gid, msg_perm.mode, msg_qbytes"; XSH msgsnd():
 * a queue holding msg_qbytes bytes is full.  msgctl(2) IPC_SET.  seed:Q2.
 * Checked here: msg_qbytes is lowered by IPC_SET to half of what IPC_STAT
 * reported (allowed to anyone); IPC_STAT then reports the new value, the
 * queue takes exactly that many bytes, and a 1-byte send with IPC_NOWAIT
 * then fails with -EAGAIN.
 */
CLAUSE(msgq_control_set_qbytes,
       .id = "msgq.control.set_qbytes",
       .title = "IPC_SET lowers msg_qbytes, and the queue then holds that many bytes",
       .cites = "seed:Q2; POSIX.1-2017 XSH msgctl() IPC_SET, msgsnd(); msgctl(2)")
{
	int id = msgq_create(t, NULL);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	if (ds.msg_qbytes < 2)
		SKIP(t, "msg_qbytes is %lu: nothing below it to set", (unsigned long)ds.msg_qbytes);
	unsigned long want = ds.msg_qbytes / 2;
	ds.msg_qbytes = want;
	CHECK_EQ(t, iut_msgctl(t, id, IPC_SET, &ds), 0, "msgctl(IPC_SET) with msg_qbytes halved");
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qbytes, want, "msg_qbytes by IPC_STAT after IPC_SET");
	msgq_fill(t, id, NULL);
	CHECK_EQ(t, msgq_cbytes(t, id), want, "msg_cbytes of the queue filled to its new msg_qbytes");
	struct msgq_msg m = { .mtype = 1, .mtext = "z" };
	CHECK_FAILS(t, iut_msgsnd(t, id, &m, 1, IPC_NOWAIT), -EAGAIN);
}

/*
 * POSIX.1-2017 XSH msgctl() IPC_SET sets "msg_perm.mode (only the
 * low-order nine bits)".  msgctl(2) IPC_SET.  seed:Q1.  Checked here:
 * IPC_SET with mode 0640 on a 0600 queue; IPC_STAT then reports 0640 in
 * the low 9 bits, the owner unchanged.
 */
CLAUSE(msgq_control_set_mode,
       .id = "msgq.control.set_mode",
       .title = "IPC_SET changes the queue's mode (read back by IPC_STAT)",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgctl() IPC_SET; msgctl(2)")
{
	int id = msgq_create(t, NULL);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	uid_t owner = ds.msg_perm.uid;
	ds.msg_perm.mode = (ds.msg_perm.mode & ~0777) | 0640;
	CHECK_EQ(t, iut_msgctl(t, id, IPC_SET, &ds), 0, "msgctl(IPC_SET) with mode 0640");
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_perm.mode & 0777, 0640, "msg_perm.mode's low 9 bits after IPC_SET");
	CHECK_EQ(t, ds.msg_perm.uid, owner, "msg_perm.uid after IPC_SET of the mode");
}

/*
 * POSIX.1-2017 XSH msgctl() ERRORS: "[EPERM] The argument cmd is
 * IPC_SET, an attempt is being made to increase to the value of
 * msg_qbytes, and the effective user ID of the calling process does not
 * have appropriate privileges."  msgctl(2): "EPERM ... an attempt
 * (IPC_SET) was made to increase msg_qbytes beyond the system parameter
 * MSGMNB, but the caller is not privileged (Linux: does not have the
 * CAP_SYS_RESOURCE capability)."  (POSIX refuses any increase without
 * privilege, Linux only one beyond msgmnb: beyond msgmnb both refuse.)
 * seed:Q2.  Checked here, in a helper without CAP_SYS_RESOURCE (it gives
 * up that capability, or else becomes nobody; a SKIP when neither can be
 * had), with
 * msgmnb read from /proc: on the helper's own queue, IPC_SET of
 * msg_qbytes msgmnb + 1 fails with -EPERM and leaves msg_qbytes as it
 * was.
 */
CLAUSE(msgq_control_set_qbytes_above_msgmnb_eperm,
       .id = "msgq.control.set_qbytes_above_msgmnb_eperm",
       .title = "without privilege, IPC_SET of msg_qbytes above msgmnb fails with -EPERM",
       .cites = "seed:Q2; POSIX.1-2017 XSH msgctl() ERRORS [EPERM]; msgctl(2); proc(5) msgmnb; capabilities(7)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	long mnb = msgq_sysctl("msgmnb");
	if (mnb < 0)
		SKIP(t, "/proc/sys/kernel/msgmnb cannot be read here: the limit is unknown");
	key_t key = ipcconf_sysv_key(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		msgq_become_unprivileged(t);
		int id = iut_msgget(t, key, IPC_CREAT | IPC_EXCL | 0600);
		REQUIRE_OK(t, id, "unprivileged helper: msgget(key, IPC_CREAT | IPC_EXCL | 0600)");
		struct msqid_ds ds;
		msgq_stat(t, id, &ds);
		unsigned long was = ds.msg_qbytes;
		ds.msg_qbytes = (unsigned long)mnb + 1;
		CHECK_FAILS(t, iut_msgctl(t, id, IPC_SET, &ds), -EPERM);
		msgq_stat(t, id, &ds);
		CHECK_EQ(t, ds.msg_qbytes, was, "msg_qbytes after the refused IPC_SET");
		ipcconf_exit(t);
	}
	msgq_join_helper(t, h, "the unprivileged helper");
}

/* ---- another user ---- */

/*
 * A 0600 queue of root's holding one message; then `check` in a helper
 * that became the user nobody.  Returns the queue's id.
 */
static int other_user_tries(struct ipcconf_t *t, key_t *key,
			    void (*check)(struct ipcconf_t *t, int id, key_t key))
{
	msgq_need_root(t);
	int id = msgq_create(t, key);
	msgq_put_str(t, id, 1, "root's");
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		msgq_become_other_user(t);
		check(t, id, *key);
		ipcconf_exit(t);
	}
	msgq_join_helper(t, h, "the helper of another user");
	return id;
}

static void get_denied(struct ipcconf_t *t, int id, key_t key)
{
	(void)id;
	CHECK_FAILS(t, iut_msgget(t, key, 0400), -EACCES);
	CHECK_FAILS(t, iut_msgget(t, key, 0200), -EACCES);
	CHECK_FAILS(t, iut_msgget(t, key, 0600), -EACCES);
}

/*
 * POSIX.1-2017 XSH msgget() ERRORS: "[EACCES] A message queue identifier
 * exists for the argument key, but operation permission as specified by
 * the low-order nine bits of msgflg would not be granted".  msgget(2)
 * [EACCES]; sysvipc(7) (permissions as for files).  seed:Q1.  Checked
 * here: root's queue has mode 0600; a helper that became the user nobody
 * (no capabilities) asks msgget for it with 0400, 0200 and 0600: each
 * fails with -EACCES.
 */
CLAUSE(msgq_get_eacces_other_user,
       .id = "msgq.get.eacces_other_user",
       .title = "msgget asking for read or write access to another user's 0600 queue fails with -EACCES",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgget() ERRORS [EACCES]; msgget(2); sysvipc(7)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	key_t key;
	other_user_tries(t, &key, get_denied);
}

static void send_denied(struct ipcconf_t *t, int id, key_t key)
{
	(void)key;
	struct msgq_msg m = { .mtype = 1, .mtext = "x" };
	CHECK_FAILS(t, iut_msgsnd(t, id, &m, 1, IPC_NOWAIT), -EACCES);
}

/*
 * POSIX.1-2017 XSH msgsnd() ERRORS: "[EACCES] Operation permission is
 * denied to the calling process".  msgop(2): "EACCES The calling process
 * does not have write permission on the message queue, and does not have
 * the CAP_IPC_OWNER capability".  seed:Q2.  Checked here: a helper that
 * became the user nobody sends (IPC_NOWAIT) to root's 0600 queue: -EACCES,
 * and the queue still holds only root's message.
 */
CLAUSE(msgq_send_eacces_other_user,
       .id = "msgq.send.eacces_other_user",
       .title = "a send to another user's 0600 queue fails with -EACCES",
       .cites = "seed:Q2; POSIX.1-2017 XSH msgsnd() ERRORS [EACCES]; msgop(2); sysvipc(7)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	key_t key;
	int id = other_user_tries(t, &key, send_denied);
	CHECK_EQ(t, msgq_qnum(t, id), 1, "msg_qnum after the other user's refused send");
}

static void receive_denied(struct ipcconf_t *t, int id, key_t key)
{
	(void)key;
	struct msgq_msg m;
	CHECK_FAILS(t, iut_msgrcv(t, id, &m, sizeof m.mtext, 0, IPC_NOWAIT), -EACCES);
}

/*
 * POSIX.1-2017 XSH msgrcv() ERRORS: "[EACCES] Operation permission is
 * denied to the calling process".  msgop(2): "EACCES The calling process
 * does not have read permission on the message queue, and does not have
 * the CAP_IPC_OWNER capability".  seed:Q2.  Checked here: a helper that
 * became the user nobody receives (IPC_NOWAIT) from root's 0600 queue,
 * which holds a message: -EACCES, and the message is still queued.
 */
CLAUSE(msgq_receive_eacces_other_user,
       .id = "msgq.receive.eacces_other_user",
       .title = "a receive from another user's 0600 queue fails with -EACCES and takes nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH msgrcv() ERRORS [EACCES]; msgop(2); sysvipc(7)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	key_t key;
	int id = other_user_tries(t, &key, receive_denied);
	CHECK_EQ(t, msgq_qnum(t, id), 1, "msg_qnum after the other user's refused receive");
}

static void stat_denied(struct ipcconf_t *t, int id, key_t key)
{
	(void)key;
	struct msqid_ds ds;
	CHECK_FAILS(t, iut_msgctl(t, id, IPC_STAT, &ds), -EACCES);
}

/*
 * POSIX.1-2017 XSH msgctl() ERRORS: "[EACCES] The argument cmd is
 * IPC_STAT and the calling process does not have read permission".
 * msgctl(2) [EACCES].  seed:Q1.  Checked here: a helper that became the
 * user nobody asks IPC_STAT of root's 0600 queue: -EACCES.
 */
CLAUSE(msgq_control_stat_eacces_other_user,
       .id = "msgq.control.stat_eacces_other_user",
       .title = "IPC_STAT of another user's 0600 queue fails with -EACCES",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgctl() ERRORS [EACCES]; msgctl(2); sysvipc(7)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	key_t key;
	other_user_tries(t, &key, stat_denied);
}

/* Root's queue, made 0600 and then opened to everyone's reading and writing. */
static void open_to_all(struct ipcconf_t *t, int id, int mode)
{
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	ds.msg_perm.mode = (ds.msg_perm.mode & ~0777) | mode;
	REQUIRE_EQ(t, iut_msgctl(t, id, IPC_SET, &ds), 0, "msgctl(IPC_SET) of the mode");
}

static void read_only_access(struct ipcconf_t *t, int id, key_t key)
{
	(void)key;
	struct msqid_ds ds;
	CHECK_EQ(t, iut_msgctl(t, id, IPC_STAT, &ds), 0, "the other user's IPC_STAT, mode 0604");
	msgq_expect(t, id, 0, 0, 1, "root's", "the other user's receive, mode 0604");
	struct msgq_msg m = { .mtype = 1, .mtext = "x" };
	CHECK_FAILS(t, iut_msgsnd(t, id, &m, 1, IPC_NOWAIT), -EACCES);
}

/*
 * POSIX.1-2017 XSH msgctl() IPC_SET sets msg_perm.mode, and XSH Section
 * 2.7 (XSI Interprocess Communication) grants read and write by those
 * bits; msgop(2) [EACCES] (read permission to receive, write to send);
 * sysvipc(7).  seed:Q2.  Checked here: root's 0600 queue holding a
 * message is set to mode 0604 by IPC_SET; a helper that became the user
 * nobody can now IPC_STAT it and receive the message, but its send still
 * fails with -EACCES.
 */
CLAUSE(msgq_control_set_mode_governs_access,
       .id = "msgq.control.set_mode_governs_access",
       .title = "after IPC_SET of mode 0604 another user may read the queue but not write it",
       .cites = "seed:Q2; POSIX.1-2017 XSH msgctl() IPC_SET, XSH 2.7 XSI Interprocess Communication; msgop(2); sysvipc(7)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	msgq_need_root(t);
	key_t key;
	int id = msgq_create(t, &key);
	msgq_put_str(t, id, 1, "root's");
	open_to_all(t, id, 0604);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		msgq_become_other_user(t);
		read_only_access(t, id, key);
		ipcconf_exit(t);
	}
	msgq_join_helper(t, h, "the helper of another user");
	CHECK_EQ(t, msgq_qnum(t, id), 0, "msg_qnum after the other user's receive");
}

/*
 * POSIX.1-2017 XSH msgctl() ERRORS: "[EPERM] The argument cmd is IPC_RMID
 * or IPC_SET and the effective user ID of the calling process is not
 * equal to that of a process with appropriate privileges and it is not
 * equal to the value of msg_perm.cuid or msg_perm.uid in the data
 * structure associated with msqid."  msgctl(2) [EPERM].  seed:Q6 (only
 * an explicit removal ends a queue -- and not anyone's).  Checked here:
 * root's queue, opened to all by mode 0666; a helper that became the
 * user nobody can read its state, but its IPC_SET (mode 0600) and its
 * IPC_RMID each fail with -EPERM; afterwards the queue still exists
 * under its key with mode 0666.
 */
CLAUSE(msgq_control_set_rmid_eperm_not_owner,
       .id = "msgq.control.set_rmid_eperm_not_owner",
       .title = "IPC_SET and IPC_RMID by a user who neither owns nor created the queue fail with -EPERM",
       .cites = "seed:Q6; POSIX.1-2017 XSH msgctl() ERRORS [EPERM]; msgctl(2)",
       USES(MSGQ, IPCCONF_MSGQ_CAP_CREDENTIALS))
{
	msgq_need_root(t);
	key_t key;
	int id = msgq_create(t, &key);
	open_to_all(t, id, 0666);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		msgq_become_other_user(t);
		struct msqid_ds ds;
		REQUIRE_EQ(t, iut_msgctl(t, id, IPC_STAT, &ds), 0, "the other user's IPC_STAT of a 0666 queue");
		ds.msg_perm.mode = (ds.msg_perm.mode & ~0777) | 0600;
		CHECK_FAILS(t, iut_msgctl(t, id, IPC_SET, &ds), -EPERM);
		CHECK_FAILS(t, iut_msgctl(t, id, IPC_RMID, NULL), -EPERM);
		ipcconf_exit(t);
	}
	msgq_join_helper(t, h, "the helper of another user");
	CHECK_EQ(t, iut_msgget(t, key, 0), id, "msgget(key, 0) after the other user's refused IPC_RMID");
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_perm.mode & 0777, 0666, "the mode after the other user's refused IPC_SET");
}
