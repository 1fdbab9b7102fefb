/*
 * Socket clauses: how socket calls fail.  Four tables, each row one
 * documented error with its own id and citation: socket() with arguments
 * AF_UNIX does not have; connect() to a name nobody listens on; calls a
 * socket's type or state does not allow; and any socket call on a handle
 * that is not an open socket.  One clause besides: sendto with an address
 * on a connected socket, where two outcomes are legal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_addr_support.h"
#include "conformance/socket/socket_support.h"

/* ---- socket() ---------------------------------------------------------- */

/* A bit of `type` outside the type itself (SOCK_TYPE_MASK, 0xf) and neither SOCK_NONBLOCK nor SOCK_CLOEXEC. */
#define UNKNOWN_TYPE_FLAG 0x100
/* A family number no system has: far above AF_MAX. */
#define UNKNOWN_FAMILY 4096

struct socket_args {
	int domain, type, protocol;
	int err;
};

static const struct ipcconf_clause socket_errors_socket[] = {
	ROW(.id = "socket.errors.socket_type_flag_einval",
	    .title = "socket() with an unknown flag in type fails with -EINVAL",
	    .cites = "socket(2) ERRORS EINVAL",
	    .arg = &(const struct socket_args){ AF_UNIX, SOCK_STREAM | UNKNOWN_TYPE_FLAG, 0, EINVAL }),
	ROW(.id = "socket.errors.socket_type_esocktnosupport",
	    .title = "socket(AF_UNIX) of a type AF_UNIX does not have (SOCK_RDM) fails with -ESOCKTNOSUPPORT",
	    .cites = "unix(7) ERRORS ESOCKTNOSUPPORT; POSIX.1-2017 XSH socket()",
	    .arg = &(const struct socket_args){ AF_UNIX, SOCK_RDM, 0, ESOCKTNOSUPPORT }),
	ROW(.id = "socket.errors.socket_protocol_eprotonosupport",
	    .title = "socket(AF_UNIX) with a protocol AF_UNIX does not have (IPPROTO_TCP) fails with -EPROTONOSUPPORT",
	    .cites = "POSIX.1-2017 XSH socket() ERRORS [EPROTONOSUPPORT]; socket(2); unix(7) ERRORS EPROTONOSUPPORT",
	    .arg = &(const struct socket_args){ AF_UNIX, SOCK_STREAM, IPPROTO_TCP, EPROTONOSUPPORT }),
	ROW(.id = "socket.errors.socket_family_eafnosupport",
	    .title = "socket() of an address family that does not exist fails with -EAFNOSUPPORT",
	    .cites = "POSIX.1-2017 XSH socket() ERRORS [EAFNOSUPPORT]; socket(2)",
	    .arg = &(const struct socket_args){ UNKNOWN_FAMILY, SOCK_STREAM, 0, EAFNOSUPPORT }),
};

/*
 * socket(2), ERRORS: "EINVAL ... Invalid flags in type."  unix(7),
 * ERRORS: "ESOCKTNOSUPPORT Unknown socket type." and "EPROTONOSUPPORT
 * Passed protocol is not AF_UNIX."; unix(7) names SOCK_STREAM, SOCK_DGRAM
 * and SOCK_SEQPACKET as the valid types.  POSIX.1-2017 XSH socket(),
 * ERRORS: "[EPROTONOSUPPORT] The protocol is not supported by the address
 * family, or the protocol is not supported by the implementation."
 * "[EAFNOSUPPORT] The implementation does not support the specified
 * address family."  Checked, one row each: socket() with those arguments
 * fails with that error.
 */
CLAUSE_TABLE(socket_errors_socket)
{
	const struct socket_args *a = t->clause->arg;
	char expr[64];
	snprintf(expr, sizeof expr, "socket(%d, %#x, %d)", a->domain, (unsigned)a->type, a->protocol);
	STEP(t, "%s", expr);
	int h = iut_socket(t, a->domain, a->type, a->protocol);
	ipcconf_check_fails(t, __FILE__, __LINE__, expr, h, -a->err);
	if (h >= 0)
		iut_close(t, h);
}

/* ---- connect() to a name nobody listens on ----------------------------- */

