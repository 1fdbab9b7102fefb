/*
 * The `os` POSIX message queue table: mq_open ... mq_unlink of the C
 * library.  On Linux a queue descriptor is a file descriptor, so the
 * handle table's close and poll take it as they are.
 */
#define _GNU_SOURCE
#include "impl/os/os_queues.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>

typedef const struct ipcconf_iut iut_t;

static int os_mq_open(iut_t *self, const char *name, int flags, mode_t mode,
		      const struct mq_attr *attr)
{
	mqd_t q = (flags & O_CREAT) ? mq_open(name, flags, mode, (struct mq_attr *)attr)
				    : mq_open(name, flags);
	return q == (mqd_t)-1 ? -errno : (int)q;
}

static int os_mq_unlink(iut_t *self, const char *name)
{
	return mq_unlink(name) < 0 ? -errno : 0;
}

static int os_mq_send(iut_t *self, int h, const char *msg, size_t len, unsigned prio,
		      const struct timespec *abs_timeout)
{
	int r = abs_timeout ? mq_timedsend(h, msg, len, prio, abs_timeout) : mq_send(h, msg, len, prio);
	return r < 0 ? -errno : 0;
}

static ssize_t os_mq_receive(iut_t *self, int h, char *msg, size_t len, unsigned *prio,
			     const struct timespec *abs_timeout)
{
	ssize_t n = abs_timeout ? mq_timedreceive(h, msg, len, prio, abs_timeout)
				: mq_receive(h, msg, len, prio);
	return n < 0 ? -errno : n;
}

static int os_mq_getattr(iut_t *self, int h, struct mq_attr *attr)
{
	return mq_getattr(h, attr) < 0 ? -errno : 0;
}

static int os_mq_setattr(iut_t *self, int h, const struct mq_attr *attr, struct mq_attr *old)
{
	return mq_setattr(h, attr, old) < 0 ? -errno : 0;
}

static int os_mq_notify(iut_t *self, int h, const struct sigevent *sev)
{
	return mq_notify(h, sev) < 0 ? -errno : 0;
}

const struct ipcconf_mq_ops os_mq = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_mq_ops,
				   IPCCONF_MQ_CAP_NOTIFY | IPCCONF_MQ_CAP_POLL | IPCCONF_MQ_CAP_SETATTR),
	.open = os_mq_open,
	.unlink = os_mq_unlink,
	.send = os_mq_send,
	.receive = os_mq_receive,
	.getattr = os_mq_getattr,
	.setattr = os_mq_setattr,
	.notify = os_mq_notify,
};
