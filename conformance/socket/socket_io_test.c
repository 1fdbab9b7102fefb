/*
 * Socket clauses: receiving and sending without blocking.  MSG_PEEK looks
 * without taking; MSG_DONTWAIT and O_NONBLOCK (however it was set) turn a
 * receive that would wait, or a send that would, into -EAGAIN; and the
 * stream table's read and write are recv and send.  (What blocks, and
 * what wakes it, is in socket_block_test.c.)
 *
 * A stream socket may legally return fewer bytes than asked and take
 * fewer than offered: every stream check here loops or looks at a prefix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_io_support.h"
#include "conformance/socket/socket_support.h"

/*
 * POSIX.1-2017 XSH recv(): "MSG_PEEK Peeks at an incoming message.  The
 * data is treated as unread and the next recv() or similar function shall
 * still return this data."  recv(2): MSG_PEEK returns "data from the
 * beginning of the receive queue without removing that data from the
 * queue.  Thus, a subsequent receive call will return the same data."
 * Checked on a stream socket holding 16 bytes: a peek of 8 returns a
 * prefix of them (a short receive is legal), a second peek the same
 * prefix again, and the receives after it return the 16 from the first
 * byte.  (The bytes beyond the peeked 8 make a consuming peek show as
 * wrong bytes, not as a receive waiting for bytes never sent.)
 */
CLAUSE(socket_io_peek_stream_keeps_data,
       .id = "socket.io.peek_stream_keeps_data",
       .title = "recv with MSG_PEEK on a stream socket returns the data without consuming it",
       .cites = "POSIX.1-2017 XSH recv(); recv(2) MSG_PEEK; unix(7)")
{
	static const char sent[] = "ABCDEFGHIJKLMNOP";
	int e[2];
	char got[16];
	socket_pair(t, SOCK_STREAM, e);
	socket_send_all(t, e[1], sent, 16, "the peer sends 16 bytes");

	for (int i = 0; i < 2; i++) {
		memset(got, 0, sizeof got);
		ssize_t n = iut_recv(t, e[0], got, 8, MSG_PEEK);
		char b[32];
		REQUIRE(t, n >= 1 && n <= 8, "peek %d of 8 bytes: expected 1 to 8, got %s", i + 1,
			ipcconf_result_name(n, b));
		REQUIRE_MEM(t, got, sent, (size_t)n, i == 0 ? "the first peek's bytes"
							    : "the second peek's bytes (the same prefix again)");
	}

	socket_recv_exact(t, e[0], got, 8, "receiving after the peeks");
	REQUIRE_MEM(t, got, sent, 8, "the first 8 bytes received after peeking (the peeked ones)");
	socket_recv_exact(t, e[0], got, 8, "receiving the other 8 bytes");
	CHECK_MEM(t, got, sent + 8, 8, "the 8 bytes beyond the peeked ones");
}

/*
 * POSIX.1-2017 XSH recv(): "For message-based sockets, such as SOCK_DGRAM
 * ..., the entire message shall be read in a single operation.  If a
 * message is too long to fit in the supplied buffer, and MSG_PEEK is not
 * set in the flags argument, the excess bytes shall be discarded" -- with
 * MSG_PEEK they are not; and a peeked message "is treated as unread".
 * recv(2) MSG_PEEK.  Checked on an AF_UNIX datagram pair holding a
 * 14-byte and a 3-byte datagram: a peek into 4 bytes returns the start of
 * the first; a peek into room for all of it then returns the whole 14
 * bytes (the short peek cut nothing); a receive returns the same whole
 * datagram, and the next receive the second.
 */
