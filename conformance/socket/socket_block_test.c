/*
 * Socket clauses: blocking and waking.  A receive with nothing to take
 * sleeps until the peer sends; MSG_WAITALL sleeps until all it asked for
 * has come; a send that does not fit sleeps until the receiver takes
 * data, for a stream socket and for a connected AF_UNIX datagram socket.
 * Each uses the blocked-call pattern (block.h): the call is seen asleep,
 * is still in it after a grace period, and returns only after the
 * clause's releasing action.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/socket/socket_io_support.h"
#include "conformance/socket/socket_support.h"

/* A helper's recv or send on `h`; `buf` is the helper's own copy (fork). */
struct sock_call {
	int h;
	size_t len;
	int flags;
	const char *expect; /* recv: the bytes it must return, as many as it returns */
	char buf[64];
};

static long long recv_call(struct ipcconf_t *t, void *arg)
{
	struct sock_call *c = arg;
	memset(c->buf, 0, sizeof c->buf);
	return iut_recv(t, c->h, c->buf, c->len, c->flags);
}

static long long send_call(struct ipcconf_t *t, void *arg)
{
	struct sock_call *c = arg;
	return iut_send(t, c->h, c->buf, c->len, c->flags | MSG_NOSIGNAL);
}

/* In the woken receiver: what it got must be the start of c->expect. */
static void check_received(struct ipcconf_t *t, void *arg, long long n)
{
	struct sock_call *c = arg;
	if (n <= 0 || (size_t)n > c->len)
		return; /* the clause process reports the count */
	CHECK_MEM(t, c->buf, c->expect, (size_t)n, "the bytes the woken recv returned");
}

/*
 * POSIX.1-2017 XSH recv(): "If no messages are available at the socket
 * and O_NONBLOCK is not set on the socket's file descriptor, recv() shall
 * block until a message arrives."  recv(2): "If no messages are available
 * at the socket, the receive calls wait for a message to arrive".
 * Checked on a connected stream pair: a helper's 1-byte recv of the empty
 * socket, with its peer open, sleeps; the peer's send wakes it with that
 * byte.
 */
CLAUSE(socket_io_recv_blocks_until_send,
       .id = "socket.io.recv_blocks_until_send",
       .title = "recv on an empty stream socket whose peer is open blocks until the peer sends",
       .cites = "POSIX.1-2017 XSH recv(); recv(2); unix(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	struct sock_call c = { .h = e[0], .len = 1, .expect = "q" };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 1-byte recv of an empty stream socket",
		.call = recv_call, .then = check_received, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "the peer sends a byte to wake the receiver");
	socket_send_all(t, e[1], "q", 1, "the peer's send");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1, "the woken recv");
}

/*
 * POSIX.1-2017 XSH recv(): "MSG_WAITALL On SOCK_STREAM sockets this
 * requests that the function block until the full amount of data can be
 * returned.  The function may return the smaller amount of data if the
 * socket is a message-based socket, if a signal is caught, if the
 * connection is terminated, if MSG_PEEK was specified, or if an error is
 * pending" -- none of which happens here.  recv(2) MSG_WAITALL likewise.
 * Checked on a connected stream pair holding 3 bytes: a helper's
 * recv(MSG_WAITALL) of 8 bytes does not return the 3 but sleeps; the
 * peer's sending of the other 5 (in as many sends as the implementation
 * takes) wakes it with all 8, in order.
 */
CLAUSE(socket_io_waitall_blocks_until_full,
       .id = "socket.io.waitall_blocks_until_full",
       .title = "recv with MSG_WAITALL on a stream socket blocks until the full amount has arrived",
       .cites = "POSIX.1-2017 XSH recv(); recv(2) MSG_WAITALL; unix(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	static const char all[] = "abcdefgh";
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	socket_send_all(t, e[1], all, 3, "the peer sends the first 3 of 8 bytes");
	struct sock_call c = { .h = e[0], .len = 8, .flags = MSG_WAITALL, .expect = all };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "recv(MSG_WAITALL) of 8 bytes with 3 there",
		.call = recv_call, .then = check_received, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "the peer sends the other 5 bytes");
	socket_send_all(t, e[1], all + 3, 5, "the peer's send of the other 5 bytes");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 8, "the woken recv(MSG_WAITALL) of 8 bytes");
}