enum target {
	NOT_LISTENING,   /* a stream socket bound to the path, listen never called */
	CLOSED_LISTENER, /* the socket file of a listener since closed */
	MISSING,         /* nothing at the path */
	REGULAR_FILE,    /* a regular file at the path */
	DGRAM_SOCKET,    /* a datagram socket bound to the path */
};

struct connect_error {
	enum target target;
	int err;
};

static const struct ipcconf_clause socket_errors_connect[] = {
	ROW(.id = "socket.errors.connect_not_listening_econnrefused",
	    .title = "connect to the path of a stream socket that is bound but not listening fails with -ECONNREFUSED",
	    .cites = "POSIX.1-2017 XSH connect() ERRORS [ECONNREFUSED]; connect(2); unix(7) ERRORS ECONNREFUSED",
	    .arg = &(const struct connect_error){ NOT_LISTENING, ECONNREFUSED }),
	ROW(.id = "socket.errors.connect_closed_listener_econnrefused",
	    .title = "connect to the socket file a closed listener left fails with -ECONNREFUSED",
	    .cites = "POSIX.1-2017 XSH connect() ERRORS [ECONNREFUSED]; connect(2); unix(7) ERRORS ECONNREFUSED, NOTES",
	    .arg = &(const struct connect_error){ CLOSED_LISTENER, ECONNREFUSED }),
	ROW(.id = "socket.errors.connect_missing_enoent",
	    .title = "connect to a path where nothing exists fails with -ENOENT",
	    .cites = "POSIX.1-2017 XSH connect() ERRORS [ENOENT]; unix(7) ERRORS ENOENT",
	    .arg = &(const struct connect_error){ MISSING, ENOENT }),
	ROW(.id = "socket.errors.connect_regular_file_econnrefused",
	    .title = "connect to a path that names a regular file fails with -ECONNREFUSED",
	    .cites = "unix(7) ERRORS ECONNREFUSED; POSIX.1-2017 XSH connect()",
	    .arg = &(const struct connect_error){ REGULAR_FILE, ECONNREFUSED }),
	ROW(.id = "socket.errors.connect_dgram_eprototype",
	    .title = "connect of a stream socket to a datagram socket's path fails with -EPROTOTYPE",
	    .cites = "POSIX.1-2017 XSH connect() ERRORS [EPROTOTYPE]; connect(2); unix(7) ERRORS EPROTOTYPE",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const struct connect_error){ DGRAM_SOCKET, EPROTOTYPE }),
};

/*
 * POSIX.1-2017 XSH connect(), ERRORS: "[ECONNREFUSED] The target address
 * was not listening for connections or refused the connection request."
 * "[ENOENT] A component of the pathname does not name an existing file or
 * the pathname is an empty string."  "[EPROTOTYPE] The specified address
 * has a different type than the socket bound to the specified peer
 * address."  unix(7), ERRORS: "ECONNREFUSED The remote address specified
 * by connect(2) was not a listening socket.  This error can also occur if
 * the target pathname is not a socket."  "ENOENT The pathname in the
 * remote address specified to connect(2) did not exist."  "EPROTOTYPE
 * Remote socket does not match the local socket type (SOCK_DGRAM versus
 * SOCK_STREAM)."  unix(7), NOTES: a socket file outlives its socket.
 * Checked, one row each: a new stream socket's connect to a path holding
 * that target fails with that error.
 */
CLAUSE_TABLE(socket_errors_connect)
{
	const struct connect_error *e = t->clause->arg;
	struct sockaddr_un sa;
	socklen_t len = socket_path_addr(t, "target", &sa);
	switch (e->target) {
	case NOT_LISTENING:
		addr_bound(t, SOCK_STREAM, &sa, len);
		break;
	case CLOSED_LISTENER: {
		int l = addr_bound(t, SOCK_STREAM, &sa, len);
		REQUIRE_OK(t, iut_listen(t, l, 4), "listen");
		REQUIRE_OK(t, iut_close(t, l), "close of the listener");
		long long mode = addr_file_mode(sa.sun_path);
		REQUIRE(t, mode >= 0 && S_ISSOCK((mode_t)mode),
			"the socket file of the closed listener is gone (lstat: %lld): a bound path outlives its socket",
			mode);
		break;
	}
	case MISSING:
		break;
	case REGULAR_FILE:
		addr_make_regular_file(t, sa.sun_path);
		break;
	case DGRAM_SOCKET:
		addr_bound(t, SOCK_DGRAM, &sa, len);
		break;
	}
	int c = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, c, "socket(AF_UNIX, SOCK_STREAM)");
	STEP(t, "connect to %s", sa.sun_path);
	CHECK_FAILS(t, iut_connect(t, c, &sa, len), -e->err);
}

