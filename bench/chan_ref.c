/*
 * `ref`'s pipe, used as a program uses it: through the plug-in's
 * interface table (ipcconf/iut.h) -- pipe.create in the parent, fork, each
 * process closing the end it does not use, then stream.write and
 * stream.read on the handles, handle.poll for the idle wait.  So every
 * call goes through ref's handle table and its pipe ends (impl/ref), and
 * the ring underneath is whatever ref makes of it: the adaptive ring
 * (impl/ring/ring_adaptive.h), which is on its SPSC path here once each
 * side has one holder left.
 *
 * The capacity is set as for the kernel pipe (set_capacity = bench_buf);
 * ref's largest is 1 MiB (Linux's pipe-max-size, which ref plays), and
 * bench_ref_buf says what it got.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>

#include "bench/bench_chan.h"
#include "impl/ref/ref_iut.h"

size_t bench_ref_buf;

static const struct ipcconf_iut *iut(void)
{
	static const struct ipcconf_iut *table;

	if (table == NULL)
		table = ipcconf_ref_iut();
	return table;
}

static size_t shm_size(size_t msg)
{
	(void)msg;
	return 0;
}

/* The most the pipe takes of bench_buf: EPERM above ref's pipe-max-size, so halve. */
static int create(struct chan *c)
{
	const struct ipcconf_iut *t = iut();
	long size = -EPERM;
	int err = t->pipe->create(t, c->fd, 0);

	if (err < 0)
		return err;
	for (long want = (long)bench_buf; want >= 4096 && size == -EPERM; want /= 2)
		size = t->pipe->set_capacity(t, c->fd[1], want);
	if (size < 0)
		return (int)size;
	bench_ref_buf = (size_t)size;
	return 0;
}

/* Each process keeps only its own end, so that a peer that dies reads as EOF/EPIPE. */
static int attach(struct chan *c, int sender)
{
	const struct ipcconf_iut *t = iut();
	int other = sender ? 0 : 1;
	int err = t->handle->close(t, c->fd[other]);

	c->sender = sender;
	c->fd[other] = -1;
	return err;
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	const struct ipcconf_iut *t = iut();
	const unsigned char *p = buf;

	for (size_t done = 0; done < n;) {
		ssize_t k = t->stream->write(t, c->fd[1], p + done, n - done);

		if (k < 0 && k != -EINTR)
			return (int)k;
		if (k > 0)
			done += (size_t)k;
	}
	return 0;
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	const struct ipcconf_iut *t = iut();
	unsigned char *p = buf;

	for (size_t got = 0; got < n;) {
		ssize_t k = t->stream->read(t, c->fd[0], p + got, n - got);

		if (k == 0)
			return -EPIPE;
		if (k < 0 && k != -EINTR)
			return (int)k;
		if (k > 0)
			got += (size_t)k;
	}
	return 0;
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	const struct ipcconf_iut *t = iut();
	struct ipcconf_poll_item it = { .handle = c->fd[0], .events = POLLIN };
	int r = t->handle->poll(t, &it, 1, timeout_ms);

	(void)buf;
	(void)n;
	return r == 0 ? -ETIMEDOUT : r < 0 ? r : -EIO;
}

/* In the parent, after the child is gone: whatever ends it still holds. */
static void destroy(struct chan *c)
{
	const struct ipcconf_iut *t = iut();

	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			t->handle->close(t, c->fd[i]);
}

const struct chan_ops chan_ref = {
	.name = "ref",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
