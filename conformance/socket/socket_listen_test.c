/*
 * Socket clauses: listening and accepting (seed:K1).  Connections are
 * accepted in the order they were made; accept waits for one, or says
 * -EAGAIN when nonblocking; it names the peer; the peer's credentials are
 * the connecting process's; a server and a client that share nothing but
 * a path talk; and the options SO_ACCEPTCONN and SO_TYPE tell what a
 * socket is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/socket/socket_addr_support.h"
#include "conformance/socket/socket_support.h"

enum { CP_TURN = 0, CP_DONE = 1, CP_LISTENING = 2 };

#define NCLIENTS 3

/*
 * POSIX.1-2017 XSH listen(): "shall mark a connection-mode socket ... as
 * accepting connections", the backlog limiting "the number of outstanding
 * connections in the socket's listen queue"; accept(): "shall extract the
 * first connection on the queue of pending connections".  accept(2): "It extracts the first
 * connection request on the queue of pending connections for the
 * listening socket".  Checked: three client processes connect to a
 * listener with a backlog of three, one after another (each connect has
 * returned before the next client starts), and each sends one byte that
 * names it; then three accepts return the connections in the order they
 * were made.
 */
CLAUSE(socket_listen_accept_order,
       .id = "socket.listen.accept_order",
       .title = "accept returns pending connections in the order they were made",
       .cites = "seed:K1; POSIX.1-2017 XSH listen(), accept(), connect(); accept(2); listen(2)")
{
	struct sockaddr_un sa;
	socklen_t len;
	int l = socket_listener(t, SOCK_STREAM, "server", NCLIENTS, &sa, &len);
	pid_t client[NCLIENTS];
	for (unsigned k = 0; k < NCLIENTS; k++) {
		client[k] = ipcconf_fork(t);
		if (client[k] != 0)
			continue;
		ipcconf_await(t, CP_TURN, k, "the earlier clients' connects");
		STEP(t, "client %u connects", k);
		int c = addr_connected_to(t, &sa, len);
		char id = (char)('A' + k);
		socket_send_all(t, c, &id, 1, "a client sends its byte");
		ipcconf_post(t, CP_TURN);
		/* Held open until the clause has accepted: nothing but the queue orders them. */
		ipcconf_await(t, CP_DONE, 1, "the clause's accepts");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_TURN, NCLIENTS, "all three clients' connects");
	for (unsigned k = 0; k < NCLIENTS; k++) {
		STEP(t, "accept number %u", k);
		int a = iut_accept(t, l, NULL, NULL, 0);
		REQUIRE_OK(t, a, "accept of a pending connection");
		char id = 0;
		socket_recv_exact(t, a, &id, 1, "the byte of the accepted client");
		CHECK(t, id == (char)('A' + k),
		      "accept number %u returned client %c's connection, expected client %c's (connects were in the order A, B, C)",
		      k, id, (char)('A' + k));
	}
	ipcconf_post(t, CP_DONE);
	for (unsigned k = 0; k < NCLIENTS; k++)
		ipcconf_join(t, client[k], "a client");
}

struct accept_call {
	struct sockaddr_un sa;
	socklen_t len;
	int listener;
};

static void listen_on_path(struct ipcconf_t *t, void *arg)
{
	struct accept_call *c = arg;
	c->listener = addr_bound(t, SOCK_STREAM, &c->sa, c->len);
	REQUIRE_OK(t, iut_listen(t, c->listener, 4), "listen in the accepting helper");
}

static long long accept_one(struct ipcconf_t *t, void *arg)
{
	struct accept_call *c = arg;
	return iut_accept(t, c->listener, NULL, NULL, 0);
}

static void read_x(struct ipcconf_t *t, void *arg, long long r)
{
	(void)arg;
	if (r < 0)
		return; /* the clause reports the result */
	char got = 0;
	socket_recv_exact(t, (int)r, &got, 1, "the accepted socket receives the client's byte");
	CHECK_EQ(t, got, 'x', "the byte read through the socket the woken accept returned");
}

