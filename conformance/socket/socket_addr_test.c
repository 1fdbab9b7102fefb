/*
 * Socket clauses: AF_UNIX names.  A bind to a path makes a socket file and
 * fails where something is already there; a socket is bound once; the
 * three kinds of address (pathname, unnamed, abstract) come back as
 * unix(7) describes; abstract names live outside the file system and die
 * with their socket; and a connection's two ends name each other.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_addr_support.h"
#include "conformance/socket/socket_support.h"

/*
 * unix(7), "pathname": "a UNIX domain socket can be bound to a
 * null-terminated filesystem pathname using bind(2)"; NOTES: "Binding to a
 * socket with a filename creates a socket in the filesystem that must be
 * deleted by the caller when it is no longer needed".  POSIX.1-2017 XBD
 * <sys/stat.h>: S_ISSOCK(m) "Test for a socket."  Checked: nothing is at
 * the path before the bind; after it the clause's own lstat(2) finds a
 * file there whose type is socket.
 */
CLAUSE(socket_addr_bind_creates_socket_file,
       .id = "socket.addr.bind_creates_socket_file",
       .title = "a bind to a path creates a file of type socket at that path",
       .cites = "POSIX.1-2017 XSH bind(), XBD <sys/stat.h> S_ISSOCK; bind(2); unix(7) pathname, NOTES")
{
	struct sockaddr_un sa;
	socklen_t len = socket_path_addr(t, "bound", &sa);
	if (addr_file_mode(sa.sun_path) != -ENOENT)
		BROKEN(t, "the fresh path %s exists before the bind", sa.sun_path);
	int s = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, s, "socket(AF_UNIX, SOCK_STREAM)");
	STEP(t, "bind to %s", sa.sun_path);
	REQUIRE_EQ(t, iut_bind(t, s, &sa, len), 0, "bind to a fresh path");
	long long mode = addr_file_mode(sa.sun_path);
	char b[32];
	CHECK(t, mode >= 0 && S_ISSOCK((mode_t)mode),
	      "after the bind, stat(%s) gives %s: expected a file of type socket (S_ISSOCK)",
	      sa.sun_path, mode < 0 ? ipcconf_result_name(mode, b)
				    : S_ISREG((mode_t)mode) ? "a regular file" : "a file of another type");
}

/* What stands at the path before the bind of a row of socket_addr_bind_eaddrinuse. */
enum occupant {
	REGULAR_FILE,   /* an empty regular file the clause made */
	STALE_SOCKET,   /* the socket file of a socket bound there and since closed */
	LIVE_LISTENER,  /* the socket file of a socket listening there now */
	SYMLINK,        /* a symbolic link to a name where nothing is */
};

static const struct ipcconf_clause socket_addr_bind_eaddrinuse[] = {
	ROW(.id = "socket.addr.bind_eaddrinuse_regular_file",
	    .title = "a bind to a path where a regular file exists fails with -EADDRINUSE and leaves the file",
	    .cites = "POSIX.1-2017 XSH bind() ERRORS [EADDRINUSE]; bind(2); unix(7) ERRORS EADDRINUSE",
	    .arg = &(const enum occupant){ REGULAR_FILE }),
	ROW(.id = "socket.addr.bind_eaddrinuse_stale_socket",
	    .title = "a bind to the path a closed socket was bound to fails with -EADDRINUSE while its file remains",
	    .cites = "POSIX.1-2017 XSH bind() ERRORS [EADDRINUSE]; bind(2); unix(7) ERRORS EADDRINUSE, NOTES",
	    .arg = &(const enum occupant){ STALE_SOCKET }),
	ROW(.id = "socket.addr.bind_eaddrinuse_live_listener",
	    .title = "a bind to the path of a listening socket fails with -EADDRINUSE and the listener keeps its name",
	    .cites = "POSIX.1-2017 XSH bind() ERRORS [EADDRINUSE]; bind(2); unix(7) ERRORS EADDRINUSE",
	    .arg = &(const enum occupant){ LIVE_LISTENER }),
	ROW(.id = "socket.addr.bind_eaddrinuse_symlink",
	    .title = "a bind to a path that names a symbolic link fails with -EADDRINUSE and creates nothing at its target",
	    .cites = "POSIX.1-2017 XSH bind() DESCRIPTION, ERRORS [EADDRINUSE]; bind(2); unix(7) ERRORS EADDRINUSE",
	    .arg = &(const enum occupant){ SYMLINK }),
};

