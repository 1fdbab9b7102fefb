/*
 * Broken: recv ignores MSG_WAITALL and returns what is there (breaks XSH
 * recv(): on a stream socket MSG_WAITALL blocks "until the full amount of
 * data can be returned").
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static ssize_t recv_no_waitall(const struct ipcconf_iut *self, int h, void *buf, size_t len,
			       int flags, struct sockaddr *from, socklen_t *from_len)
{
	(void)self;
	return OS->socket->recv(OS, h, buf, len, flags & ~MSG_WAITALL, from, from_len);
}

const struct ipcconf_iut *broken_sock_waitall_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sock-waitall-ignored",
		       "recv ignores MSG_WAITALL: it returns the bytes already there");
	b.socket.recv = recv_no_waitall;
	return &b.iut;
}
