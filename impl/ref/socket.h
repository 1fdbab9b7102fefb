/*
 * socket.h -- ref's AF_UNIX sockets (ref_iut.h, SOCKETS, says what they
 * model and where they differ from Linux).
 *
 * A socket is an object of kind REF_OBJ_SOCKET (obj.h): one per socket(),
 * per end of a socketpair() and per accept(), shared by dup() and fork()
 * as an open description is.  It maps up to three shared regions:
 *
 *   self   the socket's own page, a shared anonymous mapping made by
 *          socket() and inherited by fork(): the holder set its open
 *          descriptions count in (hold[0]), their O_NONBLOCK words, and
 *          the shutdown bits of a socket that has no other region;
 *   conn   a connection (socketpair, or connect/accept): an unnamed file
 *          in /dev/shm (O_TMPFILE, mode 0600) with one ring per direction
 *          and one holder set per endpoint.  The ring to endpoint e is
 *          ring[e]; e reads it, the other endpoint writes it.  Stream
 *          sockets use byte rings (ring.h), seqpacket and datagram sockets
 *          record rings (ring_record.h), so boundaries are kept by the
 *          ring itself.  connect() gives the file a POSIX shm name for the
 *          moment between connect() and accept() (SOCK_SHM_TAG), and the
 *          acceptor removes the name as it maps the file;
 *   bound  a bound socket's region: an unnamed file in /dev/shm (mode
 *          0600) with the bound socket's holder set and one record ring --
 *          for a listening socket the backlog, each record the shm name of
 *          a pending connection; for a datagram socket its receive queue,
 *          each record a datagram with the sender's path.  bind() makes a
 *          socket node at the path (mknod S_IFSOCK, which needs no
 *          privilege; the suite removes it), sets the node's mtime
 *          nanoseconds to a random value, and names the region
 *          "<prefix>sockfile-<dev>-<ino>-<nsec>" after the node, so that
 *          connect() and sendto() find it from the path (and only the
 *          owner's file is believed).  The name goes at the socket's last
 *          close, or -- its holders killed or exited without closing -- at
 *          the next sweep (sock_sweep, at every bind).
 *
 * A process that holds the socket counts once (readers = writers = 1) in
 * the holder set of its role, hold[1]: the conn endpoint it is, or the
 * bound region it owns.  So fork() children hold the role (fork.c) and a
 * process that dies holds nothing: a peer that finds no live holder of
 * the other endpoint sees end-of-file, EPIPE or ECONNREFUSED.
 *
 * Every shared header field is read once into private memory and judged
 * there (socket_region.c); the rings judge their own headers (ring.h).
 */
#ifndef IPCCONF_REF_SOCKET_H
#define IPCCONF_REF_SOCKET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "impl/ref/obj.h"
#include "impl/ref/ofd_flags.h"
#include "impl/ref/ref_variant.h"
#include "impl/ring/ring.h"

#define SOCK_MAGIC 0x4b434f53u /* "SOCK" */
#define SOCK_VERSION 2u

enum sock_region_kind {
	SOCK_REGION_CONN = 1,
	SOCK_REGION_BOUND = 2,
};

/* Shutdown bits, as Linux's sk_shutdown: SHUT_RD sets RCV, SHUT_WR sets SEND. */
#define SOCK_SHUT_RCV 1u
#define SOCK_SHUT_SEND 2u
#define SOCK_SHUT_MASK 3u

/* accept state of a connection (sock_conn_shared.state). */
enum sock_conn_state {
	SOCK_CONN_PENDING = 0,  /* queued in a backlog, not yet accepted */
	SOCK_CONN_ACCEPTED = 1, /* endpoint 1 has been taken */
	SOCK_CONN_DROPPED = 2,  /* the listener went away without accepting it */
	SOCK_CONN_PAIR = 3,     /* made by socketpair(): both endpoints from the start */
};

/* The socket's own page (self). */
struct sock_self_shared {
	struct ref_holders holders;
	struct ref_ofd_flags ofd_flags;
	_Atomic uint32_t shut; /* shutdown bits while the socket has no conn or bound region */
};

/* The sun_path bytes of an address, without the terminating NUL. */
#define SOCK_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))

/* A connection's header page(s). */
#define SOCK_CONN_HDR 8192u
struct sock_conn_shared {
	_Atomic uint32_t magic; /* stored last */
	uint16_t version;
	uint16_t kind;      /* SOCK_REGION_CONN */
	uint32_t type;      /* SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM */
	uint32_t ring_size; /* data bytes of each ring: a power of two */
	_Atomic uint32_t state;   /* enum sock_conn_state */
	_Atomic uint32_t shut[2]; /* each endpoint's shutdown bits */
	/* Each endpoint's bound path, for getpeername and accept: length, bytes. */
	uint32_t addr_len[2];
	char addr[2][SOCK_PATH_MAX];
	/* While pending: the listener's shm name, so that a sweep can tell it died. */
	char listener[96];
	uint64_t pid_ns; /* sock_pid_ns() of the creator: holders' pids mean something there only */
	_Alignas(64) struct ref_holders holders[2];
};
_Static_assert(sizeof(struct sock_conn_shared) <= SOCK_CONN_HDR, "conn header outgrew its pages");

