/*
 * The C library's sockets, results as the system gives them.  The
 * stream table's read and write (os_iut.c) already reach sockets: a
 * socket is a file descriptor.
 */
#define _GNU_SOURCE
#include "impl/os/os_socket.h"

#include <errno.h>
#include <sys/socket.h>

typedef const struct ipcconf_iut iut_t;

static long neg_errno(void) { return -(long)errno; }

static int os_socket_open(iut_t *self, int domain, int type, int protocol)
{
	int fd = socket(domain, type, protocol);
	return fd < 0 ? (int)neg_errno() : fd;
}

static int os_socket_pair(iut_t *self, int domain, int type, int protocol, int ends[2])
{
	return socketpair(domain, type, protocol, ends) < 0 ? (int)neg_errno() : 0;
}

static int os_bind(iut_t *self, int h, const struct sockaddr *addr, socklen_t len)
{
	return bind(h, addr, len) < 0 ? (int)neg_errno() : 0;
}

static int os_listen(iut_t *self, int h, int backlog)
{
	return listen(h, backlog) < 0 ? (int)neg_errno() : 0;
}

static int os_accept(iut_t *self, int h, struct sockaddr *addr, socklen_t *len, int flags)
{
	int fd = accept4(h, addr, len, flags);
	return fd < 0 ? (int)neg_errno() : fd;
}

static int os_connect(iut_t *self, int h, const struct sockaddr *addr, socklen_t len)
{
	return connect(h, addr, len) < 0 ? (int)neg_errno() : 0;
}

static ssize_t os_send(iut_t *self, int h, const void *buf, size_t len, int flags,
		       const struct sockaddr *to, socklen_t to_len)
{
	ssize_t n = sendto(h, buf, len, flags, to, to_len);
	return n < 0 ? neg_errno() : n;
}

static ssize_t os_recv(iut_t *self, int h, void *buf, size_t len, int flags,
		       struct sockaddr *from, socklen_t *from_len)
{
	ssize_t n = recvfrom(h, buf, len, flags, from, from_len);
	return n < 0 ? neg_errno() : n;
}

static int os_shutdown(iut_t *self, int h, int how)
{
	return shutdown(h, how) < 0 ? (int)neg_errno() : 0;
}

static int os_local_name(iut_t *self, int h, struct sockaddr *addr, socklen_t *len)
{
	return getsockname(h, addr, len) < 0 ? (int)neg_errno() : 0;
}

static int os_peer_name(iut_t *self, int h, struct sockaddr *addr, socklen_t *len)
{
	return getpeername(h, addr, len) < 0 ? (int)neg_errno() : 0;
}

static int os_get_option(iut_t *self, int h, int level, int name, void *value, socklen_t *len)
{
	return getsockopt(h, level, name, value, len) < 0 ? (int)neg_errno() : 0;
}

static int os_set_option(iut_t *self, int h, int level, int name, const void *value,
			 socklen_t len)
{
	return setsockopt(h, level, name, value, len) < 0 ? (int)neg_errno() : 0;
}

static ssize_t os_send_msg(iut_t *self, int h, const struct msghdr *msg, int flags)
{
	ssize_t n = sendmsg(h, msg, flags);
	return n < 0 ? neg_errno() : n;
}

static ssize_t os_recv_msg(iut_t *self, int h, struct msghdr *msg, int flags)
{
	ssize_t n = recvmsg(h, msg, flags);
	return n < 0 ? neg_errno() : n;
}

const struct ipcconf_socket_ops os_socket = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_socket_ops,
				   IPCCONF_SOCKET_CAP_DGRAM | IPCCONF_SOCKET_CAP_SEQPACKET |
					   IPCCONF_SOCKET_CAP_ABSTRACT | IPCCONF_SOCKET_CAP_INET |
					   IPCCONF_SOCKET_CAP_INET6 | IPCCONF_SOCKET_CAP_PEERCRED |
					   IPCCONF_SOCKET_CAP_RIGHTS |
					   IPCCONF_SOCKET_CAP_CREDENTIALS),
	.open = os_socket_open,
	.pair = os_socket_pair,
	.bind = os_bind,
	.listen = os_listen,
	.accept = os_accept,
	.connect = os_connect,
	.send = os_send,
	.recv = os_recv,
	.shutdown = os_shutdown,
	.local_name = os_local_name,
	.peer_name = os_peer_name,
	.get_option = os_get_option,
	.set_option = os_set_option,
	.send_msg = os_send_msg,
	.recv_msg = os_recv_msg,
};
