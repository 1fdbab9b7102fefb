/*
 * socket_shutdown_support.c -- see socket_shutdown_support.h.
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_shutdown_support.h"

const int shutdown_type_stream = SOCK_STREAM;
const int shutdown_type_seqpacket = SOCK_SEQPACKET;

void shutdown_recv_sent(struct ipcconf_t *t, int h, int type, const void *expected, size_t len,
			const char *what)
{
	char buf[256];
	char b[32];
	if (len > sizeof buf - 1)
		BROKEN(t, "shutdown_recv_sent: %zu bytes, at most %zu", len, sizeof buf - 1);
	if (type == SOCK_STREAM) {
		socket_recv_exact(t, h, buf, len, what);
	} else {
		/* Room for more than the record: a record that grew shows as a wrong length. */
		ssize_t n = iut_recv(t, h, buf, sizeof buf, 0);
		REQUIRE(t, n == (ssize_t)len, "%s: recv of a %zu-byte record returned %s%s", what, len,
			ipcconf_result_name(n, b), n == 0 ? " (end of file)" : "");
	}
	CHECK_MEM(t, buf, expected, len, what);
}

void shutdown_expect_eof(struct ipcconf_t *t, int h, const char *what)
{
	char buf[16];
	STEP(t, "%s: a blocking recv, expected 0 (end of file)", what);
	CHECK_EQ(t, iut_recv(t, h, buf, sizeof buf, 0), 0, what);
}