/*
 * POSIX.1-2017 XSH accept(): "If the listen queue is empty of connection
 * requests and O_NONBLOCK is not set on the file descriptor for the
 * socket, accept() shall block until a connection is present."
 * accept(2): "If no pending connections are present on the queue, and the
 * socket is not marked as nonblocking, accept() blocks the caller until a
 * connection is present."  Checked: a helper listening on a path is asleep
 * in accept and stays there for the grace period; a connect by the clause
 * releases it; the handle it returns carries the byte the clause sends.
 */
CLAUSE(socket_listen_accept_blocks,
       .id = "socket.listen.accept_blocks",
       .title = "accept with no pending connection blocks until a connect arrives",
       .cites = "seed:K1; POSIX.1-2017 XSH accept(); accept(2)")
{
	struct accept_call c = { .listener = -1 };
	c.len = socket_path_addr(t, "server", &c.sa);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "accept on a listener with no pending connection",
		.prepare = listen_on_path, .call = accept_one, .then = read_x, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "connect to release the accept");
	int s = addr_connected_to(t, &c.sa, c.len);
	socket_send_all(t, s, "x", 1, "the client sends a byte");
	long long r = ipcconf_block_end(t, &b);
	char rb[32];
	CHECK(t, r >= 0, "the accept released by a connect: expected a handle, got %s",
	      ipcconf_result_name(r, rb));
}

/*
 * POSIX.1-2017 XSH accept(), ERRORS: "[EAGAIN] or [EWOULDBLOCK]
 * O_NONBLOCK is set for the socket file descriptor and no connections are
 * present to be accepted."  accept(2), ERRORS: "EAGAIN or EWOULDBLOCK The
 * socket is marked nonblocking and no connections are present to be
 * accepted."  (EWOULDBLOCK is EAGAIN on Linux.)  Checked: on a listener
 * with O_NONBLOCK and an empty queue, accept fails with -EAGAIN at once;
 * once a client has connected, the same nonblocking accept returns it.
 */
CLAUSE(socket_listen_accept_nonblock_eagain,
       .id = "socket.listen.accept_nonblock_eagain",
       .title = "accept on a nonblocking listener with no pending connection fails with -EAGAIN",
       .cites = "POSIX.1-2017 XSH accept() ERRORS [EAGAIN]; accept(2)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	struct sockaddr_un sa;
	socklen_t len;
	int l = socket_listener(t, SOCK_STREAM, "server", 4, &sa, &len);
	REQUIRE_EQ(t, iut_set_nonblock(t, l, 1), 0, "setting O_NONBLOCK on the listener");
	STEP(t, "nonblocking accept with nothing pending");
	CHECK_FAILS(t, iut_accept(t, l, NULL, NULL, 0), -EAGAIN);
	STEP(t, "nonblocking accept after a connect");
	addr_connected_to(t, &sa, len);
	int a = iut_accept(t, l, NULL, NULL, 0);
	char b[32];
	CHECK(t, a >= 0, "nonblocking accept with a connection pending: expected a handle, got %s",
	      ipcconf_result_name(a, b));
}

/*
 * POSIX.1-2017 XSH accept(): "If address is not a null pointer, the
 * address of the peer for the accepted connection shall be stored in the
 * sockaddr structure pointed to by address, and the length of this address
 * shall be stored in the object pointed to by address_len."  unix(7): a
 * returned pathname address has length offsetof(sun_path) +
 * strlen(sun_path) + 1; that of an unnamed socket, sizeof(sa_family_t).
 * Checked: a client bound to its own path connects, and accept, with room
 * for a whole sockaddr_un, returns that path; then a client never bound
 * connects, and accept returns the unnamed address.
 */
