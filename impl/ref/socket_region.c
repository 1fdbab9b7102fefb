/*
 * The shared regions of ref's sockets (socket.h): a socket's self page,
 * connection files and the files at bound paths; making them, finding
 * them, and judging what a peer left in them before believing it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/holders.h"
#include "impl/ref/pipe_region.h"
#include "impl/ref/socket.h"
#include "impl/ring/ring_record.h"

/* Where shm_open(3) keeps its objects, for O_TMPFILE and linkat(). */
#define SHM_DIR "/dev/shm"

/* Ring sizes a peer's header may claim: what any variant makes. */
#define RING_SIZE_MIN 4096u
#define RING_SIZE_MAX (4u * REF_MAX_CAPACITY)

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static bool record_type(int type)
{
	return type != SOCK_STREAM;
}

uint32_t sock_ring_size(const struct ref_variant *v, int type)
{
	return record_type(type) ? 4 * v->default_capacity : v->default_capacity;
}

static size_t conn_len(uint32_t ring_size)
{
	return SOCK_CONN_HDR + 2 * ((size_t)RING_HDR_SIZE + ring_size);
}

static size_t bound_len(uint32_t ring_size)
{
	return SOCK_BOUND_HDR + (size_t)RING_HDR_SIZE + ring_size;
}

static uint32_t bound_ring_size(const struct ref_variant *v, int type)
{
	uint32_t need = (SOCK_BACKLOG_MAX + 1) * (uint32_t)ring_record_size(SOCK_NAME_MAX);
	uint32_t size = RING_SIZE_MIN;

	if (type == SOCK_DGRAM)
		return sock_ring_size(v, type);
	while (size < need)
		size <<= 1;
	return size;
}

void sock_map_drop(struct sock_map *m)
{
	if (m->base != NULL)
		munmap(m->base, m->len);
	if (m->fd >= 0)
		close(m->fd);
	*m = (struct sock_map){ .fd = -1 };
}

int sock_obj_new(const struct ref_variant *v, int type, struct sock_obj **out)
{
	struct sock_obj *s = calloc(1, sizeof(*s));
	struct ref_holders *sets[2];
	void *p;

	if (s == NULL)
		return -ENOMEM;
	p = mmap(NULL, sizeof(struct sock_self_shared), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(s);
		return -ENOMEM;
	}
	s->self = p;
	s->v = v;
	s->type = type;
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->state, SOCK_FRESH);
	s->conn.fd = s->bound.fd = s->via.fd = s->dest.fd = -1;
	s->local.sun_family = s->peer.sun_family = AF_UNIX;
	s->local_len = s->peer_len = sizeof(sa_family_t);
	/* hold[1] is the role's set once there is one; counts 0 until then. */
	sets[0] = sets[1] = &s->self->holders;
	ref_obj_init(&s->obj, REF_OBJ_SOCKET, &sock_obj_ops, sets, 2, &s->self->ofd_flags);
	ref_init_once();
	ref_lock();
	ref_obj_register_locked(&s->obj);
	ref_unlock();
	*out = s;
	return 0;
}

void sock_take_role(struct sock_obj *s, struct ref_holders *set)
{
	struct ref_holding *hd = &s->obj.hold[1];

	ref_lock();
	if (hd->slot >= 0)
		holders_adjust(hd->set, &hd->slot, -(int)hd->readers, -(int)hd->writers);
	hd->set = set;
	hd->slot = -1;
	hd->readers = hd->writers = 0;
	if (holders_add(set, &hd->slot, (uint32_t)getpid(), 1, 1) == 0)
		hd->readers = hd->writers = 1;
	ref_unlock();
}

void sock_drop_role(struct sock_obj *s, bool listed)
{
	struct ref_holding *hd = &s->obj.hold[1];

	if (listed)
		ref_lock();
	if (hd->slot >= 0)
		holders_adjust(hd->set, &hd->slot, -(int)hd->readers, -(int)hd->writers);
	hd->set = &s->self->holders;
	hd->slot = -1;
	hd->readers = hd->writers = 0;
	if (listed)
		ref_unlock();
}

