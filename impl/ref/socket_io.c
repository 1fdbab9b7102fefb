/*
 * Moving data through ref's sockets (socket.h): send and recv with their
 * flags, the stream table's read and write, poll, FIONREAD, and what a
 * socket's release tells its peers -- Linux's net/unix/af_unix.c rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/holders.h"
#include "impl/ref/socket.h"
#include "impl/ring/ring_record.h"
#include "impl/sync/sync_waiter.h"

static int sock_state(const struct sock_obj *s)
{
	return atomic_load_explicit(&s->state, memory_order_acquire);
}

static bool conn_type(const struct sock_obj *s)
{
	return s->type != SOCK_DGRAM;
}

bool sock_peer_alive(struct sock_obj *s)
{
	uint32_t st;

	if (s->csh == NULL)
		return false;
	st = atomic_load(&s->csh->state);
	if (st == SOCK_CONN_PENDING)
		return s->vsh != NULL && atomic_load(&s->vsh->listening) != 0 &&
		       holders_any(&s->vsh->holders, HOLDER_READERS);
	if (st == SOCK_CONN_DROPPED)
		return false;
	return holders_any(&s->csh->holders[1 - s->endpoint], HOLDER_READERS);
}

_Atomic uint32_t *sock_shut_word(struct sock_obj *s)
{
	if (s->csh != NULL)
		return &s->csh->shut[s->endpoint];
	if (s->bsh != NULL && s->type == SOCK_DGRAM)
		return &s->bsh->shut;
	return &s->self->shut;
}

void sock_wake(struct sock_obj *s)
{
	if (s->csh != NULL) {
		ring_wake(&s->rx);
		ring_wake(&s->tx);
	}
	if (s->bsh != NULL)
		ring_wake(&s->bring);
}

/*
 * Linux unix_release_sock(): a connected socket released with data its
 * peer sent unread gives the peer ECONNRESET, once.  ref's peer cannot
 * say so when it is killed, so the survivor looks: the other end gone and
 * the bytes we sent still there.  They are discarded, as Linux frees them.
 */
static bool reset_pending(struct sock_obj *s, bool peer_alive)
{
	long used;

	if (!conn_type(s) || s->csh == NULL || peer_alive)
		return false;
	used = ring_used(&s->tx);
	if (used == 0)
		return false;
	sock_ring_drain(&s->tx);
	return true;
}

int sock_take_error(struct sock_obj *s)
{
	return sock_state(s) == SOCK_CONNECTED && reset_pending(s, sock_peer_alive(s)) ? ECONNRESET
										       : 0;
}

/* The address recvfrom and accept report: nothing for an unnamed sender (Linux unix_copy_addr). */
static void put_addr(struct sockaddr *to, socklen_t *to_len, const char *path, size_t plen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = 0;

	if (to == NULL || to_len == NULL)
		return;
	if (plen > 0) {
		memcpy(sa.sun_path, path, plen);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);
		if (len > sizeof(sa))
			len = sizeof(sa);
	}
	memcpy(to, &sa, *to_len < len ? *to_len : len);
	*to_len = len;
}

static size_t local_path(const struct sock_obj *s, const char **path)
{
	*path = s->local.sun_path;
	return s->local_len > offsetof(struct sockaddr_un, sun_path)
		       ? strnlen(s->local.sun_path, SOCK_PATH_MAX)
		       : 0;
}

/* ---- receiving ---- */

struct recv_call {
	struct sock_obj *s;
	struct ring *rx;
	int flags;
	unsigned char *tmp; /* record mode: prefix and payload land here first */
	size_t tmp_len;
	void *buf;
	size_t len;
	struct sockaddr *from;
	socklen_t *from_len;
};

/* One try on a record ring: the payload's length (or MSG_TRUNC's), -EAGAIN, -EUCLEAN. */
static ssize_t recv_record(struct recv_call *c)
{
	static const struct ring_rec_sel any = { .match = RING_REC_ANY, .flags = RING_REC_TRUNC };
	ssize_t full = (c->flags & MSG_PEEK) ? sock_rec_peek(c->rx, c->tmp, c->tmp_len)
					     : ring_record_try_pop_sel(c->rx, c->tmp, c->tmp_len,
								       &any, NULL);
	size_t have, alen, payload, k;
	uint16_t a;

	if (full < 0)
		return full;
	have = (size_t)full < c->tmp_len ? (size_t)full : c->tmp_len;
	/* Our private copy: judged before it is used (the sender may be hostile). */
	if (have < 2)
		return -EUCLEAN;
	memcpy(&a, c->tmp, 2);
	alen = a;
	if (alen > SOCK_PATH_MAX || 2 + alen > (size_t)full || 2 + alen > have)
		return -EUCLEAN;
	payload = (size_t)full - 2 - alen;
	k = payload < c->len ? payload : c->len;
	if (2 + alen + k > have)
		k = have - 2 - alen;
	if (k > 0) /* a zero-length recv may come without a buffer */
		memcpy(c->buf, c->tmp + 2 + alen, k);
	put_addr(c->from, c->from_len, (const char *)c->tmp + 2, alen);
	/* recv(2): MSG_TRUNC returns the real length of a datagram (and a seqpacket record). */
	return (c->flags & MSG_TRUNC) ? (ssize_t)payload : (ssize_t)k;
}

