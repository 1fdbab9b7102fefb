/*
 * A named pipe (mkfifo), sized like the pipe (F_SETPIPE_SZ).  The parent
 * makes it in ipc_bench's private directory, opens both ends, and unlinks
 * it again before any signal can come between (ipc_clean.h); the two
 * processes inherit the open ends, as a pipe's.  Blocking write(2) and
 * read(2), as chan_pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/ipc_chan.h"
#include "bench/ipc_clean.h"

static size_t shm_size(size_t msg)
{
	return 0;
}

/* Both ends, with the name gone again when it returns. */
static int open_fifo(int fd[2])
{
	char path[108];
	sigset_t old;
	int err = ipc_clean_path(path, sizeof(path), "fifo");

	if (err < 0)
		return err;
	ipc_clean_hold(&old);
	if (mkfifo(path, 0600) != 0) {
		err = -errno;
		goto out;
	}
	/* The reader first, non-blocking, so that opening the writer does not wait. */
	fd[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd[0] < 0)
		err = -errno;
	if (err == 0) {
		fd[1] = open(path, O_WRONLY | O_CLOEXEC);
		if (fd[1] < 0)
			err = -errno;
	}
	unlink(path);
out:
	ipc_clean_release(&old);
	return err;
}

static int create(struct chan *c)
{
	int err = open_fifo(c->fd);

	if (err == 0 && fcntl(c->fd[0], F_SETFL, 0) != 0) /* reads block from now on */
		err = -errno;
	if (err == 0) {
		int size = ipc_pipe_size(c->fd[1]);

		err = size < 0 ? size : 0;
	}
	return err;
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
	return ipc_write_all(c->fd[1], buf, n);
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	return ipc_read_exact(c->fd[0], buf, n);
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	return -ENOSYS; /* ipc_bench measures no idle waits */
}

static void destroy(struct chan *c)
{
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
}

const struct chan_ops chan_fifo = {
	.name = "fifo",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
