/*
 * A POSIX message queue, one message per mq_send/mq_receive, blocking.
 * The parent creates it (O_EXCL, mode 0600, a name with 128 random bits)
 * and unlinks the name again before any signal can come between
 * (ipc_clean.h); the processes inherit the queue descriptor across fork.
 *
 * mq_msgsize is the message size; mq_maxmsg is fs.mqueue.msg_max, or
 * fewer when bench_buf bytes hold fewer messages.  A message larger than
 * fs.mqueue.msgsize_max is beyond the limit: not sent in pieces.  Both
 * limits are the unprivileged ones (CAP_SYS_RESOURCE would lift them).
 * The waits are mq_timedsend/mq_timedreceive, bounded so that a dead peer
 * is noticed.  The descriptor sits in fd[0] (an mqd_t is a descriptor on
 * Linux).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>

#include "bench/ipc_chan.h"
#include "bench/ipc_clean.h"

static size_t shm_size(size_t msg)
{
	return 0;
}

static int create(struct chan *c)
{
	long msg_max = ipc_sysctl("/proc/sys/fs/mqueue/msg_max", 10);
	long fit = (long)(bench_buf / c->msg);
	struct mq_attr attr = {
		.mq_maxmsg = fit < 1 ? 1 : fit < msg_max ? fit : msg_max,
		.mq_msgsize = (long)c->msg,
	};
	char name[96];
	sigset_t old;
	mqd_t q;
	int err = ipc_clean_posix_name(name, sizeof(name));

	if (err < 0)
		return err;
	ipc_clean_hold(&old);
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1)
		err = -errno;
	else
		mq_unlink(name);
	ipc_clean_release(&old);
	if (err == 0)
		c->fd[0] = (int)q;
	return err;
}

static int attach(struct chan *c, int sender)
{
	c->sender = sender;
	return 0;
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	for (;;) {
		struct timespec t = ipc_deadline(CLOCK_REALTIME, IPC_PEER_CHECK_MS);
		int err;

		if (mq_timedsend((mqd_t)c->fd[0], buf, n, 0, &t) == 0)
			return 0;
		if (errno == ETIMEDOUT)
			err = ipc_peer_gone(c);
		else
			err = errno == EINTR ? 0 : -errno;
		if (err < 0)
			return err;
	}
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	for (;;) {
		struct timespec t = ipc_deadline(CLOCK_REALTIME, IPC_PEER_CHECK_MS);
		ssize_t k = mq_timedreceive((mqd_t)c->fd[0], buf, n, NULL, &t);
		int err;

		if (k == (ssize_t)n)
			return 0;
		if (k >= 0)
			return -EMSGSIZE;
		if (errno == ETIMEDOUT)
			err = ipc_peer_gone(c);
		else
			err = errno == EINTR ? 0 : -errno;
		if (err < 0)
			return err;
	}
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	return -ENOSYS; /* ipc_bench measures no idle waits */
}

static void destroy(struct chan *c)
{
	if (c->fd[0] >= 0)
		mq_close((mqd_t)c->fd[0]);
	c->fd[0] = -1;
}

const struct chan_ops chan_mq = {
	.name = "posix-mq",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};

int chan_mq_fits(size_t msg, char *why, size_t len)
{
	long max = ipc_sysctl("/proc/sys/fs/mqueue/msgsize_max", 8192);

	if (msg > (size_t)max) {
		snprintf(why, len, "limit %ld: fs.mqueue.msgsize_max", max);
		return 0;
	}
	return 1;
}