/* ---- calls a socket's type or state does not allow --------------------- */

enum scene_kind {
	FRESH_STREAM,     /* a stream socket, never bound or connected */
	BOUND_STREAM,     /* a stream socket bound to a path, not listening */
	BOUND_DGRAM,      /* a datagram socket bound to a path */
	CONNECTED_STREAM, /* a stream socket connected to a listener that stays, the accepted end kept */
	DGRAM_PAIR,       /* a datagram socketpair end with one datagram ("d") waiting for it */
};

enum op {
	OP_LISTEN,
	OP_ACCEPT,
	OP_SEND,             /* send of 1 byte, MSG_NOSIGNAL */
	OP_CONNECT_LISTENER, /* connect to the listener's address */
	OP_GETPEERNAME,
	OP_BIND_WRONG_FAMILY, /* bind to a fresh path with sun_family AF_INET */
	OP_SEND_OOB,         /* send of 1 byte, MSG_OOB */
	OP_RECV_OOB,         /* recv of 1 byte, MSG_OOB */
};

struct state_error {
	enum scene_kind scene;
	enum op op;
	int err;
};

struct scene {
	int s;                /* the socket the row's call is made on */
	int peer;             /* CONNECTED_STREAM, DGRAM_PAIR: the other end */
	struct sockaddr_un listener;
	socklen_t listener_len;
};

static void set_scene(struct ipcconf_t *t, enum scene_kind kind, struct scene *sc)
{
	struct sockaddr_un sa;
	socklen_t len;
	int e[2];
	*sc = (struct scene){ .s = -1, .peer = -1 };
	switch (kind) {
	case FRESH_STREAM:
		sc->s = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
		REQUIRE_OK(t, sc->s, "socket(AF_UNIX, SOCK_STREAM)");
		return;
	case BOUND_STREAM:
	case BOUND_DGRAM:
		len = socket_path_addr(t, "self", &sa);
		sc->s = addr_bound(t, kind == BOUND_STREAM ? SOCK_STREAM : SOCK_DGRAM, &sa, len);
		return;
	case CONNECTED_STREAM: {
		int l = socket_listener(t, SOCK_STREAM, "server", 4, &sc->listener, &sc->listener_len);
		sc->s = addr_connected_to(t, &sc->listener, sc->listener_len);
		sc->peer = iut_accept(t, l, NULL, NULL, 0);
		REQUIRE_OK(t, sc->peer, "accept of the connection");
		return;
	}
	case DGRAM_PAIR:
		socket_pair(t, SOCK_DGRAM, e);
		sc->s = e[0];
		sc->peer = e[1];
		REQUIRE_EQ(t, iut_send(t, sc->peer, "d", 1, 0), 1, "a datagram to the end under test");
		return;
	}
}

static long long run_op(struct ipcconf_t *t, enum op op, struct scene *sc, char *fresh_path)
{
	char c = 0;
	struct sockaddr_un sa;
	socklen_t len;
	switch (op) {
	case OP_LISTEN:
		return iut_listen(t, sc->s, 4);
	case OP_ACCEPT:
		return iut_accept(t, sc->s, NULL, NULL, 0);
	case OP_SEND:
		return iut_send(t, sc->s, "x", 1, MSG_NOSIGNAL);
	case OP_CONNECT_LISTENER:
		return iut_connect(t, sc->s, &sc->listener, sc->listener_len);
	case OP_GETPEERNAME:
		len = sizeof sa;
		return iut_getpeername(t, sc->s, &sa, &len);
	case OP_BIND_WRONG_FAMILY:
		len = socket_path_addr(t, "wrong-family", &sa);
		strcpy(fresh_path, sa.sun_path);
		sa.sun_family = AF_INET;
		return iut_bind(t, sc->s, &sa, len);
	case OP_SEND_OOB:
		return iut_send(t, sc->s, "o", 1, MSG_OOB | MSG_NOSIGNAL);
	case OP_RECV_OOB:
		return iut_recv(t, sc->s, &c, 1, MSG_OOB);
	}
	BROKEN(t, "unknown operation %d", (int)op);
}