CLAUSE(socket_listen_accept_returns_peer_address,
       .id = "socket.listen.accept_returns_peer_address",
       .title = "accept stores the connecting socket's address: a bound client's path, or an unnamed address",
       .cites = "POSIX.1-2017 XSH accept(); accept(2); unix(7)")
{
	struct sockaddr_un lsa, csa, got;
	socklen_t llen;
	int l = socket_listener(t, SOCK_STREAM, "server", 4, &lsa, &llen);
	socklen_t clen = socket_path_addr(t, "client", &csa);
	int bound = addr_bound(t, SOCK_STREAM, &csa, clen);
	REQUIRE_EQ(t, iut_connect(t, bound, &lsa, llen), 0, "connect of the bound client");

	STEP(t, "accept of the bound client");
	memset(&got, 0x5a, sizeof got);
	socklen_t got_len = sizeof got;
	REQUIRE_OK(t, iut_accept(t, l, &got, &got_len, 0), "accept of the bound client");
	addr_expect_path(t, &got, got_len, csa.sun_path, "the address accept gave for the bound client");

	/* One connection pending at a time: the order of the queue is another clause's. */
	addr_connected_to(t, &lsa, llen);
	STEP(t, "accept of the unbound client");
	memset(&got, 0x5a, sizeof got);
	got_len = sizeof got;
	REQUIRE_OK(t, iut_accept(t, l, &got, &got_len, 0), "accept of the unbound client");
	addr_expect_unnamed(t, &got, got_len, "the address accept gave for the unbound client");
}

/*
 * unix(7), SO_PEERCRED: "This read-only socket option returns the
 * credentials of the peer process connected to this socket.  The returned
 * credentials are those that were in effect at the time of the call to
 * connect(2) or socketpair(2)."  socket(7), SO_PEERCRED: "Return the
 * credentials of the peer process connected to this socket."  Checked: a
 * helper process connects to the clause's listener; SO_PEERCRED of the
 * accepted socket is the helper's pid (not the clause's), uid and gid;
 * SO_PEERCRED of the helper's socket names the clause process, which
 * listened.
 */
CLAUSE(socket_listen_peercred,
       .id = "socket.listen.peercred",
       .title = "SO_PEERCRED of an accepted socket gives the connecting process's pid, uid and gid",
       .cites = "POSIX.1-2017 XSH getsockopt(); unix(7) SO_PEERCRED; socket(7) SO_PEERCRED",
       USES(SOCKET, IPCCONF_SOCKET_CAP_PEERCRED))
{
	struct sockaddr_un sa;
	socklen_t len;
	int l = socket_listener(t, SOCK_STREAM, "server", 4, &sa, &len);
	pid_t server = getpid();
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		STEP(t, "helper connects");
		int c = addr_connected_to(t, &sa, len);
		ipcconf_post(t, CP_TURN);
		struct ucred cred;
		socklen_t clen = sizeof cred;
		memset(&cred, 0, sizeof cred);
		REQUIRE_EQ(t, iut_getsockopt(t, c, SOL_SOCKET, SO_PEERCRED, &cred, &clen), 0,
			   "getsockopt(SO_PEERCRED) on the connecting socket");
		CHECK_EQ(t, clen, sizeof cred, "the length SO_PEERCRED gave on the connecting socket");
		CHECK_EQ(t, cred.pid, server, "SO_PEERCRED pid on the connecting socket (the listening process)");
		ipcconf_await(t, CP_DONE, 1, "the clause's checks");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_TURN, 1, "the helper's connect");
	int a = iut_accept(t, l, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept of the helper's connection");
	struct ucred cred;
	socklen_t clen = sizeof cred;
	memset(&cred, 0, sizeof cred);
	STEP(t, "SO_PEERCRED of the accepted socket");
	REQUIRE_EQ(t, iut_getsockopt(t, a, SOL_SOCKET, SO_PEERCRED, &cred, &clen), 0,
		   "getsockopt(SO_PEERCRED) on the accepted socket");
	CHECK_EQ(t, clen, sizeof cred, "the length SO_PEERCRED gave");
	CHECK_EQ(t, cred.pid, helper, "SO_PEERCRED pid: the connecting helper's, not the clause's");
	CHECK_EQ(t, cred.uid, getuid(), "SO_PEERCRED uid");
	CHECK_EQ(t, cred.gid, getgid(), "SO_PEERCRED gid");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, helper, "the connecting helper");
}

