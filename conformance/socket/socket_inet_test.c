/*
 * Socket clauses: TCP and UDP on the loopback address (seed:K1, K2: the
 * network sockets, here kept on one host).  Every rule is a table of two
 * rows, 127.0.0.1 and ::1, each its own clause.  Nothing leaves loopback:
 * every address is 127.0.0.1 or ::1, every port one the system picked at
 * a bind to port 0.  A machine without an IPv6 loopback makes the ::1
 * rows SKIPs (socket_inet_support.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_inet_support.h"
#include "conformance/socket/socket_support.h"

static const struct inet_lo_row ipv4 = { AF_INET };
static const struct inet_lo_row ipv6 = { AF_INET6 };

/*
 * The two rows of one rule: ids socket.inet.<slug>_ipv4 and _ipv6, each
 * using its own capability; `more` adds to both (another USES(), or 0).
 */
#define INET_ROWS(slug, title_, cites_, more)                                  \
	ROW(.id = "socket.inet." slug "_ipv4", .title = title_ ", on 127.0.0.1",  \
	    .cites = cites_, USES(SOCKET, IPCCONF_SOCKET_CAP_INET), .arg = &ipv4, more), \
	ROW(.id = "socket.inet." slug "_ipv6", .title = title_ ", on ::1",        \
	    .cites = cites_ "; ipv6(7)", USES(SOCKET, IPCCONF_SOCKET_CAP_INET6),   \
	    .arg = &ipv6, more)

#define NOTHING_MORE .needs = 0
#define NONBLOCK_TOO USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK)

static int row_domain(struct ipcconf_t *t)
{
	return ((const struct inet_lo_row *)t->clause->arg)->domain;
}

/* ---- TCP ---- */

/*
 * seed:K1, K2 (network sockets; one host or several: here one);
 * ip(7): "An ephemeral port is allocated to a socket in the following
 * circumstances: the port number in a socket address is specified as 0
 * when calling bind(2)"; POSIX.1-2017 XSH getsockname(): it "shall
 * retrieve the locally-bound name of the specified socket"; tcp(7): bind,
 * then listen, then accept.  Checked: after a bind to port 0 of the
 * loopback address getsockname gives that address and a port other than
 * 0; a connect to exactly that address and port reaches the listener,
 * whose accept returns the connection.
 */
static const struct ipcconf_clause socket_inet_tcp_ephemeral_port[] = {
	INET_ROWS("tcp_ephemeral_port",
		  "a TCP bind to port 0 gets a port, which getsockname names and a connect reaches",
		  "seed:K1; seed:K2; POSIX.1-2017 XSH bind(), getsockname(), listen(), connect(), accept(); ip(7); tcp(7)",
		  NOTHING_MORE),
};
CLAUSE_TABLE(socket_inet_tcp_ephemeral_port)
{
	int d = row_domain(t);
	struct sockaddr_storage sa;
	socklen_t len;
	char b[80];
	int l = inet_lo_listener(t, d, &sa, &len); /* a port of 0 ends the clause as a FAIL */
	CHECK(t, inet_lo_is_loopback(&sa),
	      "getsockname after a bind to the loopback address gave %s", inet_lo_name(&sa, len, b));
	int c = inet_lo_open(t, d, SOCK_STREAM);
	STEP(t, "connecting to the port getsockname gave");
	CHECK_EQ(t, iut_connect(t, c, &sa, len), 0, "connect to the address getsockname gave");
	STEP(t, "accepting the connection");
	int a = iut_accept(t, l, NULL, NULL, 0);
	CHECK(t, a >= 0, "accept on the listener after a connect to its port returned %d", a);
}

/*
 * seed:K3 (two-way communication); tcp(7): "a reliable, stream-oriented,
 * full-duplex connection between two sockets ... TCP guarantees that the
 * data arrives in order".  Checked: on a loopback connection made by
 * connect and accept, each side sends its own message before either
 * receives, and each receives exactly the other's, bytes in order.
 * The messages are small enough for any socket buffer, and short sends
 * and receives are allowed.
 */