static ssize_t recv_bytes(struct recv_call *c, size_t got)
{
	unsigned char *b = (unsigned char *)c->buf + got;
	ssize_t n = (c->flags & MSG_PEEK) ? sock_bytes_peek(c->rx, b, c->len - got)
					  : ring_try_pop(c->rx, b, c->len - got);

	if (n > 0 && c->from != NULL && c->from_len != NULL) {
		const struct sock_obj *s = c->s;
		size_t plen = s->peer_len > offsetof(struct sockaddr_un, sun_path)
				      ? strnlen(s->peer.sun_path, SOCK_PATH_MAX)
				      : 0;

		put_addr(c->from, c->from_len, s->peer.sun_path, plen);
	}
	return n;
}

/*
 * A zero-length stream recv takes nothing, but it is a recv like any
 * other (Linux unix_stream_read_generic(): its target is 1 byte): 0 once
 * there are bytes to take, else -EAGAIN, so that the caller blocks, or
 * hears of a reset or the end of file, as for a longer one.
 */
static ssize_t recv_nothing(struct ring *rx)
{
	long used = ring_used(rx);

	return used < 0 ? used : used > 0 ? 0 : -EAGAIN;
}

/* Sleeping on a word nobody changes: a socket with nothing to receive from. */
static _Atomic uint32_t idle_word;

ssize_t sock_recv(struct sock_obj *s, struct ref_ofd *f, void *buf, size_t len, int flags,
		  struct sockaddr *from, socklen_t *from_len)
{
	struct recv_call c = { .s = s, .flags = flags, .buf = buf, .len = len, .from = from,
			       .from_len = from_len };
	bool nonblock = (flags & MSG_DONTWAIT) || ref_ofd_nonblock(f);
	bool waitall = (flags & MSG_WAITALL) && !(flags & MSG_PEEK) && s->type == SOCK_STREAM;
	_Atomic uint32_t *word = &idle_word, *waiters = NULL;
	struct sync_waiter w;
	bool started = false;
	size_t got = 0;
	ssize_t ret;
	int state = sock_state(s);

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > SSIZE_MAX)
		len = c.len = SSIZE_MAX;
	if (state == SOCK_LISTENING || (conn_type(s) && state != SOCK_CONNECTED))
		/* Linux: unix_stream_recvmsg EINVAL, unix_seqpacket_recvmsg ENOTCONN. */
		return s->type == SOCK_STREAM ? -EINVAL : -ENOTCONN;
	c.rx = s->csh != NULL ? &s->rx : s->bsh != NULL ? &s->bring : NULL;
	if (c.rx != NULL)
		word = ring_data_seq(c.rx, &waiters);
	if (c.rx != NULL && s->type != SOCK_STREAM) {
		size_t cap = c.rx->data_size;

		c.tmp_len = (len < cap ? len : cap) + SOCK_DGRAM_PREFIX_MAX;
		c.tmp = malloc(c.tmp_len);
		if (c.tmp == NULL)
			return -ENOMEM;
	}
	for (;;) {
		/* The word, then the state, then the data: a change after the word ends the sleep. */
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		uint32_t shut = atomic_load(sock_shut_word(s));
		bool peer = !conn_type(s) || sock_peer_alive(s);
		ssize_t n = -EAGAIN;
		int err;

		if (c.rx != NULL && s->type != SOCK_STREAM)
			n = recv_record(&c); /* a zero-length one takes a record too, as Linux */
		else if (c.rx != NULL)
			n = len > 0 ? recv_bytes(&c, got) : recv_nothing(c.rx);
		if (n >= 0) {
			got += (size_t)n;
			if (waitall && got < len)
				continue;
			ret = s->type == SOCK_STREAM ? (ssize_t)got : n;
			break;
		}
		if (n != -EAGAIN) {
			ret = got > 0 ? (ssize_t)got : n;
			break;
		}
		if (conn_type(s) && (!peer || (shut & SOCK_SHUT_RCV))) {
			ret = got > 0 ? (ssize_t)got : reset_pending(s, peer) ? -ECONNRESET : 0;
			break;
		}
		if (nonblock) {
			ret = got > 0 ? (ssize_t)got : -EAGAIN;
			break;
		}
		/* Datagrams: EAGAIN before the shutdown, as unix_dgram_recvmsg() looks. */
		if (!conn_type(s) && (shut & SOCK_SHUT_RCV)) {
			ret = 0;
			break;
		}
		if (!started) {
			sync_waiter_begin(&w, -1);
			started = true;
		}
		err = sync_waiter_wait(&w, word, seen, waiters);
		if (err == -EINTR || (err == -ERESTART && got > 0)) {
			ret = got > 0 ? (ssize_t)got : -EINTR;
			break;
		}
	}
	if (started)
		sync_waiter_end(&w);
	free(c.tmp);
	return ret;
}

