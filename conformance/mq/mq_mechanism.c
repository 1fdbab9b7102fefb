/*
 * The `mq` mechanism (POSIX message queues) and the `mq` table, as the
 * harness sees them (conformance/harness/mechanism.h).
 */
#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_mq_ops, member)

static const struct ipcconf_member mq_required[] = {
	M(open), M(unlink), M(send), M(receive), M(getattr), { 0 },
};

static const struct ipcconf_cap_ops mq_caps[] = {
	{ IPCCONF_MQ_CAP_NOTIFY, "NOTIFY", { M(notify) } },
	{ IPCCONF_MQ_CAP_POLL, "POLL", { { 0 } } },
	{ IPCCONF_MQ_CAP_SETATTR, "SETATTR", { M(setattr) } },
	{ 0 },
};

TABLE(mq, .id = IPCCONF_TABLE_MQ, .size = sizeof(struct ipcconf_mq_ops),
      .required = mq_required, .caps = mq_caps);

/* A queue name a clause left is removed through the implementation first. */
static void mq_cleanup(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
		       const struct ipcconf_object *obj)
{
	if (obj->kind == IPCCONF_OBJ_POSIX_NAME && iut->mq)
		iut->mq->unlink(self, obj->name);
}

MECHANISM(mq,
	  .title = "POSIX message queues",
	  .order = 50,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(MQ),
	  .cleanup = mq_cleanup);
