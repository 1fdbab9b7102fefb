/*
 * socket_io_support.h -- what the socket.io and socket.poll clauses share:
 * filling a socket to its last byte, emptying one and counting what came
 * out, and poll results as they read in messages.  Every call goes
 * through the implementation's tables.
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_IO_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_IO_SUPPORT_H

#include <stddef.h>

#include "conformance/harness/clause.h"

/*
 * A bound on the bytes a socket may take before it is full: far above any
 * real buffer, so that it only stops an implementation that never fills.
 */
#define SOCKIO_FILL_LIMIT ((size_t)64 << 20)

/* "POLLIN|POLLHUP", "0", "-EBADF": revents as they read in a message. */
const char *sockio_events_name(int ev, char buf[64]);

/*
 * Polls `h` for `events` with timeout 0 and checks that every bit of
 * `must` is set and none of `must_not`; `what` names the poll.
 */
void sockio_expect_events(struct ipcconf_t *t, int h, short events, int must, int must_not,
			  const char *what);

/*
 * Sends `chunk`-byte messages of zeros on `h`, whose O_NONBLOCK the
 * caller has set (any way) and this leaves alone, with MSG_NOSIGNAL until
 * -EAGAIN; on a stream socket, then 1-byte sends until -EAGAIN, so that
 * not even one more byte fits.  Returns the bytes accepted.  Any other
 * error, or more than SOCKIO_FILL_LIMIT bytes, is a FAIL naming `what`,
 * and the caller ends; a send that blocks instead is the clause's
 * timeout.
 */
size_t sockio_fill_nonblocking(struct ipcconf_t *t, int h, int stream, size_t chunk,
			       const char *what);

/*
 * As sockio_fill_nonblocking, on a blocking handle: sets O_NONBLOCK for
 * the fill and clears it again (socket_fill).  Returns the bytes accepted.
 */
size_t sockio_fill(struct ipcconf_t *t, int h, int stream, size_t chunk, const char *what);

/*
 * Receives exactly `len` bytes from stream socket `h` (blocking, looping
 * over short receives) and checks that they are all zero, as the fills
 * above send them.  A failure ends the caller.
 */
void sockio_recv_zeros(struct ipcconf_t *t, int h, size_t len, const char *what);

/*
 * Receives through stream socket `h`, whose O_NONBLOCK is set, until
 * -EAGAIN, and returns the bytes received.  An error,
 * end of file, or more than SOCKIO_FILL_LIMIT bytes is a FAIL naming
 * `what`, and the caller ends.
 */
size_t sockio_drain_nonblocking(struct ipcconf_t *t, int h, const char *what);

#endif /* IPCCONF_CONFORMANCE_SOCKET_IO_SUPPORT_H */
