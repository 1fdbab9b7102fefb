/*
 * The `msgq` mechanism (System V message queues) and the `msgq` table, as
 * the harness sees them (conformance/harness/mechanism.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_msgq_ops, member)

static const struct ipcconf_member msgq_required[] = {
	M(get), M(send), M(receive), M(control), { 0 },
};

static const struct ipcconf_cap_ops msgq_caps[] = {
	{ IPCCONF_MSGQ_CAP_EXCEPT, "EXCEPT", { { 0 } } },
	{ IPCCONF_MSGQ_CAP_COPY, "COPY", { { 0 } } },
	{ IPCCONF_MSGQ_CAP_CREDENTIALS, "CREDENTIALS", { { 0 } } },
	{ 0 },
};

TABLE(msgq, .id = IPCCONF_TABLE_MSGQ, .size = sizeof(struct ipcconf_msgq_ops),
      .required = msgq_required, .caps = msgq_caps);

/*
 * A queue a clause left is removed through the implementation (which may
 * keep it outside the kernel); the harness then removes the key's kernel
 * objects itself.
 */
static void msgq_cleanup(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			 const struct ipcconf_object *obj)
{
	if (obj->kind != IPCCONF_OBJ_SYSV_KEY || !iut->msgq)
		return;
	int id = iut->msgq->get(self, (key_t)strtol(obj->name, NULL, 10), 0);
	if (id >= 0)
		iut->msgq->control(self, id, IPC_RMID, NULL);
}

MECHANISM(msgq,
	  .title = "System V message queues",
	  .order = 40,
	  .tables = IPCCONF_TABLE_BIT(MSGQ),
	  .cleanup = msgq_cleanup);
