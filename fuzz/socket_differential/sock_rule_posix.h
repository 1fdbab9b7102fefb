/*
 * sock_rule_posix.h -- what an AF_UNIX socketpair may return, by the rules
 * `os` is judged by: POSIX.1-2017 (XSH send(), recv(), shutdown(), poll(),
 * socketpair()) and the Linux manual pages socket(7), unix(7), recv(2),
 * send(2), shutdown(2), poll(2) -- never by a model of this kernel's
 * buffer accounting, so a replay gives the same verdict on another kernel,
 * with other socket buffer sizes, or under a sandbox.  Every call is
 * non-blocking.  Where a call meets several error conditions at once, any
 * of them is allowed (XSH 2.3: the order of detection is undefined).
 *
 * With end e, its peer p, "queued" meaning what was sent towards e and not
 * yet received (bytes, or messages, zero-length ones included):
 *
 * send(e, n), MSG_NOSIGNAL:
 *   -EBADF when e is closed.  -EPIPE when e was shut for writing (XSH
 *   send(): "The socket is shut down for writing"), or, stream and
 *   seqpacket, when p is closed ("connection-mode and is no longer
 *   connected"; unix(7) EPIPE).  Datagrams to a closed p: -ECONNREFUSED or
 *   -ENOTCONN (no peer to send to any more; unix(7) lists both).
 *   Otherwise a stream send takes 1..n bytes (0 for n = 0), a message
 *   send all n (atomic: "message-based sockets ... the entire message");
 *   -EAGAIN only when the direction already holds data (room is the
 *   system's to count, and nothing is queued means nothing uses it); a
 *   message longer than half of SO_SNDBUF (socket(7): the kernel doubles
 *   the value for bookkeeping) may be -EMSGSIZE; after p shut down for
 *   reading, -EPIPE is allowed too (nothing fixes what a peer's SHUT_RD
 *   does to the sender).
 * recv(e, n, flags):
 *   -EBADF when e is closed.  Queued data: a stream gives 1..min(n, held)
 *   bytes (recv(2): "return any data available, up to the requested
 *   amount"), 0 when n = 0; a message recv gives the head message's first
 *   min(n, len) bytes and discards it, or keeps it with MSG_PEEK;
 *   MSG_TRUNC gives the real length: a datagram's exactly (recv(2),
 *   "UNIX datagram (since Linux 3.4)"), a seqpacket message's or the
 *   copied count (the page names datagram sockets only).  Nothing queued:
 *   stream and seqpacket give 0 once p is closed or shut for writing
 *   (XSH recv(): "the peer has performed an orderly shutdown"), else
 *   -EAGAIN (a stream's n = 0 may give 0 as well); datagrams -EAGAIN.
 *   After e's own SHUT_RD ("disables further receive operations") 0 is
 *   allowed in every case, and leaves what is queued where it was.
 * shutdown(e, how): -EBADF when closed, -EINVAL for a `how` other than
 *   SHUT_RD, SHUT_WR, SHUT_RDWR, else 0; -ENOTCONN also once p is closed.
 * poll(e), timeout 0:
 *   POLLNVAL when e is closed.  POLLIN|POLLRDNORM when something is
 *   queued; allowed when a recv would give 0 (end of file, own SHUT_RD)
 *   or an error.  POLLOUT|POLLWRNORM when e may send, p is open and not
 *   shut for reading, and nothing e sent is still queued; allowed always,
 *   with POLLWRBAND (socket room is the system's to count).  POLLHUP on a
 *   stream whose peer is closed (poll(2): "the peer closed its end of the
 *   channel"); allowed when neither direction can carry data any more.
 *   POLLERR only while an ECONNRESET is pending.
 *
 * ECONNRESET (unix(7): "Remote socket was unexpectedly closed"): when a
 * stream or seqpacket p is closed while data sent to it lies unread, e may
 * report -ECONNRESET, once, from one recv or send (socket(7) SO_ERROR: a
 * pending error is cleared when reported); what e has queued stays.
 *
 * Datagrams whose peer is closed: the first send that finds the peer gone
 * may drop what e itself has queued (Linux does: the pair is
 * disconnected, and "messages are lost" says its source; no manual page
 * fixes either way).  The harness tolerates exactly that: the whole queue
 * at once, seen as an empty queue by a recv or a poll, never a part.
 *
 * Header-only, as differential.h explains.
 */
#ifndef IPCCONF_FUZZ_SOCK_RULE_POSIX_H
#define IPCCONF_FUZZ_SOCK_RULE_POSIX_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "fuzz/socket_differential/sock_allow.h"
#include "fuzz/socket_differential/sock_model.h"

static inline long long sock_min(long long a, long long b)
{
	return a < b ? a : b;
}