/*
 * POSIX.1-2017 XSH bind(), ERRORS: "[EADDRINUSE] The specified address is
 * already in use."  unix(7), ERRORS: "EADDRINUSE The specified local
 * address is already in use or the filesystem socket object already
 * exists."  unix(7), NOTES: the socket file "must be deleted by the caller
 * when it is no longer needed (using unlink(2))" -- it outlives its socket.
 * POSIX.1-2017 XSH bind(): "If the address family of the socket is AF_UNIX
 * and the pathname in address names a symbolic link, bind() shall fail and
 * set errno to [EADDRINUSE]."  Checked, for each thing that can stand at
 * the path: a new socket's bind there fails with -EADDRINUSE, and what
 * stood there is still there, unchanged in type (a regular file, a socket
 * file, a live listener still reached through the path, a symbolic link
 * whose target the bind did not create).
 */
CLAUSE_TABLE(socket_addr_bind_eaddrinuse)
{
	enum occupant kind = *(const enum occupant *)t->clause->arg;
	struct sockaddr_un sa;
	socklen_t len = socket_path_addr(t, "taken", &sa);
	int listener = -1;
	const char *target = NULL;
	switch (kind) {
	case REGULAR_FILE:
		addr_make_regular_file(t, sa.sun_path);
		break;
	case STALE_SOCKET:
		REQUIRE_OK(t, iut_close(t, addr_bound(t, SOCK_STREAM, &sa, len)),
			   "close of the first socket bound to the path");
		break;
	case LIVE_LISTENER:
		listener = addr_bound(t, SOCK_STREAM, &sa, len);
		REQUIRE_OK(t, iut_listen(t, listener, 4), "listen on the first socket");
		break;
	case SYMLINK:
		target = ipcconf_socket_path(t, "target");
		addr_make_symlink(t, target, sa.sun_path);
		break;
	}
	long long before = addr_file_mode(sa.sun_path);
	if (before < 0 && (kind == STALE_SOCKET || kind == LIVE_LISTENER))
		REQUIRE(t, 0, "no socket file at %s after the bind%s (lstat: %lld)", sa.sun_path,
			kind == STALE_SOCKET ? " and close: the file must outlive its socket" : "", before);
	if (before < 0)
		BROKEN(t, "nothing at %s after setting it up (lstat: %lld)", sa.sun_path, before);

	int s = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, s, "socket(AF_UNIX, SOCK_STREAM)");
	STEP(t, "bind to the occupied path %s", sa.sun_path);
	CHECK_FAILS(t, iut_bind(t, s, &sa, len), -EADDRINUSE);

	long long after = addr_file_mode(sa.sun_path);
	CHECK(t, after >= 0 && (after & S_IFMT) == (before & S_IFMT),
	      "the refused bind changed what is at the path: mode %#llo before, %#llo after (negative: errno)",
	      before, after);
	if (kind == LIVE_LISTENER) {
		STEP(t, "connect through the path to the first listener");
		addr_connected_to(t, &sa, len);
		int a = iut_accept(t, listener, NULL, NULL, 0);
		CHECK(t, a >= 0, "the first listener accepts the connection made through its path (got %d)", a);
	}
	if (kind == SYMLINK)
		CHECK_EQ(t, addr_file_mode(target), -ENOENT,
			 "lstat of the symbolic link's target after the refused bind");
}

/*
 * POSIX.1-2017 XSH bind(), ERRORS: "[EINVAL] The socket is already bound
 * to an address, and the protocol does not support binding to a new
 * address".  bind(2), ERRORS: "EINVAL The socket is already bound to an
 * address."  Checked: a socket bound to one path refuses a bind to a
 * second, fresh path with -EINVAL; the refused bind creates nothing at the
 * second path, and the socket still names the first.
 */
