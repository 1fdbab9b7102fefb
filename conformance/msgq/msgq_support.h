/*
 * msgq_support.h -- what System V message queue clauses share: calls into
 * the implementation's `msgq` table.
 */
#ifndef IPCCONF_CONFORMANCE_MSGQ_SUPPORT_H
#define IPCCONF_CONFORMANCE_MSGQ_SUPPORT_H

#include <sys/ipc.h>
#include <sys/msg.h>

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

#endif