static inline struct sock_allow sock_posix_send(const struct sock_model *m, int e, long long n)
{
	int p = !e;
	bool stream = sock_model_stream(m);
	struct sock_allow a;

	if (!m->open[e])
		return sa_exactly(-EBADF);
	if (!m->open[p] && !sock_model_connected_type(m)) {
		a = sa_none();
		sa_add(&a, -ECONNREFUSED);
		sa_add(&a, -ENOTCONN);
		if (m->wr_shut[e])
			sa_add(&a, -EPIPE);
		return a;
	}
	if (m->wr_shut[e] || !m->open[p]) {
		a = sa_exactly(-EPIPE);
	} else {
		if (stream)
			a = n == 0 ? sa_exactly(0) : sa_between(1, n);
		else
			a = sa_exactly(n);
		if (sock_model_holds(m, p) && (n > 0 || !stream))
			sa_add(&a, -EAGAIN);
		if (!stream && n > m->msg_max)
			sa_add(&a, -EMSGSIZE);
		if (m->rd_shut[p])
			sa_add(&a, -EPIPE);
	}
	if (m->reset[e])
		sa_add(&a, -ECONNRESET);
	return a;
}

/* What a recv on e gives when nothing is queued there. */
static inline struct sock_allow sock_posix_recv_empty(const struct sock_model *m, int e,
						      long long n)
{
	int p = !e;
	struct sock_allow a;

	if (sock_model_connected_type(m) && (!m->open[p] || m->wr_shut[p]))
		return sa_exactly(0);
	a = sa_exactly(-EAGAIN);
	if (m->rd_shut[e] || (n == 0 && sock_model_stream(m)))
		sa_add(&a, 0);
	return a;
}

static inline struct sock_allow sock_posix_recv(const struct sock_model *m, int e, long long n,
						int flags)
{
	struct sock_allow a;

	if (!m->open[e])
		return sa_exactly(-EBADF);
	if (!sock_model_holds(m, e)) {
		a = sock_posix_recv_empty(m, e, n);
	} else {
		if (sock_model_stream(m)) {
			a = n == 0 ? sa_exactly(0)
				   : sa_between(1, sock_min(n, sock_model_held_bytes(m, e)));
		} else {
			long long len = sock_model_head_len(m, e), copied = sock_min(n, len);

			if (!(flags & MSG_TRUNC))
				a = sa_exactly(copied);
			else if (m->type == SOCK_DGRAM)
				a = sa_exactly(len);
			else {
				a = sa_exactly(len);
				sa_add(&a, copied);
			}
		}
		if (m->rd_shut[e])
			sa_add(&a, 0);
		if (m->lossy[e]) {
			struct sock_allow empty = sock_posix_recv_empty(m, e, n);

			sa_merge(&a, &empty);
		}
	}
	if (m->reset[e])
		sa_add(&a, -ECONNRESET);
	return a;
}

static inline struct sock_allow sock_posix_shutdown(const struct sock_model *m, int e, int how)
{
	struct sock_allow a;

	if (!m->open[e])
		return sa_exactly(-EBADF);
	a = how == SHUT_RD || how == SHUT_WR || how == SHUT_RDWR ? sa_exactly(0)
								  : sa_exactly(-EINVAL);
	if (!m->open[!e])
		sa_add(&a, -ENOTCONN);
	return a;
}

static inline struct sock_allow sock_posix_poll(const struct sock_model *m, int e, short events)
{
	int p = !e;
	long long asked = events | POLLHUP | POLLERR; /* these two are reported unasked */
	long long must = 0, may = 0;
	bool conn = sock_model_connected_type(m);
	bool eof = (conn && (!m->open[p] || m->wr_shut[p])) || m->rd_shut[e];
	bool rx_dead = m->rd_shut[e] || !m->open[p] || m->wr_shut[p];
	bool tx_dead = m->wr_shut[e] || !m->open[p] || m->rd_shut[p];

	if (!m->open[e])
		return sa_exactly(POLLNVAL);
	if (sock_model_holds(m, e) && !m->lossy[e])
		must |= POLLIN | POLLRDNORM;
	else if (sock_model_holds(m, e) || eof || m->reset[e])
		may |= POLLIN | POLLRDNORM;
	if (!m->wr_shut[e] && m->open[p] && !m->rd_shut[p] && !sock_model_holds(m, p))
		must |= POLLOUT | POLLWRNORM;
	may |= POLLOUT | POLLWRNORM | POLLWRBAND;
	if (sock_model_stream(m) && !m->open[p])
		must |= POLLHUP;
	else if (rx_dead && tx_dead)
		may |= POLLHUP;
	if (m->reset[e])
		may |= POLLERR;
	return sa_bits(must & asked, may & asked);
}

#endif