CLAUSE(socket_addr_bind_twice_einval,
       .id = "socket.addr.bind_twice_einval",
       .title = "a bind of an already bound socket fails with -EINVAL and creates nothing",
       .cites = "POSIX.1-2017 XSH bind() ERRORS [EINVAL]; bind(2)")
{
	struct sockaddr_un first, second;
	socklen_t first_len = socket_path_addr(t, "first", &first);
	socklen_t second_len = socket_path_addr(t, "second", &second);
	int s = addr_bound(t, SOCK_STREAM, &first, first_len);
	STEP(t, "second bind, to %s", second.sun_path);
	CHECK_FAILS(t, iut_bind(t, s, &second, second_len), -EINVAL);
	CHECK_EQ(t, addr_file_mode(second.sun_path), -ENOENT,
		 "stat of the second path after the refused bind");
	struct sockaddr_un got;
	socklen_t got_len = sizeof got;
	REQUIRE_EQ(t, iut_getsockname(t, s, &got, &got_len), 0, "getsockname after the refused bind");
	addr_expect_path(t, &got, got_len, first.sun_path, "the name after the refused second bind");
}

/*
 * unix(7), "pathname": "When the address of a pathname socket is returned
 * (by one of the system calls noted above), its length is
 * offsetof(struct sockaddr_un, sun_path) + strlen(sun_path) + 1 and
 * sun_path contains the null-terminated pathname."  POSIX.1-2017 XSH
 * getsockname(): "shall retrieve the locally-bound name of the specified
 * socket".  Checked: getsockname of a socket bound to a path, with room for
 * a whole sockaddr_un, returns that path, NUL-terminated, with that length.
 */
CLAUSE(socket_addr_getsockname_path,
       .id = "socket.addr.getsockname_path",
       .title = "getsockname of a socket bound to a path returns the path with length offsetof(sun_path)+strlen+1",
       .cites = "POSIX.1-2017 XSH getsockname(), bind(); getsockname(2); unix(7)")
{
	struct sockaddr_un sa, got;
	socklen_t len = socket_path_addr(t, "named", &sa);
	int s = addr_bound(t, SOCK_STREAM, &sa, len);
	memset(&got, 0x5a, sizeof got);
	socklen_t got_len = sizeof got;
	STEP(t, "getsockname of the bound socket");
	REQUIRE_EQ(t, iut_getsockname(t, s, &got, &got_len), 0, "getsockname of a bound socket");
	addr_expect_path(t, &got, got_len, sa.sun_path, "getsockname of the socket bound to a path");
}

/*
 * unix(7), "unnamed": "A stream socket that has not been bound to a
 * pathname using bind(2) has no name.  Likewise, the two sockets created by
 * socketpair(2) are unnamed.  When the address of an unnamed socket is
 * returned, its length is sizeof(sa_family_t)"; "The sun_family field
 * always contains AF_UNIX."  Checked: getsockname of a socket never bound,
 * getsockname of both ends of a stream socketpair, and getpeername of a
 * socketpair end (whose peer is the other, unnamed end), each with room
 * for a whole sockaddr_un: length sizeof(sa_family_t), family AF_UNIX.
 */
CLAUSE(socket_addr_unnamed_name,
       .id = "socket.addr.unnamed_name",
       .title = "the address of an unbound socket or a socketpair end is just the family (length sizeof(sa_family_t))",
       .cites = "POSIX.1-2017 XSH getsockname(), getpeername(); unix(7)")
{
	struct sockaddr_un got;
	socklen_t got_len;
	int s = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, s, "socket(AF_UNIX, SOCK_STREAM)");
	got_len = sizeof got;
	REQUIRE_EQ(t, iut_getsockname(t, s, &got, &got_len), 0, "getsockname of an unbound socket");
	addr_expect_unnamed(t, &got, got_len, "getsockname of a socket never bound");

	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	for (int i = 0; i < 2; i++) {
		got_len = sizeof got;
		REQUIRE_EQ(t, iut_getsockname(t, e[i], &got, &got_len), 0, "getsockname of a socketpair end");
		addr_expect_unnamed(t, &got, got_len,
				    i == 0 ? "getsockname of socketpair end 0" : "getsockname of socketpair end 1");
	}
	got_len = sizeof got;
	REQUIRE_EQ(t, iut_getpeername(t, e[0], &got, &got_len), 0, "getpeername of a socketpair end");
	addr_expect_unnamed(t, &got, got_len, "getpeername of socketpair end 0 (its peer is unnamed)");
}

