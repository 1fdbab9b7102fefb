/*
 * mq_support.h -- what POSIX message queue clauses share: calls into the
 * implementation's `mq` table (queue handles close through the `handle`
 * table: iut_close in conformance/handle/iut_handle.h).
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

#endif