/*
 * seed:K1: sockets are "mainly for client/server communication".
 * POSIX.1-2017 XSH connect(): "attempt to make a connection on a
 * connection-mode socket"; bind(); listen(); accept().  unix(7): a socket
 * bound to a pathname is reached through it.  Checked: the clause makes
 * no socket; it forks a server process, which binds a path, listens and
 * accepts, and then, separately, a client process (a sibling: it inherits
 * no socket from the server), which connects through the path, sends a
 * request and receives the reply the server sends back.
 */
CLAUSE(socket_listen_client_server_unrelated,
       .id = "socket.listen.client_server_unrelated",
       .title = "a client process reaches an unrelated server process through the path it listens on: request and reply",
       .cites = "seed:K1; seed:K3; POSIX.1-2017 XSH bind(), listen(), accept(), connect(); unix(7)")
{
	static const char request[] = "what time is it?";
	static const char reply[] = "teatime";
	struct sockaddr_un sa;
	socklen_t len = socket_path_addr(t, "service", &sa);
	pid_t server = ipcconf_fork(t);
	if (server == 0) {
		STEP(t, "server: bind, listen");
		int l = addr_bound(t, SOCK_STREAM, &sa, len);
		REQUIRE_OK(t, iut_listen(t, l, 4), "server: listen");
		ipcconf_post(t, CP_LISTENING);
		STEP(t, "server: accept");
		int a = iut_accept(t, l, NULL, NULL, 0);
		REQUIRE_OK(t, a, "server: accept");
		char got[sizeof request];
		socket_recv_exact(t, a, got, sizeof request, "server: receives the request");
		CHECK_MEM(t, got, request, sizeof request, "the request the server received");
		socket_send_all(t, a, reply, sizeof reply, "server: sends the reply");
		ipcconf_await(t, CP_DONE, 1, "the client's reply");
		ipcconf_exit(t);
	}
	pid_t client = ipcconf_fork(t);
	if (client == 0) {
		ipcconf_await(t, CP_LISTENING, 1, "the server's listen");
		STEP(t, "client: connect through the path");
		int c = addr_connected_to(t, &sa, len);
		socket_send_all(t, c, request, sizeof request, "client: sends the request");
		char got[sizeof reply];
		socket_recv_exact(t, c, got, sizeof reply, "client: receives the reply");
		CHECK_MEM(t, got, reply, sizeof reply, "the reply the client received");
		ipcconf_post(t, CP_DONE);
		ipcconf_exit(t);
	}
	ipcconf_join(t, client, "the client");
	ipcconf_join(t, server, "the server");
}

/*
 * socket(7), SO_ACCEPTCONN: "Returns a value indicating whether or not
 * this socket has been marked to accept connections with listen(2).  The
 * value 0 indicates that this is not a listening socket, the value 1
 * indicates that this is a listening socket."  POSIX.1-2017 XSH
 * <sys/socket.h>: SO_ACCEPTCONN "Socket is accepting connections."
 * Checked: 0 on a socket bound but not listening, 1 after listen on the
 * same socket, 0 on the socket accept returns; an int each time.
 */