/*
 * unix(7), "abstract": "an abstract socket address is distinguished (from
 * a pathname socket) by the fact that sun_path[0] is a null byte ('\0').
 * The socket's address in this namespace is given by the additional bytes
 * in sun_path that are covered by the specified length of the address
 * structure."  Checked: a stream socket bound to an abstract name and
 * listening is reached by a connect to the same name; the accepted end and
 * the connecting end carry a message each way.
 */
CLAUSE(socket_addr_abstract_connect,
       .id = "socket.addr.abstract_connect",
       .title = "a connect to an abstract name reaches the socket listening on that name",
       .cites = "POSIX.1-2017 XSH bind(), connect(); unix(7) abstract",
       USES(SOCKET, IPCCONF_SOCKET_CAP_ABSTRACT))
{
	struct sockaddr_un sa;
	socklen_t len = socket_abstract_addr(t, "meet", &sa);
	int l = addr_bound(t, SOCK_STREAM, &sa, len);
	REQUIRE_OK(t, iut_listen(t, l, 4), "listen on the abstract name");
	STEP(t, "connect to the abstract name");
	int c = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, c, "socket(AF_UNIX, SOCK_STREAM)");
	REQUIRE_EQ(t, iut_connect(t, c, &sa, len), 0, "connect to the abstract name");
	int a = iut_accept(t, l, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept on the abstract listener");
	char got[4];
	socket_send_all(t, c, "hey", 3, "the client sends");
	socket_recv_exact(t, a, got, 3, "the accepted end receives");
	CHECK_MEM(t, got, "hey", 3, "what the accepted end received");
	socket_send_all(t, a, "yo", 2, "the accepted end answers");
	socket_recv_exact(t, c, got, 2, "the client receives");
	CHECK_MEM(t, got, "yo", 2, "what the client received");
}

/*
 * unix(7), "abstract": "When the address of an abstract socket is
 * returned, the returned addrlen is greater than sizeof(sa_family_t) (i.e.,
 * greater than 2), and the name of the socket is contained in the first
 * (addrlen - sizeof(sa_family_t)) bytes of sun_path."  Checked:
 * getsockname of a socket bound to an abstract name returns exactly the
 * bytes and the length it was bound with (the length is part of the name).
 */
CLAUSE(socket_addr_abstract_getsockname,
       .id = "socket.addr.abstract_getsockname",
       .title = "getsockname of a socket bound to an abstract name returns that name with its exact length",
       .cites = "POSIX.1-2017 XSH getsockname(); unix(7) abstract",
       USES(SOCKET, IPCCONF_SOCKET_CAP_ABSTRACT))
{
	struct sockaddr_un sa, got;
	socklen_t len = socket_abstract_addr(t, "named", &sa);
	int s = addr_bound(t, SOCK_STREAM, &sa, len);
	memset(&got, 0x5a, sizeof got);
	socklen_t got_len = sizeof got;
	REQUIRE_EQ(t, iut_getsockname(t, s, &got, &got_len), 0, "getsockname of an abstract-bound socket");
	addr_expect_same(t, &got, got_len, &sa, len, "getsockname of the abstract-bound socket");
}

/* The entries of `dir` other than "." and "..", or -errno. */
static long count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -(long)errno;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/*
 * unix(7), "abstract": "The name has no connection with filesystem
 * pathnames."  Checked: the clause works in its empty private directory;
 * a stream socket bound to an abstract name (and listening) leaves that
 * directory empty -- an implementation that makes a file of the name's
 * bytes, relative to the working directory, is caught.
 */
