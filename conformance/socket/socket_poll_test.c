/*
 * Socket clauses: readiness.  poll() tells, without blocking, what a
 * receive or send would do on a connected stream socket: POLLIN when
 * there is data (and not when there is none), POLLOUT when there is room
 * (and not when a send would block), POLLHUP with POLLIN once the peer
 * has closed; and a poll that waits is woken by the peer's send.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/socket/socket_io_support.h"
#include "conformance/socket/socket_support.h"

/*
 * POSIX.1-2017 XSH poll(): "POLLIN Data other than high-priority data may
 * be read without blocking", and with timeout 0 "poll() shall return
 * immediately"; poll(2): POLLIN "There is data to read".  socket(7), I/O
 * events: POLLIN "New data arrived".  Checked on a connected stream pair
 * whose peer stays open: empty, the socket reports no event; with a byte
 * from the peer, POLLIN (and neither POLLHUP nor POLLERR); once that byte
 * is received, no event again.
 */
CLAUSE(socket_poll_pollin_only_with_data,
       .id = "socket.poll.pollin_only_with_data",
       .title = "a stream socket polls POLLIN while it holds data and reports no event while it is empty",
       .cites = "POSIX.1-2017 XSH poll(); poll(2); socket(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	char c;
	socket_pair(t, SOCK_STREAM, e);
	sockio_expect_events(t, e[0], POLLIN, 0, POLLIN | POLLHUP | POLLERR,
			     "poll(socket, POLLIN, 0) while empty, the peer open");
	socket_send_all(t, e[1], "d", 1, "the peer sends a byte");
	sockio_expect_events(t, e[0], POLLIN, POLLIN, POLLHUP | POLLERR,
			     "poll(socket, POLLIN, 0) holding the peer's byte");
	socket_recv_exact(t, e[0], &c, 1, "receiving the byte");
	sockio_expect_events(t, e[0], POLLIN, 0, POLLIN | POLLHUP | POLLERR,
			     "poll(socket, POLLIN, 0) after the byte was received");
}

/*
 * POSIX.1-2017 XSH poll(): "POLLOUT Normal data may be written without
 * blocking."  poll(2): "Writing is now possible"; socket(7): POLLOUT
 * "Socket has enough send buffer space for writing new data".  Checked on
 * a connected stream pair: a new socket polls POLLOUT; filled until not
 * even a 1-byte nonblocking send fits, it does not (a send would block);
 * once the peer has received everything, it polls POLLOUT again.
 */
CLAUSE(socket_poll_pollout_until_full,
       .id = "socket.poll.pollout_until_full",
       .title = "a stream socket polls POLLOUT while there is room, not once it is full, and again once the peer has read",
       .cites = "POSIX.1-2017 XSH poll(); poll(2); socket(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL | IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	sockio_expect_events(t, e[0], POLLOUT, POLLOUT, POLLERR | POLLHUP,
			     "poll(socket, POLLOUT, 0) of a new connected socket");
	size_t full = sockio_fill(t, e[0], 1, 4096, "filling the socket");
	sockio_expect_events(t, e[0], POLLOUT, 0, POLLOUT,
			     "poll(socket, POLLOUT, 0) when not even 1 byte more fits");
	sockio_recv_zeros(t, e[1], full, "the peer receives the fill");
	sockio_expect_events(t, e[0], POLLOUT, POLLOUT, 0,
			     "poll(socket, POLLOUT, 0) once the peer has received everything");
}

/*
 * poll(2): POLLHUP "Note that when reading from a channel such as a pipe
 * or a stream socket, this event merely indicates that the peer closed
 * its end of the channel.  Subsequent reads from the channel will return
 * 0 (end of file) only after all outstanding data in the channel has been
 * consumed."  POSIX.1-2017 XSH pselect(): a descriptor is ready for
 * reading "when a call to an input function with O_NONBLOCK clear would
 * not block, whether or not the function would transfer data
 * successfully" (data or "an end-of-file indication"), which is POLLIN.
 * Checked on a connected stream pair whose peer sends a byte and closes:
 * the socket polls POLLIN|POLLHUP; a receive returns the byte; it still
 * polls POLLIN|POLLHUP, and the next receive returns 0.  (POLLRDHUP,
 * which Linux adds, is not among the interface's poll events and is not
 * checked.)
 */
CLAUSE(socket_poll_pollhup_after_peer_close,
       .id = "socket.poll.pollhup_after_peer_close",
       .title = "a stream socket whose peer closed polls POLLHUP and POLLIN, before and after its last data is read",
       .cites = "POSIX.1-2017 XSH poll(); POSIX.1-2017 XSH pselect(); poll(2) POLLHUP; socket(7)",
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	char c = 0;
	socket_pair(t, SOCK_STREAM, e);
	socket_send_all(t, e[1], "x", 1, "the peer sends a byte");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the peer");
	sockio_expect_events(t, e[0], POLLIN, POLLIN | POLLHUP, 0,
			     "poll(socket, POLLIN, 0): the peer closed, 1 byte left");
	CHECK_EQ(t, iut_recv(t, e[0], &c, 1, 0), 1, "the receive of the byte left");
	CHECK_EQ(t, c, 'x', "the byte left");
	sockio_expect_events(t, e[0], POLLIN, POLLIN | POLLHUP, 0,
			     "poll(socket, POLLIN, 0): the peer closed, nothing left");
	CHECK_EQ(t, iut_recv(t, e[0], &c, 1, 0), 0, "the receive after the last byte (end of file)");
}

/* A helper's poll with no timeout; its revents are the call's result. */
struct poll_call {
	int h;
	short events;
};

static long long poll_call(struct ipcconf_t *t, void *arg)
{
	struct poll_call *c = arg;
	return iut_poll1(t, c->h, c->events, -1);
}

/*
 * POSIX.1-2017 XSH poll(): "If none of the defined events have occurred on
 * any selected file descriptor, poll() shall wait at least timeout
 * milliseconds for an event to occur on any of the selected file
 * descriptors.  If the value of timeout is -1, poll() shall block until a
 * requested event has occurred or until the call is interrupted."
 * poll(2) likewise.  Checked on a connected stream pair: a helper's poll
 * for POLLIN with no timeout on the empty socket sleeps; the peer's send
 * wakes it with POLLIN.
 */
CLAUSE(socket_poll_waits_for_data,
       .id = "socket.poll.waits_for_data",
       .title = "a poll for POLLIN on an empty stream socket blocks until the peer sends",
       .cites = "POSIX.1-2017 XSH poll(); poll(2)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_POLL))
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	struct poll_call c = { .h = e[0], .events = POLLIN };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "poll(socket, POLLIN, no timeout) of an empty stream socket",
		.call = poll_call, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "the peer sends a byte to wake the poller");
	socket_send_all(t, e[1], "w", 1, "the peer's send");
	long long ev = ipcconf_block_end(t, &b);
	char got[64];
	CHECK(t, ev > 0 && (ev & POLLIN), "the poll woken by the peer's send: expected POLLIN, got %s",
	      sockio_events_name((int)ev, got));
}