CLAUSE(socket_listen_so_acceptconn,
       .id = "socket.listen.so_acceptconn",
       .title = "SO_ACCEPTCONN is 0 before listen, 1 after it, and 0 on an accepted socket",
       .cites = "POSIX.1-2017 XSH getsockopt(), XBD <sys/socket.h> SO_ACCEPTCONN; socket(7) SO_ACCEPTCONN")
{
	struct sockaddr_un sa;
	socklen_t len = socket_path_addr(t, "server", &sa);
	int s = addr_bound(t, SOCK_STREAM, &sa, len);
	int v = -1;
	socklen_t vlen = sizeof v;
	REQUIRE_EQ(t, iut_getsockopt(t, s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen), 0,
		   "getsockopt(SO_ACCEPTCONN) before listen");
	CHECK_EQ(t, vlen, sizeof v, "the length SO_ACCEPTCONN gave");
	CHECK_EQ(t, v, 0, "SO_ACCEPTCONN of a bound socket before listen");

	REQUIRE_OK(t, iut_listen(t, s, 4), "listen");
	v = -1;
	vlen = sizeof v;
	REQUIRE_EQ(t, iut_getsockopt(t, s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen), 0,
		   "getsockopt(SO_ACCEPTCONN) after listen");
	CHECK_EQ(t, v, 1, "SO_ACCEPTCONN of the socket after listen");

	addr_connected_to(t, &sa, len);
	int a = iut_accept(t, s, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept");
	v = -1;
	vlen = sizeof v;
	REQUIRE_EQ(t, iut_getsockopt(t, a, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen), 0,
		   "getsockopt(SO_ACCEPTCONN) of the accepted socket");
	CHECK_EQ(t, v, 0, "SO_ACCEPTCONN of the accepted socket");
}

static const struct ipcconf_clause socket_listen_so_type[] = {
	ROW(.id = "socket.listen.so_type_stream",
	    .title = "SO_TYPE of an AF_UNIX SOCK_STREAM socket is SOCK_STREAM",
	    .cites = "POSIX.1-2017 XSH getsockopt(), XBD <sys/socket.h> SO_TYPE; socket(7) SO_TYPE",
	    .arg = &(const int){ SOCK_STREAM }),
	ROW(.id = "socket.listen.so_type_dgram",
	    .title = "SO_TYPE of an AF_UNIX SOCK_DGRAM socket is SOCK_DGRAM",
	    .cites = "POSIX.1-2017 XSH getsockopt(), XBD <sys/socket.h> SO_TYPE; socket(7) SO_TYPE",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const int){ SOCK_DGRAM }),
	ROW(.id = "socket.listen.so_type_seqpacket",
	    .title = "SO_TYPE of an AF_UNIX SOCK_SEQPACKET socket is SOCK_SEQPACKET",
	    .cites = "POSIX.1-2017 XSH getsockopt(), XBD <sys/socket.h> SO_TYPE; socket(7) SO_TYPE",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET),
	    .arg = &(const int){ SOCK_SEQPACKET }),
};

/*
 * socket(7), SO_TYPE: "Gets the socket type as an integer (e.g.,
 * SOCK_STREAM).  This socket option is read-only."  POSIX.1-2017 XBD
 * <sys/socket.h>: SO_TYPE "Socket type."  Checked, for each type: SO_TYPE of a new
 * socket of that type and of both ends of a socketpair of it is that type,
 * as an int.
 */
CLAUSE_TABLE(socket_listen_so_type)
{
	int type = *(const int *)t->clause->arg;
	int h[3];
	h[0] = iut_socket(t, AF_UNIX, type, 0);
	REQUIRE_OK(t, h[0], "socket(AF_UNIX, type)");
	socket_pair(t, type, h + 1);
	static const char *const which[] = { "a new socket", "socketpair end 0", "socketpair end 1" };
	for (int i = 0; i < 3; i++) {
		int v = -1;
		socklen_t vlen = sizeof v;
		STEP(t, "SO_TYPE of %s", which[i]);
		REQUIRE_EQ(t, iut_getsockopt(t, h[i], SOL_SOCKET, SO_TYPE, &v, &vlen), 0, which[i]);
		CHECK_EQ(t, vlen, sizeof v, "the length SO_TYPE gave");
		CHECK(t, v == type, "SO_TYPE of %s is %d (%s), expected %d (%s)", which[i], v,
		      socket_type_name(v), type, socket_type_name(type));
	}
}