static const struct ipcconf_clause socket_inet_tcp_both_directions[] = {
	INET_ROWS("tcp_both_directions",
		  "a TCP connection carries a byte stream each way at once",
		  "seed:K3; POSIX.1-2017 XSH send(), recv(); tcp(7)", NOTHING_MORE),
};
CLAUSE_TABLE(socket_inet_tcp_both_directions)
{
	static const char up[] = "from the connecting side, 0123456789";
	static const char down[] = "from the accepting side";
	char got[sizeof up];
	int e[2];
	inet_lo_connected(t, row_domain(t), e);
	socket_send_all(t, e[0], up, sizeof up - 1, "the connecting side sends");
	socket_send_all(t, e[1], down, sizeof down - 1, "the accepting side sends");
	socket_recv_exact(t, e[1], got, sizeof up - 1, "the accepting side receives");
	CHECK_MEM(t, got, up, sizeof up - 1, "what the accepting side received");
	socket_recv_exact(t, e[0], got, sizeof down - 1, "the connecting side receives");
	CHECK_MEM(t, got, down, sizeof down - 1, "what the connecting side received");
}

/*
 * POSIX.1-2017 XSH connect() ERRORS: "[ECONNREFUSED] The target address
 * was not listening for connections or refused the connection request";
 * connect(2): "A connect() on a stream socket found no one listening on
 * the remote address."  Checked: a connect to a loopback port that a TCP
 * socket of the clause holds bound but not listening fails with
 * -ECONNREFUSED.
 *
 * Why a port held and not one closed: a port freed by closing its socket
 * is very likely still free a moment later (the system hands ephemeral
 * ports out from a wide range and, on Linux, not in order), but another
 * process may bind it in between, and then the connect would succeed
 * through no fault of the implementation.  Held bound, the port is the
 * clause's alone (no other socket may bind it), and a socket that is
 * bound without listening is exactly POSIX's "not listening for
 * connections": the result is decided, never a race.
 */
static const struct ipcconf_clause socket_inet_tcp_refused[] = {
	INET_ROWS("tcp_refused",
		  "a TCP connect to a port with no listener fails with -ECONNREFUSED",
		  "POSIX.1-2017 XSH connect() [ECONNREFUSED]; connect(2); tcp(7)", NOTHING_MORE),
};
CLAUSE_TABLE(socket_inet_tcp_refused)
{
	int d = row_domain(t);
	struct sockaddr_storage sa;
	socklen_t len;
	int held = inet_lo_bound(t, d, SOCK_STREAM, &sa, &len);
	int c = inet_lo_open(t, d, SOCK_STREAM);
	STEP(t, "connecting to a port bound by a socket that does not listen");
	CHECK_FAILS(t, iut_connect(t, c, &sa, len), -ECONNREFUSED);
	REQUIRE_OK(t, iut_close(t, held), "close of the socket that held the port");
}

/*
 * POSIX.1-2017 XSH getpeername(): it "shall retrieve the peer address of
 * the specified socket"; accept(): "address ... the address of the
 * connecting socket"; tcp(7).  Checked: on a loopback connection the
 * connecting side's getpeername names the listener (the address and port
 * getsockname gave it), and the accepted side's getpeername, like the
 * address accept reported, names the connecting side (its loopback
 * address and the port getsockname gives it).
 */
