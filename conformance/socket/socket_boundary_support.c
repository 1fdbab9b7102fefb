/*
 * socket_boundary_support.c -- what the pair and boundary clauses share
 * (socket_boundary_support.h).
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_boundary_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/socket/socket_support.h"

#define BULK_MIN ((size_t)4 << 20)
#define BULK_MAX ((size_t)64 << 20)

void boundary_send_message(struct ipcconf_t *t, int h, const void *buf, size_t len,
			   const char *what)
{
	char b[32];
	ssize_t n = iut_send(t, h, buf, len, MSG_NOSIGNAL);
	REQUIRE(t, n >= 0 && (size_t)n == len,
		"%s: send of a %zu-byte message returned %s, expected %zu (a message goes whole)",
		what, len, ipcconf_result_name(n, b), len);
}

ssize_t boundary_recv_once(struct ipcconf_t *t, int h, void *buf, size_t cap, int flags,
			   const char *what)
{
	char b[32];
	ssize_t n = iut_recv(t, h, buf, cap, flags);
	REQUIRE(t, n >= 0, "%s: recv returned %s", what, ipcconf_result_name(n, b));
	return n;
}

/* Receives one message of exactly `len` bytes, with room for more, and checks it. */
static void recv_message_exact(struct ipcconf_t *t, int h, const char *msg, size_t len,
			       const char *what)
{
	char got[64];
	memset(got, 0, sizeof got);
	ssize_t n = boundary_recv_once(t, h, got, sizeof got, 0, what);
	CHECK_EQ(t, n, (long long)len, what);
	if (n == (ssize_t)len)
		CHECK_MEM(t, got, msg, len, what);
}

void boundary_exchange(struct ipcconf_t *t, int type, const int e[2])
{
	static const char ping[] = "ping", pong[] = "pong!";
	char got[8];
	STEP(t, "end 0 sends \"ping\", end 1 sends \"pong!\" (%s)", socket_type_name(type));
	if (type == SOCK_STREAM) {
		socket_send_all(t, e[0], ping, 4, "end 0 sends");
		socket_send_all(t, e[1], pong, 5, "end 1 sends");
		STEP(t, "end 1 receives end 0's bytes");
		socket_recv_exact(t, e[1], got, 4, "end 1 receives end 0's message");
		CHECK_MEM(t, got, ping, 4, "what end 1 received");
		STEP(t, "end 0 receives end 1's bytes");
		socket_recv_exact(t, e[0], got, 5, "end 0 receives end 1's message");
		CHECK_MEM(t, got, pong, 5, "what end 0 received");
		return;
	}
	boundary_send_message(t, e[0], ping, 4, "end 0 sends");
	boundary_send_message(t, e[1], pong, 5, "end 1 sends");
	STEP(t, "end 1 receives end 0's message");
	recv_message_exact(t, e[1], ping, 4, "end 1's receive: end 0's 4-byte message \"ping\"");
	STEP(t, "end 0 receives end 1's message");
	recv_message_exact(t, e[0], pong, 5, "end 0's receive: end 1's 5-byte message \"pong!\"");
}

size_t boundary_bulk_size(struct ipcconf_t *t, const int e[2])
{
	static const int opts[] = { SO_SNDBUF, SO_RCVBUF };
	size_t held = 0;
	for (int i = 0; i < 2; i++)
		for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
			int v = 0;
			socklen_t len = sizeof v;
			/* Optional: get_option need only know SO_TYPE and SO_ERROR. */
			if (iut_getsockopt(t, e[i], SOL_SOCKET, opts[k], &v, &len) == 0 &&
			    len == sizeof v && v > 0)
				held += (size_t)v;
		}
	size_t n = held > BULK_MIN / 4 ? 4 * held : BULK_MIN;
	if (n > BULK_MAX)
		n = BULK_MAX;
	return (n + BOUNDARY_BULK_CHUNK - 1) / BOUNDARY_BULK_CHUNK * BOUNDARY_BULK_CHUNK;
}

/* Byte `i` of direction `dir`: the two directions differ at every offset. */
static void bulk_pattern(unsigned char *buf, size_t off, size_t len, int dir)
{
	for (size_t k = 0; k < len; k++) {
		size_t i = off + k;
		buf[k] = (unsigned char)((i * 131u) ^ (i >> 13) ^ (dir ? 0x5bu : 0u));
	}
}

void boundary_bulk_send(struct ipcconf_t *t, int h, int dir, size_t total, const char *what)
{
	unsigned char *buf = malloc(BOUNDARY_BULK_CHUNK);
	if (!buf)
		BROKEN(t, "malloc(%u) failed", BOUNDARY_BULK_CHUNK);
	for (size_t off = 0; off < total; off += BOUNDARY_BULK_CHUNK) {
		size_t n = total - off < BOUNDARY_BULK_CHUNK ? total - off : BOUNDARY_BULK_CHUNK;
		bulk_pattern(buf, off, n, dir);
		STEP(t, "%s: sending bytes %zu..%zu of %zu", what, off, off + n, total);
		socket_send_all(t, h, buf, n, what);
	}
	free(buf);
}

void boundary_bulk_recv(struct ipcconf_t *t, int h, int dir, size_t total, const char *what)
{
	unsigned char *got = malloc(BOUNDARY_BULK_CHUNK), *want = malloc(BOUNDARY_BULK_CHUNK);
	if (!got || !want)
		BROKEN(t, "malloc(%u) failed", BOUNDARY_BULK_CHUNK);
	for (size_t off = 0; off < total; off += BOUNDARY_BULK_CHUNK) {
		size_t n = total - off < BOUNDARY_BULK_CHUNK ? total - off : BOUNDARY_BULK_CHUNK;
		STEP(t, "%s: receiving bytes %zu..%zu of %zu", what, off, off + n, total);
		socket_recv_exact(t, h, got, n, what);
		bulk_pattern(want, off, n, dir);
		if (memcmp(got, want, n) != 0) {
			char where[160];
			snprintf(where, sizeof where,
				 "%s: the bytes from offset %zu of the transfer (the other direction's, or out of place)",
				 what, off);
			REQUIRE_MEM(t, got, want, n, where);
		}
	}
	ipcconf_checked(t);
	free(got);
	free(want);
}

void boundary_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 37u + i * 7u + 1u);
}