/* An unnamed 0600 file of len bytes in the shm file system, or -1. */
static int tmp_file(size_t len)
{
	int fd = open(SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	/* umask may have narrowed 0600; nobody else needs access, and we need all of it. */
	if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int ring_lay_out(void *mem, uint32_t ring_size, int type)
{
	size_t len = (size_t)RING_HDR_SIZE + ring_size;

	return record_type(type) ? ring_record_init(mem, len, ring_size, ring_size)
				 : ring_init(mem, len, ring_size, ring_size);
}

/*
 * The calling process's pid namespace, by the inode of /proc/self/ns/pid
 * (0 without /proc).  /dev/shm is shared by processes of other pid
 * namespaces (Bazel's sandboxes, containers) to which our holders' pids
 * mean nothing, or another process: a sweep must not judge their sockets.
 */
static uint64_t sock_pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int sock_conn_create(const struct ref_variant *v, int type, struct sock_map *m)
{
	uint32_t ring_size = sock_ring_size(v, type);
	size_t len = conn_len(ring_size);
	struct sock_conn_shared *sh;
	int fd = tmp_file(len);
	void *p;

	if (fd >= 0)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	else
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
	if (p == MAP_FAILED) {
		if (fd >= 0)
			close(fd);
		return -ENFILE;
	}
	sh = p;
	memset(sh, 0, sizeof(*sh));
	sh->version = SOCK_VERSION;
	sh->kind = SOCK_REGION_CONN;
	sh->type = (uint32_t)type;
	sh->ring_size = ring_size;
	sh->pid_ns = sock_pid_ns();
	for (int i = 0; i < 2; i++) {
		unsigned char *r = (unsigned char *)p + SOCK_CONN_HDR +
				   (size_t)i * (RING_HDR_SIZE + ring_size);

		if (ring_lay_out(r, ring_size, type) != 0) {
			munmap(p, len);
			if (fd >= 0)
				close(fd);
			return -EINVAL;
		}
	}
	atomic_store_explicit(&sh->magic, SOCK_MAGIC, memory_order_release);
	*m = (struct sock_map){ .base = p, .len = len, .fd = fd, .ring_size = ring_size };
	return 0;
}

/*
 * Judges a connection header: each field read once.  The ring size must
 * be what the mapping's length says, so that the rings stay inside it.
 */
static int conn_judge(void *base, size_t len, int type, uint32_t *ring_size)
{
	volatile struct sock_conn_shared *sh = base;
	uint32_t size, t;

	if (len < SOCK_CONN_HDR ||
	    atomic_load_explicit(&((struct sock_conn_shared *)base)->magic, memory_order_acquire) !=
		    SOCK_MAGIC ||
	    sh->version != SOCK_VERSION || sh->kind != SOCK_REGION_CONN)
		return -EPROTO;
	t = sh->type;
	size = sh->ring_size;
	if ((int)t != type || !is_pow2(size) || size < RING_SIZE_MIN || size > RING_SIZE_MAX ||
	    conn_len(size) != len)
		return -EPROTO;
	*ring_size = size;
	return 0;
}

static int ring_join(struct ring *r, void *mem, uint32_t ring_size, int type)
{
	size_t len = (size_t)RING_HDR_SIZE + ring_size;
	int err = record_type(type) ? ring_record_attach(r, mem, len) : ring_attach(r, mem, len);

	if (err == 0 && !record_type(type) && r->mode != RING_MODE_BYTES)
		err = -EPROTO;
	return err;
}

int sock_conn_attach(struct sock_obj *s, struct sock_map *m, int endpoint)
{
	unsigned char *rings = m->base + SOCK_CONN_HDR;
	uint32_t size;
	int err = conn_judge(m->base, m->len, s->type, &size);

	if (err < 0)
		return err;
	m->ring_size = size;
	err = ring_join(&s->rx, rings + (size_t)endpoint * (RING_HDR_SIZE + size), size, s->type);
	if (err == 0)
		err = ring_join(&s->tx, rings + (size_t)(1 - endpoint) * (RING_HDR_SIZE + size), size,
				s->type);
	if (err < 0)
		return err;
	s->conn = *m;
	s->csh = (struct sock_conn_shared *)m->base;
	s->endpoint = endpoint;
	return 0;
}

int sock_conn_rings(struct sock_map *m, int type, struct ring r[2])
{
	uint32_t size;
	int err = conn_judge(m->base, m->len, type, &size);

	for (int i = 0; err == 0 && i < 2; i++)
		err = ring_join(&r[i], m->base + SOCK_CONN_HDR + (size_t)i * (RING_HDR_SIZE + size),
				size, type);
	return err;
}

int sock_conn_publish(struct sock_obj *s, char name[SOCK_NAME_MAX])
{
	static _Atomic unsigned seq;
	char from[64], to[SOCK_NAME_MAX + sizeof(SHM_DIR)];
	uint64_t nonce = 0;
	int n;

	if (s->conn.fd < 0)
		return -EOPNOTSUPP;
	/* Unique per run: the pid and a counter; unguessable: the random part. */
	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) != (ssize_t)sizeof(nonce))
		nonce ^= (uint64_t)(uintptr_t)&nonce ^ (uint64_t)time(NULL) ^ (uint64_t)clock();
	n = snprintf(name, SOCK_NAME_MAX, "%ssock-%d-%u-%016llx", s->v->shm_prefix, (int)getpid(),
		     atomic_fetch_add(&seq, 1), (unsigned long long)nonce);
	if (n < 0 || n >= SOCK_NAME_MAX)
		return -ENAMETOOLONG;
	snprintf(from, sizeof(from), "/proc/self/fd/%d", s->conn.fd);
	snprintf(to, sizeof(to), "%s%s", SHM_DIR, name);
	if (linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) != 0)
		return -errno;
	return 0;
}

