/*
 * Socket clauses: shutdown() closes one direction of a connection, or
 * both, and leaves the rest of it working (seed:K3: the two-way endpoint
 * becomes one-way).  SHUT_WR: the peer reads what was sent, then end of
 * file; the shut end's sends fail with -EPIPE (and SIGPIPE on a stream).
 * SHUT_RD: nothing more is received, and on AF_UNIX the peer's sends
 * fail.  Most rules hold alike for SOCK_STREAM and SOCK_SEQPACKET, and
 * are a row for each.
 *
 * SIGPIPE's disposition is set with the harness's raw calls: these
 * clauses judge sockets, not signal functions.  A send that is not about
 * SIGPIPE passes MSG_NOSIGNAL, so that no clause dies of a signal that
 * another clause is about.
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

static const struct ipcconf_clause socket_shutdown_wr_peer_eof[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.wr_peer_eof",
			   "after shutdown(SHUT_WR) the peer receives what was sent before it, then end of file (0)",
			   "seed:K3; POSIX.1-2017 XSH shutdown(), recv(); shutdown(2); recv(2) RETURN VALUE"),
};

/*
 * POSIX.1-2017 XSH shutdown(): "SHUT_WR Disables further send
 * operations."  XSH recv(): "If no messages are available to be received
 * and the peer has performed an orderly shutdown, recv() shall return 0."
 * recv(2): "When a stream socket peer has performed an orderly shutdown,
 * the return value will be 0 (the traditional "end-of-file" return)."
 * Checked: what end 0 sent before its SHUT_WR reaches end 1 intact, then
 * end 1's recv returns 0, and again 0.  (An implementation that drops
 * queued data at the shutdown, or never reports end of file, fails; the
 * latter by the clause's bound.)
 */
CLAUSE_TABLE(socket_shutdown_wr_peer_eof)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	socket_send_all(t, e[0], "sent before", 11, "end 0 sends before its shutdown");
	STEP(t, "shutdown(end 0, SHUT_WR)");
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_WR), "shutdown(end 0, SHUT_WR)");
	shutdown_recv_sent(t, e[1], type, "sent before", 11,
			   "end 1 receives what end 0 sent before SHUT_WR");
	shutdown_expect_eof(t, e[1], "end 1's recv after the data, end 0 shut for writing");
	shutdown_expect_eof(t, e[1], "end 1's second recv: end of file persists");
}

static const struct ipcconf_clause socket_shutdown_wr_send_epipe[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.wr_send_epipe",
			   "after shutdown(SHUT_WR) a send with MSG_NOSIGNAL on that end fails with -EPIPE and raises no SIGPIPE",
			   "seed:K3; POSIX.1-2017 XSH shutdown(), send() ERRORS [EPIPE], MSG_NOSIGNAL; send(2) EPIPE, MSG_NOSIGNAL; socket(7) Signals"),
};

/*
 * POSIX.1-2017 XSH send(), ERRORS: "[EPIPE] The socket is shut down for
 * writing, ..."; MSG_NOSIGNAL: "Requests not to send the SIGPIPE signal if
 * an attempt to send is made on a stream-oriented socket that is no
 * longer connected."  send(2): "EPIPE The local end has been shut down on
 * a connection oriented socket.  In this case, the process will also
 * receive a SIGPIPE unless MSG_NOSIGNAL is set."  socket(7), Signals:
 * "The signal is not sent when the write call specified the MSG_NOSIGNAL
 * flag."  Checked, with a counting SIGPIPE handler installed: after
 * SHUT_WR, a 1-byte send with MSG_NOSIGNAL returns -EPIPE and the handler
 * never ran.
 */
CLAUSE_TABLE(socket_shutdown_wr_send_epipe)
{
	int type = shutdown_row_type(t);
	ipcconf_catch(t, SIGPIPE, 0);
	int e[2];
	socket_pair(t, type, e);
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_WR), "shutdown(end 0, SHUT_WR)");
	STEP(t, "send with MSG_NOSIGNAL on the end shut for writing");
	CHECK_EQ(t, iut_send(t, e[0], "x", 1, MSG_NOSIGNAL), -EPIPE,
		 "a 1-byte send with MSG_NOSIGNAL after SHUT_WR");
	CHECK_EQ(t, ipcconf_caught(SIGPIPE), 0, "SIGPIPEs caught during a send with MSG_NOSIGNAL");
}

