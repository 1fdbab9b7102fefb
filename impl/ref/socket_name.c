/*
 * Names of ref's sockets (socket.h): bind, listen, connect and accept
 * over the files at bound paths, with Linux's errors (net/unix/af_unix.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/holders.h"
#include "impl/ref/socket.h"
#include "impl/ring/ring_record.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_waiter.h"

/*
 * Linux unix_validate_addr(): longer than the family, no longer than a
 * sockaddr_un, family AF_UNIX; the path ends at the first NUL or at the
 * end of the address.  An abstract name (sun_path[0] == 0) is not
 * modelled (IPCCONF_SOCKET_CAP_ABSTRACT is not declared).
 */
int sock_path_of(const struct sockaddr *addr, socklen_t len, char path[SOCK_PATH_MAX + 1])
{
	const struct sockaddr_un *sa = (const struct sockaddr_un *)addr;
	size_t n;

	if (addr == NULL)
		return -EFAULT;
	if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(struct sockaddr_un) ||
	    sa->sun_family != AF_UNIX)
		return -EINVAL;
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (sa->sun_path[0] == '\0')
		return -EOPNOTSUPP;
	memcpy(path, sa->sun_path, n);
	path[n] = '\0';
	return 0;
}

static void set_addr(struct sockaddr_un *sa, socklen_t *len, const char *path)
{
	size_t n = strnlen(path, SOCK_PATH_MAX);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (n < SOCK_PATH_MAX));
}