/* ---- sending ---- */

static int conn_send_ok(void *ctx)
{
	struct sock_obj *s = ctx;

	return !(atomic_load(sock_shut_word(s)) & SOCK_SHUT_SEND) && sock_peer_alive(s);
}

/* A datagram's receiver: its holders, its shutdown word. */
struct dgram_target {
	struct ref_holders *holders;
	_Atomic uint32_t *shut;
};

static int dgram_target_ok(void *ctx)
{
	struct dgram_target *t = ctx;

	return holders_any(t->holders, HOLDER_READERS) &&
	       !(atomic_load(t->shut) & SOCK_SHUT_RCV);
}

static ssize_t stream_send(struct sock_obj *s, const void *buf, size_t len, bool nonblock,
			   int flags)
{
	struct ring_block b = { .nonblock = nonblock, .peer = conn_send_ok, .ctx = s };
	ssize_t n;

	/* Linux: a released peer shut us down both ways, so a zero-length send is EPIPE too. */
	if ((atomic_load(sock_shut_word(s)) & SOCK_SHUT_SEND) || !sock_peer_alive(s))
		n = -EPIPE;
	else if (len == 0)
		return 0;
	else
		n = ring_push(&s->tx, buf, len, &b);
	/* unix(7), send(2): EPIPE, and SIGPIPE unless MSG_NOSIGNAL (stream sockets only, as Linux). */
	if (n == -EPIPE && !(flags & MSG_NOSIGNAL))
		pthread_kill(pthread_self(), SIGPIPE);
	return n;
}

/* One record: the sender's path (none: unnamed), then the payload. */
static ssize_t record_push(struct sock_obj *s, struct ring *r, const void *buf, size_t len,
			   bool nonblock, int (*ok)(void *), void *ctx)
{
	struct ring_block b = { .nonblock = nonblock, .peer = ok, .ctx = ctx };
	const char *path;
	size_t plen = s->type == SOCK_DGRAM ? local_path(s, &path) : 0;
	uint16_t a = (uint16_t)plen;
	unsigned char *rec;
	ssize_t n;

	/* The largest record whatever the sender's name: EMSGSIZE does not depend on it. */
	if (len > r->data_size - RING_REC_HDR_SIZE - SOCK_DGRAM_PREFIX_MAX)
		return -EMSGSIZE;
	rec = malloc(2 + plen + len);
	if (rec == NULL)
		return -ENOMEM;
	memcpy(rec, &a, 2);
	if (plen > 0)
		memcpy(rec + 2, path, plen);
	if (len > 0)
		memcpy(rec + 2 + plen, buf, len);
	n = ring_record_push(r, rec, 2 + plen + len, &b);
	free(rec);
	return n < 0 ? n : (ssize_t)len;
}

static ssize_t seqpacket_send(struct sock_obj *s, const void *buf, size_t len, bool nonblock)
{
	/* Linux unix_dgram_sendmsg() for seqpacket: EPIPE, never SIGPIPE. */
	if (!conn_send_ok(s))
		return -EPIPE;
	return record_push(s, &s->tx, buf, len, nonblock, conn_send_ok, s);
}

/* A send to a bound datagram socket through its file (mapped by the caller). */
static ssize_t dgram_to_bound(struct sock_obj *s, struct sock_bound_shared *bsh, struct ring *r,
			      const void *buf, size_t len, bool nonblock)
{
	struct dgram_target t = { .holders = &bsh->holders, .shut = &bsh->shut };
	ssize_t n;

	if (!holders_any(t.holders, HOLDER_READERS))
		return -ECONNREFUSED;
	if (atomic_load(t.shut) & SOCK_SHUT_RCV)
		return -EPIPE;
	n = record_push(s, r, buf, len, nonblock, dgram_target_ok, &t);
	if (n == -EPIPE && !holders_any(t.holders, HOLDER_READERS))
		n = -ECONNREFUSED;
	return n;
}

