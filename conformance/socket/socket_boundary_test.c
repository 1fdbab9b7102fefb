/*
 * Socket clauses: message boundaries.  Datagram and seqpacket sockets
 * keep them: a receive returns one message, whatever room it offers, and
 * the part of a message that does not fit is discarded.  Stream sockets do
 * not: sends may come back merged in one receive, and one send may be
 * read in several.  A zero-length datagram is a message too.
 *
 * Every clause here sends on end 0 of a socketpair and receives on end 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_boundary_support.h"
#include "conformance/socket/socket_support.h"

/* Three messages of different lengths, the same in every clause that sends them. */
#define M1 "message"
#define M1_LEN 7u
#define M2 "x"
#define M2_LEN 1u
#define M3_LEN 100u
#define TOTAL_LEN (M1_LEN + M2_LEN + M3_LEN)

/* A byte never in a pattern's first bytes, to see what a receive wrote. */
#define CANARY 0xa5

static void send_three(struct ipcconf_t *t, int h, int type, unsigned char m3[M3_LEN])
{
	boundary_fill(m3, M3_LEN, 3);
	STEP(t, "three sends: %u, %u and %u bytes", M1_LEN, M2_LEN, M3_LEN);
	if (type == SOCK_STREAM) {
		socket_send_all(t, h, M1, M1_LEN, "the first send");
		socket_send_all(t, h, M2, M2_LEN, "the second send");
		socket_send_all(t, h, m3, M3_LEN, "the third send");
		return;
	}
	boundary_send_message(t, h, M1, M1_LEN, "the first message");
	boundary_send_message(t, h, M2, M2_LEN, "the second message");
	boundary_send_message(t, h, m3, M3_LEN, "the third message");
}

/* One receive with room `cap` must return exactly the message `want`; otherwise the caller ends. */
static void expect_message(struct ipcconf_t *t, int h, size_t cap, int flags, const void *want,
			   size_t len, const char *what)
{
	unsigned char got[4096];
	if (cap > sizeof got)
		BROKEN(t, "expect_message: room for %zu bytes", cap);
	STEP(t, "%s", what);
	ssize_t n = boundary_recv_once(t, h, got, cap, flags, what);
	/* Fatal: after a wrong count the receives that follow would judge the wrong messages. */
	REQUIRE_EQ(t, n, (long long)len, what);
	CHECK_MEM(t, got, want, len, what);
}

/*
 * POSIX.1-2017 XSH recv(): "For message-based sockets, such as SOCK_DGRAM
 * and SOCK_SEQPACKET, the entire message shall be read in a single
 * operation"; XSH 2.10.6: for SOCK_SEQPACKET "a single operation never
 * transfers parts of more than one record"; unix(7): SOCK_DGRAM and
 * SOCK_SEQPACKET preserve message boundaries; recv(2) MSG_WAITALL: "This
 * flag has no effect for datagram sockets", and XSH recv(): with
 * MSG_WAITALL the call "may return the smaller amount of data if the
 * socket is a message-based socket".  Checked: three sends of 7, 1 and
 * 100 bytes complete; then three receives, each with room for far more
 * (the second one even with MSG_WAITALL and room for all 108 bytes),
 * return exactly 7, 1 and 100 bytes, each message's own.
 */