static const struct ipcconf_clause socket_inet_tcp_peer_names[] = {
	INET_ROWS("tcp_peer_names",
		  "getpeername on each end of a TCP connection, and accept, name the other end",
		  "POSIX.1-2017 XSH getpeername(), getsockname(), accept(); tcp(7); ip(7)",
		  NOTHING_MORE),
};
CLAUSE_TABLE(socket_inet_tcp_peer_names)
{
	int d = row_domain(t);
	struct sockaddr_storage listen_sa, from, client, peer;
	socklen_t listen_len, from_len = sizeof from, client_len = sizeof client, peer_len;
	char b[80];
	int l = inet_lo_listener(t, d, &listen_sa, &listen_len);
	int c = inet_lo_open(t, d, SOCK_STREAM);
	STEP(t, "connecting to the listener");
	REQUIRE_OK(t, iut_connect(t, c, &listen_sa, listen_len), "connect to the listener");
	memset(&from, 0, sizeof from);
	STEP(t, "accepting the connection");
	int a = iut_accept(t, l, &from, &from_len, 0);
	REQUIRE_OK(t, a, "accept of the connection");

	memset(&client, 0, sizeof client);
	REQUIRE_OK(t, iut_getsockname(t, c, &client, &client_len),
		   "getsockname of the connecting socket");
	CHECK(t, inet_lo_is_loopback(&client) && inet_lo_port(&client) != 0,
	      "getsockname of a socket connected over loopback gave %s",
	      inet_lo_name(&client, client_len, b));

	memset(&peer, 0, sizeof peer);
	peer_len = sizeof peer;
	REQUIRE_OK(t, iut_getpeername(t, c, &peer, &peer_len), "getpeername of the connecting socket");
	inet_lo_expect_same(t, &peer, peer_len, &listen_sa,
			    "getpeername of the connecting socket (the listener's name)");

	memset(&peer, 0, sizeof peer);
	peer_len = sizeof peer;
	REQUIRE_OK(t, iut_getpeername(t, a, &peer, &peer_len), "getpeername of the accepted socket");
	inet_lo_expect_same(t, &peer, peer_len, &client,
			    "getpeername of the accepted socket (the connecting socket's name)");
	inet_lo_expect_same(t, &from, from_len, &client,
			    "the address accept reported (the connecting socket's name)");
}

/* ---- UDP ---- */

/* Sends one whole datagram to `to`; a send of any other size ends the caller. */
static void send_datagram(struct ipcconf_t *t, int h, const void *buf, size_t len,
			  const struct sockaddr_storage *to, socklen_t to_len, const char *what)
{
	char b[32];
	ssize_t n = iut_sendto(t, h, buf, len, 0, to, to_len);
	REQUIRE(t, n == (ssize_t)len, "%s: sendto of a %zu-byte datagram returned %s", what, len,
		ipcconf_result_name(n, b));
}

/*
 * udp(7): "All receive operations return only one packet.  When the
 * packet is smaller than the passed buffer, only that much data is
 * returned"; POSIX.1-2017 XSH recv(): "For message-based sockets, such as
 * SOCK_DGRAM ... the entire message shall be read in a single operation".
 * Checked: three datagrams of 1, 300 and 1200 bytes, each with its own
 * contents, sent to a loopback socket, come out as receives of exactly
 * those sizes and contents into a buffer that could hold all three.
 * UDP may reorder or duplicate ("Packets may be reordered or duplicated
 * before they arrive", udp(7)), so the receives are matched in any order
 * and a repeat is allowed; each must be one whole datagram.  UDP does
 * not promise delivery either, but on loopback, into an empty receive
 * queue, a few small datagrams have no cause to be lost; one that is
 * would show as a timeout naming the receive that waited for it.
 */
static const struct ipcconf_clause socket_inet_udp_boundaries[] = {
	INET_ROWS("udp_boundaries",
		  "each UDP receive returns exactly one datagram, whole: boundaries are kept",
		  "seed:K1; POSIX.1-2017 XSH recv(), sendto(); udp(7)", NOTHING_MORE),
};
CLAUSE_TABLE(socket_inet_udp_boundaries)
{
	enum { N = 3, MAX_RECEIVES = 12 };
	static const size_t sizes[N] = { 1, 300, 1200 };
	static char out[N][1200];
	char in[2048]; /* more than the three together: a merged receive would show */
	int d = row_domain(t);
	struct sockaddr_storage ra, sa;
	socklen_t rlen, slen;
	int r = inet_lo_bound(t, d, SOCK_DGRAM, &ra, &rlen);
	int s = inet_lo_bound(t, d, SOCK_DGRAM, &sa, &slen);
	for (int k = 0; k < N; k++) {
		for (size_t i = 0; i < sizes[k]; i++)
			out[k][i] = (char)('a' + k + (char)(i % 23));
		send_datagram(t, s, out[k], sizes[k], &ra, rlen, "sending one of three datagrams");
	}
	unsigned seen = 0;
	for (int i = 0; i < MAX_RECEIVES && seen != (1u << N) - 1; i++) {
		char b[32];
		STEP(t, "receive %d (datagrams seen so far: mask 0x%x)", i + 1, seen);
		ssize_t n = iut_recv(t, r, in, sizeof in, 0);
		REQUIRE(t, n >= 0, "receive %d: expected a datagram, got %s", i + 1,
			ipcconf_result_name(n, b));
		int k = 0;
		while (k < N && !((size_t)n == sizes[k] && !memcmp(in, out[k], sizes[k])))
			k++;
		REQUIRE(t, k < N,
			"receive %d returned %zd bytes, which are not one of the datagrams sent (1, 300 and 1200 bytes): a datagram was split or merged",
			i + 1, n);
		seen |= 1u << k;
	}
	CHECK_EQ(t, seen, (1u << N) - 1, "the datagrams received (bit k: datagram k)");
}

