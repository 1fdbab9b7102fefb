/*
 * Socket clauses: the peer's close ends a connection (seed:K3).  The
 * survivor reads what was sent, then end of file; its sends fail with
 * -EPIPE (and SIGPIPE on a stream); a receiver or sender asleep is woken;
 * a peer killed counts as closed; and unread data does not keep a
 * connection open.  Rules that hold alike for SOCK_STREAM and
 * SOCK_SEQPACKET are a row for each.
 *
 * SIGPIPE's disposition is set with the harness's raw calls; a send that
 * is not about SIGPIPE passes MSG_NOSIGNAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/socket/socket_shutdown_support.h"
#include "conformance/socket/socket_support.h"

static const struct ipcconf_clause socket_close_peer_eof[] = {
	SHUTDOWN_TYPE_ROWS("socket.close.peer_eof",
			   "after the peer's close the survivor receives what was sent before it, then end of file (0)",
			   "seed:K3; POSIX.1-2017 XSH recv(), close(); recv(2) RETURN VALUE; socket(7)"),
};

/*
 * POSIX.1-2017 XSH recv(): "If no messages are available to be received
 * and the peer has performed an orderly shutdown, recv() shall return 0."
 * XSH close(): "If fildes refers to a socket, close() shall cause the
 * socket to be destroyed" -- with nothing unread on its side, the orderly
 * end of a connection (socket(7): "close(2) is used to close a socket").
 * recv(2): "When a stream socket peer has performed an orderly shutdown,
 * the return value will be 0".  Checked: end 0 sends, then closes; end 1
 * receives the data intact, then 0, and 0 again.
 */
CLAUSE_TABLE(socket_close_peer_eof)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	socket_send_all(t, e[0], "last words", 10, "end 0 sends before its close");
	STEP(t, "close of end 0");
	REQUIRE_OK(t, iut_close(t, e[0]), "close of end 0");
	shutdown_recv_sent(t, e[1], type, "last words", 10, "end 1 receives what end 0 sent before closing");
	shutdown_expect_eof(t, e[1], "end 1's recv after the data, end 0 closed");
	shutdown_expect_eof(t, e[1], "end 1's second recv: end of file persists");
}

static const struct ipcconf_clause socket_close_send_epipe[] = {
	SHUTDOWN_TYPE_ROWS("socket.close.send_epipe",
			   "after the peer's close a send with MSG_NOSIGNAL fails with -EPIPE and raises no SIGPIPE",
			   "seed:K3; POSIX.1-2017 XSH send() ERRORS [EPIPE], MSG_NOSIGNAL; unix(7) EPIPE; send(2) MSG_NOSIGNAL"),
};

/*
 * POSIX.1-2017 XSH send(), ERRORS: "[EPIPE] ... the socket is
 * connection-mode and is no longer connected."  unix(7), ERRORS: "EPIPE
 * Remote socket was closed on a stream socket.  If enabled, a SIGPIPE is
 * sent as well.  This can be avoided by passing the MSG_NOSIGNAL flag to
 * send(2) or sendmsg(2)."  Checked, with a counting SIGPIPE handler: end
 * 1 closes, having nothing unread; a 1-byte send with MSG_NOSIGNAL on end
 * 0 returns -EPIPE and the handler never ran.
 */
CLAUSE_TABLE(socket_close_send_epipe)
{
	int type = shutdown_row_type(t);
	ipcconf_catch(t, SIGPIPE, 0);
	int e[2];
	socket_pair(t, type, e);
	REQUIRE_OK(t, iut_close(t, e[1]), "close of end 1, nothing unread");
	STEP(t, "send with MSG_NOSIGNAL to the closed peer");
	CHECK_EQ(t, iut_send(t, e[0], "x", 1, MSG_NOSIGNAL), -EPIPE,
		 "a 1-byte send with MSG_NOSIGNAL after the peer closed");
	CHECK_EQ(t, ipcconf_caught(SIGPIPE), 0, "SIGPIPEs caught during a send with MSG_NOSIGNAL");
}

/*
 * POSIX.1-2017 XSH send() [EPIPE]: "... the socket is connection-mode and
 * is no longer connected.  In the latter case, and if the socket is of
 * type SOCK_STREAM or SOCK_SEQPACKET and the MSG_NOSIGNAL flag is not
 * set, the SIGPIPE signal is generated to the calling thread."  unix(7)
 * EPIPE: "Remote socket was closed on a stream socket.  If enabled, a
 * SIGPIPE is sent as well."  Checked on SOCK_STREAM, with a counting
 * handler: after the peer's close, a send without MSG_NOSIGNAL returns
 * -EPIPE and the handler ran once (the signal goes to the sending thread,
 * so it has run by the time the send returns).  SOCK_SEQPACKET is not
 * judged: Linux raises no SIGPIPE there (its sends go through
 * unix_dgram_sendmsg in net/unix/af_unix.c, which never does), although
 * POSIX names it.
 */