static const char *const op_name[] = {
	[OP_LISTEN] = "listen",
	[OP_ACCEPT] = "accept",
	[OP_SEND] = "send",
	[OP_CONNECT_LISTENER] = "connect to the listener",
	[OP_GETPEERNAME] = "getpeername",
	[OP_BIND_WRONG_FAMILY] = "bind with sun_family AF_INET",
	[OP_SEND_OOB] = "send with MSG_OOB",
	[OP_RECV_OOB] = "recv with MSG_OOB",
};

static const struct ipcconf_clause socket_errors[] = {
	ROW(.id = "socket.errors.listen_dgram_eopnotsupp",
	    .title = "listen on a datagram socket fails with -EOPNOTSUPP",
	    .cites = "POSIX.1-2017 XSH listen() ERRORS [EOPNOTSUPP]; listen(2); unix(7) ERRORS EOPNOTSUPP",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const struct state_error){ BOUND_DGRAM, OP_LISTEN, EOPNOTSUPP }),
	ROW(.id = "socket.errors.accept_dgram_eopnotsupp",
	    .title = "accept on a datagram socket fails with -EOPNOTSUPP",
	    .cites = "POSIX.1-2017 XSH accept() ERRORS [EOPNOTSUPP]; accept(2); unix(7) ERRORS EOPNOTSUPP",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const struct state_error){ BOUND_DGRAM, OP_ACCEPT, EOPNOTSUPP }),
	ROW(.id = "socket.errors.accept_not_listening_einval",
	    .title = "accept on a stream socket that is not listening fails with -EINVAL",
	    .cites = "POSIX.1-2017 XSH accept() ERRORS [EINVAL]; accept(2) ERRORS EINVAL",
	    .arg = &(const struct state_error){ BOUND_STREAM, OP_ACCEPT, EINVAL }),
	ROW(.id = "socket.errors.listen_connected_einval",
	    .title = "listen on a connected stream socket fails with -EINVAL and the connection stays",
	    .cites = "POSIX.1-2017 XSH listen() ERRORS [EINVAL]",
	    .arg = &(const struct state_error){ CONNECTED_STREAM, OP_LISTEN, EINVAL }),
	ROW(.id = "socket.errors.send_unconnected_enotconn",
	    .title = "send on a stream socket never connected fails with -ENOTCONN",
	    .cites = "POSIX.1-2017 XSH send() ERRORS [ENOTCONN]; send(2) ERRORS ENOTCONN; unix(7) ERRORS ENOTCONN",
	    .arg = &(const struct state_error){ FRESH_STREAM, OP_SEND, ENOTCONN }),
	ROW(.id = "socket.errors.connect_twice_eisconn",
	    .title = "connect of a connected stream socket fails with -EISCONN and the connection stays",
	    .cites = "POSIX.1-2017 XSH connect() ERRORS [EISCONN]; connect(2) ERRORS EISCONN; unix(7) ERRORS EISCONN",
	    .arg = &(const struct state_error){ CONNECTED_STREAM, OP_CONNECT_LISTENER, EISCONN }),
	ROW(.id = "socket.errors.getpeername_unconnected_enotconn",
	    .title = "getpeername of a socket never connected fails with -ENOTCONN",
	    .cites = "POSIX.1-2017 XSH getpeername() ERRORS [ENOTCONN]; getpeername(2) ERRORS ENOTCONN",
	    .arg = &(const struct state_error){ FRESH_STREAM, OP_GETPEERNAME, ENOTCONN }),
	ROW(.id = "socket.errors.bind_wrong_family_einval",
	    .title = "bind of an AF_UNIX socket to an address whose family is not AF_UNIX fails with -EINVAL and creates nothing",
	    .cites = "bind(2) ERRORS EINVAL; unix(7) ERRORS EINVAL",
	    .arg = &(const struct state_error){ FRESH_STREAM, OP_BIND_WRONG_FAMILY, EINVAL }),
	ROW(.id = "socket.errors.send_oob_dgram_eopnotsupp",
	    .title = "send with MSG_OOB on an AF_UNIX datagram socket fails with -EOPNOTSUPP and sends nothing",
	    .cites = "unix(7) Sockets API, ERRORS EOPNOTSUPP; send(2) ERRORS EOPNOTSUPP; POSIX.1-2017 XSH send() ERRORS [EOPNOTSUPP]",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const struct state_error){ DGRAM_PAIR, OP_SEND_OOB, EOPNOTSUPP }),
	ROW(.id = "socket.errors.recv_oob_dgram_eopnotsupp",
	    .title = "recv with MSG_OOB on an AF_UNIX datagram socket fails with -EOPNOTSUPP and consumes nothing",
	    .cites = "unix(7) Sockets API, ERRORS EOPNOTSUPP; POSIX.1-2017 XSH recv() ERRORS [EOPNOTSUPP]",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const struct state_error){ DGRAM_PAIR, OP_RECV_OOB, EOPNOTSUPP }),
};

