/*
 * TCP over the loopback interface (127.0.0.1 only), a plain kernel socket
 * pair: the parent listens on an ephemeral port, connects and accepts
 * before fork(), and the processes inherit the connected sockets.  Both
 * have TCP_NODELAY, as request/response protocols set it: otherwise
 * Nagle's algorithm holds each small reply back for the peer's delayed
 * acknowledgement, tens of milliseconds, which would measure the timer
 * rather than the transport.  Socket buffers are the kernel's autotuning
 * (net.ipv4.tcp_wmem/tcp_rmem), what a TCP application gets by default.
 *
 * The listening port is guessable, so the accepted connection is checked
 * to be our own (its peer address is our client's address) before use.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/ipc_chan.h"

static size_t shm_size(size_t msg)
{
	return 0;
}

static int same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
	       a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/* Our own connection from the listener l: the accepted socket, or -errno. */
static int accept_ours(int l, int client)
{
	struct sockaddr_in mine, theirs;
	socklen_t len = sizeof(mine);

	if (getsockname(client, (struct sockaddr *)&mine, &len) != 0)
		return -errno;
	for (;;) {
		struct pollfd p = { .fd = l, .events = POLLIN };
		int fd, r = poll(&p, 1, IPC_PEER_CHECK_MS);

		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0 && errno != EINTR)
			return -errno;
		len = sizeof(theirs);
		fd = accept4(l, (struct sockaddr *)&theirs, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				continue;
			return -errno;
		}
		if (same_addr(&mine, &theirs))
			return fd;
		close(fd); /* someone else's: not to be measured, nor answered */
	}
}

/* A connect to our listener: queued at once on loopback, but bounded anyway. */
static int connect_bounded(int fd, const struct sockaddr_in *to)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);

	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	if (poll(&p, 1, IPC_PEER_CHECK_MS) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -errno;
	return -err;
}

static int nodelay_blocking(int fd)
{
	int one = 1, fl;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		return -errno;
	/* Blocking from now on: the messages use plain write(2) and read(2). */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		return -errno;
	return 0;
}

static int create(struct chan *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err = l < 0 ? -errno : 0;

	if (err == 0 && (bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0 ||
			 getsockname(l, (struct sockaddr *)&a, &len) != 0))
		err = -errno;
	if (err == 0) {
		c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		err = c->fd[1] < 0 ? -errno : connect_bounded(c->fd[1], &a);
	}
	if (err == 0) {
		c->fd[0] = accept_ours(l, c->fd[1]);
		err = c->fd[0] < 0 ? c->fd[0] : 0;
		if (err < 0)
			c->fd[0] = -1;
	}
	if (l >= 0)
		close(l);
	if (err == 0)
		err = nodelay_blocking(c->fd[0]);
	if (err == 0)
		err = nodelay_blocking(c->fd[1]);
	return err;
}

/* Each process keeps only its own socket: a peer that dies reads as EOF or a reset. */
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

const struct chan_ops chan_tcp = {
	.name = "tcp-loopback",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
