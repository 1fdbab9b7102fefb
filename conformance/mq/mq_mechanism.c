/*
 * The `mq` mechanism (POSIX message queues) and the `mq` table, as the
 * harness sees them (conformance/harness/mechanism.h).
 */
#include <stdio.h>

#include "conformance/harness/mechanism.h"
#include "conformance/mq/mq_support.h"

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

/*
 * The report's header names the limits the clauses sized their queues
 * from (mq_overview(7) "/proc interfaces"; getrlimit(2) RLIMIT_MSGQUEUE).
 */
static void mq_probe_limits(struct ipcconf_t *t, char *note, size_t size)
{
	struct ipcconf_mq_limits l;
	ipcconf_mq_read_limits(&l);
	if (l.msg_max < 0) {
		snprintf(note, size, "mq limits: /proc/sys/fs/mqueue unreadable");
		return;
	}
	snprintf(note, size,
		 "mq msg_max %ld, msgsize_max %ld, msg_default %ld, msgsize_default %ld, RLIMIT_MSGQUEUE %lld",
		 l.msg_max, l.msgsize_max, l.msg_default, l.msgsize_default, l.rlimit_msgqueue);
}

MECHANISM(mq,
	  .title = "POSIX message queues",
	  .order = 50,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(MQ),
	  .probe = mq_probe_limits,
	  .cleanup = mq_cleanup);