CLAUSE(socket_io_peek_dgram_stays_whole,
       .id = "socket.io.peek_dgram_stays_whole",
       .title = "a datagram peeked with MSG_PEEK, even into a short buffer, stays whole and unread",
       .cites = "POSIX.1-2017 XSH recv(); recv(2) MSG_PEEK; unix(7)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM))
{
	static const char first[] = "first-datagram", second[] = "2nd";
	int e[2];
	char got[64];
	char b[32];
	socket_pair(t, SOCK_DGRAM, e);
	REQUIRE_EQ(t, iut_send(t, e[1], first, 14, 0), 14, "send of the 14-byte datagram");
	REQUIRE_EQ(t, iut_send(t, e[1], second, 3, 0), 3, "send of the 3-byte datagram");

	memset(got, 0, sizeof got);
	ssize_t n = iut_recv(t, e[0], got, 4, MSG_PEEK);
	/* Only the 4 bytes that fit are copied; whether the count says 4 or 14 is not the rule here. */
	CHECK(t, n == 4 || n == 14, "a peek into 4 bytes of the 14-byte datagram returned %s",
	      ipcconf_result_name(n, b));
	CHECK_MEM(t, got, first, 4, "the short peek's bytes");

	memset(got, 0, sizeof got);
	n = iut_recv(t, e[0], got, sizeof got, MSG_PEEK);
	/* A peek that took the datagram leaves nothing for the receives below to wait for: stop here. */
	REQUIRE_EQ(t, n, 14, "a full-size peek after the short one (the whole first datagram)");
	REQUIRE_MEM(t, got, first, 14, "the full-size peek's bytes");

	memset(got, 0, sizeof got);
	/*
	 * Room for one byte more than the first datagram: enough to see it
	 * too long, not to take the second too.  A wrong one ends the clause:
	 * the last receive would wait for a datagram already taken.
	 */
	REQUIRE_EQ(t, iut_recv(t, e[0], got, 15, 0), 14,
		   "the receive after the peeks (the same whole datagram)");
	CHECK_MEM(t, got, first, 14, "the received datagram");
	memset(got, 0, sizeof got);
	CHECK_EQ(t, iut_recv(t, e[0], got, sizeof got, 0), 3, "the next receive (the second datagram)");
	CHECK_MEM(t, got, second, 3, "the second datagram");
}

/*
 * recv(2) MSG_DONTWAIT: "Enables nonblocking operation; if the operation
 * would block, the call fails with the error EAGAIN or EWOULDBLOCK. ...
 * MSG_DONTWAIT is a per-call option, whereas O_NONBLOCK is a setting on
 * the open file description".  Checked on an empty, connected stream
 * socket without O_NONBLOCK: recv(MSG_DONTWAIT) fails with -EAGAIN at
 * once, and O_NONBLOCK is still clear afterwards; once the peer has sent
 * a byte, recv(MSG_DONTWAIT) returns it.
 */
CLAUSE(socket_io_recv_dontwait_eagain,
       .id = "socket.io.recv_dontwait_eagain",
       .title = "recv with MSG_DONTWAIT on an empty socket fails with EAGAIN without setting O_NONBLOCK",
       .cites = "recv(2) MSG_DONTWAIT; unix(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	char c = 0;
	socket_pair(t, SOCK_STREAM, e);
	REQUIRE_EQ(t, iut_get_nonblock(t, e[0]), 0, "O_NONBLOCK of a new socketpair end");
	STEP(t, "recv(MSG_DONTWAIT) of an empty socket (expected -EAGAIN, not to wait)");
	CHECK_EQ(t, iut_recv(t, e[0], &c, 1, MSG_DONTWAIT), -EAGAIN,
		 "recv(MSG_DONTWAIT) of an empty socket whose peer is open");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 0, "O_NONBLOCK after recv(MSG_DONTWAIT) (per call only)");
	socket_send_all(t, e[1], "k", 1, "the peer sends a byte");
	CHECK_EQ(t, iut_recv(t, e[0], &c, 1, MSG_DONTWAIT), 1, "recv(MSG_DONTWAIT) with a byte there");
	CHECK_EQ(t, c, 'k', "the byte recv(MSG_DONTWAIT) returned");
}

/*
 * send(2) MSG_DONTWAIT: "Enables nonblocking operation; if the operation
 * would block, EAGAIN or EWOULDBLOCK is returned", per call, O_NONBLOCK
 * being the open file description's setting.  send(2): "When the message
 * does not fit into the send buffer of the socket, send() normally
 * blocks".  Checked on a stream socket filled until not even a 1-byte
 * nonblocking send fits, with O_NONBLOCK clear again: send(MSG_DONTWAIT)
 * of 1 byte fails with -EAGAIN, leaves O_NONBLOCK clear, and adds nothing
 * (the peer receives exactly the bytes of the fill, then nothing).
 */
CLAUSE(socket_io_send_dontwait_eagain,
       .id = "socket.io.send_dontwait_eagain",
       .title = "send with MSG_DONTWAIT on a full socket fails with EAGAIN, sends nothing and leaves O_NONBLOCK clear",
       .cites = "send(2) MSG_DONTWAIT; unix(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	size_t full = sockio_fill(t, e[0], 1, 4096, "filling the socket");
	REQUIRE_EQ(t, iut_get_nonblock(t, e[0]), 0, "O_NONBLOCK after the fill cleared it");
	STEP(t, "send(MSG_DONTWAIT) of 1 byte on a full socket (expected -EAGAIN, not to wait)");
	CHECK_EQ(t, iut_send(t, e[0], "X", 1, MSG_DONTWAIT | MSG_NOSIGNAL), -EAGAIN,
		 "send(MSG_DONTWAIT) of 1 byte on a full socket");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 0, "O_NONBLOCK after send(MSG_DONTWAIT) (per call only)");
	sockio_recv_zeros(t, e[1], full, "the peer receives the fill");
	REQUIRE_OK(t, iut_set_nonblock(t, e[1], 1), "setting O_NONBLOCK on the peer to see it empty");
	char c;
	CHECK_EQ(t, iut_recv(t, e[1], &c, 1, 0), -EAGAIN,
		 "the peer's receive after the fill (the refused send must add nothing)");
}

