/*
 * AF_UNIX sockets: stream, datagram and seqpacket.  The parent binds to
 * paths in ipc_bench's private directory, connects, and unlinks the paths
 * again before any signal can come between (ipc_clean.h); the processes
 * inherit the connected sockets.  The sending socket's SO_SNDBUF is
 * bench_buf, or the most net.core.wmem_max allows (the kernel doubles it
 * for its bookkeeping).
 *
 * Stream: a message is n bytes of the byte stream (write/read loops).
 * Datagram and seqpacket: a message is one datagram or record, received
 * with MSG_TRUNC so that a short or truncated one is an error, never a
 * fragment taken for a message.  How big one may be is the kernel's
 * business (the sending socket's buffer, and what it can allocate): it is
 * found by asking the kernel, once per size before the runs, with a
 * socket pair set up the same way.  Blocking calls time out now and then
 * to look at the peer: a datagram socket sees no end of file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench/ipc_chan.h"
#include "bench/ipc_clean.h"

static size_t shm_size(size_t msg)
{
	return 0;
}

/* bench_buf, or net.core.wmem_max if that is less (more needs CAP_NET_ADMIN and SO_SNDBUFFORCE). */
static int sndbuf_request(void)
{
	long max = ipc_sysctl("/proc/sys/net/core/wmem_max", 212992);

	return (int)(bench_buf < (size_t)max ? bench_buf : (size_t)max);
}

static int set_buffers(int fd)
{
	int size = sndbuf_request();

	return setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) == 0 ? 0 : -errno;
}

/* Blocking calls give up after IPC_PEER_CHECK_MS (EAGAIN), to look at the peer. */
static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IPC_PEER_CHECK_MS / 1000,
			      .tv_usec = (IPC_PEER_CHECK_MS % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return -errno;
	return 0;
}

static int bind_path(int fd, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	strcpy(a.sun_path, path); /* fits: ipc_clean_path() was given sizeof(sun_path) */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -errno;
	return 0;
}

static int connect_path(int fd, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	strcpy(a.sun_path, path);
	return connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : -errno;
}

/* Stream or seqpacket: listen, connect, accept; fd[1] sends, fd[0] receives. */
static int pair_connected(int type, int fd[2])
{
	struct sockaddr_un a;
	char *path = a.sun_path;
	sigset_t old;
	int l, err = ipc_clean_path(path, sizeof(a.sun_path), "unix");

	if (err < 0)
		return err;
	ipc_clean_hold(&old);
	l = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l < 0) {
		err = -errno;
		goto out;
	}
	err = bind_path(l, path);
	if (err == 0 && listen(l, 1) != 0)
		err = -errno;
	if (err == 0) {
		fd[1] = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		err = fd[1] < 0 ? -errno : connect_path(fd[1], path);
	}
	/* The connection is queued by now: accepting it does not wait (and cannot: l is non-blocking). */
	if (err == 0) {
		fd[0] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (fd[0] < 0)
			err = -errno;
	}
	close(l);
	unlink(path);
out:
	ipc_clean_release(&old);
	return err;
}

/* Two datagram sockets bound to paths, each connected to the other. */
static int pair_dgram(int fd[2])
{
	char tx[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char rx[sizeof(tx)];
	sigset_t old;
	int err = ipc_clean_path(tx, sizeof(tx), "dgram-tx");

	if (err == 0)
		err = ipc_clean_path(rx, sizeof(rx), "dgram-rx");
	if (err < 0)
		return err;
	ipc_clean_hold(&old);
	fd[1] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fd[0] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd[0] < 0 || fd[1] < 0)
		err = -errno;
	if (err == 0)
		err = bind_path(fd[1], tx);
	if (err == 0)
		err = bind_path(fd[0], rx);
	/* The receiver connected too: it takes datagrams from the sender's socket only. */
	if (err == 0)
		err = connect_path(fd[1], rx);
	if (err == 0)
		err = connect_path(fd[0], tx);
	unlink(tx);
	unlink(rx);
	ipc_clean_release(&old);
	return err;
}

static int finish_create(struct chan *c, int err)
{
	if (err == 0)
		err = set_buffers(c->fd[1]);
	if (err == 0)
		err = set_timeouts(c->fd[0]);
	if (err == 0)
		err = set_timeouts(c->fd[1]);
	return err;
}

static int create_stream(struct chan *c)
{
	return finish_create(c, pair_connected(SOCK_STREAM, c->fd));
}

static int create_seqpacket(struct chan *c)
{
	return finish_create(c, pair_connected(SOCK_SEQPACKET, c->fd));
}

static int create_dgram(struct chan *c)
{
	return finish_create(c, pair_dgram(c->fd));
}

/* Each process keeps only its own socket: a peer that dies then reads as EOF or ECONNREFUSED. */
static int attach(struct chan *c, int sender)
{
	int other = sender ? 0 : 1;

	c->sender = sender;
	close(c->fd[other]);
	c->fd[other] = -1;
	return 0;
}