CLAUSE(socket_addr_abstract_no_file,
       .id = "socket.addr.abstract_no_file",
       .title = "a bind to an abstract name creates no file",
       .cites = "unix(7) abstract",
       USES(SOCKET, IPCCONF_SOCKET_CAP_ABSTRACT))
{
	if (chdir(t->dir) != 0)
		BROKEN(t, "chdir(%s): %s", t->dir, strerror(errno));
	long before = count_entries(".");
	if (before != 0)
		BROKEN(t, "the clause's private directory %s is not empty before the bind (%ld)", t->dir, before);
	struct sockaddr_un sa;
	socklen_t len = socket_abstract_addr(t, "nofile", &sa);
	STEP(t, "bind and listen on an abstract name");
	int s = addr_bound(t, SOCK_STREAM, &sa, len);
	REQUIRE_OK(t, iut_listen(t, s, 4), "listen on the abstract name");
	CHECK_EQ(t, count_entries("."), 0,
		 "entries in the working directory after the bind to an abstract name");
	/* The bytes after the leading NUL, as a relative path name. */
	char rel[sizeof sa.sun_path];
	size_t n = len - offsetof(struct sockaddr_un, sun_path) - 1;
	memcpy(rel, sa.sun_path + 1, n);
	rel[n] = 0;
	CHECK_EQ(t, addr_file_mode(rel), -ENOENT, "stat of the abstract name's bytes as a path");
}

/*
 * unix(7), ERRORS: "EADDRINUSE The specified local address is already in
 * use"; POSIX.1-2017 XSH bind(), ERRORS: "[EADDRINUSE] The specified
 * address is already in use."  Checked: while one socket holds an abstract
 * name, a second socket's bind to the same name fails with -EADDRINUSE,
 * and a connect to the name still reaches the first.
 */
CLAUSE(socket_addr_abstract_eaddrinuse,
       .id = "socket.addr.abstract_eaddrinuse",
       .title = "a bind to an abstract name another socket holds fails with -EADDRINUSE",
       .cites = "POSIX.1-2017 XSH bind() ERRORS [EADDRINUSE]; unix(7) abstract, ERRORS EADDRINUSE",
       USES(SOCKET, IPCCONF_SOCKET_CAP_ABSTRACT))
{
	struct sockaddr_un sa;
	socklen_t len = socket_abstract_addr(t, "held", &sa);
	int l = addr_bound(t, SOCK_STREAM, &sa, len);
	REQUIRE_OK(t, iut_listen(t, l, 4), "listen on the abstract name");
	int s = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, s, "socket(AF_UNIX, SOCK_STREAM)");
	STEP(t, "second bind to the held abstract name");
	CHECK_FAILS(t, iut_bind(t, s, &sa, len), -EADDRINUSE);
	STEP(t, "connect to the name after the refused bind");
	addr_connected_to(t, &sa, len);
	int a = iut_accept(t, l, NULL, NULL, 0);
	CHECK(t, a >= 0, "the first holder of the name accepts the connection (got %d)", a);
}

/*
 * unix(7), "Abstract sockets": "Abstract sockets automatically disappear
 * when all open references to the socket are closed."  Checked: after the
 * only socket bound to an abstract name is closed, a connect to the name
 * fails (nothing holds it; -ECONNREFUSED as for any name nobody listens
 * on), and a new socket can bind the same name.
 */
