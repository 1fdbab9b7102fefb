/*
 * The socket table of ipcconf/iut.h for ref: AF_UNIX stream, seqpacket
 * and datagram sockets (socket.h; ref_iut.h, SOCKETS).  Each entry finds
 * the socket behind a handle and hands over to socket_io.c and
 * socket_name.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "impl/ref/handles.h"
#include "impl/ref/ref_variant.h"
#include "impl/ref/socket.h"
#include "impl/ref/tables.h"

typedef const struct ipcconf_iut iut_t;

int sock_install(struct sock_obj *s, bool nonblock)
{
	struct ref_ofd *ofd = NULL;
	int h;

	ref_lock();
	h = ref_ofd_new_locked(&s->obj, 0, O_RDWR, nonblock, &ofd);
	if (h == 0)
		h = ref_handle_install_locked(ofd);
	ref_unlock();
	if (h >= 0)
		return h;
	if (ofd != NULL)
		ref_ofd_abandon(ofd);
	else
		ref_obj_abandon(&s->obj);
	return h;
}

/* The socket behind h, kept alive until ref_handle_put(): -EBADF, -ENOTSOCK. */
static int get_sock(int h, struct ref_ofd **f, struct sock_obj **s)
{
	*f = ref_handle_get(h);
	if (*f == NULL)
		return -EBADF;
	if ((*f)->obj->kind != REF_OBJ_SOCKET) {
		ref_handle_put(*f);
		return -ENOTSOCK;
	}
	*s = sock_of((*f)->obj);
	return 0;
}

/*
 * Linux unix_create() and __sys_socket(): flags beyond SOCK_NONBLOCK and
 * SOCK_CLOEXEC are EINVAL, a protocol other than 0 or PF_UNIX
 * EPROTONOSUPPORT, SOCK_RAW is taken as SOCK_DGRAM, another type
 * ESOCKTNOSUPPORT.  Other domains are not modelled: EAFNOSUPPORT.
 */
static int check_socket(int domain, int *type, int protocol, bool *nonblock)
{
	int base = *type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (*type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	if (protocol != 0 && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	if (base == SOCK_RAW)
		base = SOCK_DGRAM;
	if (base != SOCK_STREAM && base != SOCK_DGRAM && base != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	*nonblock = (*type & SOCK_NONBLOCK) != 0;
	*type = base;
	return 0;
}

static int op_open(iut_t *self, int domain, int type, int protocol)
{
	struct sock_obj *s;
	bool nonblock;
	int err = check_socket(domain, &type, protocol, &nonblock);

	if (err == 0)
		err = sock_obj_new(ref_variant_of(self), type, &s);
	return err < 0 ? err : sock_install(s, nonblock);
}

/* One end of a new pair: endpoint e of the connection in m, through a mapping of its own. */
static int pair_end(const struct ref_variant *v, int type, const struct sock_map *m, int e,
		    bool nonblock)
{
	struct sock_map mine = { .len = m->len, .fd = -1, .ring_size = m->ring_size };
	struct sock_obj *s;
	int err = sock_obj_new(v, type, &s);

	if (err < 0)
		return err;
	mine.base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (mine.base == MAP_FAILED) {
		ref_obj_abandon(&s->obj);
		return -ENOMEM;
	}
	err = sock_conn_attach(s, &mine, e);
	if (err < 0) {
		munmap(mine.base, mine.len);
		ref_obj_abandon(&s->obj);
		return err;
	}
	sock_take_role(s, &s->csh->holders[e]);
	atomic_store(&s->state, SOCK_CONNECTED);
	return sock_install(s, nonblock);
}

static int op_pair(iut_t *self, int domain, int type, int protocol, int ends[2])
{
	const struct ref_variant *v = ref_variant_of(self);
	struct sock_map m;
	bool nonblock;
	int err = check_socket(domain, &type, protocol, &nonblock);
	int h0 = -1, h1 = -1;

	if (err < 0)
		return err;
	err = sock_conn_create(v, type, &m);
	if (err < 0)
		return err;
	/* Each end maps the file itself: without a file, no pair. */
	if (m.fd >= 0) {
		atomic_store(&((struct sock_conn_shared *)m.base)->state, SOCK_CONN_PAIR);
		h0 = pair_end(v, type, &m, 0, nonblock);
		if (h0 >= 0)
			h1 = pair_end(v, type, &m, 1, nonblock);
		if (h0 >= 0 && h1 < 0)
			ref_handle_close(h0);
	}
	err = m.fd < 0 ? -ENFILE : h0 < 0 ? h0 : h1 < 0 ? h1 : 0;
	sock_map_drop(&m);
	if (err == 0) {
		ends[0] = h0;
		ends[1] = h1;
	}
	return err;
}

static int op_bind(iut_t *self, int h, const struct sockaddr *addr, socklen_t len)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);

	(void)self;
	if (err < 0)
		return err;
	err = sock_bind(s, addr, len);
	ref_handle_put(f);
	return err;
}

static int op_listen(iut_t *self, int h, int backlog)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);

	(void)self;
	if (err < 0)
		return err;
	err = sock_listen(s, backlog);
	ref_handle_put(f);
	return err;
}

static int op_accept(iut_t *self, int h, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);

	(void)self;
	if (err < 0)
		return err;
	err = sock_accept(s, f, addr, len, flags);
	ref_handle_put(f);
	return err;
}

static int op_connect(iut_t *self, int h, const struct sockaddr *addr, socklen_t len)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);

	(void)self;
	if (err < 0)
		return err;
	err = sock_connect(s, f, addr, len);
	ref_handle_put(f);
	return err;
}