/*
 * Each row: a socket in a given state, a call it does not allow, the
 * error the call's pages name.
 *
 * POSIX.1-2017 XSH listen(), ERRORS: "[EOPNOTSUPP] The socket protocol
 * does not support listen()."  "[EINVAL] The socket is already
 * connected."  accept(): "[EOPNOTSUPP] The socket type of the specified
 * socket does not support accepting connections."  "[EINVAL] The socket is
 * not accepting connections."  send(): "[ENOTCONN] The socket is not
 * connected."  connect(): "[EISCONN] The specified socket is
 * connection-mode and is already connected."  getpeername(): "[ENOTCONN]
 * The socket is not connected or otherwise has not had the peer
 * pre-specified."  send() and recv(): "[EOPNOTSUPP]" for flags the socket
 * does not support.
 *
 * unix(7), ERRORS: "EINVAL Invalid argument passed.  A common cause is
 * that the value AF_UNIX was not specified in the sun_type field of passed
 * addresses"; "EISCONN connect(2) called on an already connected socket";
 * "ENOTCONN Socket operation needs a target address, but the socket is not
 * connected" (send(2), BUGS: "Linux may return EPIPE instead of
 * ENOTCONN" -- a deviation, of TCP, that AF_UNIX does not make);
 * "EOPNOTSUPP Stream operation called on non-stream oriented socket or
 * tried to use the out-of-band data option"; send(2): "EOPNOTSUPP Some bit
 * in the flags argument is inappropriate for the socket type";
 * Sockets API: "UNIX domain sockets do not support the transmission of
 * out-of-band data (the MSG_OOB flag for send(2) and recv(2))".  (Linux
 * 5.15 added MSG_OOB to AF_UNIX stream sockets, CONFIG_AF_UNIX_OOB; the
 * rows are for datagram sockets, which still refuse it.)
 *
 * Checked: the call fails with the row's error and has no effect that can
 * be seen -- a connected socket still carries a byte to its peer; a
 * datagram end still holds the datagram waiting for it and its peer gets
 * the next normal datagram first (a refused MSG_OOB recv consumed nothing,
 * a refused MSG_OOB send sent nothing); a refused bind created nothing.
 */