/*
 * send(2): "EPIPE The local end has been shut down on a connection
 * oriented socket.  In this case, the process will also receive a SIGPIPE
 * unless MSG_NOSIGNAL is set."  socket(7), Signals: "When writing onto a
 * connection-oriented socket that has been shut down (by the local or the
 * remote end) SIGPIPE is sent to the writing process and EPIPE is
 * returned."  POSIX.1-2017 XBD <signal.h>: SIGPIPE's default action is
 * abnormal termination.  (POSIX's send() itself requires the signal only
 * for a connection that is no longer connected; the signal on one's own
 * SHUT_WR is the Linux pages' rule.  Only SOCK_STREAM is judged: Linux
 * raises no SIGPIPE on SOCK_SEQPACKET, whose sends go through
 * unix_dgram_sendmsg in net/unix/af_unix.c.)  Checked: a helper with
 * SIGPIPE at its default action shuts its own socket for writing and
 * sends on it without MSG_NOSIGNAL; its wait status says SIGPIPE killed
 * it.  The helper makes its own pair, so no handle crosses a fork.
 */
CLAUSE(socket_shutdown_wr_sigpipe_kills_sender,
       .id = "socket.shutdown.wr_sigpipe_kills_sender",
       .title = "with SIGPIPE at its default action, a send after one's own shutdown(SHUT_WR) kills the sender (SOCK_STREAM)",
       .cites = "seed:K3; send(2) EPIPE; socket(7) Signals; POSIX.1-2017 XSH shutdown(), XBD <signal.h>",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	ipcconf_default_action(t, SIGPIPE);
	pid_t sender = ipcconf_fork(t);
	if (sender == 0) {
		int e[2];
		socket_pair(t, SOCK_STREAM, e);
		REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_WR), "sender: shutdown(end 0, SHUT_WR)");
		STEP(t, "sender: send after SHUT_WR, SIGPIPE at its default action: should not return");
		ssize_t n = iut_send(t, e[0], "x", 1, 0);
		char b[32];
		FAIL(t, "the send after SHUT_WR returned %s; expected the sender to be killed by SIGPIPE",
		     ipcconf_result_name(n, b));
		ipcconf_exit(t);
	}
	int st = 0;
	if (!ipcconf_wait(t, sender, &st)) {
		FAIL(t, "timeout: the sender (pid %d) neither died nor returned from its send", (int)sender);
		return;
	}
	if (WIFSIGNALED(st))
		CHECK(t, WTERMSIG(st) == SIGPIPE, "the sender was killed by signal %d, expected SIGPIPE (%d)",
		      WTERMSIG(st), SIGPIPE);
	else
		CHECK(t, 0, "the sender exited with status %d; expected it to be killed by SIGPIPE",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * send(2) EPIPE, as above: after one's own SHUT_WR the send fails with
 * EPIPE and "the process will also receive a SIGPIPE unless MSG_NOSIGNAL
 * is set".  The signal goes to the sending thread, so a handler has run
 * by the time the send returns.  Checked (SOCK_STREAM, for the reason
 * given above): with a counting handler, a send without MSG_NOSIGNAL
 * returns -EPIPE and the handler ran exactly once.
 */
CLAUSE(socket_shutdown_wr_sigpipe_caught,
       .id = "socket.shutdown.wr_sigpipe_caught",
       .title = "with a SIGPIPE handler, a send after shutdown(SHUT_WR) runs it once and fails with -EPIPE (SOCK_STREAM)",
       .cites = "seed:K3; send(2) EPIPE; socket(7) Signals; POSIX.1-2017 XSH shutdown(), send() ERRORS [EPIPE]",
       .needs = IPCCONF_CAP_SIGPIPE)
{
	ipcconf_catch(t, SIGPIPE, 0);
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_WR), "shutdown(end 0, SHUT_WR)");
	STEP(t, "send without MSG_NOSIGNAL after SHUT_WR, SIGPIPE caught");
	CHECK_EQ(t, iut_send(t, e[0], "x", 1, 0), -EPIPE, "a 1-byte send after SHUT_WR (SIGPIPE caught)");
	CHECK_EQ(t, ipcconf_caught(SIGPIPE), 1, "times the SIGPIPE handler ran during the send");
}

