/*
 * A System V message queue (msgget(IPC_PRIVATE), mode 0600), one message
 * per msgsnd/msgrcv, blocking.  The queue holds kernel.msgmnb bytes (the
 * default msg_qbytes; more needs CAP_SYS_RESOURCE) and one message at
 * most kernel.msgmax bytes: larger messages are not sent in pieces, they
 * are reported as beyond the limit.
 *
 * The message is built in place: its type goes into the IPC_BUF_HEADROOM
 * bytes in front of the buffer (ipc_chan.h), so that no extra copy is
 * measured.  The queue's id sits in fd[0]; ipc_clean.h removes it at the
 * end, and at once when the peer dies (msgsnd/msgrcv have no timeout: the
 * removal wakes them with EIDRM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/msg.h>

#include "bench/ipc_chan.h"
#include "bench/ipc_clean.h"

/* Every message has the same type: the queue is FIFO, as the other transports. */
#define MTYPE 1

static size_t shm_size(size_t msg)
{
	return 0;
}

static int create(struct chan *c)
{
	int id = ipc_clean_msgget();

	if (id < 0)
		return id;
	c->fd[0] = id;
	return 0;
}

static int attach(struct chan *c, int sender)
{
	c->sender = sender;
	return 0;
}

/* The struct msgbuf in front of the text: its type field fills the headroom's last bytes. */
static void *msgbuf_of(const void *text)
{
	return (unsigned char *)(uintptr_t)text - sizeof(long);
}

/* A queue removed under us: the peer died (ipc_clean.h). */
static int failed(void)
{
	return errno == EIDRM || errno == EINVAL ? -EPIPE : -errno;
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	long *mtype = msgbuf_of(buf);

	*mtype = MTYPE;
	while (msgsnd(c->fd[0], mtype, n, 0) != 0)
		if (errno != EINTR)
			return failed();
	return 0;
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	for (;;) {
		/* No MSG_NOERROR: a longer message fails (E2BIG) rather than arriving cut. */
		ssize_t k = msgrcv(c->fd[0], msgbuf_of(buf), n, 0, 0);

		if (k == (ssize_t)n)
			return 0;
		if (k >= 0)
			return -EMSGSIZE;
		if (errno != EINTR)
			return failed();
	}
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	return -ENOSYS; /* ipc_bench measures no idle waits */
}

static void destroy(struct chan *c)
{
	if (c->fd[0] >= 0)
		ipc_clean_msgq_remove(c->fd[0]);
	c->fd[0] = -1;
}

const struct chan_ops chan_msgq = {
	.name = "sysv-msgq",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};

int chan_msgq_fits(size_t msg, char *why, size_t len)
{
	long msgmax = ipc_sysctl("/proc/sys/kernel/msgmax", 8192);
	long msgmnb = ipc_sysctl("/proc/sys/kernel/msgmnb", 16384);

	if (msg > (size_t)msgmax) {
		snprintf(why, len, "limit %ld: kernel.msgmax", msgmax);
		return 0;
	}
	if (msg > (size_t)msgmnb) {
		snprintf(why, len, "limit %ld: kernel.msgmnb, the bytes one queue holds", msgmnb);
		return 0;
	}
	return 1;
}
