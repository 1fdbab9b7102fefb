/*
 * Broken: a datagram or record longer than the receive buffer is not cut
 * (breaks POSIX.1-2017 XSH recv(): "If a message is too long to fit in
 * the supplied buffer, and MSG_PEEK is not set in the flags argument, the
 * excess bytes shall be discarded").  recv returns the message's start
 * and keeps the rest whole for the next receive, as a stream would.  A
 * message that fits, recv with MSG_TRUNC's returned length, and recvmsg
 * are as the system's.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conformance/broken/wrap.h"

#define MAX_HANDLE 4096

/* The part of a cut message kept for handle h's next receive (this process's). */
static struct {
	unsigned char *bytes;
	size_t len;
} kept[MAX_HANDLE];

static int is_message_socket(int h)
{
	int type = 0;
	socklen_t len = sizeof type;
	if (OS->socket->get_option(OS, h, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return 0;
	return type == SOCK_DGRAM || type == SOCK_SEQPACKET;
}

static ssize_t recv_keeping_rest(const struct ipcconf_iut *self, int h, void *buf, size_t len,
				 int flags, struct sockaddr *from, socklen_t *from_len)
{
	if (h < 0 || h >= MAX_HANDLE || (flags & MSG_PEEK) || !is_message_socket(h))
		return OS->socket->recv(OS, h, buf, len, flags, from, from_len);
	if (kept[h].len) {
		size_t n = len < kept[h].len ? len : kept[h].len;
		memcpy(buf, kept[h].bytes, n);
		memmove(kept[h].bytes, kept[h].bytes + n, kept[h].len - n);
		kept[h].len -= n;
		if (from_len)
			*from_len = 0;
		return (ssize_t)n;
	}
	/* Waits as the caller asked, then says how long the next message really is. */
	ssize_t real = OS->socket->recv(OS, h, NULL, 0,
					(flags & ~MSG_WAITALL) | MSG_PEEK | MSG_TRUNC, NULL, NULL);
	unsigned char *whole = real > 0 && (size_t)real > len ? malloc((size_t)real) : NULL;
	if (!whole)
		return OS->socket->recv(OS, h, buf, len, flags, from, from_len);
	ssize_t n = OS->socket->recv(OS, h, whole, (size_t)real, flags & ~MSG_TRUNC, from, from_len);
	if (n <= (ssize_t)len) {
		if (n > 0)
			memcpy(buf, whole, (size_t)n);
		free(whole);
		return n;
	}
	memcpy(buf, whole, len);
	memmove(whole, whole + len, (size_t)n - len);
	free(kept[h].bytes);
	kept[h].bytes = whole;
	kept[h].len = (size_t)n - len;
	return (flags & MSG_TRUNC) ? n : (ssize_t)len;
}

static int close_forgetting(const struct ipcconf_iut *self, int h)
{
	if (h >= 0 && h < MAX_HANDLE) {
		free(kept[h].bytes);
		kept[h].bytes = NULL;
		kept[h].len = 0;
	}
	return OS->handle->close(OS, h);
}

const struct ipcconf_iut *broken_sock_dgram_trunc_whole_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sock-dgram-trunc-whole",
		       "a datagram longer than the receive buffer is not cut: its rest comes with the next receive");
	b.socket.recv = recv_keeping_rest;
	b.handle.close = close_forgetting;
	return &b.iut;
}