CLAUSE(socket_addr_abstract_freed_on_close,
       .id = "socket.addr.abstract_freed_on_close",
       .title = "an abstract name is free again once the socket bound to it is closed",
       .cites = "POSIX.1-2017 XSH bind(), close(); unix(7) abstract, Abstract sockets",
       USES(SOCKET, IPCCONF_SOCKET_CAP_ABSTRACT))
{
	struct sockaddr_un sa;
	socklen_t len = socket_abstract_addr(t, "reused", &sa);
	int l = addr_bound(t, SOCK_STREAM, &sa, len);
	REQUIRE_OK(t, iut_listen(t, l, 4), "listen on the abstract name");
	REQUIRE_OK(t, iut_close(t, l), "close of the only socket bound to the name");
	STEP(t, "connect to the name after its socket closed");
	int c = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, c, "socket(AF_UNIX, SOCK_STREAM)");
	CHECK_FAILS(t, iut_connect(t, c, &sa, len), -ECONNREFUSED);
	STEP(t, "bind a new socket to the freed name");
	int s = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, s, "socket(AF_UNIX, SOCK_STREAM)");
	CHECK_EQ(t, iut_bind(t, s, &sa, len), 0, "bind of a new socket to the name its closed holder had");
}

/*
 * POSIX.1-2017 XSH getpeername(): "shall retrieve the peer address of the
 * specified socket"; unix(7), "pathname": a returned pathname address has
 * length offsetof(sun_path) + strlen(sun_path) + 1.  Checked: a client
 * bound to its own path connects to a listener; getpeername of the
 * accepted socket names the client's path, and getpeername of the client
 * names the listener's path.
 */
CLAUSE(socket_addr_getpeername_names_other_end,
       .id = "socket.addr.getpeername_names_other_end",
       .title = "getpeername on each end of an accepted connection names the other side's path",
       .cites = "POSIX.1-2017 XSH getpeername(), accept(), connect(); getpeername(2); unix(7)")
{
	struct sockaddr_un lsa, csa, got;
	socklen_t llen, got_len;
	int l = socket_listener(t, SOCK_STREAM, "server", 4, &lsa, &llen);
	socklen_t clen = socket_path_addr(t, "client", &csa);
	int c = addr_bound(t, SOCK_STREAM, &csa, clen);
	REQUIRE_EQ(t, iut_connect(t, c, &lsa, llen), 0, "connect of the bound client");
	int a = iut_accept(t, l, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept of the client");

	STEP(t, "getpeername of the accepted socket");
	got_len = sizeof got;
	REQUIRE_EQ(t, iut_getpeername(t, a, &got, &got_len), 0, "getpeername of the accepted socket");
	addr_expect_path(t, &got, got_len, csa.sun_path, "getpeername of the accepted socket (the client)");
	STEP(t, "getpeername of the client");
	got_len = sizeof got;
	REQUIRE_EQ(t, iut_getpeername(t, c, &got, &got_len), 0, "getpeername of the client");
	addr_expect_path(t, &got, got_len, lsa.sun_path, "getpeername of the client (the listener)");
}

/*
 * POSIX.1-2017 XSH accept(): the new socket has "the same socket type
 * protocol and address family as the specified socket"; getsockname():
 * "the locally-bound name of the specified socket".  The accepted socket
 * is the server's end of the connection made to the listener's address,
 * and on Linux it carries that address (the client's getpeername names it
 * too: socket.addr.getpeername_names_other_end).  Checked: getsockname of
 * an accepted socket names the listener's path.
 */
CLAUSE(socket_addr_accepted_name_is_listener,
       .id = "socket.addr.accepted_name_is_listener",
       .title = "getsockname of an accepted socket names the listener's path",
       .cites = "POSIX.1-2017 XSH getsockname(), accept(); getsockname(2); unix(7)")
{
	struct sockaddr_un lsa, got;
	socklen_t llen;
	int l = socket_listener(t, SOCK_STREAM, "server", 4, &lsa, &llen);
	addr_connected_to(t, &lsa, llen);
	int a = iut_accept(t, l, NULL, NULL, 0);
	REQUIRE_OK(t, a, "accept of the client");
	memset(&got, 0x5a, sizeof got);
	socklen_t got_len = sizeof got;
	STEP(t, "getsockname of the accepted socket");
	REQUIRE_EQ(t, iut_getsockname(t, a, &got, &got_len), 0, "getsockname of the accepted socket");
	addr_expect_path(t, &got, got_len, lsa.sun_path, "getsockname of the accepted socket");
}
