/*
 * socket_support.h -- what socket clauses share: calls into the
 * implementation's `socket` table, addresses made the one safe way
 * (unique, unguessable, removed after the clause), connected pairs, and
 * whole-buffer I/O that accepts every legal short send and short receive.
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_SUPPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "conformance/handle/iut_handle.h"
#include "conformance/harness/clause.h"
#include "conformance/stream/stream_support.h"

static inline int iut_socket(struct ipcconf_t *t, int domain, int type, int protocol)
{
	return t->iut->socket->open(t->self, domain, type, protocol);
}

static inline int iut_socketpair(struct ipcconf_t *t, int domain, int type, int protocol,
				 int ends[2])
{
	return t->iut->socket->pair(t->self, domain, type, protocol, ends);
}

static inline int iut_bind(struct ipcconf_t *t, int h, const void *addr, socklen_t len)
{
	return t->iut->socket->bind(t->self, h, (const struct sockaddr *)addr, len);
}

static inline int iut_listen(struct ipcconf_t *t, int h, int backlog)
{
	return t->iut->socket->listen(t->self, h, backlog);
}

static inline int iut_accept(struct ipcconf_t *t, int h, void *addr, socklen_t *len, int flags)
{
	return t->iut->socket->accept(t->self, h, (struct sockaddr *)addr, len, flags);
}

static inline int iut_connect(struct ipcconf_t *t, int h, const void *addr, socklen_t len)
{
	return t->iut->socket->connect(t->self, h, (const struct sockaddr *)addr, len);
}

static inline ssize_t iut_send(struct ipcconf_t *t, int h, const void *buf, size_t len, int flags)
{
	return t->iut->socket->send(t->self, h, buf, len, flags, NULL, 0);
}

static inline ssize_t iut_sendto(struct ipcconf_t *t, int h, const void *buf, size_t len,
				 int flags, const void *to, socklen_t to_len)
{
	return t->iut->socket->send(t->self, h, buf, len, flags, (const struct sockaddr *)to,
				    to_len);
}

static inline ssize_t iut_recv(struct ipcconf_t *t, int h, void *buf, size_t len, int flags)
{
	return t->iut->socket->recv(t->self, h, buf, len, flags, NULL, NULL);
}

static inline ssize_t iut_recvfrom(struct ipcconf_t *t, int h, void *buf, size_t len, int flags,
				   void *from, socklen_t *from_len)
{
	return t->iut->socket->recv(t->self, h, buf, len, flags, (struct sockaddr *)from,
				    from_len);
}

static inline int iut_shutdown(struct ipcconf_t *t, int h, int how)
{
	return t->iut->socket->shutdown(t->self, h, how);
}

static inline int iut_getsockname(struct ipcconf_t *t, int h, void *addr, socklen_t *len)
{
	return t->iut->socket->local_name(t->self, h, (struct sockaddr *)addr, len);
}

static inline int iut_getpeername(struct ipcconf_t *t, int h, void *addr, socklen_t *len)
{
	return t->iut->socket->peer_name(t->self, h, (struct sockaddr *)addr, len);
}

static inline int iut_getsockopt(struct ipcconf_t *t, int h, int level, int name, void *value,
				 socklen_t *len)
{
	return t->iut->socket->get_option(t->self, h, level, name, value, len);
}

static inline int iut_setsockopt(struct ipcconf_t *t, int h, int level, int name,
				 const void *value, socklen_t len)
{
	return t->iut->socket->set_option(t->self, h, level, name, value, len);
}

static inline ssize_t iut_sendmsg(struct ipcconf_t *t, int h, const struct msghdr *msg, int flags)
{
	return t->iut->socket->send_msg(t->self, h, msg, flags);
}

static inline ssize_t iut_recvmsg(struct ipcconf_t *t, int h, struct msghdr *msg, int flags)
{
	return t->iut->socket->recv_msg(t->self, h, msg, flags);
}

/* "SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET": for messages. */
const char *socket_type_name(int type);

/*
 * An AF_UNIX address for a path in the clause's short socket directory
 * (ipcconf_socket_path: unique, unguessable, removed after the clause);
 * returns the length to pass to bind and connect.
 */
socklen_t socket_path_addr(struct ipcconf_t *t, const char *leaf, struct sockaddr_un *sa);

/*
 * An AF_UNIX abstract address (sun_path[0] == 0) with a name unique per
 * run and clause; returns its exact length (abstract names are not
 * NUL-terminated: the length is part of the name).
 */
socklen_t socket_abstract_addr(struct ipcconf_t *t, const char *leaf, struct sockaddr_un *sa);

/* A loopback address with port 0 (the system picks one at bind): 127.0.0.1 or ::1. */
socklen_t socket_loopback_addr(int domain, struct sockaddr_storage *ss);

/* socketpair(AF_UNIX, type, 0); a failure ends the caller (REQUIRE). */
void socket_pair(struct ipcconf_t *t, int type, int ends[2]);

/*
 * A new AF_UNIX socket of `type` bound to a fresh path (its address in
 * *sa, length returned through *len) and, for stream and seqpacket,
 * listening with `backlog`.  A failure ends the caller.
 */
int socket_listener(struct ipcconf_t *t, int type, const char *leaf, int backlog,
		    struct sockaddr_un *sa, socklen_t *len);

/*
 * A connected AF_UNIX pair of `type` (stream or seqpacket) made through a
 * listener, not socketpair: ends[0] the connecting socket, ends[1] the
 * accepted one.  The listener is closed.  A failure ends the caller.
 */
void socket_connected(struct ipcconf_t *t, int type, int ends[2]);

/*
 * Sends all `len` bytes on a stream socket, looping over short sends (a
 * legal stream may take fewer bytes than offered); MSG_NOSIGNAL is added.
 * An error is a FAIL naming `what`, and the caller ends.
 */
void socket_send_all(struct ipcconf_t *t, int h, const void *buf, size_t len, const char *what);

/*
 * Receives exactly `len` bytes from a stream socket, looping over short
 * receives; end of file or an error first is a FAIL naming `what`, and the
 * caller ends.
 */
void socket_recv_exact(struct ipcconf_t *t, int h, void *buf, size_t len, const char *what);

/*
 * Sets O_NONBLOCK on `h` and sends `chunk`-byte messages (stream: bytes)
 * with MSG_NOSIGNAL until -EAGAIN: the socket's send path is then full.
 * Returns the bytes accepted.  O_NONBLOCK is cleared again before it
 * returns.  More than `limit` bytes without -EAGAIN, or any other error,
 * is a FAIL naming `what`, and the caller ends.
 */
size_t socket_fill(struct ipcconf_t *t, int h, size_t chunk, size_t limit, const char *what);

#endif /* IPCCONF_CONFORMANCE_SOCKET_SUPPORT_H */
