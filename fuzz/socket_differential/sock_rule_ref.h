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
 *   POLLOUT     while at most a quarter of the sending ring is in flight
 *               (what a closed peer left unread is not: Linux frees it at
 *               the close).
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
 *            (datagrams always).  A recv of 0 bytes is no exception: it
 *            takes the head message (0, or its length with MSG_TRUNC),
 *            gives 0 with stream data held, else as any other recv.
 *   shutdown -EBADF closed, -EINVAL for another `how`, else 0.
 *   poll     POLLNVAL closed; POLLERR while that ECONNRESET is pending;
 *            POLLHUP once e can neither send nor receive; POLLIN|RDNORM
 *            with data or once e cannot receive; POLLOUT|WRNORM while
 *            writable (POLLWRBAND may come with it: iut.h's poll events are
 *            POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL).
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

static inline struct sock_allow sock_ref_send(const struct sock_model *m, int e, long long n)
{
	int p = !e;
	long long free = sock_ref_ring(m) - sock_ref_used(m, p);

	if (!m->open[e])
		return sa_exactly(-EBADF);
	if (sock_model_connected_type(m)) {
		if (sock_ref_cannot_send(m, e))
			return sa_exactly(-EPIPE);
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
		return sa_exactly(m->reset[e] ? -ECONNRESET : 0);
	return sa_exactly(-EAGAIN);
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
	}
	return sa_bits(must & asked, may & asked);
}

#endif
