/*
 * socket_inet_support.c -- loopback TCP and UDP in socket clauses (see
 * socket_inet_support.h).
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_inet_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/socket/socket_support.h"

/* How /proc/net/if_inet6 writes ::1: 32 hex digits. */
#define IF_INET6_LOOPBACK "00000000000000000000000000000001"

/* 1: /proc/net/if_inet6 lists ::1; 0: it does not, or there is no such file (no IPv6). */
static int machine_has_ipv6_loopback(void)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/net/if_inet6", "re");
	if (!f)
		return 0;
	/* One interface address a line, the address first. */
	while (!found && fgets(line, sizeof line, f))
		found = !strncmp(line, IF_INET6_LOOPBACK, strlen(IF_INET6_LOOPBACK));
	fclose(f);
	return found;
}

_Noreturn void inet_lo_refused(struct ipcconf_t *t, long err, const char *call)
{
	char b[32];
	if (!machine_has_ipv6_loopback())
		SKIP(t, "%s gave %s and this machine has no IPv6 loopback (/proc/net/if_inet6 lists no ::1: IPv6 is off, as in some containers): the environment, not the implementation",
		     call, ipcconf_result_name(err, b));
	REQUIRE(t, 0, "%s: expected success, got %s, although ::1 is configured on this machine (/proc/net/if_inet6)",
		call, ipcconf_result_name(err, b));
	ipcconf_exit(t);
}

int inet_lo_open(struct ipcconf_t *t, int domain, int type)
{
	char what[64];
	int h = iut_socket(t, domain, type, 0);
	snprintf(what, sizeof what, "socket(%s, %s)", domain == AF_INET6 ? "AF_INET6" : "AF_INET",
		 type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM");
	if (domain == AF_INET6 && h == -EAFNOSUPPORT)
		inet_lo_refused(t, h, what);
	REQUIRE_OK(t, h, what);
	return h;
}

void inet_lo_bind(struct ipcconf_t *t, int h, int domain, struct sockaddr_storage *bound,
		  socklen_t *len)
{
	struct sockaddr_storage want;
	socklen_t want_len = socket_loopback_addr(domain, &want);
	const char *what = domain == AF_INET6 ? "bind to [::1]:0" : "bind to 127.0.0.1:0";
	int r = iut_bind(t, h, &want, want_len);
	if (r < 0 && domain == AF_INET6 && (r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT))
		inet_lo_refused(t, r, what);
	REQUIRE_OK(t, r, what);
	memset(bound, 0, sizeof *bound);
	*len = sizeof *bound;
	REQUIRE_OK(t, iut_getsockname(t, h, bound, len), "getsockname after the bind");
	REQUIRE(t, bound->ss_family == domain && inet_lo_port(bound) != 0,
		"getsockname after %s: expected the family %d and a port other than 0, got family %d port %u",
		what, domain, bound->ss_family, inet_lo_port(bound));
}

int inet_lo_bound(struct ipcconf_t *t, int domain, int type, struct sockaddr_storage *bound,
		  socklen_t *len)
{
	int h = inet_lo_open(t, domain, type);
	inet_lo_bind(t, h, domain, bound, len);
	return h;
}

int inet_lo_listener(struct ipcconf_t *t, int domain, struct sockaddr_storage *bound,
		     socklen_t *len)
{
	int h = inet_lo_bound(t, domain, SOCK_STREAM, bound, len);
	REQUIRE_OK(t, iut_listen(t, h, 4), "listen on the bound TCP socket");
	return h;
}

void inet_lo_connected(struct ipcconf_t *t, int domain, int ends[2])
{
	struct sockaddr_storage sa;
	socklen_t len;
	int l = inet_lo_listener(t, domain, &sa, &len);
	int c = inet_lo_open(t, domain, SOCK_STREAM);
	/* The handshake completes into the listener's backlog before accept. */
	STEP(t, "connecting to the loopback listener");
	REQUIRE_OK(t, iut_connect(t, c, &sa, len), "connect to the loopback listener");
	STEP(t, "accepting on the loopback listener");
	int a = iut_accept(t, l, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept of the pending connection");
	REQUIRE_OK(t, iut_close(t, l), "close of the listener");
	ends[0] = c;
	ends[1] = a;
}

unsigned inet_lo_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return 0;
}

int inet_lo_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		return !memcmp(&a->sin6_addr, &in6addr_loopback, sizeof a->sin6_addr);
	}
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	return 0;
}

const char *inet_lo_name(const struct sockaddr_storage *ss, socklen_t len, char buf[80])
{
	char ip[INET6_ADDRSTRLEN];
	if (ss->ss_family == AF_INET6 && inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, ip, sizeof ip))
		snprintf(buf, 80, "[%s]:%u (length %u)", ip, inet_lo_port(ss), (unsigned)len);
	else if (ss->ss_family == AF_INET && inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, ip, sizeof ip))
		snprintf(buf, 80, "%s:%u (length %u)", ip, inet_lo_port(ss), (unsigned)len);
	else
		snprintf(buf, 80, "an address of family %d (length %u)", ss->ss_family, (unsigned)len);
	return buf;
}

static int same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return 0;
}

void inet_lo_expect_same(struct ipcconf_t *t, const struct sockaddr_storage *got,
			 socklen_t got_len, const struct sockaddr_storage *want, const char *what)
{
	char g[80], w[80];
	socklen_t want_len = want->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							 : sizeof(struct sockaddr_in);
	CHECK(t, same_ip(got, want) && inet_lo_port(got) == inet_lo_port(want) && got_len == want_len,
	      "%s: expected %s, got %s", what, inet_lo_name(want, want_len, w),
	      inet_lo_name(got, got_len, g));
}