static const struct ipcconf_clause socket_boundary_kept[] = {
	ROW(.id = "socket.boundary.kept_dgram",
	    .title = "datagram sockets keep message boundaries: each receive returns one whole message, however large its buffer",
	    .cites = "POSIX.1-2017 XSH recv(); recv(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM), .arg = &(const int){ SOCK_DGRAM }),
	ROW(.id = "socket.boundary.kept_seqpacket",
	    .title = "seqpacket sockets keep message boundaries: each receive returns one whole record, however large its buffer",
	    .cites = "POSIX.1-2017 XSH recv(); POSIX.1-2017 XSH 2.10.6 Socket Types; socket(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET), .arg = &(const int){ SOCK_SEQPACKET }),
};

CLAUSE_TABLE(socket_boundary_kept)
{
	int type = *(const int *)t->clause->arg;
	int e[2];
	unsigned char m3[M3_LEN];
	socket_pair(t, type, e);
	send_three(t, e[0], type, m3);
	expect_message(t, e[1], 4096, 0, M1, M1_LEN,
		       "a receive with room for 4096 bytes: the first message (7 bytes) alone");
	expect_message(t, e[1], TOTAL_LEN, MSG_WAITALL, M2, M2_LEN,
		       "a MSG_WAITALL receive with room for all 108 bytes: the second message (1 byte) alone");
	expect_message(t, e[1], 4096, 0, m3, M3_LEN,
		       "a receive with room for 4096 bytes: the third message (100 bytes) alone");
}

/*
 * POSIX.1-2017 XSH recv(): "For stream-based sockets, such as SOCK_STREAM,
 * message boundaries shall be ignored", and MSG_WAITALL: "On SOCK_STREAM
 * sockets this requests that the function block until the full amount of
 * data can be returned" (less only on a signal, the connection's end,
 * MSG_PEEK or a pending error: none here); socket(2): stream sockets "do
 * not preserve record boundaries".  Checked: three sends of 7, 1 and 100
 * bytes complete; one MSG_WAITALL receive of 108 bytes then returns all
 * 108, the three sends' bytes in order.  (Without MSG_WAITALL a stream
 * may legally return less; with it, it must not stop at a send's end.)
 */
CLAUSE(socket_boundary_stream_merges_sends,
       .id = "socket.boundary.stream_merges_sends",
       .title = "a stream socket keeps no boundaries: one MSG_WAITALL receive returns the bytes of several sends at once",
       .cites = "POSIX.1-2017 XSH recv(); recv(2); socket(2)")
{
	int e[2];
	unsigned char m3[M3_LEN], want[TOTAL_LEN];
	socket_pair(t, SOCK_STREAM, e);
	send_three(t, e[0], SOCK_STREAM, m3);
	memcpy(want, M1, M1_LEN);
	memcpy(want + M1_LEN, M2, M2_LEN);
	memcpy(want + M1_LEN + M2_LEN, m3, M3_LEN);
	expect_message(t, e[1], TOTAL_LEN, MSG_WAITALL, want, TOTAL_LEN,
		       "one MSG_WAITALL receive of 108 bytes after sends of 7, 1 and 100");
}

/*
 * POSIX.1-2017 XSH 2.10.6: on SOCK_STREAM "data sent on a stream socket
 * using output operations of one size can be received using input
 * operations of smaller or larger sizes without loss of data"; XSH
 * recv(): for stream sockets "no data shall be discarded".  Checked: a
 * 100-byte send and then a 4-byte send "END!"; receives with room for 10
 * bytes each return between 1 and 10 bytes, and put together, in order,
 * they are the 100 bytes and then "END!" -- the rest of the first send
 * stayed queued ahead of the second after each short receive.  (How many
 * bytes each receive returns is the implementation's choice.)
 */
CLAUSE(socket_boundary_stream_split_receives,
       .id = "socket.boundary.stream_split_receives",
       .title = "a stream socket keeps no boundaries: one send is read by several smaller receives, the rest staying queued in order",
       .cites = "POSIX.1-2017 XSH 2.10.6 Socket Types; POSIX.1-2017 XSH recv(); socket(2)")
{
	enum { BIG = 100, ROOM = 10, ALL = BIG + 4 };
	int e[2];
	unsigned char want[ALL], got[ALL + ROOM];
	socket_pair(t, SOCK_STREAM, e);
	boundary_fill(want, BIG, 5);
	memcpy(want + BIG, "END!", 4);
	STEP(t, "a %d-byte send, then \"END!\"", BIG);
	socket_send_all(t, e[0], want, BIG, "the 100-byte send");
	socket_send_all(t, e[0], want + BIG, 4, "the send of \"END!\"");

	size_t have = 0;
	unsigned receives = 0;
	/* Each receive returns at least one byte, so ALL receives at most. */
	while (have < ALL && receives < ALL) {
		char b[32];
		STEP(t, "a receive with room for %d bytes, after %zu of %d", ROOM, have, ALL);
		ssize_t n = iut_recv(t, e[1], got + have, ROOM, 0);
		receives++;
		REQUIRE(t, n > 0 && n <= ROOM,
			"receive %u with room for %d bytes, after %zu of %d bytes: expected 1 to %d bytes, got %s",
			receives, ROOM, have, ALL, ROOM, ipcconf_result_name(n, b));
		REQUIRE_MEM(t, got + have, want + have, (size_t)n,
			    "the bytes of a short receive (expected the next bytes of the stream, in order)");
		have += (size_t)n;
	}
	CHECK_EQ(t, have, ALL, "bytes received in all");
}

/*
 * POSIX.1-2017 XSH recv(): "If a message is too long to fit in the
 * supplied buffer, and MSG_PEEK is not set in the flags argument, the
 * excess bytes shall be discarded"; socket(2) SOCK_SEQPACKET: "a consumer
 * is required to read an entire packet with each input system call";
 * recv(2).  Checked: messages "hello" and "world"; a receive with room
 * for 2 bytes returns 2, "he", and writes nothing past them; the next
 * receive, with room for 100, returns "world" (not "llo": the rest of
 * "hello" is gone).  ("world" is the last message queued, so this clause
 * does not also judge whether a receive may merge messages: that is
 * socket.boundary.kept_*.)
 */
static const struct ipcconf_clause socket_boundary_truncate_discards[] = {
	ROW(.id = "socket.boundary.truncate_discards_dgram",
	    .title = "a datagram longer than the receive buffer is cut: the excess is discarded, the next receive gets the next datagram",
	    .cites = "POSIX.1-2017 XSH recv(); recv(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM), .arg = &(const int){ SOCK_DGRAM }),
	ROW(.id = "socket.boundary.truncate_discards_seqpacket",
	    .title = "a record longer than the receive buffer is cut: the excess is discarded, the next receive gets the next record",
	    .cites = "POSIX.1-2017 XSH recv(); socket(2); recv(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET), .arg = &(const int){ SOCK_SEQPACKET }),
};

CLAUSE_TABLE(socket_boundary_truncate_discards)
{
	int type = *(const int *)t->clause->arg;
	int e[2];
	unsigned char got[16], canary[16];
	socket_pair(t, type, e);
	STEP(t, "messages \"hello\" and \"world\"");
	boundary_send_message(t, e[0], "hello", 5, "the message \"hello\"");
	boundary_send_message(t, e[0], "world", 5, "the message \"world\"");

	STEP(t, "a receive with room for 2 bytes of the 5-byte message");
	memset(got, CANARY, sizeof got);
	memset(canary, CANARY, sizeof canary);
	ssize_t n = boundary_recv_once(t, e[1], got, 2, 0, "a 2-byte receive of \"hello\"");
	CHECK_EQ(t, n, 2, "a receive with room for 2 bytes of a 5-byte message");
	CHECK_MEM(t, got, "he", 2, "the start of \"hello\"");
	CHECK_MEM(t, got + 2, canary, sizeof got - 2,
		  "the buffer past the 2 bytes asked for (must be untouched)");
	expect_message(t, e[1], 100, 0, "world", 5,
		       "the receive after the short one: the next message \"world\" (the rest of \"hello\" discarded)");
}

/*
 * recv(2) MSG_TRUNC: "For raw (AF_PACKET), Internet datagram (since Linux
 * 2.4.27/2.6.8), netlink (since Linux 2.6.22), and UNIX datagram (since
 * Linux 3.4) sockets: return the real length of the packet or datagram,
 * even when it was longer than the passed buffer"; unix(7): before Linux
 * 3.4 MSG_TRUNC in recv's flags was not supported by UNIX domain sockets.
 * A Linux rule.  Checked on a datagram socketpair: a 300-byte datagram
 * and then "next"; a receive with MSG_TRUNC and room for 10 bytes returns
 * 300, fills the 10 bytes with the datagram's start and nothing past
 * them; the next receive gets "next" (the datagram's excess was still
 * discarded).
 */
CLAUSE(socket_boundary_recv_trunc_real_length,
       .id = "socket.boundary.recv_trunc_real_length",
       .title = "recv with MSG_TRUNC on a datagram socket returns the datagram's real length, longer than the buffer",
       .cites = "recv(2) MSG_TRUNC; unix(7)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM))
{
	enum { LONG = 300, ROOM = 10 };
	int e[2];
	unsigned char msg[LONG], got[ROOM + 16], canary[16];
	socket_pair(t, SOCK_DGRAM, e);
	boundary_fill(msg, LONG, 7);
	STEP(t, "a %d-byte datagram, then \"next\"", LONG);
	boundary_send_message(t, e[0], msg, LONG, "the 300-byte datagram");
	boundary_send_message(t, e[0], "next", 4, "the datagram \"next\"");

	STEP(t, "a MSG_TRUNC receive with room for %d bytes", ROOM);
	memset(got, CANARY, sizeof got);
	memset(canary, CANARY, sizeof canary);
	ssize_t n = boundary_recv_once(t, e[1], got, ROOM, MSG_TRUNC,
				       "a MSG_TRUNC receive with room for 10 bytes");
	CHECK_EQ(t, n, LONG, "recv(MSG_TRUNC) with room for 10 bytes of a 300-byte datagram (its real length)");
	CHECK_MEM(t, got, msg, ROOM, "the 10 bytes received: the datagram's start");
	CHECK_MEM(t, got + ROOM, canary, sizeof canary,
		  "the buffer past the 10 bytes asked for (must be untouched)");
	expect_message(t, e[1], 100, 0, "next", 4,
		       "the receive after it: the next datagram \"next\" (the excess discarded)");
}

/* One recvmsg into a single buffer of `room` bytes; its result, msg_flags in *flags. */
static ssize_t recvmsg_into(struct ipcconf_t *t, int h, void *buf, size_t room, int *flags,
			    const char *what)
{
	struct iovec iov = { .iov_base = buf, .iov_len = room };
	struct msghdr m;
	char b[32];
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_flags = 0;
	STEP(t, "%s", what);
	ssize_t n = iut_recvmsg(t, h, &m, 0);
	REQUIRE(t, n >= 0, "%s: recvmsg returned %s", what, ipcconf_result_name(n, b));
	*flags = m.msg_flags;
	return n;
}

/*
 * POSIX.1-2017 XSH recvmsg(): "If a message is too long to fit in the
 * supplied buffers, and MSG_PEEK is not set in the flags argument, the
 * excess bytes shall be discarded, and MSG_TRUNC shall be set in the
 * msg_flags member of the msghdr structure"; recv(2): MSG_TRUNC in
 * msg_flags "indicates that the trailing portion of a datagram was
 * discarded".  Checked: a 300-byte message and then "next"; recvmsg with
 * 10 bytes of room returns 10, the message's start, with MSG_TRUNC in
 * msg_flags; recvmsg with 100 bytes of room then returns "next" with
 * MSG_TRUNC clear.  recv_msg is promised with the RIGHTS or the
 * CREDENTIALS capability (iut.h); without either this is a SKIP.
 */
static const struct ipcconf_clause socket_boundary_recvmsg_trunc[] = {
	ROW(.id = "socket.boundary.recvmsg_trunc_flag_dgram",
	    .title = "recvmsg of a datagram longer than its buffer sets MSG_TRUNC in msg_flags, and clears it for one that fits",
	    .cites = "POSIX.1-2017 XSH recvmsg(); recv(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM), .arg = &(const int){ SOCK_DGRAM }),
	ROW(.id = "socket.boundary.recvmsg_trunc_flag_seqpacket",
	    .title = "recvmsg of a record longer than its buffer sets MSG_TRUNC in msg_flags, and clears it for one that fits",
	    .cites = "POSIX.1-2017 XSH recvmsg(); recv(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET), .arg = &(const int){ SOCK_SEQPACKET }),
};

CLAUSE_TABLE(socket_boundary_recvmsg_trunc)
{
	enum { LONG = 300, ROOM = 10 };
	int type = *(const int *)t->clause->arg;
	if (!(t->iut->socket->head.caps &
	      (IPCCONF_SOCKET_CAP_RIGHTS | IPCCONF_SOCKET_CAP_CREDENTIALS)))
		SKIP(t, "recv_msg is promised only with the socket capability RIGHTS or CREDENTIALS, and neither is declared");
	int e[2], flags;
	unsigned char msg[LONG], got[100];
	socket_pair(t, type, e);
	boundary_fill(msg, LONG, 9);
	STEP(t, "a %d-byte message, then \"next\"", LONG);
	boundary_send_message(t, e[0], msg, LONG, "the 300-byte message");
	boundary_send_message(t, e[0], "next", 4, "the message \"next\"");

	ssize_t n = recvmsg_into(t, e[1], got, ROOM, &flags,
				 "recvmsg with room for 10 bytes of the 300-byte message");
	CHECK_EQ(t, n, ROOM, "recvmsg with room for 10 bytes of a 300-byte message");
	CHECK_MEM(t, got, msg, ROOM, "the 10 bytes received: the message's start");
	CHECK(t, flags & MSG_TRUNC,
	      "msg_flags after recvmsg cut a 300-byte message to 10 bytes: MSG_TRUNC is not set (msg_flags %#x)",
	      (unsigned)flags);

	n = recvmsg_into(t, e[1], got, sizeof got, &flags,
			 "recvmsg with room for 100 bytes of the message \"next\"");
	CHECK_EQ(t, n, 4, "recvmsg after the cut message: the next message \"next\"");
	if (n == 4)
		CHECK_MEM(t, got, "next", 4, "the message after the cut one");
	CHECK(t, !(flags & MSG_TRUNC),
	      "msg_flags after recvmsg of a 4-byte message into 100 bytes: MSG_TRUNC is set (msg_flags %#x)",
	      (unsigned)flags);
}

/*
 * recv(2): "Datagram sockets in various domains (e.g., the UNIX and
 * Internet domains) permit zero-length datagrams.  When such a datagram
 * is received, the return value is 0", and NOTES: recv() "consumes the
 * pending datagram".  (The manual pages say this of datagram sockets
 * only: seqpacket, where 0 also means the peer's end, is not judged.)
 * Checked on a datagram socketpair: "first", a zero-length datagram (its
 * send returns 0) and "third"; three receives with room for 100 bytes
 * return 5 ("first"), 0 (the empty datagram, taken off the queue) and 5
 * ("third").
 */
CLAUSE(socket_boundary_zero_length_dgram,
       .id = "socket.boundary.zero_length_dgram",
       .title = "a zero-length datagram is a message: its receive returns 0 and the next datagram is still there",
       .cites = "recv(2); unix(7)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM))
{
	int e[2];
	socket_pair(t, SOCK_DGRAM, e);
	STEP(t, "datagrams \"first\", zero-length, \"third\"");
	boundary_send_message(t, e[0], "first", 5, "the datagram \"first\"");
	boundary_send_message(t, e[0], "", 0, "the zero-length datagram");
	boundary_send_message(t, e[0], "third", 5, "the datagram \"third\"");
	expect_message(t, e[1], 100, 0, "first", 5, "the first receive: \"first\"");
	expect_message(t, e[1], 100, 0, "", 0, "the second receive: the zero-length datagram (0)");
	expect_message(t, e[1], 100, 0, "third", 5,
		       "the third receive: \"third\" (the zero-length datagram was one message)");
}
