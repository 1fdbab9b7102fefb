/*
 * Broken: recv with MSG_PEEK consumes what it returns, as a plain recv
 * does (breaks XSH recv(): peeked data "is treated as unread and the next
 * recv() ... shall still return this data").
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static ssize_t recv_peek_consumes(const struct ipcconf_iut *self, int h, void *buf, size_t len,
				  int flags, struct sockaddr *from, socklen_t *from_len)
{
	(void)self;
	return OS->socket->recv(OS, h, buf, len, flags & ~MSG_PEEK, from, from_len);
}

const struct ipcconf_iut *broken_sock_peek_consumes_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sock-peek-consumes",
		       "recv with MSG_PEEK removes the data it returns");
	b.socket.recv = recv_peek_consumes;
	return &b.iut;
}
