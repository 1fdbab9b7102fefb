/*
 * mq_support.h -- what POSIX message queue clauses share: calls into the
 * implementation's `mq` table (queue handles close through the `handle`
 * table: iut_close in conformance/handle/iut_handle.h), the system's
 * limits, a queue made the one safe way, and small send/receive checks.
 */
#ifndef IPCCONF_CONFORMANCE_MQ_SUPPORT_H
#define IPCCONF_CONFORMANCE_MQ_SUPPORT_H

#include <mqueue.h>
#include <time.h>

#include "conformance/handle/iut_handle.h"
#include "conformance/harness/clause.h"

static inline int iut_mq_open(struct ipcconf_t *t, const char *name, int flags, mode_t mode,
			      const struct mq_attr *attr)
{
	return t->iut->mq->open(t->self, name, flags, mode, attr);
}

static inline int iut_mq_unlink(struct ipcconf_t *t, const char *name)
{
	return t->iut->mq->unlink(t->self, name);
}

static inline int iut_mq_send(struct ipcconf_t *t, int h, const char *msg, size_t len, unsigned prio,
			      const struct timespec *abs_timeout)
{
	return t->iut->mq->send(t->self, h, msg, len, prio, abs_timeout);
}

static inline ssize_t iut_mq_receive(struct ipcconf_t *t, int h, char *msg, size_t len,
				     unsigned *prio, const struct timespec *abs_timeout)
{
	return t->iut->mq->receive(t->self, h, msg, len, prio, abs_timeout);
}

static inline int iut_mq_getattr(struct ipcconf_t *t, int h, struct mq_attr *attr)
{
	return t->iut->mq->getattr(t->self, h, attr);
}

static inline int iut_mq_setattr(struct ipcconf_t *t, int h, const struct mq_attr *attr,
				 struct mq_attr *old)
{
	return t->iut->mq->setattr(t->self, h, attr, old);
}

static inline int iut_mq_notify(struct ipcconf_t *t, int h, const struct sigevent *sev)
{
	return t->iut->mq->notify(t->self, h, sev);
}

/*
 * The limits Linux puts on POSIX queues, read from the system, never
 * assumed (mq_overview(7) "/proc interfaces"; getrlimit(2)
 * RLIMIT_MSGQUEUE).  -1: the file cannot be read (gVisor has none).
 */
struct ipcconf_mq_limits {
	long msg_max, msgsize_max, msg_default, msgsize_default, queues_max;
	long long rlimit_msgqueue; /* soft limit in bytes; -1: unlimited or unknown */
};

void ipcconf_mq_read_limits(struct ipcconf_mq_limits *l);

/* One of /proc/sys/fs/mqueue/<file>, or a SKIP naming it when it cannot be read. */
long ipcconf_mq_limit(struct ipcconf_t *t, const char *file);

/*
 * Bytes a queue charges against RLIMIT_MSGQUEUE (getrlimit(2)): maxmsg *
 * sizeof(struct msg_msg) + min(maxmsg, MQ_PRIO_MAX) * sizeof(struct
 * posix_msg_tree_node) + maxmsg * msgsize; the kernel structures are
 * counted at a generous 64 bytes each.
 */
long long ipcconf_mq_charge(long maxmsg, long msgsize);

/* A queue a clause made. */
struct ipcconf_mq {
	int h;            /* the creating handle: O_RDWR plus the extra flags */
	const char *name; /* from ipcconf_posix_name(): the runner removes it */
	long maxmsg, msgsize;
};

/*
 * Creates a new queue named ipcconf_posix_name(t, leaf) with O_RDWR |
 * O_CREAT | O_EXCL | extra_flags, mode 0600, sized from the limits:
 * mq_maxmsg = min(want_maxmsg, msg_max), a SKIP when that is below
 * need_maxmsg (the clause cannot show its rule on a smaller queue), and
 * mq_msgsize = min(want_msgsize, msgsize_max).  Where the limits cannot be
 * read the wanted sizes are asked for as they are.  A failure ends the
 * caller (REQUIRE), naming the sizes and the limits.
 */
void ipcconf_mq_create(struct ipcconf_t *t, struct ipcconf_mq *q, const char *leaf,
		       int extra_flags, long need_maxmsg, long want_maxmsg, long want_msgsize);

/* Opens the queue's name again, without O_CREAT; a failure ends the caller (REQUIRE). */
int ipcconf_mq_reopen(struct ipcconf_t *t, const struct ipcconf_mq *q, int flags,
		      const char *what);

/*
 * Fills the queue with mq_maxmsg messages "f0", "f1", ... of priority 0,
 * through a handle of its own opened O_WRONLY | O_NONBLOCK (closed
 * afterwards): every send must succeed (REQUIRE), so a queue that holds
 * fewer than mq_maxmsg ends the caller rather than blocking it.
 */
void ipcconf_mq_fill(struct ipcconf_t *t, const struct ipcconf_mq *q);

/*
 * Receives one message through `h` into a buffer of q->msgsize bytes and
 * checks its length, bytes and (prio >= 0) priority against `text` (a
 * string: its strlen is the length).  `what` names the message.
 */
void ipcconf_mq_expect(struct ipcconf_t *t, const struct ipcconf_mq *q, int h, const char *text,
		       long prio, const char *what);

/*
 * As ipcconf_mq_expect(), through a handle of its own opened by name
 * O_RDONLY | O_NONBLOCK (closed afterwards): for a message that must
 * already be queued, so that an implementation that lost it fails at once
 * (-EAGAIN) instead of leaving the receive asleep until the clause's
 * timeout.
 */
void ipcconf_mq_expect_queued(struct ipcconf_t *t, const struct ipcconf_mq *q, const char *text,
			      long prio, const char *what);

/*
 * Checks that the queue holds no message, by a receive through a handle
 * of its own opened O_RDONLY | O_NONBLOCK (closed afterwards): it must
 * fail with -EAGAIN.  Reads nothing through getattr, whose mq_curmsgs has
 * a clause of its own.
 */
void ipcconf_mq_expect_empty(struct ipcconf_t *t, const struct ipcconf_mq *q, const char *what);

/* CLOCK_REALTIME now, in nanoseconds, and an absolute time `ms` from now. */
long long ipcconf_mq_realtime_ns(void);
struct timespec ipcconf_mq_abs_in(long ms);

#endif