CLAUSE(socket_close_sigpipe_caught,
       .id = "socket.close.sigpipe_caught",
       .title = "with a SIGPIPE handler, a send after the peer's close runs it once and fails with -EPIPE (SOCK_STREAM)",
       .cites = "seed:K3; POSIX.1-2017 XSH send() ERRORS [EPIPE]; unix(7) EPIPE; socket(7) Signals",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	ipcconf_catch(t, SIGPIPE, 0);
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	REQUIRE_OK(t, iut_close(t, e[1]), "close of end 1, nothing unread");
	STEP(t, "send without MSG_NOSIGNAL to the closed peer, SIGPIPE caught");
	CHECK_EQ(t, iut_send(t, e[0], "x", 1, 0), -EPIPE,
		 "a 1-byte send after the peer closed (SIGPIPE caught)");
	CHECK_EQ(t, ipcconf_caught(SIGPIPE), 1, "times the SIGPIPE handler ran during the send");
}

/* A call in a helper that first closes its own copy of the peer's end. */
struct close_wake_call {
	int mine, peer;
};

static void close_own_copy_of_peer(struct ipcconf_t *t, void *arg)
{
	const struct close_wake_call *c = arg;
	REQUIRE_OK(t, iut_close(t, c->peer), "helper: close of its copy of the peer's end");
}

static long long recv_one(struct ipcconf_t *t, void *arg)
{
	const struct close_wake_call *c = arg;
	char ch;
	return iut_recv(t, c->mine, &ch, 1, 0);
}

static long long send_one(struct ipcconf_t *t, void *arg)
{
	const struct close_wake_call *c = arg;
	return iut_send(t, c->mine, "x", 1, MSG_NOSIGNAL);
}

static const struct ipcconf_clause socket_close_wakes_blocked_recv[] = {
	SHUTDOWN_TYPE_ROWS("socket.close.wakes_blocked_recv",
			   "a recv asleep on an empty socket is woken by the peer's close and returns 0",
			   "seed:K3; POSIX.1-2017 XSH recv(), close(); recv(2) RETURN VALUE",
			   .needs = IPCCONF_CAP_FORK_INHERIT),
};

/*
 * POSIX.1-2017 XSH recv(): with nothing to receive and O_NONBLOCK clear
 * "recv() shall block until a message arrives"; with the peer gone none
 * can, and "If no messages are available to be received and the peer has
 * performed an orderly shutdown, recv() shall return 0."  Checked: a
 * helper asleep in recv on end 0 (seen asleep; that it blocks is another
 * clause's rule, so no grace period), having closed its own copy of end
 * 1, returns 0 when the clause closes the last handle of end 1.
 */
CLAUSE_TABLE(socket_close_wakes_blocked_recv)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	struct close_wake_call c = { .mine = e[0], .peer = e[1] };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte recv on an empty socket whose peer is open",
		.prepare = close_own_copy_of_peer, .call = recv_one, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "closing the last handle of end 1");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the last handle of end 1");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the recv woken by the peer's close");
}

/*
 * POSIX.1-2017 XSH send(): a send with no room blocks "until space is
 * available"; with the peer gone there will be none, and send fails:
 * "[EPIPE] ... the socket is connection-mode and is no longer connected"
 * or "[ECONNRESET] A connection was forcibly closed by a peer."  A full
 * socket means the peer closes with data unread, which Linux reports as a
 * reset: unix_release_sock() in net/unix/af_unix.c sets ECONNRESET on the
 * survivor when the closing socket's receive queue is not empty, and the
 * woken send reports that pending error first (unix(7): "ECONNRESET
 * Remote socket was unexpectedly closed"); an implementation without
 * resets says -EPIPE.  Checked on SOCK_STREAM: end 0 is filled (O_NONBLOCK
 * until -EAGAIN, then byte by byte); a helper asleep in a 1-byte send on
 * it (MSG_NOSIGNAL; no grace period, the blocking is another clause's
 * rule), having closed its own copy of end 1, returns -EPIPE or
 * -ECONNRESET when the clause closes end 1.
 */
