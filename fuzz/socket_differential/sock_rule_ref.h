/*
 * sock_rule_ref.h -- what `ref`'s socketpairs return, by its own
 * documented rules, exactly (impl/ref/ref_iut.h, SOCKETS; the ring
 * layouts of impl/ring/ring.h and ring_record.h; the record prefix of
 * impl/ref/socket.h).  ref says its errors, end of file, shutdown and poll
 * follow Linux's net/unix/af_unix.c; what it fixes itself is the room:
 *
 *   stream      a byte ring of the variant's pipe capacity each way (ref:
 *               65536): a non-blocking send takes min(n, free) bytes, or
 *               -EAGAIN when none is free; a recv takes min(n, held);
 *   seqpacket,  a record ring of four times that (262144) each way; a
 *   datagram    message of n bytes costs ring_record_size(2 + n) = 16 +
 *               (2 + n rounded up to 8) (the record header, then the
 *               sender's path length, 0 for a pair, and no path): in
 *               whole or -EAGAIN; longer than the ring less 126 bytes:
 *               -EMSGSIZE;
 *   POLLOUT     while at most a quarter of the sending ring is in flight.
 *
 * So, with end e and its peer p (stream and seqpacket mirror a shutdown
 * to the peer, as Linux: our SHUT_RD is p's SHUT_WR and the other way
 * round; a closed peer is both):
 *   send     -EBADF closed; stream and seqpacket -EPIPE once e cannot send
 *            (own SHUT_WR, p's SHUT_RD, p closed; a stream's zero-length
 *            send too), else a stream's n = 0 gives 0; datagrams -EPIPE
 *            after e's own SHUT_WR, then to a closed p -ECONNREFUSED once
 *            and -ENOTCONN after, -EPIPE after p's SHUT_RD; then the room.
 *   recv     -EBADF closed; queued data first (MSG_PEEK keeps it, MSG_TRUNC
 *            gives a message's real length); nothing queued: stream and
 *            seqpacket end of file (0) once e cannot receive (own
 *            SHUT_RD, p's SHUT_WR, p closed), with -ECONNRESET first,
 *            once, when p was closed with data e sent unread ("gives
 *            ECONNRESET once ..., then end-of-file"); else -EAGAIN
 *            (datagrams always).
 *   shutdown -EBADF closed, -EINVAL for another `how`, else 0.
 *   poll     POLLNVAL closed; POLLERR while that ECONNRESET is pending;
 *            POLLHUP once e can neither send nor receive; POLLIN|RDNORM
 *            with data or once e cannot receive; POLLOUT|WRNORM while
 *            writable (POLLWRBAND may come with it: iut.h's poll events are
 *            POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL).
 *
 * REPORTED DEVIATIONS.  Where ref was found to differ from the Linux
 * behaviour its documentation promises, and the difference is not among
 * its listed ones, the rule below allows ref's actual result beside the
 * documented one (SOCK_REF_DEVIATION), so that the fuzzer goes on past a
 * reported bug and a fix does not break the target; build with
 * -DSOCK_REF_STRICT to allow the documented result alone (the inputs in
 * regressions/ then fail until ref is fixed):
 *   1. recv of 0 bytes with nothing queued gives 0 at once: no -EAGAIN
 *      when it would block, no pending -ECONNRESET (which stays pending).
 *      On a message socket that 0 reads as a zero-length message.
 *      regressions/crash-6ebb7876... (would block), crash-be594d36...
 *      (reset pending).
 *   2. What a closed peer left unread stays in the survivor's sending
 *      ring (stale) until the ECONNRESET is reported -- for good on a
 *      datagram pair -- and counts for POLLOUT, which is then missing
 *      while that is more than a quarter of the ring (Linux frees it at
 *      the close: the survivor is writable).  regressions/crash-901dbefc...
 *   3. A zero-length stream send after the peer's close gives 0 (Linux:
 *      -EPIPE; the close shuts the survivor down both ways); after a
 *      shutdown it is -EPIPE, as Linux.  regressions/crash-d50c05d0...
 *
 * Header-only, as differential.h explains.
 */
#ifndef IPCCONF_FUZZ_SOCK_RULE_REF_H
#define IPCCONF_FUZZ_SOCK_RULE_REF_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "fuzz/socket_differential/sock_allow.h"
#include "fuzz/socket_differential/sock_model.h"

#define SOCK_REF_BYTE_RING 65536LL   /* ref_iut.h: the variant's pipe capacity (ref) */
#define SOCK_REF_RECORD_RING 262144LL /* ref_iut.h: four times that */
#define SOCK_REF_MSG_MAX (SOCK_REF_RECORD_RING - 126)
#define SOCK_REF_RESET true          /* a close with data unread gives its peer ECONNRESET */

#ifdef SOCK_REF_STRICT
#define SOCK_REF_DEVIATION(n) false
#else
#define SOCK_REF_DEVIATION(n) true /* deviation n of the list above, reported: allowed too */
#endif

/* ring_record.h: a record of `length` bytes occupies 16 + length rounded up to 8. */
static inline long long sock_ref_record_size(long long msg_len)
{
	return 16 + ((2 + msg_len + 7) & ~7LL);
}

