/*
 * The kernel pipe, sized like the others (F_SETPIPE_SZ = bench_buf), with
 * plain blocking write(2) and read(2).  Beyond /proc/sys/fs/pipe-max-size
 * the kernel wants CAP_SYS_RESOURCE; without it the pipe gets the most
 * it may have, and bench_pipe_buf says how much that was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "bench/bench_chan.h"

static size_t shm_size(size_t msg)
{
	return 0;
}

size_t bench_pipe_buf;

/* /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ grants without CAP_SYS_RESOURCE. */
static int pipe_max(void)
{
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
	int max = 65536;

	if (f != NULL) {
		if (fscanf(f, "%d", &max) != 1)
			max = 65536;
		fclose(f);
	}
	return max;
}

static int create(struct chan *c)
{
	int size;

	if (pipe2(c->fd, O_CLOEXEC) != 0)
		return -errno;
	size = fcntl(c->fd[1], F_SETPIPE_SZ, (int)bench_buf);
	if (size < 0 && errno == EPERM)
		size = fcntl(c->fd[1], F_SETPIPE_SZ, pipe_max());
	if (size < 0)
		return -errno;
	bench_pipe_buf = (size_t)size;
	return 0;
}

/* Each process keeps only its own end, so that a peer that dies reads as EOF/EPIPE. */
static int attach(struct chan *c, int sender)
{
	int other = sender ? 0 : 1;

	c->sender = sender;
	close(c->fd[other]);
	c->fd[other] = -1;
	return 0;
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	for (size_t done = 0; done < n;) {
		ssize_t k = write(c->fd[1], p + done, n - done);

		if (k < 0 && errno != EINTR)
			return -errno;
		if (k > 0)
			done += (size_t)k;
	}
	return 0;
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	unsigned char *p = buf;

	for (size_t got = 0; got < n;) {
		ssize_t k = read(c->fd[0], p + got, n - got);

		if (k == 0)
			return -EPIPE;
		if (k < 0 && errno != EINTR)
			return -errno;
		if (k > 0)
			got += (size_t)k;
	}
	return 0;
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd[0], .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);

	return r == 0 ? -ETIMEDOUT : r < 0 ? -errno : -EIO;
}

static void destroy(struct chan *c)
{
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
}

const struct chan_ops chan_pipe = {
	.name = "pipe",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
