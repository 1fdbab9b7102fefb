/*
 * msgq_support.h -- what System V message queue clauses share: calls into
 * the implementation's `msgq` table, a queue made the one safe way,
 * limits read from the system, filling a queue, and helpers of another
 * user.
 */
#ifndef IPCCONF_CONFORMANCE_MSGQ_SUPPORT_H
#define IPCCONF_CONFORMANCE_MSGQ_SUPPORT_H

#include <stddef.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

static inline int iut_msgget(struct ipcconf_t *t, key_t key, int flags)
{
	return t->iut->msgq->get(t->self, key, flags);
}

static inline int iut_msgsnd(struct ipcconf_t *t, int id, const void *msg, size_t size, int flags)
{
	return t->iut->msgq->send(t->self, id, msg, size, flags);
}

static inline ssize_t iut_msgrcv(struct ipcconf_t *t, int id, void *msg, size_t size, long type,
				 int flags)
{
	return t->iut->msgq->receive(t->self, id, msg, size, type, flags);
}

static inline int iut_msgctl(struct ipcconf_t *t, int id, int cmd, struct msqid_ds *buf)
{
	return t->iut->msgq->control(t->self, id, cmd, buf);
}

/* A message buffer as msgop(2) describes it, with room for small clause messages. */
#define MSGQ_TEXT_MAX 256
struct msgq_msg {
	long mtype;
	char mtext[MSGQ_TEXT_MAX];
};

/*
 * A new, empty queue: a key from ipcconf_sysv_key() (which the runner
 * removes after the clause, even a killed one) and IPC_CREAT | IPC_EXCL |
 * 0600.  Its key goes to *key when key is not NULL.  A failure ends the
 * caller (REQUIRE).
 */
int msgq_create(struct ipcconf_t *t, key_t *key);

/*
 * Sends `len` bytes of `text` with type `type`, IPC_NOWAIT; a failure ends
 * the caller.  An -EAGAIN from a queue whose msg_qbytes (a legal small
 * msgmnb) cannot hold the message on top of what it holds is a SKIP, and
 * so is an -EINVAL for a message longer than a (legal, tiny) msgmax.
 */
void msgq_put(struct ipcconf_t *t, int id, long type, const char *text, size_t len);

/* Sends the NUL-terminated `text` (without its NUL) with type `type`, as msgq_put(). */
void msgq_put_str(struct ipcconf_t *t, int id, long type, const char *text);

/*
 * Receives with `msgtyp` and `flags` (IPC_NOWAIT added) into a
 * MSGQ_TEXT_MAX buffer and checks that the message is `want_type` with
 * exactly the bytes of `want` (a NUL-terminated string, its NUL not
 * sent); `what` names the receive in messages.
 */
void msgq_expect(struct ipcconf_t *t, int id, long msgtyp, int flags, long want_type,
		 const char *want, const char *what);

/* IPC_STAT through the implementation; a failure ends the caller. */
void msgq_stat(struct ipcconf_t *t, int id, struct msqid_ds *ds);

/* msg_qnum by IPC_STAT. */
long long msgq_qnum(struct ipcconf_t *t, int id);

/* msg_cbytes (Linux: __msg_cbytes) by IPC_STAT. */
long long msgq_cbytes(struct ipcconf_t *t, int id);

/*
 * A limit of /proc/sys/kernel (msgmnb: a new queue's msg_qbytes and the
 * most an unprivileged IPC_SET may ask; msgmax: the largest message), or
 * -1 when it cannot be read here.
 */
long msgq_sysctl(const char *name);

/*
 * Fills the queue with IPC_NOWAIT sends of type 1 until it holds exactly
 * its msg_qbytes (read by IPC_STAT, never assumed), in messages of at most
 * msgmax bytes (found by halving on -EINVAL where /proc does not say);
 * returns how many messages it sent.  A queue whose msg_qbytes is above
 * 4 MiB is first lowered to 64 KiB by IPC_SET (legal for anyone), to keep
 * the clause small.  A send refused before the queue is full ends the
 * caller.  The size of the largest message sent goes to *largest when
 * largest is not NULL (a buffer that size takes any of them whole).
 */
long msgq_fill(struct ipcconf_t *t, int id, size_t *largest);

/*
 * After an action that must NOT release the blocked call `b` (a message
 * of another type, say): the call must not return for the grace period
 * (IPCCONF_BLOCK_GRACE_MS, scaled by --timeout-mul), and must then be seen
 * asleep again (/proc/PID/stat S).  A return is a FAIL naming `after`,
 * and the caller ends.
 */
void msgq_still_blocked(struct ipcconf_t *t, const struct ipcconf_blocked *b, const char *after);

/* The unprivileged user helpers become: nobody. */
#define MSGQ_OTHER_UID 65534

/*
 * In the clause process, before forking: a SKIP unless this process is
 * root, which alone can make a helper of another user.
 */
void msgq_need_root(struct ipcconf_t *t);

/*
 * In a helper: become the user nobody (uid and gid 65534, no
 * supplementary groups; setresuid(2) from uid 0 to a nonzero uid clears
 * every capability) and check that no capability that bypasses System V
 * IPC checks is left (CAP_IPC_OWNER, CAP_SYS_ADMIN, CAP_SYS_RESOURCE).  A
 * SKIP saying why when that cannot be had.
 */
void msgq_become_other_user(struct ipcconf_t *t);

/*
 * ipcconf_join() of a helper that may have ended in a SKIP (it could not
 * become another user, say): then the caller ends too, since what it
 * would check afterwards was never arranged.
 */
void msgq_join_helper(struct ipcconf_t *t, pid_t helper, const char *who);

/*
 * In a helper: give up the privilege that lets msg_qbytes go above msgmnb
 * (CAP_SYS_RESOURCE): the capability is dropped, the user stays (or,
 * where capset refuses, root becomes nobody).  A SKIP saying why when
 * neither can be had.
 */
void msgq_become_unprivileged(struct ipcconf_t *t);

#endif