/* The file at a bound path. */
#define SOCK_BOUND_HDR 4096u
struct sock_bound_shared {
	_Atomic uint32_t magic; /* stored last */
	uint16_t version;
	uint16_t kind;      /* SOCK_REGION_BOUND */
	uint32_t type;
	uint32_t ring_size;
	_Atomic uint32_t listening; /* listen() was called: connect() may queue */
	_Atomic uint32_t backlog;   /* pending connections allowed, less one (listen(2)'s argument) */
	_Atomic uint32_t shut;      /* a datagram socket's shutdown bits (senders check RCV) */
	_Atomic uint32_t queue_lock; /* connect(): "is there room?" and the push, as one step */
	uint64_t pid_ns; /* sock_pid_ns() of the binder: a sweep judges holders of its own namespace only */
	_Alignas(64) struct ref_holders holders;
};
_Static_assert(sizeof(struct sock_bound_shared) <= SOCK_BOUND_HDR, "bound header outgrew its page");

/* The shm name of a bound socket's region: "<prefix>sockfile-<dev>-<ino>-<nsec>". */
#define SOCK_BOUND_NAME_MAX 96

/* A backlog record: the NUL-terminated shm name of a pending connection. */
#define SOCK_NAME_MAX 64
/* listen(2)'s backlog is cut to this (Linux: to net.core.somaxconn). */
#define SOCK_BACKLOG_MAX 128u

/* A datagram record's prefix: the sender's path length (0: unnamed), then the path. */
#define SOCK_DGRAM_PREFIX_MAX (2 + SOCK_PATH_MAX)

/* A mapped region: private, trusted copies of what was judged at attach. */
struct sock_map {
	unsigned char *base;
	size_t len;
	int fd;             /* a conn's unnamed file (for publishing); -1: none */
	uint32_t ring_size;
};

enum sock_state {
	SOCK_FRESH,     /* neither connected nor listening */
	SOCK_LISTENING,
	SOCK_CONNECTED, /* conn mapped (stream, seqpacket; datagram pairs) */
};

/* One process's socket (obj.h): hold[0] the self set, hold[1] the role's set. */
struct sock_obj {
	struct ref_obj obj;
	const struct ref_variant *v;
	int type;
	pthread_mutex_t lock; /* state changes: bind, listen, connect, shutdown */
	_Atomic int state;    /* enum sock_state */
	struct sock_self_shared *self;

	/* conn: our endpoint, our rings (rx: ring[endpoint], tx: the other). */
	struct sock_map conn;
	struct sock_conn_shared *csh;
	int endpoint;
	struct ring rx, tx;
	char pending_name[SOCK_NAME_MAX]; /* our published name until accepted ("" after) */
	bool reset_seen;                  /* ECONNRESET reported (Linux reports it once) */
	bool peer_lost;                   /* a datagram pair's peer was found gone */

	/* bound: our own path's file (listener backlog, or datagram receive queue). */
	struct sock_map bound;
	struct sock_bound_shared *bsh;
	struct ring bring;
	char bound_name[SOCK_BOUND_NAME_MAX]; /* its shm name, removed at the last release */

	/* The listener a pending connect queued on: its liveness decides until accept. */
	struct sock_map via;
	struct sock_bound_shared *vsh;

	/* A connected datagram socket's default destination: its path's file. */
	struct sock_map dest;
	struct sock_bound_shared *dsh;
	struct ring dring;

	struct sockaddr_un local, peer; /* getsockname, getpeername */
	socklen_t local_len, peer_len;  /* sizeof(sa_family_t): unnamed */
};

static inline struct sock_obj *sock_of(struct ref_obj *obj)
{
	return ref_container_of(obj, struct sock_obj, obj);
}

/* socket_region.c */

/* A new socket object with its self page, registered, not yet held (the caller makes its open description). */
int sock_obj_new(const struct ref_variant *v, int type, struct sock_obj **out);

/*
 * Makes the object's role set `set` (under ref_lock): this process counts
 * once in it, as will fork() children.
 */
void sock_take_role(struct sock_obj *s, struct ref_holders *set);

/*
 * Gives the role up: under ref_lock while the object is on the process's
 * list (`listed`: fork() must not see half of it), without once it is
 * off (its last release, its destruction -- which a fork child runs with
 * ref_lock held already).
 */
void sock_drop_role(struct sock_obj *s, bool listed);