static ssize_t op_send(iut_t *self, int h, const void *buf, size_t len, int flags,
		       const struct sockaddr *to, socklen_t to_len)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	ssize_t n = get_sock(h, &f, &s);

	(void)self;
	if (n < 0)
		return n;
	n = sock_send(s, f, buf, len, flags, to, to_len);
	ref_handle_put(f);
	return n;
}

static ssize_t op_recv(iut_t *self, int h, void *buf, size_t len, int flags,
		       struct sockaddr *from, socklen_t *from_len)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	ssize_t n = get_sock(h, &f, &s);

	(void)self;
	if (n < 0)
		return n;
	n = sock_recv(s, f, buf, len, flags, from, from_len);
	ref_handle_put(f);
	return n;
}

/*
 * Linux unix_shutdown(): the bits are set whether or not the socket is
 * connected; a connected stream or seqpacket socket's peer gets the
 * mirror image (our SHUT_RD is its SHUT_WR, and the other way round).
 */
static int op_shutdown(iut_t *self, int h, int how)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);
	uint32_t mode, peer_mode = 0;

	(void)self;
	if (err < 0)
		return err;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
		ref_handle_put(f);
		return -EINVAL;
	}
	mode = (uint32_t)how + 1;
	pthread_mutex_lock(&s->lock);
	atomic_fetch_or(sock_shut_word(s), mode);
	if (s->csh != NULL && s->type != SOCK_DGRAM) {
		if (mode & SOCK_SHUT_RCV)
			peer_mode |= SOCK_SHUT_SEND;
		if (mode & SOCK_SHUT_SEND)
			peer_mode |= SOCK_SHUT_RCV;
		atomic_fetch_or(&s->csh->shut[1 - s->endpoint], peer_mode);
	}
	sock_wake(s);
	pthread_mutex_unlock(&s->lock);
	ref_handle_put(f);
	return 0;
}

static void copy_name(const struct sockaddr_un *sa, socklen_t sa_len, struct sockaddr *addr,
		      socklen_t *len)
{
	memcpy(addr, sa, *len < sa_len ? *len : sa_len);
	*len = sa_len;
}

/* getsockname (peer false) and getpeername (peer true): one shape, one body. */
static int name_of(int h, struct sockaddr *addr, socklen_t *len, bool peer)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);

	if (err < 0)
		return err;
	if (addr == NULL || len == NULL) {
		ref_handle_put(f);
		return -EFAULT;
	}
	pthread_mutex_lock(&s->lock);
	if (!peer)
		copy_name(&s->local, s->local_len, addr, len);
	else if (atomic_load(&s->state) == SOCK_CONNECTED || s->dsh != NULL)
		copy_name(&s->peer, s->peer_len, addr, len);
	else
		err = -ENOTCONN;
	pthread_mutex_unlock(&s->lock);
	ref_handle_put(f);
	return err;
}

static int op_local_name(iut_t *self, int h, struct sockaddr *addr, socklen_t *len)
{
	(void)self;
	return name_of(h, addr, len, false);
}

static int op_peer_name(iut_t *self, int h, struct sockaddr *addr, socklen_t *len)
{
	(void)self;
	return name_of(h, addr, len, true);
}

static int int_option(struct sock_obj *s, int name, int *v)
{
	switch (name) {
	case SO_TYPE: *v = s->type; return 0;
	case SO_DOMAIN: *v = AF_UNIX; return 0;
	case SO_PROTOCOL: *v = 0; return 0;
	case SO_ERROR: *v = sock_take_error(s); return 0;
	case SO_ACCEPTCONN: *v = atomic_load(&s->state) == SOCK_LISTENING; return 0;
	case SO_SNDBUF:
	case SO_RCVBUF: *v = (int)sock_ring_size(s->v, s->type); return 0;
	}
	return -ENOPROTOOPT;
}

/* Linux sock_getsockopt(): an int option, a length below an int's EINVAL. */
static int op_get_option(iut_t *self, int h, int level, int name, void *value, socklen_t *len)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);
	int v = 0;

	(void)self;
	if (err < 0)
		return err;
	if (level != SOL_SOCKET)
		err = -EOPNOTSUPP;
	else if (value == NULL || len == NULL)
		err = -EFAULT;
	else if (*len < (socklen_t)sizeof(int))
		err = -EINVAL;
	else
		err = int_option(s, name, &v);
	if (err == 0) {
		memcpy(value, &v, sizeof(v));
		*len = sizeof(v);
	}
	ref_handle_put(f);
	return err;
}

/* Buffer sizes are accepted and change nothing (any size is legal); the rest is not modelled. */
static int op_set_option(iut_t *self, int h, int level, int name, const void *value,
			 socklen_t len)
{
	struct ref_ofd *f;
	struct sock_obj *s;
	int err = get_sock(h, &f, &s);

	(void)self;
	if (err < 0)
		return err;
	if (level != SOL_SOCKET)
		err = -EOPNOTSUPP;
	else if (name != SO_SNDBUF && name != SO_RCVBUF)
		err = -ENOPROTOOPT;
	else if (value == NULL)
		err = -EFAULT;
	else if (len < (socklen_t)sizeof(int))
		err = -EINVAL;
	ref_handle_put(f);
	return err;
}

const struct ipcconf_socket_ops ref_socket_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_socket_ops,
				   IPCCONF_SOCKET_CAP_DGRAM | IPCCONF_SOCKET_CAP_SEQPACKET),
	.open = op_open,
	.pair = op_pair,
	.bind = op_bind,
	.listen = op_listen,
	.accept = op_accept,
	.connect = op_connect,
	.send = op_send,
	.recv = op_recv,
	.shutdown = op_shutdown,
	.local_name = op_local_name,
	.peer_name = op_peer_name,
	.get_option = op_get_option,
	.set_option = op_set_option,
};