CLAUSE_TABLE(socket_errors)
{
	const struct state_error *e = t->clause->arg;
	struct scene sc;
	char fresh_path[sizeof ((struct sockaddr_un *)0)->sun_path] = "";
	set_scene(t, e->scene, &sc);
	STEP(t, "%s", op_name[e->op]);
	long long r = run_op(t, e->op, &sc, fresh_path);
	char expr[96];
	snprintf(expr, sizeof expr, "%s on the socket", op_name[e->op]);
	ipcconf_check_fails(t, __FILE__, __LINE__, expr, r, -e->err);

	char got = 0;
	switch (e->scene) {
	case CONNECTED_STREAM:
		STEP(t, "the connection after the refused call");
		socket_send_all(t, sc.s, "k", 1, "a send on the connection after the refused call");
		socket_recv_exact(t, sc.peer, &got, 1, "the peer receives");
		CHECK_EQ(t, got, 'k', "the first byte the peer received after the refused call");
		break;
	case DGRAM_PAIR:
		STEP(t, "the datagram pair after the refused call");
		CHECK_EQ(t, iut_recv(t, sc.s, &got, 1, 0), 1, "recv of the datagram that was waiting");
		CHECK_EQ(t, got, 'd', "the datagram still waiting after the refused call");
		REQUIRE_EQ(t, iut_send(t, sc.s, "n", 1, 0), 1, "a normal datagram after the refused call");
		CHECK_EQ(t, iut_recv(t, sc.peer, &got, 1, 0), 1, "the peer's recv");
		CHECK_EQ(t, got, 'n', "the first datagram the peer received after the refused call");
		break;
	default:
		break;
	}
	if (fresh_path[0])
		CHECK_EQ(t, addr_file_mode(fresh_path), -ENOENT, "lstat of the path the refused bind named");
}

/*
 * POSIX.1-2017 XSH sendto(): "If the socket is connection-mode, dest_addr
 * shall be ignored."  ERRORS: "[EISCONN] A destination address was
 * specified and the socket is already connected.  This error may or may
 * not be returned for connection mode sockets."  send(2): on a
 * connection-mode socket "the arguments dest_addr and addrlen are ignored
 * (and the error EISCONN may be returned when they are not NULL and 0)";
 * unix(7), ERRORS: EISCONN when "a target address was specified on a
 * connected socket".  Both outcomes are legal, and nothing else: checked,
 * a sendto of one byte with the listener's address on a connected stream
 * socket either fails with -EISCONN, after which the peer's first byte is
 * the one sent next, or sends the byte to the connected peer, which gets
 * it before the one sent next; never to anyone else.
 */
CLAUSE(socket_errors_sendto_connected,
       .id = "socket.errors.sendto_connected",
       .title = "sendto with an address on a connected stream socket fails with -EISCONN or ignores the address",
       .cites = "POSIX.1-2017 XSH sendto() ERRORS [EISCONN]; send(2) ERRORS EISCONN; unix(7) ERRORS EISCONN")
{
	struct scene sc;
	set_scene(t, CONNECTED_STREAM, &sc);
	STEP(t, "sendto the listener's address on the connected socket");
	ssize_t r = iut_sendto(t, sc.s, "x", 1, MSG_NOSIGNAL, &sc.listener, sc.listener_len);
	char b[32];
	REQUIRE(t, r == -EISCONN || r == 1,
		"sendto with an address on a connected stream socket returned %s: expected -EISCONN, or 1 with the address ignored",
		ipcconf_result_name(r, b));
	socket_send_all(t, sc.s, "k", 1, "a send on the connection after the sendto");
	/* End of file after "k": a byte that went elsewhere shows as a short read, not a hang. */
	REQUIRE_EQ(t, iut_shutdown(t, sc.s, SHUT_WR), 0, "shutdown(SHUT_WR) after the send");
	char got[2] = { 0, 0 };
	size_t n = r == 1 ? 2 : 1;
	socket_recv_exact(t, sc.peer, got, n, "the connected peer receives");
	if (r == 1)
		CHECK(t, got[0] == 'x' && got[1] == 'k',
		      "sendto returned 1, so the address was ignored: the peer should get \"xk\", got \"%.2s\"", got);
	else
		CHECK_EQ(t, got[0], 'k', "the first byte the peer received after the refused sendto");
}

/* ---- a handle that is not an open socket ------------------------------- */

enum not_socket {
	CLOSED_SOCKET, /* a socket handle after close */
	PIPE_END,      /* the ends of a pipe */
};

