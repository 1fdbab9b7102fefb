/*
 * socket_support.c -- what socket clauses share (see socket_support.h).
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/page.h"

const char *socket_type_name(int type)
{
	switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	}
	return "an unknown socket type";
}

socklen_t socket_path_addr(struct ipcconf_t *t, const char *leaf, struct sockaddr_un *sa)
{
	const char *path = ipcconf_socket_path(t, leaf);
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1); /* ipcconf_socket_path checked the length */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

socklen_t socket_abstract_addr(struct ipcconf_t *t, const char *leaf, struct sockaddr_un *sa)
{
	char name[sizeof sa->sun_path];
	/* The run's random tag makes it unguessable; the clause index, unique in the run. */
	int n = snprintf(name, sizeof name, "ipcconf-%s-%u-%s", t->page->run_tag,
			 t->page->clause_index, leaf);
	if (n < 0 || (size_t)n + 1 > sizeof sa->sun_path)
		BROKEN(t, "abstract socket name too long: %s", name);
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, name, (size_t)n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

socklen_t socket_loopback_addr(int domain, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (domain == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		return sizeof *a;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof *a;
}

void socket_pair(struct ipcconf_t *t, int type, int ends[2])
{
	char what[64];
	snprintf(what, sizeof what, "socketpair(AF_UNIX, %s)", socket_type_name(type));
	REQUIRE_OK(t, iut_socketpair(t, AF_UNIX, type, 0, ends), what);
}

int socket_listener(struct ipcconf_t *t, int type, const char *leaf, int backlog,
		    struct sockaddr_un *sa, socklen_t *len)
{
	char what[80];
	int h = iut_socket(t, AF_UNIX, type, 0);
	snprintf(what, sizeof what, "socket(AF_UNIX, %s)", socket_type_name(type));
	REQUIRE_OK(t, h, what);
	*len = socket_path_addr(t, leaf, sa);
	REQUIRE_OK(t, iut_bind(t, h, sa, *len), "bind to a fresh path");
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_DGRAM)
		REQUIRE_OK(t, iut_listen(t, h, backlog), "listen on the bound socket");
	return h;
}

void socket_connected(struct ipcconf_t *t, int type, int ends[2])
{
	struct sockaddr_un sa;
	socklen_t len;
	int l = socket_listener(t, type, "listener", 4, &sa, &len);
	int c = iut_socket(t, AF_UNIX, type, 0);
	REQUIRE_OK(t, c, "socket() for the connecting end");
	/* A connect to a listener with room in its backlog completes before accept. */
	REQUIRE_OK(t, iut_connect(t, c, &sa, len), "connect to the listener");
	int a = iut_accept(t, l, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept of the pending connection");
	REQUIRE_OK(t, iut_close(t, l), "close of the listener");
	ends[0] = c;
	ends[1] = a;
}

void socket_send_all(struct ipcconf_t *t, int h, const void *buf, size_t len, const char *what)
{
	const char *p = buf;
	char b[32];
	while (len > 0) {
		ssize_t n = iut_send(t, h, p, len, MSG_NOSIGNAL);
		if (n <= 0 || (size_t)n > len)
			REQUIRE(t, 0, "%s: send of %zu bytes returned %s", what, len,
				ipcconf_result_name(n, b));
		p += n;
		len -= (size_t)n;
	}
}

void socket_recv_exact(struct ipcconf_t *t, int h, void *buf, size_t len, const char *what)
{
	char *p = buf;
	size_t got = 0;
	char b[32];
	while (got < len) {
		ssize_t n = iut_recv(t, h, p + got, len - got, 0);
		if (n <= 0 || (size_t)n > len - got)
			REQUIRE(t, 0, "%s: after %zu of %zu bytes, recv returned %s%s", what, got, len,
				ipcconf_result_name(n, b), n == 0 ? " (end of file)" : "");
		got += (size_t)n;
	}
}

size_t socket_fill(struct ipcconf_t *t, int h, size_t chunk, size_t limit, const char *what)
{
	static char zeros[65536];
	size_t total = 0;
	char b[32];
	if (chunk == 0 || chunk > sizeof zeros)
		BROKEN(t, "socket_fill: a chunk of %zu bytes", chunk);
	REQUIRE_OK(t, iut_set_nonblock(t, h, 1), "setting O_NONBLOCK to fill the socket");
	for (;;) {
		ssize_t n = iut_send(t, h, zeros, chunk, MSG_NOSIGNAL);
		if (n == -EAGAIN)
			break;
		if (n <= 0 || (size_t)n > chunk)
			REQUIRE(t, 0, "%s: filling, after %zu bytes a send of %zu returned %s", what,
				total, chunk, ipcconf_result_name(n, b));
		total += (size_t)n;
		if (total > limit)
			REQUIRE(t, 0, "%s: %zu bytes sent and still no -EAGAIN: the socket never fills",
				what, total);
	}
	REQUIRE_OK(t, iut_set_nonblock(t, h, 0), "clearing O_NONBLOCK after filling");
	return total;
}