CLAUSE(socket_close_wakes_blocked_send,
       .id = "socket.close.wakes_blocked_send",
       .title = "a send asleep on a full stream socket is woken by the peer's close and fails with -EPIPE or -ECONNRESET",
       .cites = "seed:K3; POSIX.1-2017 XSH send() ERRORS [EPIPE], [ECONNRESET]; unix(7) EPIPE, ECONNRESET",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	char b[32];
	socket_pair(t, SOCK_STREAM, e);
	socket_fill(t, e[0], 4096, 64u << 20, "filling end 0 until a send says -EAGAIN");
	/* A stream may refuse a large send yet have room for a byte: top it up. */
	socket_fill(t, e[0], 1, 64u << 20, "topping end 0 up a byte at a time");
	struct close_wake_call c = { .mine = e[0], .peer = e[1] };
	struct ipcconf_blocked blk;
	ipcconf_block_begin(t, &blk, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte send on a full stream socket",
		.prepare = close_own_copy_of_peer, .call = send_one, .arg = &c });
	ipcconf_block_release(t, &blk);
	STEP(t, "closing the last handle of end 1, its receive queue full");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the last handle of end 1");
	long long r = ipcconf_block_end(t, &blk);
	CHECK(t, r == -EPIPE || r == -ECONNRESET,
	      "the send woken by the peer's close returned %s; expected -EPIPE or -ECONNRESET",
	      ipcconf_result_name(r, b));
}

static const struct ipcconf_clause socket_close_peer_killed_eof[] = {
	SHUTDOWN_TYPE_ROWS("socket.close.peer_killed_eof",
			   "a peer killed by SIGKILL without closing counts as closed: the survivor's recv returns 0",
			   "seed:K3; POSIX.1-2017 XSH _exit(), 2.4.3 Signal Actions, recv(); recv(2) RETURN VALUE",
			   .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH),
};

/*
 * POSIX.1-2017 XSH _exit(): "All of the file descriptors ... open in the
 * calling process shall be closed"; XSH 2.4.3: a process ended by a
 * signal's default action has "all the consequences of _exit()".  iut.h:
 * an object "whose holders have all closed it, or have all exited (killed
 * or not), is gone."  Checked: a helper that holds the only handle of end
 * 1 (it closed its copy of end 0, the clause its copy of end 1) is killed
 * by SIGKILL; the clause's recv on end 0 then returns 0.  (An
 * implementation that keeps a dead holder's socket open fails by the
 * clause's bound.)
 */
CLAUSE_TABLE(socket_close_peer_killed_eof)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	pid_t peer = ipcconf_fork(t);
	if (peer == 0) {
		REQUIRE_OK(t, iut_close(t, e[0]), "peer: close of its copy of end 0");
		ipcconf_post(t, 0);
		STEP(t, "peer: holding end 1, waiting to be killed");
		ipcconf_await(t, 1, 1, "the clause to kill this peer (it never posts)");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the clause's copy of end 1");
	ipcconf_await(t, 0, 1, "the peer to be ready");
	STEP(t, "killing the peer, the only holder of end 1, with SIGKILL");
	ipcconf_kill(t, peer, SIGKILL);
	int st = 0;
	if (!ipcconf_wait(t, peer, &st))
		BROKEN(t, "the SIGKILLed peer %d did not end", (int)peer);
	shutdown_expect_eof(t, e[0], "end 0's recv after its only peer was killed");
}

static const struct ipcconf_clause socket_close_unread_ends_connection[] = {
	SHUTDOWN_TYPE_ROWS("socket.close.unread_ends_connection",
			   "a peer that closes with data unread still ends the connection: recv returns -ECONNRESET or 0 at once",
			   "seed:K3; POSIX.1-2017 XSH recv() ERRORS [ECONNRESET], close(); unix(7) ECONNRESET; Linux net/unix/af_unix.c unix_release_sock()"),
};

/*
 * A close ends the connection whatever the closing socket still holds.
 * POSIX.1-2017 XSH recv() gives the two ways a connection ends: "If no
 * messages are available to be received and the peer has performed an
 * orderly shutdown, recv() shall return 0", and "[ECONNRESET] A connection
 * was forcibly closed by a peer."  A close that discards unread data is
 * the forced kind on Linux: unix_release_sock() in net/unix/af_unix.c
 * sets ECONNRESET on the survivor when the closing socket's receive queue
 * is not empty (unix(7): "ECONNRESET Remote socket was unexpectedly
 * closed"); an implementation that makes every close orderly says 0.
 * Checked: end 0 sends bytes that end 1 never reads; end 1 closes; a
 * blocking recv on end 0 (which has nothing queued) returns -ECONNRESET
 * or 0 at once.  (An implementation whose connection stays open while the
 * closed end holds data fails by the clause's bound.)
 */
CLAUSE_TABLE(socket_close_unread_ends_connection)
{
	int type = shutdown_row_type(t);
	int e[2];
	char buf[16];
	char b[32];
	socket_pair(t, type, e);
	socket_send_all(t, e[0], "never read", 10, "end 0 sends what end 1 will not read");
	STEP(t, "close of end 1 with 10 bytes unread");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of end 1, 10 bytes unread");
	STEP(t, "a blocking recv on end 0 after its peer closed with data unread");
	ssize_t n = iut_recv(t, e[0], buf, sizeof buf, 0);
	CHECK(t, n == -ECONNRESET || n == 0,
	      "end 0's recv after its peer closed with data unread returned %s; expected -ECONNRESET or 0",
	      ipcconf_result_name(n, b));
}