/*
 * POSIX.1-2017 XSH recvfrom(): "If the address argument is not a null
 * pointer and the protocol provides the source address of messages, the
 * source address of the received message shall be stored";
 * recvfrom(2): "addrlen is updated to contain the actual size of the
 * source address"; udp(7).  Checked: two loopback sockets, each bound to
 * a port of its own, send one datagram each to a third; recvfrom gives,
 * for each datagram, the address and port of the socket that sent it
 * (as that socket's getsockname names it), with the length of its
 * family's address structure.
 */
static const struct ipcconf_clause socket_inet_udp_sender_address[] = {
	INET_ROWS("udp_sender_address",
		  "recvfrom on a UDP socket gives each datagram's sender address and port",
		  "POSIX.1-2017 XSH recvfrom(); recvfrom(2); udp(7); ip(7)", NOTHING_MORE),
};
CLAUSE_TABLE(socket_inet_udp_sender_address)
{
	enum { MAX_RECEIVES = 8 };
	static const char *const msg[2] = { "from sender one", "from sender two" };
	int d = row_domain(t);
	struct sockaddr_storage ra, sa[2];
	socklen_t rlen, slen[2];
	int r = inet_lo_bound(t, d, SOCK_DGRAM, &ra, &rlen);
	int s[2];
	for (int k = 0; k < 2; k++)
		s[k] = inet_lo_bound(t, d, SOCK_DGRAM, &sa[k], &slen[k]);
	for (int k = 0; k < 2; k++)
		send_datagram(t, s[k], msg[k], strlen(msg[k]), &ra, rlen, "a sender sends");
	unsigned seen = 0;
	for (int i = 0; i < MAX_RECEIVES && seen != 3; i++) {
		char in[64] = { 0 }, b[32];
		struct sockaddr_storage from;
		socklen_t from_len = sizeof from;
		memset(&from, 0, sizeof from);
		STEP(t, "recvfrom %d", i + 1);
		ssize_t n = iut_recvfrom(t, r, in, sizeof in - 1, 0, &from, &from_len);
		REQUIRE(t, n >= 0, "recvfrom %d: expected a datagram, got %s", i + 1,
			ipcconf_result_name(n, b));
		int k = 0;
		while (k < 2 && !((size_t)n == strlen(msg[k]) && !memcmp(in, msg[k], (size_t)n)))
			k++;
		REQUIRE(t, k < 2, "recvfrom %d returned %zd bytes that no sender sent: \"%.*s\"", i + 1,
			n, (int)n, in);
		inet_lo_expect_same(t, &from, from_len, &sa[k],
				    k == 0 ? "recvfrom's address for sender one's datagram"
					   : "recvfrom's address for sender two's datagram");
		seen |= 1u << k;
	}
	CHECK_EQ(t, seen, 3, "the datagrams received (bit k: sender k's)");
}

/*
 * POSIX.1-2017 XSH connect(): "For SOCK_DGRAM sockets, the peer address
 * identifies where all datagrams are sent on subsequent send() functions,
 * and limits the remote sender for subsequent recv() functions";
 * connect(2): for SOCK_DGRAM, addr is "the only address from which
 * datagrams are received".  Checked: first, as a control, a stranger's
 * datagram reaches the socket while it is unconnected.  The socket then
 * connects to a peer; the stranger sends again, and then the peer: the
 * first datagram received is the peer's, and a nonblocking drain finds
 * nothing from the stranger.  (UDP may duplicate, so a second copy of the
 * peer's datagram, or of the control received before the connect, is
 * allowed; where the system delivers a dropped stranger's datagram late
 * the drain may miss it, which costs this clause only its power, never a
 * legal implementation its pass.)
 */