static const struct ipcconf_clause socket_shutdown_wr_other_direction[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.wr_other_direction",
			   "after shutdown(SHUT_WR) on one end the other direction still works: the peer sends, the shut end receives",
			   "seed:K3; POSIX.1-2017 XSH shutdown(); shutdown(2)"),
};

/*
 * shutdown(2): "The shutdown() call causes all or part of a full-duplex
 * connection ... to be shut down.  ... If how is SHUT_WR, further
 * transmissions will be disallowed" -- transmissions only.  POSIX.1-2017
 * XSH shutdown(): "SHUT_WR Disables further send operations."  Checked:
 * after end 0's SHUT_WR, end 1 sends a message and end 0 receives it
 * intact.  (An implementation that shuts the whole connection fails.)
 */
CLAUSE_TABLE(socket_shutdown_wr_other_direction)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_WR), "shutdown(end 0, SHUT_WR)");
	socket_send_all(t, e[1], "reply", 5, "end 1 sends to end 0, which is shut for writing");
	shutdown_recv_sent(t, e[0], type, "reply", 5,
			   "end 0, shut for writing, receives what end 1 sent");
}

/* A 1-byte recv, in a helper, on the handle `arg` points to. */
static long long recv_one(struct ipcconf_t *t, void *arg)
{
	char c;
	return iut_recv(t, *(const int *)arg, &c, 1, 0);
}

static const struct ipcconf_clause socket_shutdown_wr_wakes_blocked_recv[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.wr_wakes_blocked_recv",
			   "a recv asleep on an empty socket is woken by the peer's shutdown(SHUT_WR) and returns 0",
			   "seed:K3; POSIX.1-2017 XSH recv(), shutdown(); recv(2) RETURN VALUE",
			   .needs = IPCCONF_CAP_FORK_INHERIT),
};

/*
 * POSIX.1-2017 XSH recv(): with no message and O_NONBLOCK clear "recv()
 * shall block until a message arrives"; "If no messages are available to
 * be received and the peer has performed an orderly shutdown, recv() shall
 * return 0."  A message can no longer arrive once the peer shut down
 * writing, so a receiver already asleep must be woken.  Checked: a helper
 * asleep in recv on end 0 (seen asleep; that it blocks is another
 * clause's rule, so no grace period) returns 0 when end 1 is shut down for
 * writing.  (An implementation that does not wake it fails by the bound.)
 */
CLAUSE_TABLE(socket_shutdown_wr_wakes_blocked_recv)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte recv on an empty socket whose peer is open",
		.call = recv_one, .arg = &e[0] });
	ipcconf_block_release(t, &b);
	STEP(t, "shutdown(end 1, SHUT_WR) while end 0's recv sleeps");
	REQUIRE_OK(t, iut_shutdown(t, e[1], SHUT_WR), "shutdown(end 1, SHUT_WR)");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the recv woken by the peer's SHUT_WR");
}

static const struct ipcconf_clause socket_shutdown_rd_disables_receive[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.rd_disables_receive",
			   "after shutdown(SHUT_RD) nothing the peer sends is received: recv returns at once, without data",
			   "seed:K3; POSIX.1-2017 XSH shutdown(); shutdown(2)"),
};

/*
 * POSIX.1-2017 XSH shutdown(): "SHUT_RD Disables further receive
 * operations."  shutdown(2): "If how is SHUT_RD, further receptions will
 * be disallowed."  Neither says what a receive on a socket shut for
 * reading returns: Linux returns 0, end of file (net/unix/af_unix.c
 * checks RCV_SHUTDOWN when the queue is empty), as 4.4BSD's soreceive()
 * did; POSIX would allow an error.
 * What data was queued before the SHUT_RD becomes is also left open
 * (Linux still delivers it, 4.4BSD discards it), so the clause shuts an
 * empty socket.  Checked, and only this: after end 0's SHUT_RD, end 1
 * tries to send (succeeding or not), and a blocking recv on end 0 returns
 * at once with 0 or an error, never those bytes.  (An implementation that
 * ignores SHUT_RD delivers them and fails; one whose recv waits for data
 * that may no longer be received fails by the clause's bound.)
 */