int sock_conn_open_published(const char *name, int type, struct sock_map *m)
{
	struct stat st;
	uint32_t size;
	void *base;
	int err, fd;

	/* The name came from a peer: only ever one of ours, never a path. */
	if (strncmp(name, "/ipcconf-ref", 12) != 0 || strchr(name + 1, '/') != NULL)
		return -EINVAL;
	fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The name has done its job: from now on the file lives as long as its holders. */
	shm_unlink(name);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)conn_len(0) ||
	    st.st_size > (off_t)conn_len(RING_SIZE_MAX)) {
		close(fd);
		return -EPROTO;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return -ENOMEM;
	err = conn_judge(base, (size_t)st.st_size, type, &size);
	if (err < 0) {
		munmap(base, (size_t)st.st_size);
		return err;
	}
	*m = (struct sock_map){ .base = base, .len = (size_t)st.st_size, .fd = -1, .ring_size = size };
	return 0;
}

/*
 * The shm name of a bound socket's region, from its node: device, inode
 * number, and the nanoseconds of its modification time, which bind sets
 * to a random value so that the name cannot be guessed from the path.
 */
static int bound_name(const char *prefix, const struct stat *st, char name[SOCK_BOUND_NAME_MAX])
{
	int n = snprintf(name, SOCK_BOUND_NAME_MAX, "%ssockfile-%llx-%llx-%08lx", prefix,
			 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
			 (unsigned long)st->st_mtim.tv_nsec);

	return n > 0 && n < SOCK_BOUND_NAME_MAX ? 0 : -ENAMETOOLONG;
}

int sock_bound_create(const struct ref_variant *v, int type, const char *path, struct sock_map *m,
		      struct ring *ring, char name[SOCK_BOUND_NAME_MAX])
{
	uint32_t ring_size = bound_ring_size(v, type);
	size_t len = bound_len(ring_size);
	struct sock_bound_shared *sh;
	struct timespec times[2] = { { .tv_nsec = UTIME_OMIT } };
	uint32_t rnd = 0;
	struct stat st;
	void *p = MAP_FAILED;
	int err, fd = -1;