/* Ring capacities: byte rings the variant's pipe capacity, record rings four times it. */
uint32_t sock_ring_size(const struct ref_variant *v, int type);

/* A fresh connection region, mapped (an unnamed file when the system has one). */
int sock_conn_create(const struct ref_variant *v, int type, struct sock_map *m);

/* Judges a mapped connection region of `type` and attaches endpoint e's rings. */
int sock_conn_attach(struct sock_obj *s, struct sock_map *m, int endpoint);

/* Gives the connection's file a unique shm name (SOCK_NAME_MAX bytes). */
int sock_conn_publish(struct sock_obj *s, char name[SOCK_NAME_MAX]);

/* Opens, unnames and maps a published connection of `type`; judges its header. */
int sock_conn_open_published(const char *name, int type, struct sock_map *m);

/* Attaches both rings of a mapped connection of `type` (to wake their sleepers). */
int sock_conn_rings(struct sock_map *m, int type, struct ring r[2]);

/*
 * Creates the socket node at `path` (-EADDRINUSE if anything is there)
 * and a region for a bound socket of `type` (its file kept in m->fd),
 * whose shm name, derived from the node, goes to `name`.
 */
int sock_bound_create(const struct ref_variant *v, int type, const char *path, struct sock_map *m,
		      struct ring *ring, char name[SOCK_BOUND_NAME_MAX]);

/* Gives the region its name (replacing a stale one) and closes m->fd. */
int sock_bound_publish(struct sock_map *m, const char *name);

/*
 * Finds the region of the socket node at `path` (following symlinks) and
 * judges it: -ENOENT, -EACCES, -ECONNREFUSED (not a socket, or nobody of
 * ref's bound there), -EPROTOTYPE (another type).  Its name in `name`.
 */
int sock_bound_open(const char *path, int type, struct sock_map *m, struct ring *ring,
		    char name[SOCK_BOUND_NAME_MAX]);

void sock_map_drop(struct sock_map *m);

/*
 * Removes the shm names that processes which exited or were killed
 * without closing left behind: those of bound sockets nobody holds, and
 * those of pending connections whose listener has gone.
 */
void sock_sweep(void);

/* socket_ring.c: what ring.h and ring_record.h lack for sockets. */

/* A copy of up to n buffered bytes, taking nothing (MSG_PEEK): the count or -EAGAIN. */
ssize_t sock_bytes_peek(struct ring *r, void *buf, size_t n);

/* The oldest record's full length, its first n bytes copied, taking nothing; -EAGAIN: none. */
ssize_t sock_rec_peek(struct ring *r, void *buf, size_t n);

/* Payload bytes buffered in records less `skip` bytes each (seqpacket FIONREAD): or -EUCLEAN. */
long sock_rec_total(struct ring *r, size_t skip_each);

/* Discards everything buffered (the bytes a dead peer never read). */
void sock_ring_drain(struct ring *r);

/* socket_io.c */
extern const struct ref_obj_ops sock_obj_ops;
ssize_t sock_send(struct sock_obj *s, struct ref_ofd *f, const void *buf, size_t len, int flags,
		  const struct sockaddr *to, socklen_t to_len);
ssize_t sock_recv(struct sock_obj *s, struct ref_ofd *f, void *buf, size_t len, int flags,
		  struct sockaddr *from, socklen_t *from_len);
/* Wakes everyone who sleeps on our rings, to look again (a shutdown, a close). */
void sock_wake(struct sock_obj *s);
/* Whether a live process holds the other end (or, pending, the listener). */
bool sock_peer_alive(struct sock_obj *s);
/* The shutdown word of the socket: its endpoint's, its bound file's, or its self page's. */
_Atomic uint32_t *sock_shut_word(struct sock_obj *s);
/* SO_ERROR: a pending ECONNRESET, reported once. */
int sock_take_error(struct sock_obj *s);

/* socket_name.c */
int sock_path_of(const struct sockaddr *addr, socklen_t len, char path[SOCK_PATH_MAX + 1]);
int sock_bind(struct sock_obj *s, const struct sockaddr *addr, socklen_t len);
int sock_listen(struct sock_obj *s, int backlog);
int sock_accept(struct sock_obj *s, struct ref_ofd *f, struct sockaddr *addr, socklen_t *len,
		int flags);
int sock_connect(struct sock_obj *s, struct ref_ofd *f, const struct sockaddr *addr,
		 socklen_t len);
/* The last holder of a listener has gone: every pending connection is dropped. */
void sock_backlog_drop(struct sock_bound_shared *bsh, struct ring *backlog, int type);

/* socket_ops.c: new handle for a new socket object (counted in its self set). */
int sock_install(struct sock_obj *s, bool nonblock);

#endif /* IPCCONF_REF_SOCKET_H */