CLAUSE_TABLE(socket_shutdown_rd_disables_receive)
{
	int type = shutdown_row_type(t);
	int e[2];
	char buf[16];
	char b[32];
	socket_pair(t, type, e);
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_RD), "shutdown(end 0, SHUT_RD)");
	STEP(t, "end 1 tries to send to the end shut for reading (any result)");
	(void)iut_send(t, e[1], "late", 4, MSG_NOSIGNAL);
	STEP(t, "a blocking recv on the end shut for reading: must return at once, without data");
	ssize_t n = iut_recv(t, e[0], buf, sizeof buf, 0);
	CHECK(t, n <= 0,
	      "recv on end 0 after its SHUT_RD returned %s: it received what end 1 sent after the SHUT_RD; expected 0 or an error",
	      ipcconf_result_name(n, b));
}

static const struct ipcconf_clause socket_shutdown_rd_peer_send_epipe[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.rd_peer_send_epipe",
			   "after shutdown(SHUT_RD) on one end of an AF_UNIX connection, the peer's send fails with -EPIPE",
			   "seed:K3; socket(7) Signals; shutdown(2); Linux net/unix/af_unix.c unix_shutdown()"),
};

/*
 * socket(7), Signals: "When writing onto a connection-oriented socket that
 * has been shut down (by the local or the remote end) SIGPIPE is sent to
 * the writing process and EPIPE is returned."  The remote end's SHUT_RD is
 * what shuts a socket down for the local end's writes (its SHUT_WR leaves
 * them working, shutdown(2)); on AF_UNIX Linux carries it over at once:
 * unix_shutdown() in net/unix/af_unix.c gives the peer SEND_SHUTDOWN for a
 * RCV_SHUTDOWN.  (TCP has no such message, so this is AF_UNIX's rule.)
 * Checked: after end 0's SHUT_RD, a 1-byte send with MSG_NOSIGNAL on end
 * 1 returns -EPIPE.
 */
CLAUSE_TABLE(socket_shutdown_rd_peer_send_epipe)
{
	int type = shutdown_row_type(t);
	int e[2];
	socket_pair(t, type, e);
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_RD), "shutdown(end 0, SHUT_RD)");
	STEP(t, "end 1 sends to the end shut for reading");
	CHECK_EQ(t, iut_send(t, e[1], "x", 1, MSG_NOSIGNAL), -EPIPE,
		 "end 1's 1-byte send (MSG_NOSIGNAL) after end 0's SHUT_RD");
}

static const struct ipcconf_clause socket_shutdown_rdwr_both[] = {
	SHUTDOWN_TYPE_ROWS("socket.shutdown.rdwr_both",
			   "shutdown(SHUT_RDWR) disables both directions: sends fail with -EPIPE, the peer reads to end of file, nothing more is received",
			   "seed:K3; POSIX.1-2017 XSH shutdown(), send() ERRORS [EPIPE], recv(); shutdown(2); send(2) EPIPE"),
};

/*
 * POSIX.1-2017 XSH shutdown(): "SHUT_RDWR Disables further send and
 * receive operations."  shutdown(2): "If how is SHUT_RDWR, further
 * receptions and transmissions will be disallowed."  Checked, each half as
 * the SHUT_WR and SHUT_RD clauses check it: after end 0's SHUT_RDWR, its
 * send (MSG_NOSIGNAL) fails with -EPIPE; end 1 receives what end 0 sent
 * before, then 0; and what end 1 then tries to send is never received by
 * end 0, whose recv returns at once with 0 or an error.
 */
CLAUSE_TABLE(socket_shutdown_rdwr_both)
{
	int type = shutdown_row_type(t);
	int e[2];
	char buf[16];
	char b[32];
	socket_pair(t, type, e);
	socket_send_all(t, e[0], "sent before", 11, "end 0 sends before its shutdown");
	REQUIRE_OK(t, iut_shutdown(t, e[0], SHUT_RDWR), "shutdown(end 0, SHUT_RDWR)");
	STEP(t, "send on the end shut both ways");
	CHECK_EQ(t, iut_send(t, e[0], "x", 1, MSG_NOSIGNAL), -EPIPE,
		 "end 0's 1-byte send (MSG_NOSIGNAL) after its SHUT_RDWR");
	shutdown_recv_sent(t, e[1], type, "sent before", 11,
			   "end 1 receives what end 0 sent before SHUT_RDWR");
	shutdown_expect_eof(t, e[1], "end 1's recv after the data, end 0 shut both ways");
	STEP(t, "end 1 tries to send to the end shut both ways (any result)");
	(void)iut_send(t, e[1], "late", 4, MSG_NOSIGNAL);
	STEP(t, "a blocking recv on the end shut both ways: must return at once, without data");
	ssize_t n = iut_recv(t, e[0], buf, sizeof buf, 0);
	CHECK(t, n <= 0,
	      "recv on end 0 after its SHUT_RDWR returned %s: it received what end 1 sent after the shutdown; expected 0 or an error",
	      ipcconf_result_name(n, b));
}