static ssize_t dgram_send(struct sock_obj *s, const void *buf, size_t len, bool nonblock,
			  const struct sockaddr *to, socklen_t to_len)
{
	char path[SOCK_PATH_MAX + 1];
	ssize_t n;

	if (atomic_load(sock_shut_word(s)) & SOCK_SHUT_SEND)
		return -EPIPE;
	if (to != NULL && to_len > 0) {
		struct sock_map m;
		struct ring r;
		int err = sock_path_of(to, to_len, path);

		char name[SOCK_BOUND_NAME_MAX];

		if (err == 0)
			err = sock_bound_open(path, SOCK_DGRAM, &m, &r, name);
		if (err < 0)
			return err;
		n = dgram_to_bound(s, (struct sock_bound_shared *)m.base, &r, buf, len, nonblock);
		/* Its socket died without a last close: nobody else removes the name. */
		if (n == -ECONNREFUSED)
			shm_unlink(name);
		sock_map_drop(&m);
		return n;
	}
	if (s->csh != NULL) {
		struct dgram_target t = { .holders = &s->csh->holders[1 - s->endpoint],
					  .shut = &s->csh->shut[1 - s->endpoint] };

		/* Linux: ECONNREFUSED once the peer is found dead, ENOTCONN after that. */
		if (s->peer_lost)
			return -ENOTCONN;
		if (!holders_any(t.holders, HOLDER_READERS)) {
			s->peer_lost = true;
			return -ECONNREFUSED;
		}
		if (atomic_load(t.shut) & SOCK_SHUT_RCV)
			return -EPIPE;
		n = record_push(s, &s->tx, buf, len, nonblock, dgram_target_ok, &t);
		if (n == -EPIPE && !holders_any(t.holders, HOLDER_READERS)) {
			s->peer_lost = true;
			n = -ECONNREFUSED;
		}
		return n;
	}
	if (s->dsh != NULL) {
		n = dgram_to_bound(s, s->dsh, &s->dring, buf, len, nonblock);
		/* The default destination is forgotten when found dead, as Linux does. */
		if (n == -ECONNREFUSED) {
			pthread_mutex_lock(&s->lock);
			sock_map_drop(&s->dest);
			s->dsh = NULL;
			s->peer_len = sizeof(sa_family_t);
			pthread_mutex_unlock(&s->lock);
		}
		return n;
	}
	return -ENOTCONN;
}

ssize_t sock_send(struct sock_obj *s, struct ref_ofd *f, const void *buf, size_t len, int flags,
		  const struct sockaddr *to, socklen_t to_len)
{
	bool nonblock = (flags & MSG_DONTWAIT) || ref_ofd_nonblock(f);
	int state = sock_state(s);

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (s->type == SOCK_DGRAM)
		return dgram_send(s, buf, len, nonblock, to, to_len);
	/* Linux unix_stream_sendmsg(): an address on a stream socket is EISCONN or EOPNOTSUPP. */
	if (s->type == SOCK_STREAM && to != NULL && to_len > 0)
		return state == SOCK_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (state != SOCK_CONNECTED)
		return -ENOTCONN;
	return s->type == SOCK_STREAM ? stream_send(s, buf, len, nonblock, flags)
				      : seqpacket_send(s, buf, len, nonblock);
}

/* ---- the kind's operations (obj.h) ---- */

static ssize_t op_read(struct ref_ofd *f, void *buf, size_t len)
{
	return sock_recv(sock_of(f->obj), f, buf, len, 0, NULL, NULL);
}

static ssize_t op_write(struct ref_ofd *f, const void *buf, size_t len)
{
	return sock_send(sock_of(f->obj), f, buf, len, 0, NULL, 0);
}

/* Linux unix_inq_len(): stream and seqpacket everything buffered, datagram the next one. */
static long op_nread(struct ref_ofd *f)
{
	struct sock_obj *s = sock_of(f->obj);
	struct ring *rx = s->csh != NULL ? &s->rx : s->type == SOCK_DGRAM && s->bsh ? &s->bring : NULL;
	unsigned char pre[2];
	ssize_t full;
	uint16_t a;

	if (sock_state(s) == SOCK_LISTENING)
		return -EINVAL;
	if (rx == NULL)
		return 0;
	if (s->type == SOCK_STREAM)
		return ring_used(rx);
	if (s->type == SOCK_SEQPACKET)
		return sock_rec_total(rx, 2);
	full = sock_rec_peek(rx, pre, sizeof(pre));
	if (full == -EAGAIN)
		return 0;
	if (full < 2)
		return full < 0 ? full : -EUCLEAN;
	memcpy(&a, pre, 2);
	return (size_t)a + 2 <= (size_t)full ? full - 2 - a : -EUCLEAN;
}

