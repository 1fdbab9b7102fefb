/*
 * Broken: a socketpair carries data one way only (breaks seed:K3, a
 * socket is an endpoint for two-way communication; socketpair(2); socket(2)
 * "two-way").  The pair is half-duplex, as a pipe is: the end whose send
 * first succeeds owns it, and whatever the other end sends afterwards goes
 * into an internal socket nobody reads, never reaching its peer.  A pair
 * used in one direction only behaves as the system's, and so do errors:
 * every send is a real one (the system judges its flags and length), and
 * one after the sender's own shutdown, or once its peer is gone, goes to
 * the real socket and fails as the system says.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "conformance/broken/wrap.h"

#define MAX_HANDLE 4096

/* Shared by every process holding the pair (forked children too). */
struct pair_state {
	atomic_int owner;       /* 0 until a send succeeds; then 1 + the end that sent */
	atomic_int tx_shut[2];  /* the end shut down for writing */
};

/*
 * This process's handles: the pair an end belongs to, which end it is,
 * and the unread internal socketpair the other direction is lost in.
 */
static struct {
	struct pair_state *st;
	int end;
	int sink, drain;
} ends_of[MAX_HANDLE];

static int in_table(int h) { return h >= 0 && h < MAX_HANDLE && ends_of[h].st; }

static int pair_one_way(const struct ipcconf_iut *self, int domain, int type, int protocol,
			int ends[2])
{
	int r = OS->socket->pair(OS, domain, type, protocol, ends);
	if (r < 0 || ends[0] < 0 || ends[0] >= MAX_HANDLE || ends[1] < 0 || ends[1] >= MAX_HANDLE)
		return r;
	int lost[2];
	if (OS->socket->pair(OS, domain, type, protocol, lost) < 0)
		return r;
	void *p = mmap(NULL, sizeof(struct pair_state), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		OS->handle->close(OS, lost[0]);
		OS->handle->close(OS, lost[1]);
		return r;
	}
	for (int i = 0; i < 2; i++) {
		ends_of[ends[i]].st = p;
		ends_of[ends[i]].end = i;
		ends_of[ends[i]].sink = lost[0];
		ends_of[ends[i]].drain = lost[1];
	}
	return r;
}

/*
 * Where a send on `h` goes: `h` itself, or the sink when `h` is the end
 * that lost its pair to its peer.  *claim says a successful send on `h`
 * makes its end the owner.
 */
static int destination(int h, int *claim)
{
	*claim = 0;
	if (!in_table(h))
		return h;
	struct pair_state *st = ends_of[h].st;
	int me = ends_of[h].end + 1, owner = atomic_load(&st->owner);
	if (owner == 0 || owner == me) {
		*claim = owner == 0;
		return h;
	}
	if (atomic_load(&st->tx_shut[me - 1]))
		return h;
	struct pollfd p = { .fd = h, .events = POLLOUT };
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
		return h;
	return ends_of[h].sink;
}

static void claim_pair(int h)
{
	int none = 0;
	atomic_compare_exchange_strong(&ends_of[h].st->owner, &none, ends_of[h].end + 1);
}

static ssize_t send_one_way(const struct ipcconf_iut *self, int h, const void *buf, size_t len,
			    int flags, const struct sockaddr *to, socklen_t to_len)
{
	int claim = 0, d = to ? h : destination(h, &claim);
	ssize_t n = OS->socket->send(OS, d, buf, len, flags, to, to_len);
	if (claim && n >= 0)
		claim_pair(h);
	return n;
}

static ssize_t send_msg_one_way(const struct ipcconf_iut *self, int h, const struct msghdr *msg,
				int flags)
{
	int claim = 0, d = msg->msg_name ? h : destination(h, &claim);
	ssize_t n = OS->socket->send_msg(OS, d, msg, flags);
	if (claim && n >= 0)
		claim_pair(h);
	return n;
}

static ssize_t write_one_way(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	int claim = 0, d = destination(h, &claim);
	ssize_t n = OS->stream->write(OS, d, buf, len);
	if (claim && n >= 0)
		claim_pair(h);
	return n;
}

static int shutdown_one_way(const struct ipcconf_iut *self, int h, int how)
{
	int r = OS->socket->shutdown(OS, h, how);
	if (r == 0 && in_table(h) && (how == SHUT_WR || how == SHUT_RDWR))
		atomic_store(&ends_of[h].st->tx_shut[ends_of[h].end], 1);
	return r;
}

static int close_one_way(const struct ipcconf_iut *self, int h)
{
	int r = OS->handle->close(OS, h);
	if (r != 0 || !in_table(h))
		return r;
	struct pair_state *st = ends_of[h].st;
	int sink = ends_of[h].sink, drain = ends_of[h].drain;
	ends_of[h].st = NULL;
	/* The internal socketpair goes with this process's last end of the pair. */
	for (int i = 0; i < MAX_HANDLE; i++)
		if (ends_of[i].st == st)
			return r;
	OS->handle->close(OS, sink);
	OS->handle->close(OS, drain);
	munmap(st, sizeof *st);
	return r;
}

const struct ipcconf_iut *broken_sock_pair_one_way_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sock-pair-one-way",
		       "a socketpair is half-duplex: the end that sends first owns it, the other end's sends are lost");
	b.socket.pair = pair_one_way;
	b.socket.send = send_one_way;
	b.socket.send_msg = send_msg_one_way;
	b.socket.shutdown = shutdown_one_way;
	b.stream.write = write_one_way;
	b.handle.close = close_one_way;
	return &b.iut;
}