	/* A socket node, as Linux makes one (the umask applies); mknod of a socket needs no privilege. */
	if (mknod(path, S_IFSOCK | 0777, 0) != 0)
		return errno == EEXIST ? -EADDRINUSE : -errno;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd ^= (uint32_t)(uintptr_t)&rnd ^ (uint32_t)clock();
	clock_gettime(CLOCK_REALTIME, &times[1]);
	times[1].tv_nsec = (long)(rnd % 1000000000u);
	if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) != 0 || lstat(path, &st) != 0) {
		err = -errno;
		goto undo;
	}
	err = bound_name(v->shm_prefix, &st, name);
	if (err < 0)
		goto undo;
	fd = tmp_file(len);
	if (fd < 0) {
		err = -ENFILE;
		goto undo;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto undo;
	}
	sh = p;
	memset(sh, 0, sizeof(*sh));
	sh->version = SOCK_VERSION;
	sh->kind = SOCK_REGION_BOUND;
	sh->type = (uint32_t)type;
	sh->ring_size = ring_size;
	sh->pid_ns = sock_pid_ns();
	ring_record_init((unsigned char *)p + SOCK_BOUND_HDR, (size_t)RING_HDR_SIZE + ring_size,
			 ring_size, ring_size);
	err = ring_record_attach(ring, (unsigned char *)p + SOCK_BOUND_HDR,
				 (size_t)RING_HDR_SIZE + ring_size);
	if (err < 0)
		goto undo;
	atomic_store_explicit(&sh->magic, SOCK_MAGIC, memory_order_release);
	*m = (struct sock_map){ .base = p, .len = len, .fd = fd, .ring_size = ring_size };
	return 0;
undo:
	if (p != MAP_FAILED)
		munmap(p, len);
	if (fd >= 0)
		close(fd);
	unlink(path);
	return err;
}

int sock_bound_publish(struct sock_map *m, const char *name)
{
	char from[64], to[SOCK_BOUND_NAME_MAX + sizeof(SHM_DIR)];
	int err = 0;

	snprintf(from, sizeof(from), "/proc/self/fd/%d", m->fd);
	snprintf(to, sizeof(to), "%s%s", SHM_DIR, name);
	if (linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) != 0) {
		err = -errno;
		/* A name left by a dead socket whose node had our identity: it is stale. */
		if (err == -EEXIST) {
			shm_unlink(name);
			err = linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
		}
	}
	close(m->fd);
	m->fd = -1;
	return err;
}

int sock_bound_open(const char *path, int type, struct sock_map *m, struct ring *ring,
		    char name[SOCK_BOUND_NAME_MAX])
{
	volatile struct sock_bound_shared *sh;
	struct stat st;
	uint32_t size, t;
	void *base;
	int fd = -1, err = 0;

	/* connect(2) follows symlinks; a missing path is ENOENT, a file that is no socket ECONNREFUSED. */
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ECONNREFUSED;
	/* Linux unix_find_bsd(): connecting needs write permission on the node. */
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
		return -errno;
	/* Any variant's socket: the name says which made it. */
	for (size_t i = 0; err == 0 && i < ref_variant_count; i++) {
		err = bound_name(ref_variants[i]->shm_prefix, &st, name);
		fd = err == 0 ? shm_open(name, O_RDWR | O_CLOEXEC, 0) : -1;
		if (fd >= 0)
			break;
	}
	if (err < 0 || fd < 0)
		return -ECONNREFUSED; /* a node nobody of ours is bound to (any more) */
	/* Ours alone: a file of another user under our name is not believed. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size < (off_t)bound_len(0) || st.st_size > (off_t)bound_len(RING_SIZE_MAX)) {
		close(fd);
		return -ECONNREFUSED;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return -ECONNREFUSED;
	sh = base;
	err = -ECONNREFUSED;
	if (atomic_load_explicit(&((struct sock_bound_shared *)base)->magic, memory_order_acquire) !=
		    SOCK_MAGIC ||
	    sh->version != SOCK_VERSION || sh->kind != SOCK_REGION_BOUND)
		goto fail;
	t = sh->type;
	size = sh->ring_size;
	if (!is_pow2(size) || size < RING_SIZE_MIN || size > RING_SIZE_MAX ||
	    bound_len(size) != (size_t)st.st_size)
		goto fail;
	/* Linux unix_find_other(): a socket of another type is EPROTOTYPE. */
	if ((int)t != type) {
		err = -EPROTOTYPE;
		goto fail;
	}
	if (ring_record_attach(ring, (unsigned char *)base + SOCK_BOUND_HDR,
			       (size_t)RING_HDR_SIZE + size) != 0)
		goto fail;
	*m = (struct sock_map){ .base = base, .len = (size_t)st.st_size, .fd = -1, .ring_size = size };
	return 0;
fail:
	munmap(base, (size_t)st.st_size);
	return err;
}