/* Room for a quarter of the ring at least: Linux unix_writable() (in flight <= sndbuf / 4). */
static bool writable(struct ring *r)
{
	long used = ring_used(r);

	return used >= 0 && (size_t)used * 4 <= r->data_size;
}

/* Linux unix_poll() and unix_dgram_poll(). */
static int op_poll_events(struct ref_ofd *f)
{
	struct sock_obj *s = sock_of(f->obj);
	int state = sock_state(s);
	uint32_t shut = atomic_load(sock_shut_word(s));
	struct ring *rx = NULL;
	bool out = true;
	int mask = 0;

	if (state == SOCK_LISTENING)
		return ring_used(&s->bring) > 0 ? POLLIN | POLLRDNORM : 0;
	if (state == SOCK_CONNECTED) {
		bool alive = sock_peer_alive(s);

		rx = &s->rx;
		if (conn_type(s) && !alive) {
			shut |= SOCK_SHUT_MASK;
			if (ring_used(&s->tx) > 0)
				mask |= POLLERR;
		}
		/*
		 * Linux's release frees what the peer left unread, so its room is
		 * ours again; here it stays in the ring (the ECONNRESET to come is
		 * told by it) but counts no more.
		 */
		out = !alive || writable(&s->tx);
	} else if (s->type == SOCK_DGRAM) {
		if (s->bsh != NULL)
			rx = &s->bring;
		/* The same for a destination whose last holder has gone: its queue counts no more. */
		if (s->dsh != NULL)
			out = !holders_any(&s->dsh->holders, HOLDER_READERS) || writable(&s->dring);
	} else {
		/* Not connected: TCP_CLOSE, which Linux reports as POLLHUP. */
		mask |= POLLHUP;
	}
	if (shut == SOCK_SHUT_MASK)
		mask |= POLLHUP;
	if (shut & SOCK_SHUT_RCV)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (rx != NULL && ring_used(rx) > 0)
		mask |= POLLIN | POLLRDNORM;
	if (out)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static _Atomic uint32_t *op_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters)
{
	struct sock_obj *s = sock_of(f->obj);

	if (sock_state(s) == SOCK_LISTENING)
		return ring_data_seq(&s->bring, waiters);
	if (s->csh != NULL)
		return (events & (POLLIN | POLLRDNORM)) ? ring_data_seq(&s->rx, waiters)
							: ring_room_seq(&s->tx, waiters);
	if (s->type == SOCK_DGRAM && s->bsh != NULL && (events & (POLLIN | POLLRDNORM)))
		return ring_data_seq(&s->bring, waiters);
	if (s->dsh != NULL)
		return ring_room_seq(&s->dring, waiters);
	return NULL;
}


static void op_released(struct ref_obj *obj)
{
	struct sock_obj *s = sock_of(obj);

	/* Only the process's last release of the socket gives its role up (refs: under ref_lock, 0 is final). */
	if (obj->refs > 0)
		return;
	sock_drop_role(s, false);
	if (s->bsh != NULL && s->bound_name[0] != '\0' &&
	    !holders_any(&s->bsh->holders, HOLDER_READERS)) {
		/* The last holder of a bound socket: its name and its queue go. */
		shm_unlink(s->bound_name);
		if (sock_state(s) == SOCK_LISTENING)
			sock_backlog_drop(s->bsh, &s->bring, s->type);
	}
	/* Queued, never accepted, and nobody left to accept it: our name would stay behind. */
	if (s->pending_name[0] != '\0' && s->csh != NULL &&
	    atomic_load(&s->csh->state) == SOCK_CONN_PENDING && !sock_peer_alive(s))
		shm_unlink(s->pending_name);
	sock_wake(s);
}

static void op_destroy(struct ref_obj *obj)
{
	struct sock_obj *s = sock_of(obj);

	sock_drop_role(s, false);
	sock_map_drop(&s->conn);
	sock_map_drop(&s->bound);
	sock_map_drop(&s->via);
	sock_map_drop(&s->dest);
	munmap(s->self, sizeof(*s->self));
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const struct ref_obj_ops sock_obj_ops = {
	.name = "socket",
	.read = op_read,
	.write = op_write,
	.nread = op_nread,
	.poll_events = op_poll_events,
	.poll_word = op_poll_word,
	.released = op_released,
	.destroy = op_destroy,
};