/* How a row of socket.io.nonblock_* makes a connected stream socket nonblocking. */
enum nonblock_way { NB_SET, NB_SOCKET_FLAG, NB_SOCKETPAIR_FLAG, NB_ACCEPT_FLAG };

/*
 * A connected stream socket made nonblocking `way`, in ends[0], and its
 * blocking (or, for socketpair, also nonblocking) peer in ends[1].
 */
static void nonblocking_pair(struct ipcconf_t *t, enum nonblock_way way, int ends[2])
{
	struct sockaddr_un sa;
	socklen_t len;
	int l, c, r;
	switch (way) {
	case NB_SET:
		socket_pair(t, SOCK_STREAM, ends);
		REQUIRE_OK(t, iut_set_nonblock(t, ends[0], 1), "set_nonblock(socket, 1)");
		return;
	case NB_SOCKETPAIR_FLAG:
		REQUIRE_OK(t, iut_socketpair(t, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ends),
			   "socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK)");
		return;
	case NB_SOCKET_FLAG:
		l = socket_listener(t, SOCK_STREAM, "listener", 4, &sa, &len);
		c = iut_socket(t, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		REQUIRE_OK(t, c, "socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK)");
		r = iut_connect(t, c, &sa, len);
		/* POSIX lets a nonblocking connect complete later: EINPROGRESS. */
		if (r != -EINPROGRESS)
			REQUIRE_OK(t, r, "connect of the nonblocking socket to the listener");
		ends[1] = iut_accept(t, l, NULL, NULL, 0);
		REQUIRE_OK(t, ends[1], "accept of the nonblocking socket's connection");
		if (r == -EINPROGRESS) {
			if (!(t->iut->handle->head.caps & IPCCONF_HANDLE_CAP_POLL))
				SKIP(t, "connect returned -EINPROGRESS and there is no poll to wait for it");
			STEP(t, "waiting in poll for the connect in progress to complete");
			int ev = iut_poll1(t, c, POLLOUT, -1);
			REQUIRE(t, ev > 0 && (ev & POLLOUT), "poll for the connect in progress: %d", ev);
		}
		REQUIRE_OK(t, iut_close(t, l), "close of the listener");
		ends[0] = c;
		return;
	case NB_ACCEPT_FLAG:
		l = socket_listener(t, SOCK_STREAM, "listener", 4, &sa, &len);
		c = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
		REQUIRE_OK(t, c, "socket(AF_UNIX, SOCK_STREAM)");
		REQUIRE_OK(t, iut_connect(t, c, &sa, len), "connect to the listener");
		ends[0] = iut_accept(t, l, NULL, NULL, SOCK_NONBLOCK);
		REQUIRE_OK(t, ends[0], "accept4(SOCK_NONBLOCK)");
		REQUIRE_OK(t, iut_close(t, l), "close of the listener");
		ends[1] = c;
		return;
	}
	BROKEN(t, "unknown way %d", (int)way);
}

/*
 * POSIX.1-2017 XSH recv(): "If no messages are available at the socket
 * and O_NONBLOCK is set on the socket's file descriptor, recv() shall fail
 * and set errno to [EAGAIN] or [EWOULDBLOCK]."  XSH send(): "If space is
 * not available at the sending socket ... and the socket file descriptor
 * does have O_NONBLOCK set, send() shall fail" ([EAGAIN]: "marked
 * O_NONBLOCK and the requested operation would block").  socket(7):
 * with O_NONBLOCK "all operations that would block will (usually) return
 * with EAGAIN".  Each row sets O_NONBLOCK its own way -- fcntl(F_SETFL)
 * (the handle table's set_nonblock), SOCK_NONBLOCK in socket(2)'s or
 * socketpair(2)'s type, or accept4(2)'s flags, each of which "set[s] the
 * O_NONBLOCK file status flag" -- and checks on that connected stream
 * socket: O_NONBLOCK reads back set; a receive while it is empty fails
 * with -EAGAIN; sends fill it until -EAGAIN (a 1-byte send last), where a
 * send that waited would hang the clause; and the peer then receives
 * exactly the bytes accepted (a refused send added nothing).
 */
static const struct ipcconf_clause socket_io_nonblock[] = {
	ROW(.id = "socket.io.nonblock_set_eagain",
	    .title = "a stream socket made nonblocking with set_nonblock gives EAGAIN for recv when empty and send when full",
	    .cites = "POSIX.1-2017 XSH recv(); POSIX.1-2017 XSH send(); fcntl(2); socket(7)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK), .arg = &(const enum nonblock_way){ NB_SET }),
	ROW(.id = "socket.io.nonblock_socket_flag_eagain",
	    .title = "a stream socket made with socket(SOCK_NONBLOCK) gives EAGAIN for recv when empty and send when full",
	    .cites = "POSIX.1-2017 XSH recv(); POSIX.1-2017 XSH send(); socket(2) SOCK_NONBLOCK; socket(7)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK), .arg = &(const enum nonblock_way){ NB_SOCKET_FLAG }),
	ROW(.id = "socket.io.nonblock_socketpair_flag_eagain",
	    .title = "a stream socketpair made with SOCK_NONBLOCK gives EAGAIN for recv when empty and send when full",
	    .cites = "POSIX.1-2017 XSH recv(); POSIX.1-2017 XSH send(); socketpair(2); socket(2) SOCK_NONBLOCK; socket(7)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK), .arg = &(const enum nonblock_way){ NB_SOCKETPAIR_FLAG }),
	ROW(.id = "socket.io.nonblock_accept_flag_eagain",
	    .title = "a stream socket accepted with accept4(SOCK_NONBLOCK) gives EAGAIN for recv when empty and send when full",
	    .cites = "POSIX.1-2017 XSH recv(); POSIX.1-2017 XSH send(); accept4(2) SOCK_NONBLOCK; socket(7)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK), .arg = &(const enum nonblock_way){ NB_ACCEPT_FLAG }),
};

CLAUSE_TABLE(socket_io_nonblock)
{
	enum nonblock_way way = *(const enum nonblock_way *)t->clause->arg;
	int e[2];
	char c;
	nonblocking_pair(t, way, e);
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 1, "O_NONBLOCK of the socket");
	STEP(t, "a receive from the empty nonblocking socket (expected -EAGAIN, not to wait)");
	CHECK_EQ(t, iut_recv(t, e[0], &c, 1, 0), -EAGAIN, "recv from the empty nonblocking socket");
	size_t full = sockio_fill_nonblocking(t, e[0], 1, 4096, "sending until -EAGAIN");
	CHECK(t, full > 0, "the nonblocking socket refused the first send: it took 0 bytes");
	REQUIRE_OK(t, iut_set_nonblock(t, e[1], 1), "setting O_NONBLOCK on the peer to count what it holds");
	CHECK_EQ(t, sockio_drain_nonblocking(t, e[1], "the peer receives everything"), full,
		 "bytes the peer received (the bytes the sends accepted)");
}

/*
 * The socket interface (iut.h): "the stream table's read and write
 * accept a connected socket of any type and behave as recv and send with
 * flags 0"; recv(2): "With a zero flags argument, recv() is generally
 * equivalent to read(2)"; send(2): "With a zero flags argument, send() is
 * equivalent to write(2)".  Checked on a connected stream pair: bytes
 * written with write are received by the peer's recv; bytes the peer
 * sends are returned by read; once the peer has closed, read returns 0
 * (end of file), as recv does.
 */
CLAUSE(socket_io_stream_read_write,
       .id = "socket.io.stream_read_write",
       .title = "read and write on a connected stream socket behave as recv and send",
       .cites = "seed:K3; recv(2); send(2); unix(7)")
{
	int e[2];
	char got[8];
	socket_connected(t, SOCK_STREAM, e);
	ipcconf_write_all(t, e[0], "hello", 5, "write on the connecting socket");
	socket_recv_exact(t, e[1], got, 5, "recv on the accepted socket");
	CHECK_MEM(t, got, "hello", 5, "what recv returned of the written bytes");
	socket_send_all(t, e[1], "world!", 6, "send on the accepted socket");
	ipcconf_read_exact(t, e[0], got, 6, "read on the connecting socket");
	CHECK_MEM(t, got, "world!", 6, "what read returned of the sent bytes");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the accepted socket");
	CHECK_EQ(t, iut_read(t, e[0], got, sizeof got), 0, "read after the peer closed (end of file)");
}