int sock_bind(struct sock_obj *s, const struct sockaddr *addr, socklen_t len)
{
	char path[SOCK_PATH_MAX + 1], name[SOCK_BOUND_NAME_MAX];
	struct sock_map m;
	struct ring r;
	struct stat st;
	int err;

	/* Autobind (an address of the family alone) picks an abstract name: not modelled. */
	if (addr != NULL && len == sizeof(sa_family_t) && addr->sa_family == AF_UNIX)
		return -EOPNOTSUPP;
	err = sock_path_of(addr, len, path);
	if (err < 0)
		return err;
	sock_sweep();
	pthread_mutex_lock(&s->lock);
	/* Linux makes the node first: a taken path is EADDRINUSE even for a bound socket. */
	if (s->local_len > sizeof(sa_family_t) || (s->type == SOCK_DGRAM && s->csh != NULL)) {
		pthread_mutex_unlock(&s->lock);
		return lstat(path, &st) == 0 ? -EADDRINUSE : -EINVAL;
	}
	err = sock_bound_create(s->v, s->type, path, &m, &r, name);
	if (err == 0) {
		struct sock_bound_shared *bsh = (struct sock_bound_shared *)m.base;

		/* Held before it is named: a connect never finds it unheld, and never sweeps it. */
		if (s->type == SOCK_DGRAM)
			atomic_store(&bsh->shut, atomic_load(&s->self->shut));
		s->bsh = bsh;
		s->bring = r;
		sock_take_role(s, &bsh->holders);
		err = sock_bound_publish(&m, name);
		s->bound = m;
		if (err < 0) {
			sock_drop_role(s, true);
			sock_map_drop(&s->bound);
			s->bsh = NULL;
			unlink(path);
		} else {
			memcpy(s->bound_name, name, sizeof(name));
			set_addr(&s->local, &s->local_len, path);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sock_listen(struct sock_obj *s, int backlog)
{
	unsigned b = (unsigned)backlog;
	int err = 0;

	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	/* listen(2): silently cut to the system's limit (unsigned, as Linux compares it). */
	if (b > SOCK_BACKLOG_MAX)
		b = SOCK_BACKLOG_MAX;
	pthread_mutex_lock(&s->lock);
	if (s->bsh == NULL || atomic_load(&s->state) == SOCK_CONNECTED) {
		err = -EINVAL;
	} else {
		atomic_store(&s->bsh->backlog, b);
		if (atomic_load(&s->state) != SOCK_LISTENING) {
			atomic_store(&s->bsh->listening, 1);
			atomic_store(&s->state, SOCK_LISTENING);
		}
		/* A connect waiting for room looks again at the new backlog. */
		ring_wake(&s->bring);
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

/* Marks one published connection dropped (its connector sees its peer gone) and removes the name. */
static void drop_one(const char *name, int type)
{
	struct sock_map m;
	struct ring r[2];
	uint32_t pending = SOCK_CONN_PENDING;

	if (sock_conn_open_published(name, type, &m) < 0)
		return;
	if (sock_conn_rings(&m, type, r) == 0) {
		struct sock_conn_shared *sh = (struct sock_conn_shared *)m.base;

		atomic_compare_exchange_strong(&sh->state, &pending, SOCK_CONN_DROPPED);
		ring_wake(&r[0]);
		ring_wake(&r[1]);
	}
	sock_map_drop(&m);
}

/*
 * One name out of a backlog: NUL-terminated in our copy; -EBADMSG for a
 * record that is no name (taken out all the same); -EAGAIN; -EUCLEAN for
 * a broken ring.
 */
static int pop_name(struct ring *r, char name[SOCK_NAME_MAX])
{
	static const struct ring_rec_sel any = { .match = RING_REC_ANY, .flags = RING_REC_TRUNC };
	ssize_t n = ring_record_try_pop_sel(r, name, SOCK_NAME_MAX, &any, NULL);

	if (n < 0)
		return (int)n;
	if (n != SOCK_NAME_MAX || memchr(name, '\0', SOCK_NAME_MAX) == NULL)
		return -EBADMSG;
	return 0;
}

void sock_backlog_drop(struct sock_bound_shared *bsh, struct ring *backlog, int type)
{
	char name[SOCK_NAME_MAX];
	int err;

	/* Under the queue lock: a connect either queued before (dropped here) or sees nobody. */
	sync_lock(&bsh->queue_lock);
	for (long i = 0; i <= (long)(backlog->data_size / RING_REC_HDR_SIZE); i++) {
		err = pop_name(backlog, name);
		if (err != 0 && err != -EBADMSG)
			break;
		if (err == 0)
			drop_one(name, type);
	}
	sync_unlock(&bsh->queue_lock);
}

static bool listener_alive(struct sock_bound_shared *bsh)
{
	return atomic_load(&bsh->listening) != 0 && holders_any(&bsh->holders, HOLDER_READERS);
}

/*
 * Queues `name` in the backlog while it has room (Linux: backlog + 1
 * pending connections); waits for room unless nonblock.  -ECONNREFUSED
 * when the listener is gone, -EAGAIN, -EINTR.
 */
static int queue_connection(struct sock_bound_shared *bsh, struct ring *r, const char *name,
			    bool nonblock)
{
	char rec[SOCK_NAME_MAX] = { 0 };
	_Atomic uint32_t *waiters;
	_Atomic uint32_t *word = ring_room_seq(r, &waiters);
	struct sync_waiter w;
	bool started = false;
	int ret;

	strncpy(rec, name, SOCK_NAME_MAX - 1);
	for (;;) {
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		long used;
		int err;

		sync_lock(&bsh->queue_lock);
		if (!listener_alive(bsh)) {
			sync_unlock(&bsh->queue_lock);
			ret = -ECONNREFUSED;
			break;
		}
		used = ring_used(r);
		if (used < 0) {
			sync_unlock(&bsh->queue_lock);
			ret = -ECONNREFUSED;
			break;
		}
		if ((unsigned long)used / ring_record_size(SOCK_NAME_MAX) <=
		    atomic_load(&bsh->backlog)) {
			ssize_t n = ring_record_try_push(r, rec, SOCK_NAME_MAX);

			sync_unlock(&bsh->queue_lock);
			if (n >= 0) {
				ret = 0;
				break;
			}
			if (n != -EAGAIN) {
				ret = -ECONNREFUSED;
				break;
			}
		} else {
			sync_unlock(&bsh->queue_lock);
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (!started) {
			sync_waiter_begin(&w, -1);
			started = true;
		}
		err = sync_waiter_wait(&w, word, seen, waiters);
		if (err == -EINTR) {
			ret = -EINTR;
			break;
		}
	}
	if (started)
		sync_waiter_end(&w);
	return ret;
}

static int connect_dgram(struct sock_obj *s, const struct sockaddr *addr, socklen_t len)
{
	char path[SOCK_PATH_MAX + 1], name[SOCK_BOUND_NAME_MAX];
	struct sock_map m;
	struct ring r;
	int err;

	/* connect(2): AF_UNSPEC dissolves a datagram socket's association. */
	if (addr != NULL && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC) {
		pthread_mutex_lock(&s->lock);
		sock_map_drop(&s->dest);
		s->dsh = NULL;
		s->peer_len = sizeof(sa_family_t);
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	err = sock_path_of(addr, len, path);
	if (err == 0 && s->csh != NULL)
		err = -EINVAL; /* a socketpair end keeps its peer (ref_iut.h) */
	if (err == 0)
		err = sock_bound_open(path, SOCK_DGRAM, &m, &r, name);
	if (err < 0)
		return err;
	if (!holders_any(&((struct sock_bound_shared *)m.base)->holders, HOLDER_READERS)) {
		/* Its socket died without a last close: nobody else removes the name. */
		shm_unlink(name);
		sock_map_drop(&m);
		return -ECONNREFUSED;
	}
	pthread_mutex_lock(&s->lock);
	sock_map_drop(&s->dest);
	s->dest = m;
	s->dsh = (struct sock_bound_shared *)m.base;
	s->dring = r;
	set_addr(&s->peer, &s->peer_len, path);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Undoes a connect that made its connection but could not queue it. */
static void connect_undo(struct sock_obj *s, const char *name)
{
	if (name[0] != '\0')
		shm_unlink(name);
	sock_drop_role(s, true);
	s->csh = NULL;
	sock_map_drop(&s->conn);
}

int sock_connect(struct sock_obj *s, struct ref_ofd *f, const struct sockaddr *addr,
		 socklen_t len)
{
	char path[SOCK_PATH_MAX + 1], name[SOCK_NAME_MAX] = "", lname[SOCK_BOUND_NAME_MAX];
	struct sock_map lm, cm;
	struct ring lr;
	struct sock_bound_shared *lsh;
	int err;

	if (s->type == SOCK_DGRAM)
		return connect_dgram(s, addr, len);
	err = sock_path_of(addr, len, path);
	if (err < 0)
		return err;
	pthread_mutex_lock(&s->lock);
	if (atomic_load(&s->state) != SOCK_FRESH) {
		err = atomic_load(&s->state) == SOCK_CONNECTED ? -EISCONN : -EINVAL;
		goto out;
	}
	err = sock_bound_open(path, s->type, &lm, &lr, lname);
	if (err < 0)
		goto out;
	lsh = (struct sock_bound_shared *)lm.base;
	if (!listener_alive(lsh)) {
		/* A socket that died leaves its queue and name: nobody else would remove them. */
		if (!holders_any(&lsh->holders, HOLDER_READERS)) {
			sock_backlog_drop(lsh, &lr, s->type);
			shm_unlink(lname);
		}
		sock_map_drop(&lm);
		err = -ECONNREFUSED;
		goto out;
	}
	err = sock_conn_create(s->v, s->type, &cm);
	if (err == 0) {
		struct sock_conn_shared *sh = (struct sock_conn_shared *)cm.base;

		if (s->local_len > offsetof(struct sockaddr_un, sun_path)) {
			sh->addr_len[0] = (uint32_t)strnlen(s->local.sun_path, SOCK_PATH_MAX);
			memcpy(sh->addr[0], s->local.sun_path, sh->addr_len[0]);
		}
		sh->shut[0] = atomic_load(&s->self->shut);
		snprintf(sh->listener, sizeof(sh->listener), "%s", lname);
		err = sock_conn_attach(s, &cm, 0);
		if (err < 0)
			sock_map_drop(&cm);
	}
	if (err < 0) {
		sock_map_drop(&lm);
		goto out;
	}
	/* A bound socket that connects will never listen: its name can go. */
	if (s->bsh != NULL && s->bound_name[0] != '\0') {
		shm_unlink(s->bound_name);
		s->bound_name[0] = '\0';
	}
	/* Counted before the acceptor can look, so it never finds us gone. */
	sock_take_role(s, &s->csh->holders[0]);
	s->via = lm;
	s->vsh = lsh;
	err = sock_conn_publish(s, name);
	if (err == 0)
		err = queue_connection(lsh, &lr, name, ref_ofd_nonblock(f));
	if (err < 0) {
		connect_undo(s, name);
		s->vsh = NULL;
		sock_map_drop(&s->via);
		goto out;
	}
	memcpy(s->pending_name, name, SOCK_NAME_MAX);
	set_addr(&s->peer, &s->peer_len, path);
	atomic_store(&s->state, SOCK_CONNECTED);
out:
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sock_accept(struct sock_obj *s, struct ref_ofd *f, struct sockaddr *addr, socklen_t *alen,
		int flags)
{
	_Atomic uint32_t *waiters;
	_Atomic uint32_t *word;
	struct sync_waiter w;
	bool started = false;
	struct sock_obj *n = NULL;
	int ret;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (atomic_load(&s->state) != SOCK_LISTENING)
		return -EINVAL;
	word = ring_data_seq(&s->bring, &waiters);
	for (;;) {
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		char name[SOCK_NAME_MAX];
		struct sock_map cm;
		uint32_t pending = SOCK_CONN_PENDING;
		int err = pop_name(&s->bring, name);

		if (err == 0) {
			/* Room in the backlog: a connect waiting for it looks again. */
			ring_wake(&s->bring);
			err = sock_conn_open_published(name, s->type, &cm);
			if (err < 0)
				continue; /* gone (its connector gave up) or not ours: the next one */
			err = sock_obj_new(s->v, s->type, &n);
			if (err == 0)
				err = sock_conn_attach(n, &cm, 1);
			if (err < 0) {
				sock_map_drop(&cm);
				if (n != NULL)
					ref_obj_abandon(&n->obj);
				n = NULL;
				continue;
			}
			sock_take_role(n, &n->csh->holders[1]);
			if (!atomic_compare_exchange_strong(&n->csh->state, &pending,
							    SOCK_CONN_ACCEPTED)) {
				ref_obj_abandon(&n->obj);
				n = NULL;
				continue;
			}
			break;
		}
		if (err == -EBADMSG)
			continue; /* written by a broken or hostile peer: the next one */
		if (err != -EAGAIN) {
			ret = -EPROTO; /* accept(2): protocol error (the backlog is corrupt) */
			goto out;
		}
		if (ref_ofd_nonblock(f)) {
			ret = -EAGAIN;
			goto out;
		}
		if (!started) {
			sync_waiter_begin(&w, -1);
			started = true;
		}
		err = sync_waiter_wait(&w, word, seen, waiters);
		if (err == -EINTR) {
			ret = -EINTR;
			goto out;
		}
	}
	{
		struct sock_conn_shared *sh = n->csh;
		uint32_t plen = *(volatile uint32_t *)&sh->addr_len[0];
		char peer[SOCK_PATH_MAX + 1] = "";

		/* The connector's name: copied once, judged on the copy. */
		if (plen > 0 && plen <= SOCK_PATH_MAX) {
			memcpy(peer, sh->addr[0], plen);
			peer[plen] = '\0';
		}
		if (peer[0] != '\0')
			set_addr(&n->peer, &n->peer_len, peer);
		n->local = s->local;
		n->local_len = s->local_len;
		atomic_store(&n->state, SOCK_CONNECTED);
		sock_wake(n);
		ret = sock_install(n, (flags & SOCK_NONBLOCK) != 0);
		if (ret >= 0 && addr != NULL && alen != NULL) {
			memcpy(addr, &n->peer, *alen < n->peer_len ? *alen : n->peer_len);
			*alen = n->peer_len;
		}
	}
out:
	if (started)
		sync_waiter_end(&w);
	return ret;
}