/* The bytes of the ring towards end `to` in use. */
static inline long long sock_ref_used(const struct sock_model *m, int to)
{
	const struct sock_queue *q = &m->q[to];
	long long used = 0;

	if (sock_model_stream(m))
		return sock_model_held_bytes(m, to);
	for (unsigned i = 0; i < q->count; i++)
		used += sock_ref_record_size(q->len[(q->head + i) % SOCK_QUEUE_MAX]);
	return used;
}

static inline long long sock_ref_ring(const struct sock_model *m)
{
	return sock_model_stream(m) ? SOCK_REF_BYTE_RING : SOCK_REF_RECORD_RING;
}

/* Stream and seqpacket: what e may no longer do, shutdowns mirrored and a closed peer both. */
static inline bool sock_ref_cannot_send(const struct sock_model *m, int e)
{
	int p = !e;

	if (!sock_model_connected_type(m))
		return m->wr_shut[e];
	return m->wr_shut[e] || m->rd_shut[p] || !m->open[p];
}

static inline bool sock_ref_cannot_recv(const struct sock_model *m, int e)
{
	int p = !e;

	if (!sock_model_connected_type(m))
		return m->rd_shut[e];
	return m->rd_shut[e] || m->wr_shut[p] || !m->open[p];
}

/* ref's end e is about to be closed: what it leaves unread stays in its peer's ring. */
static inline void sock_ref_closing(struct sock_model *m, int e)
{
	if (m->open[!e])
		m->stale[!e] = sock_ref_used(m, e);
}

static inline struct sock_allow sock_ref_send(const struct sock_model *m, int e, long long n)
{
	int p = !e;
	long long free = sock_ref_ring(m) - sock_ref_used(m, p);

	if (!m->open[e])
		return sa_exactly(-EBADF);
	if (sock_model_connected_type(m)) {
		if (sock_ref_cannot_send(m, e)) {
			struct sock_allow a = sa_exactly(-EPIPE);

			if (sock_model_stream(m) && n == 0 && !m->wr_shut[e] && !m->rd_shut[p] &&
			    SOCK_REF_DEVIATION(3))
				sa_add(&a, 0);
			return a;
		}
	} else {
		if (m->wr_shut[e])
			return sa_exactly(-EPIPE);
		if (!m->open[p])
			return sa_exactly(m->refused[e] ? -ENOTCONN : -ECONNREFUSED);
		if (m->rd_shut[p])
			return sa_exactly(-EPIPE);
	}
	if (sock_model_stream(m)) {
		if (n == 0)
			return sa_exactly(0);
		return free == 0 ? sa_exactly(-EAGAIN) : sa_exactly(n < free ? n : free);
	}
	if (n > SOCK_REF_MSG_MAX)
		return sa_exactly(-EMSGSIZE);
	return sa_exactly(sock_ref_record_size(n) > free ? -EAGAIN : n);
}

static inline struct sock_allow sock_ref_recv(const struct sock_model *m, int e, long long n,
					      int flags)
{
	struct sock_allow a;

	if (!m->open[e])
		return sa_exactly(-EBADF);
	if (sock_model_holds(m, e)) {
		long long len, held;

		if (sock_model_stream(m)) {
			held = sock_model_held_bytes(m, e);
			return sa_exactly(n < held ? n : held);
		}
		len = sock_model_head_len(m, e);
		return sa_exactly((flags & MSG_TRUNC) || len < n ? len : n);
	}
	if (sock_model_connected_type(m) && sock_ref_cannot_recv(m, e))
		a = sa_exactly(m->reset[e] ? -ECONNRESET : 0);
	else
		a = sa_exactly(-EAGAIN);
	if (n == 0 && SOCK_REF_DEVIATION(1))
		sa_add(&a, 0);
	return a;
}

static inline struct sock_allow sock_ref_shutdown(const struct sock_model *m, int e, int how)
{
	if (!m->open[e])
		return sa_exactly(-EBADF);
	return sa_exactly(how == SHUT_RD || how == SHUT_WR || how == SHUT_RDWR ? 0 : -EINVAL);
}

static inline struct sock_allow sock_ref_poll(const struct sock_model *m, int e, short events)
{
	long long asked = events | POLLHUP | POLLERR;
	long long must = 0, may = 0;
	bool no_rx = sock_ref_cannot_recv(m, e), no_tx = sock_ref_cannot_send(m, e);
	long long in_flight = sock_ref_used(m, !e);

	if (!m->open[e])
		return sa_exactly(POLLNVAL);
	if (m->reset[e])
		must |= POLLERR;
	if (no_rx && no_tx)
		must |= POLLHUP;
	if (no_rx || sock_model_holds(m, e))
		must |= POLLIN | POLLRDNORM;
	if (in_flight * 4 <= sock_ref_ring(m)) {
		must |= POLLOUT | POLLWRNORM;
		may |= POLLWRBAND;
		if (SOCK_REF_DEVIATION(2) && m->stale[e] * 4 > sock_ref_ring(m)) {
			must &= ~(long long)(POLLOUT | POLLWRNORM);
			may |= POLLOUT | POLLWRNORM;
		}
	}
	return sa_bits(must & asked, may & asked);
}

#endif
