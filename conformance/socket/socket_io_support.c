/*
 * socket_io_support.c -- what the socket.io and socket.poll clauses share
 * (socket_io_support.h).
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_io_support.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "conformance/socket/socket_support.h"

const char *sockio_events_name(int ev, char buf[64])
{
	static const struct {
		int bit;
		const char *name;
	} bits[] = { { POLLIN, "POLLIN" },   { POLLOUT, "POLLOUT" }, { POLLHUP, "POLLHUP" },
		     { POLLERR, "POLLERR" }, { POLLNVAL, "POLLNVAL" }, { POLLPRI, "POLLPRI" } };
	if (ev < 0)
		return ipcconf_result_name(ev, buf);
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (ev & bits[i].bit) {
			strcat(buf, buf[0] ? "|" : "");
			strcat(buf, bits[i].name);
		}
	if (!buf[0] || (ev & ~(POLLIN | POLLOUT | POLLHUP | POLLERR | POLLNVAL | POLLPRI)))
		snprintf(buf, 64, "0x%x", (unsigned)ev);
	return buf;
}

void sockio_expect_events(struct ipcconf_t *t, int h, short events, int must, int must_not,
			  const char *what)
{
	int ev = iut_poll1(t, h, events, 0);
	char got[64], want[64], not[64];
	CHECK(t, ev >= 0 && (ev & must) == must && (ev & must_not) == 0,
	      "%s: got revents %s; expected %s set%s%s", what, sockio_events_name(ev, got),
	      must ? sockio_events_name(must, want) : "nothing", must_not ? " and not " : "",
	      must_not ? sockio_events_name(must_not, not) : "");
}

/* Sends `chunk`-byte messages until -EAGAIN; returns the bytes accepted. */
static size_t fill_until_eagain(struct ipcconf_t *t, int h, size_t chunk, size_t already,
				const char *what)
{
	static const char zeros[4096];
	size_t total = 0;
	char b[32];
	if (chunk == 0 || chunk > sizeof zeros)
		BROKEN(t, "sockio_fill: a chunk of %zu bytes", chunk);
	for (;;) {
		STEP(t, "%s: a nonblocking send of %zu bytes after %zu", what, chunk, already + total);
		ssize_t n = iut_send(t, h, zeros, chunk, MSG_NOSIGNAL);
		if (n == -EAGAIN)
			return total;
		if (n <= 0 || (size_t)n > chunk)
			REQUIRE(t, 0, "%s: filling, after %zu bytes a nonblocking send of %zu returned %s",
				what, already + total, chunk, ipcconf_result_name(n, b));
		total += (size_t)n;
		if (already + total > SOCKIO_FILL_LIMIT)
			REQUIRE(t, 0, "%s: %zu bytes sent and still no -EAGAIN: the socket never fills",
				what, already + total);
	}
}

size_t sockio_fill_nonblocking(struct ipcconf_t *t, int h, int stream, size_t chunk,
			       const char *what)
{
	size_t total = fill_until_eagain(t, h, chunk, 0, what);
	/* A stream may refuse a large send while a smaller one still fits. */
	if (stream && chunk > 1)
		total += fill_until_eagain(t, h, 1, total, what);
	return total;
}

size_t sockio_fill(struct ipcconf_t *t, int h, int stream, size_t chunk, const char *what)
{
	REQUIRE_OK(t, iut_set_nonblock(t, h, 1), "setting O_NONBLOCK to fill the socket");
	size_t total = sockio_fill_nonblocking(t, h, stream, chunk, what);
	REQUIRE_OK(t, iut_set_nonblock(t, h, 0), "clearing O_NONBLOCK after filling");
	return total;
}

void sockio_recv_zeros(struct ipcconf_t *t, int h, size_t len, const char *what)
{
	static char buf[65536];
	size_t got = 0;
	while (got < len) {
		size_t want = len - got < sizeof buf ? len - got : sizeof buf;
		socket_recv_exact(t, h, buf, want, what);
		for (size_t i = 0; i < want; i++)
			if (buf[i] != 0)
				REQUIRE(t, 0, "%s: byte %zu of the %zu sent as zeros is 0x%02x", what,
					got + i, len, (unsigned char)buf[i]);
		got += want;
	}
}

size_t sockio_drain_nonblocking(struct ipcconf_t *t, int h, const char *what)
{
	static char buf[65536];
	size_t total = 0;
	char b[32];
	for (;;) {
		ssize_t n = iut_recv(t, h, buf, sizeof buf, 0);
		if (n == -EAGAIN)
			return total;
		if (n <= 0 || (size_t)n > sizeof buf)
			REQUIRE(t, 0, "%s: after %zu bytes, a nonblocking recv returned %s%s", what,
				total, ipcconf_result_name(n, b), n == 0 ? " (end of file)" : "");
		total += (size_t)n;
		if (total > SOCKIO_FILL_LIMIT)
			REQUIRE(t, 0, "%s: %zu bytes received and still no -EAGAIN", what, total);
	}
}
