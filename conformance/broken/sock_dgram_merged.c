/*
 * Broken: AF_UNIX datagram and seqpacket receives lose message
 * boundaries (breaks POSIX.1-2017 XSH recv(): "For message-based sockets,
 * such as SOCK_DGRAM and SOCK_SEQPACKET, the entire message shall be read
 * in a single operation"; unix(7)).  A receive fills the room its first
 * message left with the whole messages queued behind it, as a byte stream
 * would: a buffer just big enough for one message, the usual case, sees
 * nothing wrong.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include "conformance/broken/wrap.h"

/* An AF_UNIX datagram or seqpacket socket: the kind this implementation gets wrong. */
static int is_unix_message_socket(int h)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof type, dlen = sizeof domain;
	if (OS->socket->get_option(OS, h, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    OS->socket->get_option(OS, h, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0)
		return 0;
	return domain == AF_UNIX && (type == SOCK_DGRAM || type == SOCK_SEQPACKET);
}

static ssize_t recv_merging(const struct ipcconf_iut *self, int h, void *buf, size_t len,
			    int flags, struct sockaddr *from, socklen_t *from_len)
{
	ssize_t n = OS->socket->recv(OS, h, buf, len, flags, from, from_len);
	if (n <= 0 || (flags & (MSG_PEEK | MSG_TRUNC)) || !is_unix_message_socket(h))
		return n;
	while ((size_t)n < len) {
		/* The next message's length, without waiting: merge it only whole. */
		ssize_t next = OS->socket->recv(OS, h, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT,
						NULL, NULL);
		if (next <= 0 || (size_t)next > len - (size_t)n)
			break;
		ssize_t m = OS->socket->recv(OS, h, (char *)buf + n, len - (size_t)n, MSG_DONTWAIT,
					     NULL, NULL);
		if (m <= 0)
			break;
		n += m;
	}
	return n;
}

const struct ipcconf_iut *broken_sock_dgram_merged_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sock-dgram-merged",
		       "a datagram or seqpacket receive returns the queued messages that fit, merged");
	b.socket.recv = recv_merging;
	return &b.iut;
}