static const struct ipcconf_clause socket_shutdown_unconnected_enotconn[] = {
	ROW(.id = "socket.shutdown.unconnected_enotconn_inet",
	    .title = "shutdown of a TCP socket that is not connected fails with -ENOTCONN (AF_INET)",
	    .cites = "POSIX.1-2017 XSH shutdown() ERRORS [ENOTCONN]; shutdown(2) ENOTCONN",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_INET), .arg = &(const int){ AF_INET }),
	ROW(.id = "socket.shutdown.unconnected_enotconn_inet6",
	    .title = "shutdown of a TCP socket that is not connected fails with -ENOTCONN (AF_INET6)",
	    .cites = "POSIX.1-2017 XSH shutdown() ERRORS [ENOTCONN]; shutdown(2) ENOTCONN",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_INET6), .arg = &(const int){ AF_INET6 }),
};

/*
 * POSIX.1-2017 XSH shutdown(), ERRORS: "The shutdown() function shall fail
 * if: ... [ENOTCONN] The socket is not connected."  shutdown(2): "ENOTCONN
 * The specified socket is not connected."  Checked on a new TCP socket,
 * never bound or connected: SHUT_RD, SHUT_WR and SHUT_RDWR each fail with
 * -ENOTCONN.  AF_UNIX is not judged: Linux's unix_shutdown()
 * (net/unix/af_unix.c) checks no connection state and returns 0 for an
 * unconnected AF_UNIX socket, a departure from POSIX that no Linux page
 * records.
 */
CLAUSE_TABLE(socket_shutdown_unconnected_enotconn)
{
	int domain = *(const int *)t->clause->arg;
	int h = iut_socket(t, domain, SOCK_STREAM, 0);
	REQUIRE_OK(t, h, domain == AF_INET6 ? "socket(AF_INET6, SOCK_STREAM)" : "socket(AF_INET, SOCK_STREAM)");
	STEP(t, "shutdown of the unconnected socket");
	CHECK_FAILS(t, iut_shutdown(t, h, SHUT_RD), -ENOTCONN);
	CHECK_FAILS(t, iut_shutdown(t, h, SHUT_WR), -ENOTCONN);
	CHECK_FAILS(t, iut_shutdown(t, h, SHUT_RDWR), -ENOTCONN);
}

/*
 * POSIX.1-2017 XSH shutdown(), ERRORS: "[EINVAL] The how argument is
 * invalid."  shutdown(2): "EINVAL An invalid value was specified in how";
 * its BUGS section: AF_UNIX sockets ignored invalid values before Linux
 * 3.7.  Checked on a connected stream pair: how = SHUT_RDWR + 1 and how =
 * -1 fail with -EINVAL, and they shut nothing: afterwards each end still
 * sends to the other.  (An implementation that takes an unknown `how` as
 * one of the three fails.)
 */
CLAUSE(socket_shutdown_invalid_how_einval,
       .id = "socket.shutdown.invalid_how_einval",
       .title = "shutdown with a `how` that is not SHUT_RD, SHUT_WR or SHUT_RDWR fails with -EINVAL and shuts nothing",
       .cites = "POSIX.1-2017 XSH shutdown() ERRORS [EINVAL]; shutdown(2) EINVAL, BUGS")
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	STEP(t, "shutdown with invalid values of how");
	CHECK_FAILS(t, iut_shutdown(t, e[0], SHUT_RDWR + 1), -EINVAL);
	CHECK_FAILS(t, iut_shutdown(t, e[0], -1), -EINVAL);
	STEP(t, "both directions after the refused shutdowns");
	socket_send_all(t, e[0], "there", 5, "end 0 sends after its refused shutdowns");
	shutdown_recv_sent(t, e[1], SOCK_STREAM, "there", 5, "end 1 receives end 0's message");
	socket_send_all(t, e[1], "back", 4, "end 1 sends after end 0's refused shutdowns");
	shutdown_recv_sent(t, e[0], SOCK_STREAM, "back", 4, "end 0 receives end 1's message");
}
