/*
 * socket_inet_support.h -- what the TCP and UDP clauses share: sockets on
 * the loopback address only (127.0.0.1 or ::1, port 0 at bind so the
 * system picks a free port), addresses compared and printed, and the one
 * honest SKIP: a machine without an IPv6 loopback.
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_INET_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_INET_SUPPORT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "conformance/harness/clause.h"

/* A row's argument: the address family of its loopback. */
struct inet_lo_row {
	int domain; /* AF_INET (127.0.0.1) or AF_INET6 (::1) */
};

/*
 * socket(domain, type, 0).  For AF_INET6 an -EAFNOSUPPORT is a SKIP when
 * the machine itself has no ::1 (see inet_lo_refused); any other failure
 * ends the caller.
 */
int inet_lo_open(struct ipcconf_t *t, int domain, int type);

/*
 * Binds `h` to the loopback address of `domain` with port 0 and returns,
 * through *bound and *len, the address getsockname reports.  A bind that
 * fails ends the caller (a SKIP for ::1 on a machine without it); so does
 * a reported port of 0.
 */
void inet_lo_bind(struct ipcconf_t *t, int h, int domain, struct sockaddr_storage *bound,
		  socklen_t *len);

/* A new socket of `type` bound as by inet_lo_bind. */
int inet_lo_bound(struct ipcconf_t *t, int domain, int type, struct sockaddr_storage *bound,
		  socklen_t *len);

/* A bound, listening TCP socket (backlog 4); its address in *bound. */
int inet_lo_listener(struct ipcconf_t *t, int domain, struct sockaddr_storage *bound,
		     socklen_t *len);

/*
 * A connected TCP pair on loopback: ends[0] the connecting socket,
 * ends[1] the accepted one; the listener is closed.  A failure ends the
 * caller.
 */
void inet_lo_connected(struct ipcconf_t *t, int domain, int ends[2]);

/* The port of an AF_INET or AF_INET6 address, in host order. */
unsigned inet_lo_port(const struct sockaddr_storage *ss);

/* Whether the address is the loopback address of its family. */
int inet_lo_is_loopback(const struct sockaddr_storage *ss);

/* "127.0.0.1:40000", "[::1]:40000", "family 1": for messages. */
const char *inet_lo_name(const struct sockaddr_storage *ss, socklen_t len, char buf[80]);

/*
 * Checks that `got` (with length `got_len`, as a call returned it) is
 * the same address as `want`: family, IP address and port, and the
 * length of its family's structure.  A mismatch is a FAIL naming `what`
 * and both addresses.
 */
void inet_lo_expect_same(struct ipcconf_t *t, const struct sockaddr_storage *got,
			 socklen_t got_len, const struct sockaddr_storage *want, const char *what);

/*
 * Called with a failed result `err` of `call` on an AF_INET6 socket: a
 * SKIP when this machine has no IPv6 loopback (/proc/net/if_inet6 is
 * missing or lists no ::1, as in a container with IPv6 disabled: the
 * environment, not the implementation), a FAIL when ::1 is configured
 * here and the implementation still refused it.  Ends the caller.
 */
_Noreturn void inet_lo_refused(struct ipcconf_t *t, long err, const char *call);

#endif /* IPCCONF_CONFORMANCE_SOCKET_INET_SUPPORT_H */