/* Maps the first `len` bytes of a name in /dev/shm that is ours (our user, big enough). */
static void *sweep_map(int dir, const char *leaf, size_t len)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd = openat(dir, leaf, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_size >= (off_t)len)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static bool sweep_is(const char *leaf, const char *what)
{
	const char *p = strstr(leaf, what);

	return strncmp(leaf, "ipcconf-ref", 11) == 0 && p != NULL && strchr(leaf, '/') == NULL;
}

/* A bound socket's name whose holders are all gone. */
static bool bound_dead(int dir, const char *leaf)
{
	struct sock_bound_shared *sh = sweep_map(dir, leaf, SOCK_BOUND_HDR);
	bool dead;

	if (sh == NULL)
		return false;
	/* Another namespace's holders are pids we cannot judge: never its sockets. */
	dead = atomic_load(&sh->magic) == SOCK_MAGIC && sh->pid_ns == sock_pid_ns() &&
	       !holders_any(&sh->holders, HOLDER_READERS);
	munmap(sh, SOCK_BOUND_HDR);
	return dead;
}

/* A pending connection's name whose listener's name is gone (swept, or closed). */
static bool pending_orphan(int dir, const char *leaf)
{
	struct sock_conn_shared *sh = sweep_map(dir, leaf, SOCK_CONN_HDR);
	char l[sizeof(sh->listener)];
	bool orphan = false;

	if (sh == NULL)
		return false;
	/* Copied once, judged as the copy: a name in /dev/shm, no path. */
	memcpy(l, sh->listener, sizeof(l));
	l[sizeof(l) - 1] = '\0';
	if (atomic_load(&sh->magic) == SOCK_MAGIC && atomic_load(&sh->state) == SOCK_CONN_PENDING &&
	    sh->pid_ns == sock_pid_ns() && l[0] == '/' && strchr(l + 1, '/') == NULL)
		orphan = faccessat(dir, l + 1, F_OK, AT_EACCESS) != 0 && errno == ENOENT;
	munmap(sh, SOCK_CONN_HDR);
	return orphan;
}

void sock_sweep(void)
{
	/* Bound sockets first: a pending connection is an orphan once its listener's name is gone. */
	for (int pass = 0; pass < 2; pass++) {
		DIR *d = opendir(SHM_DIR);
		struct dirent *e;

		if (d == NULL)
			return;
		while ((e = readdir(d)) != NULL) {
			bool gone = pass == 0 ? sweep_is(e->d_name, "-sockfile-") &&
							bound_dead(dirfd(d), e->d_name)
					      : sweep_is(e->d_name, "-sock-") &&
							pending_orphan(dirfd(d), e->d_name);

			if (gone)
				unlinkat(dirfd(d), e->d_name, 0);
		}
		closedir(d);
	}
}