/*
 * After a failed call: 0 to try again, or the error.  A timeout (see
 * set_timeouts) only means: look at the peer, then go on waiting.
 */
static int failed(const struct chan *c)
{
	int e = errno;

	if (e == EINTR)
		return 0;
	if (e == EAGAIN || e == EWOULDBLOCK)
		return ipc_peer_gone(c);
	return e == ECONNREFUSED || e == ECONNRESET ? -EPIPE : -e;
}

static int send_stream(struct chan *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	for (size_t done = 0; done < n;) {
		ssize_t k = write(c->fd[1], p + done, n - done);

		int err;

		if (k > 0)
			done += (size_t)k;
		else if (k < 0 && (err = failed(c)) < 0)
			return err;
	}
	return 0;
}

static int recv_stream(struct chan *c, void *buf, size_t n)
{
	unsigned char *p = buf;

	for (size_t got = 0; got < n;) {
		ssize_t k = read(c->fd[0], p + got, n - got);

		int err;

		if (k == 0)
			return -EPIPE;
		if (k > 0)
			got += (size_t)k;
		else if ((err = failed(c)) < 0)
			return err;
	}
	return 0;
}

/* One datagram or record: all n bytes in one call, or an error. */
static int send_record(struct chan *c, const void *buf, size_t n)
{
	for (;;) {
		ssize_t k = send(c->fd[1], buf, n, 0);
		int err;

		if (k == (ssize_t)n)
			return 0;
		if (k >= 0)
			return -EIO; /* a datagram is never sent in part */
		if ((err = failed(c)) < 0)
			return err;
	}
}

static int recv_record(struct chan *c, void *buf, size_t n)
{
	for (;;) {
		/* MSG_TRUNC: the datagram's real length, so that a longer one is not taken cut. */
		ssize_t k = recv(c->fd[0], buf, n, MSG_TRUNC);
		int err;

		if (k == (ssize_t)n)
			return 0;
		if (k == 0)
			return -EPIPE; /* seqpacket: the sender closed (no empty record is ever sent) */
		if (k > 0)
			return -EMSGSIZE;
		if ((err = failed(c)) < 0)
			return err;
	}
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

const struct chan_ops chan_unix_stream = {
	.name = "unix-stream",
	.shm_size = shm_size,
	.create = create_stream,
	.attach = attach,
	.send = send_stream,
	.recv = recv_stream,
	.recv_idle = recv_idle,
	.destroy = destroy,
};

const struct chan_ops chan_unix_dgram = {
	.name = "unix-dgram",
	.shm_size = shm_size,
	.create = create_dgram,
	.attach = attach,
	.send = send_record,
	.recv = recv_record,
	.recv_idle = recv_idle,
	.destroy = destroy,
};

const struct chan_ops chan_unix_seqpacket = {
	.name = "unix-seqpacket",
	.shm_size = shm_size,
	.create = create_seqpacket,
	.attach = attach,
	.send = send_record,
	.recv = recv_record,
	.recv_idle = recv_idle,
	.destroy = destroy,
};

/* ---- how big one datagram or record may be ---- */

/* Does one msg-byte datagram or record of this type pass, on a pair set up as above? */
static int passes(int type, size_t msg, unsigned char *buf)
{
	int fd[2], ok = 0;

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fd) != 0)
		return 0;
	/* Non-blocking: an empty socket's buffer takes any datagram the size check lets through. */
	if (set_buffers(fd[1]) == 0 && send(fd[1], buf, msg, MSG_DONTWAIT) == (ssize_t)msg)
		ok = recv(fd[0], buf, msg, MSG_TRUNC | MSG_DONTWAIT) == (ssize_t)msg;
	close(fd[0]);
	close(fd[1]);
	return ok;
}

/* The answer for msg, and when no, the largest size that passes (a binary search). */
static int fits(int type, size_t msg, char *why, size_t len)
{
	unsigned char *buf = calloc(1, msg);
	size_t lo = 1, hi = msg; /* lo passes (or nothing does), hi does not */
	int ok;

	if (buf == NULL) {
		snprintf(why, len, "limit unknown: no memory to probe");
		return 0;
	}
	ok = passes(type, msg, buf);
	if (!ok) {
		if (!passes(type, 1, buf))
			lo = 0;
		while (lo > 0 && hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (passes(type, mid, buf))
				lo = mid;
			else
				hi = mid;
		}
		snprintf(why, len, "limit %zu: the largest %s the kernel took, SO_SNDBUF set to %d", lo,
			 type == SOCK_DGRAM ? "datagram" : "record", sndbuf_request());
	}
	free(buf);
	return ok;
}

int chan_unix_dgram_fits(size_t msg, char *why, size_t len)
{
	return fits(SOCK_DGRAM, msg, why, len);
}

int chan_unix_seqpacket_fits(size_t msg, char *why, size_t len)
{
	return fits(SOCK_SEQPACKET, msg, why, len);
}