static const struct ipcconf_clause socket_errors_handle[] = {
	ROW(.id = "socket.errors.handle_closed_ebadf",
	    .title = "every socket call on a closed socket handle fails with -EBADF",
	    .cites = "POSIX.1-2017 XSH bind(), listen(), accept(), connect(), send(), recv(), shutdown(), getsockname(), getpeername(), getsockopt() ERRORS [EBADF]",
	    .arg = &(const enum not_socket){ CLOSED_SOCKET }),
	ROW(.id = "socket.errors.handle_pipe_enotsock",
	    .title = "every socket call on a pipe end fails with -ENOTSOCK and leaves the pipe's byte in it",
	    .cites = "POSIX.1-2017 XSH bind(), listen(), accept(), connect(), send(), recv(), shutdown(), getsockname(), getpeername(), getsockopt() ERRORS [ENOTSOCK]",
	    USES(PIPE, 0),
	    .arg = &(const enum not_socket){ PIPE_END }),
};

/*
 * POSIX.1-2017 XSH bind(), listen(), accept(), connect(), send(), recv(),
 * shutdown(), getsockname(), getpeername(), getsockopt(), ERRORS: "[EBADF]
 * The socket argument is not a valid file descriptor." and "[ENOTSOCK] The
 * socket argument does not refer to a socket." (each page in its words).
 * iut.h: "an operation given a handle that is not open returns -EBADF, and
 * one given a handle of the wrong kind returns the error its manual page
 * names (... -ENOTSOCK ...)".  Checked: each socket call, with arguments
 * otherwise valid (a fresh path to bind, a live listener to connect to),
 * on a socket handle after its close fails with -EBADF; on a pipe end
 * (with a byte in the pipe) with -ENOTSOCK; the refused bind created
 * nothing, and the pipe still holds its byte.
 */
CLAUSE_TABLE(socket_errors_handle)
{
	enum not_socket kind = *(const enum not_socket *)t->clause->arg;
	int err = kind == CLOSED_SOCKET ? -EBADF : -ENOTSOCK;
	struct sockaddr_un lsa, fresh, got;
	socklen_t llen, got_len;
	/* The listener first: a closed handle's number is not reused by it. */
	socket_listener(t, SOCK_STREAM, "server", 4, &lsa, &llen);
	socklen_t flen = socket_path_addr(t, "fresh", &fresh);
	int h, send_h, recv_h, e[2] = { -1, -1 };
	if (kind == CLOSED_SOCKET) {
		h = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
		REQUIRE_OK(t, h, "socket(AF_UNIX, SOCK_STREAM)");
		REQUIRE_EQ(t, iut_close(t, h), 0, "close of the socket");
		send_h = recv_h = h;
	} else {
		REQUIRE_OK(t, t->iut->pipe->create(t->self, e, 0), "pipe create");
		REQUIRE_EQ(t, iut_write(t, e[1], "z", 1), 1, "a byte into the pipe");
		h = recv_h = e[0];
		send_h = e[1];
	}
	char c = 0;
	int v = 0;
	socklen_t vlen = sizeof v;
	STEP(t, "socket calls on the handle");
	CHECK_FAILS(t, iut_bind(t, h, &fresh, flen), err);
	CHECK_FAILS(t, iut_listen(t, h, 4), err);
	CHECK_FAILS(t, iut_accept(t, h, NULL, NULL, 0), err);
	CHECK_FAILS(t, iut_connect(t, h, &lsa, llen), err);
	CHECK_FAILS(t, iut_send(t, send_h, "x", 1, MSG_NOSIGNAL), err);
	CHECK_FAILS(t, iut_recv(t, recv_h, &c, 1, 0), err);
	CHECK_FAILS(t, iut_shutdown(t, h, SHUT_RDWR), err);
	got_len = sizeof got;
	CHECK_FAILS(t, iut_getsockname(t, h, &got, &got_len), err);
	got_len = sizeof got;
	CHECK_FAILS(t, iut_getpeername(t, h, &got, &got_len), err);
	CHECK_FAILS(t, iut_getsockopt(t, h, SOL_SOCKET, SO_TYPE, &v, &vlen), err);

	CHECK_EQ(t, addr_file_mode(fresh.sun_path), -ENOENT, "lstat of the path the refused bind named");
	if (kind == PIPE_END) {
		STEP(t, "read of the pipe's byte");
		c = 0;
		CHECK_EQ(t, iut_read(t, e[0], &c, 1), 1, "read of the byte the pipe should still hold");
		CHECK_EQ(t, c, 'z', "the byte still in the pipe");
	}
}