/*
 * POSIX.1-2017 XSH send(): "If space is not available at the sending
 * socket to hold the message to be transmitted, and the socket file
 * descriptor does not have O_NONBLOCK set, send() shall block until space
 * is available."  send(2): "When the message does not fit into the send
 * buffer of the socket, send() normally blocks".  Checked on a connected
 * stream pair filled until not even a 1-byte nonblocking send fits: a
 * helper's blocking 1-byte send sleeps; the peer receiving everything
 * the fill put in wakes it, and its byte follows the fill.  (A stream
 * send woken by room may legally take part of what it was given; with 1
 * byte, that is all of it.)
 */
CLAUSE(socket_io_send_blocks_when_full,
       .id = "socket.io.send_blocks_when_full",
       .title = "send on a full stream socket blocks until the peer receives",
       .cites = "POSIX.1-2017 XSH send(); send(2); unix(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	size_t full = sockio_fill(t, e[0], 1, 4096, "filling the socket");
	struct sock_call c = { .h = e[0], .len = 1, .buf = "Z" };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 1-byte send on a full stream socket", .call = send_call, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "the peer receives the %zu bytes of the fill", full);
	sockio_recv_zeros(t, e[1], full, "the peer receives the fill");
	char got = 0;
	socket_recv_exact(t, e[1], &got, 1, "the peer receives the woken send's byte");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1, "the woken 1-byte send");
	CHECK_EQ(t, got, 'Z', "the byte after the fill (the woken send's)");
}

/* The datagrams of socket.io.dgram_send_blocks_when_full: all one size. */
enum { DGRAM_LEN = 64 };

/*
 * POSIX.1-2017 XSH send(): without O_NONBLOCK, a message for which
 * "space is not available" makes send() "block until space is
 * available"; send(2): "When the message does not fit into the send
 * buffer of the socket, send() normally blocks ... In nonblocking mode it
 * would fail with the error EAGAIN".  unix(7): "UNIX domain datagram
 * sockets are always reliable and don't reorder datagrams": a datagram
 * that does not fit is not dropped, so only the receiver taking
 * datagrams makes room.  Checked on a connected AF_UNIX datagram pair
 * filled with 64-byte datagrams until one more fails with -EAGAIN: a
 * helper's blocking send of one more 64-byte datagram sleeps; the peer
 * receiving every queued datagram wakes it, and its datagram comes next,
 * whole.
 */
CLAUSE(socket_io_dgram_send_blocks_when_full,
       .id = "socket.io.dgram_send_blocks_when_full",
       .title = "send on a connected AF_UNIX datagram socket whose peer is full blocks until the peer receives",
       .cites = "POSIX.1-2017 XSH send(); send(2); unix(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
       USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM))
{
	int e[2];
	socket_pair(t, SOCK_DGRAM, e);
	size_t full = sockio_fill(t, e[0], 0, DGRAM_LEN, "filling with 64-byte datagrams");
	REQUIRE(t, full > 0 && full % DGRAM_LEN == 0,
		"the fill's datagram sends took %zu bytes: expected whole 64-byte datagrams", full);
	size_t count = full / DGRAM_LEN;

	struct sock_call c = { .h = e[0], .len = DGRAM_LEN };
	memset(c.buf, 'D', DGRAM_LEN);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 64-byte datagram send to a full peer", .call = send_call, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "the peer receives the %zu datagrams of the fill", count);
	/* One byte of room beyond a datagram: enough to see one too long, not to take two. */
	char got[DGRAM_LEN + 1];
	static const char zeros[DGRAM_LEN];
	for (size_t i = 0; i < count; i++) {
		ssize_t n = iut_recv(t, e[1], got, sizeof got, 0);
		char r[32];
		REQUIRE(t, n == DGRAM_LEN && memcmp(got, zeros, DGRAM_LEN) == 0,
			"datagram %zu of the %zu of the fill: got %s bytes%s", i + 1, count,
			ipcconf_result_name(n, r), n == DGRAM_LEN ? " that are not the zeros sent" : "");
	}
	memset(got, 0, sizeof got);
	CHECK_EQ(t, iut_recv(t, e[1], got, sizeof got, 0), DGRAM_LEN,
		 "the datagram after the fill (the woken send's)");
	CHECK_MEM(t, got, c.buf, DGRAM_LEN, "the woken send's datagram");
	CHECK_EQ(t, ipcconf_block_end(t, &b), DGRAM_LEN, "the woken datagram send");
}