static const struct ipcconf_clause socket_inet_udp_connected_peer_only[] = {
	INET_ROWS("udp_connected_peer_only",
		  "a connected UDP socket receives only from its peer",
		  "POSIX.1-2017 XSH connect(), recv(); connect(2); udp(7)", NONBLOCK_TOO),
};

/* One recvfrom on `h`: which of `msgs` came (-1 for none of them), and from where. */
static int recv_one_of(struct ipcconf_t *t, int h, const char *const *msgs, int nmsgs,
		       struct sockaddr_storage *from, socklen_t *from_len, ssize_t *result)
{
	char in[64] = { 0 };
	*from_len = sizeof *from;
	memset(from, 0, sizeof *from);
	*result = iut_recvfrom(t, h, in, sizeof in - 1, 0, from, from_len);
	for (int k = 0; *result >= 0 && k < nmsgs; k++)
		if ((size_t)*result == strlen(msgs[k]) && !memcmp(in, msgs[k], (size_t)*result))
			return k;
	return -1;
}

CLAUSE_TABLE(socket_inet_udp_connected_peer_only)
{
	enum { CONTROL, STRAY, PEER, MAX_DRAIN = 8 };
	static const char *const msgs[] = { "control from the stranger", "stray from the stranger",
					    "from the peer" };
	int d = row_domain(t);
	struct sockaddr_storage aa, pa, sa, from;
	socklen_t alen, plen, slen, from_len;
	ssize_t n;
	char b[32];
	int a = inet_lo_bound(t, d, SOCK_DGRAM, &aa, &alen);
	int peer = inet_lo_bound(t, d, SOCK_DGRAM, &pa, &plen);
	int stranger = inet_lo_bound(t, d, SOCK_DGRAM, &sa, &slen);

	STEP(t, "control: the stranger's datagram to the unconnected socket");
	send_datagram(t, stranger, msgs[CONTROL], strlen(msgs[CONTROL]), &aa, alen,
		      "the stranger sends the control datagram");
	int k = recv_one_of(t, a, msgs, 3, &from, &from_len, &n);
	REQUIRE(t, k == CONTROL,
		"the unconnected socket's receive: expected the stranger's control datagram, got a result of %s that is not it",
		ipcconf_result_name(n, b));

	REQUIRE_OK(t, iut_connect(t, a, &pa, plen), "connect of the receiving UDP socket to the peer");
	send_datagram(t, stranger, msgs[STRAY], strlen(msgs[STRAY]), &aa, alen,
		      "the stranger sends to the connected socket");
	send_datagram(t, peer, msgs[PEER], strlen(msgs[PEER]), &aa, alen,
		      "the peer sends to the connected socket");

	STEP(t, "receiving on the connected socket");
	k = recv_one_of(t, a, msgs, 3, &from, &from_len, &n);
	/* Duplicates of the control, queued before the connect, may come first. */
	for (int i = 0; k == CONTROL && i < MAX_DRAIN; i++)
		k = recv_one_of(t, a, msgs, 3, &from, &from_len, &n);
	CHECK(t, k == PEER,
	      "the connected socket's first receive after the connect: expected the peer's datagram, got %s",
	      k == STRAY ? "the stranger's" : ipcconf_result_name(n, b));

	REQUIRE_OK(t, iut_set_nonblock(t, a, 1), "set O_NONBLOCK on the connected socket");
	for (int i = 0; i < MAX_DRAIN; i++) {
		STEP(t, "nonblocking drain %d of the connected socket", i + 1);
		k = recv_one_of(t, a, msgs, 3, &from, &from_len, &n);
		if (n == -EAGAIN)
			return;
		if (k == STRAY)
			FAIL(t, "the connected socket received the stranger's datagram (after the peer's)");
		else
			CHECK(t, k == PEER || k == CONTROL,
			      "nonblocking receive on the connected socket: expected -EAGAIN or a copy of the peer's datagram, got %s",
			      ipcconf_result_name(n, b));
	}
	FAIL(t, "%d receives on the connected socket and still no -EAGAIN", MAX_DRAIN);
}
