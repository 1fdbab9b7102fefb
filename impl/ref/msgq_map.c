/*
 * System V queues: names, creation, and each process's cache of mapped
 * queues (msgq.h).
 */
#define _GNU_SOURCE
#include "impl/ref/msgq.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/shm_obj.h"
#include "impl/ring/ring_record.h"

/* Mapped queues a process keeps when nothing uses them. */
#define CACHE_KEEP 32

/* The cache: guarded by ref_lock() (which fork() holds across, fork.c). */
static struct msgq_map *cache;
static uint64_t cache_clock;

void ref_msgq_id_leaf(int id, char *leaf, size_t len)
{
	snprintf(leaf, len, MSGQ_LEAF_PREFIX "i%d", id);
}

static void key_leaf(int32_t key, char *leaf, size_t len)
{
	snprintf(leaf, len, MSGQ_LEAF_PREFIX "k%08x", (unsigned)key);
}

static void key_path(int32_t key, char *path, size_t len)
{
	char leaf[64];

	key_leaf(key, leaf, sizeof leaf);
	snprintf(path, len, REF_SHM_DIR "/%s", leaf);
}

/* The region size for a data area: fixed by the layout in msgq.h. */
static size_t region_size(uint32_t data_size)
{
	return (size_t)MSGQ_HDR_SIZE + RING_HDR_SIZE + data_size;
}

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static void unmap(struct msgq_map *m)
{
	munmap(m->base, m->size);
	close(m->fd);
	free(m);
}

/* Validates a mapped queue file and fills a new cache entry: 0 or -EPROTO. */
static int adopt(int id, int fd, void *base, size_t size, struct msgq_map **out)
{
	volatile struct msgq_shared *sh = base;
	struct msgq_map *m;
	uint32_t data_size;
	int32_t key;
	int err;

	if (atomic_load_explicit(&((struct msgq_shared *)base)->magic, memory_order_acquire) !=
		    MSGQ_MAGIC ||
	    sh->version != MSGQ_VERSION || sh->hdr_size != MSGQ_HDR_SIZE || sh->id != id)
		return -EPROTO;
	/* Each field once, into private memory. */
	data_size = sh->data_size;
	key = sh->key;
	if (!is_pow2(data_size) || data_size < MSGQ_DATA_MIN || data_size > MSGQ_DATA_MAX ||
	    size != region_size(data_size))
		return -EPROTO;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	err = ring_record_attach(&m->ring, (unsigned char *)base + MSGQ_HDR_SIZE,
				 size - MSGQ_HDR_SIZE);
	if (err != 0) {
		free(m);
		return err == -EUCLEAN ? -EUCLEAN : -EPROTO;
	}
	m->id = id;
	m->key = key;
	m->data_size = data_size;
	m->fd = fd;
	m->base = base;
	m->size = size;
	m->sh = base;
	*out = m;
	return 0;
}

/* Drops unused mappings beyond CACHE_KEEP, least recently used first, and stale ones.  Locked. */
static void trim_locked(void)
{
	for (;;) {
		struct msgq_map **victim = NULL;
		unsigned idle = 0;

		for (struct msgq_map **pp = &cache; *pp != NULL; pp = &(*pp)->next) {
			struct msgq_map *m = *pp;

			if (m->refs != 0)
				continue;
			if (m->stale) {
				victim = pp;
				idle = CACHE_KEEP + 1;
				break;
			}
			idle++;
			if (victim == NULL || m->used < (*victim)->used)
				victim = pp;
		}
		if (victim == NULL || idle <= CACHE_KEEP)
			return;
		struct msgq_map *m = *victim;

		*victim = m->next;
		unmap(m);
	}
}

static struct msgq_map *find_locked(int id)
{
	for (struct msgq_map *m = cache; m != NULL; m = m->next)
		if (m->id == id && !m->stale)
			return m;
	return NULL;
}

/* Puts a new mapping in the cache, taken once; another thread's for the same id wins.  Locked. */
static struct msgq_map *insert_locked(struct msgq_map *m, struct msgq_map **loser)
{
	struct msgq_map *have = find_locked(m->id);

	*loser = NULL;
	if (have != NULL) {
		*loser = m;
		m = have;
	} else {
		m->next = cache;
		cache = m;
	}
	m->refs++;
	m->used = ++cache_clock;
	return m;
}

int ref_msgq_map_get(int id, struct msgq_map **out)
{
	char leaf[64];
	struct msgq_map *m, *loser;
	size_t size;
	void *base;
	int fd, err;

	if (id < 0)
		return -EINVAL;
	ref_init_once();
	ref_lock();
	m = find_locked(id);
	if (m != NULL) {
		m->refs++;
		m->used = ++cache_clock;
	}
	ref_unlock();
	if (m != NULL) {
		*out = m;
		return 0;
	}
	ref_msgq_id_leaf(id, leaf, sizeof leaf);
	err = ref_shm_obj_open(leaf, region_size(MSGQ_DATA_MIN), region_size(MSGQ_DATA_MAX), &fd,
			   &base, &size);
	if (err == -ENOENT || err == -EPROTO || err == -ELOOP)
		return -EINVAL; /* no queue of ours has this id */
	if (err != 0)
		return err;
	err = adopt(id, fd, base, size, &m);
	if (err != 0) {
		munmap(base, size);
		close(fd);
		return err == -EPROTO ? -EINVAL : err;
	}
	ref_lock();
	m = insert_locked(m, &loser);
	trim_locked();
	ref_unlock();
	if (loser != NULL)
		unmap(loser);
	*out = m;
	return 0;
}

void ref_msgq_map_put(struct msgq_map *m)
{
	ref_lock();
	m->refs--;
	trim_locked();
	ref_unlock();
}

void ref_msgq_map_forget(struct msgq_map *m)
{
	ref_lock();
	m->stale = true;
	ref_unlock();
}

/* The target of the key's link, if it is one of ours: 0 with the id, -ENOENT, or -errno. */
static int read_key_link(int32_t key, char *target, size_t len, int *id)
{
	char path[sizeof(REF_SHM_DIR) + 64];
	ssize_t n;
	char *end;
	long v;

	key_path(key, path, sizeof path);
	n = readlink(path, target, len - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (strncmp(target, MSGQ_LEAF_PREFIX "i", sizeof(MSGQ_LEAF_PREFIX)) != 0)
		return -ENOSPC; /* not ours: the key cannot be used */
	errno = 0;
	v = strtol(target + sizeof(MSGQ_LEAF_PREFIX), &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX)
		return -ENOSPC;
	*id = (int)v;
	return 0;
}

int ref_msgq_key_id(int32_t key)
{
	char target[128], again[128], leaf[64], path[sizeof(REF_SHM_DIR) + 64];
	struct stat st;
	int id, id2, err = read_key_link(key, target, sizeof target, &id);

	if (err != 0)
		return err;
	ref_msgq_id_leaf(id, leaf, sizeof leaf);
	snprintf(path, sizeof path, REF_SHM_DIR "/%s", leaf);
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return id;
	/*
	 * A link to no file: a removal killed half-way (msgq.h), since a
	 * creator makes the file first.  Remove it if it is still the same.
	 */
	if (read_key_link(key, again, sizeof again, &id2) == 0 && strcmp(again, target) == 0) {
		key_path(key, path, sizeof path);
		unlink(path);
	}
	return -ENOENT;
}

void ref_msgq_unlink_names(const struct msgq_map *m)
{
	char leaf[64], target[128], path[sizeof(REF_SHM_DIR) + 64];
	int id;

	ref_msgq_id_leaf(m->id, leaf, sizeof leaf);
	ref_shm_obj_unlink(leaf);
	/* The key's link is removed only by the removal of the queue it names: under its lock. */
	if (m->key != 0 && read_key_link(m->key, target, sizeof target, &id) == 0 && id == m->id) {
		key_path(m->key, path, sizeof path);
		unlink(path);
	}
}

/* The data area for a queue whose msg_qbytes may grow to qbytes_max: 32 bytes per byte. */
static uint32_t data_size_for(uint64_t qbytes_max)
{
	uint32_t size = MSGQ_DATA_MIN;

	while (size < MSGQ_DATA_MAX && (uint64_t)size < qbytes_max * 32)
		size <<= 1;
	return size;
}

static void init_header(struct msgq_shared *sh, int32_t key, uint32_t data_size, uint32_t mode,
			uint64_t qbytes)
{
	memset(sh, 0, sizeof(*sh));
	sh->version = MSGQ_VERSION;
	sh->hdr_size = MSGQ_HDR_SIZE;
	sh->key = key;
	sh->data_size = data_size;
	sh->st.qbytes = qbytes;
	sh->st.ctime = (int64_t)time(NULL);
	sh->st.uid = sh->st.cuid = (uint32_t)geteuid();
	sh->st.gid = sh->st.cgid = (uint32_t)getegid();
	sh->st.mode = mode & 0777;
}

int ref_msgq_create(int32_t key, uint32_t mode, uint64_t qbytes)
{
	uint32_t data_size = data_size_for(qbytes);
	size_t size = region_size(data_size);
	struct shm_obj_new n;
	struct msgq_shared *sh;
	struct msgq_map *m, *loser;
	char leaf[64];
	int id = -1, err;

	ref_init_once();
	err = ref_shm_obj_create(size, &n);
	if (err != 0)
		return err == -ENOSPC || err == -ENOMEM ? -ENOSPC : err;
	sh = n.base;
	init_header(sh, key, data_size, mode, qbytes);
	err = ring_record_init((unsigned char *)n.base + MSGQ_HDR_SIZE, size - MSGQ_HDR_SIZE,
			       data_size, data_size);
	/* A fresh id: the name is taken by linkat(2), which refuses one in use. */
	for (int tries = 0; err == 0; tries++) {
		id = (int)(ref_random64() & INT_MAX);
		if (id == 0)
			continue;
		sh->id = id;
		atomic_store_explicit(&sh->magic, MSGQ_MAGIC, memory_order_release);
		ref_msgq_id_leaf(id, leaf, sizeof leaf);
		err = ref_shm_obj_publish(&n, leaf, ref_shm_obj_file_mode(mode));
		if (err != -EEXIST)
			break;
		err = tries < 64 ? 0 : -ENOSPC;
	}
	if (err == 0 && key != 0) {
		char path[sizeof(REF_SHM_DIR) + 64];

		key_path(key, path, sizeof path);
		if (symlink(leaf, path) != 0) {
			err = -errno;
			ref_shm_obj_unlink(leaf);
		}
	}
	if (err == 0)
		err = adopt(id, n.fd, n.base, n.size, &m);
	if (err != 0) {
		ref_shm_obj_discard(&n);
		return err;
	}
	/* Cached, unused: the creator is the likeliest next user. */
	ref_lock();
	m = insert_locked(m, &loser);
	m->refs--;
	trim_locked();
	ref_unlock();
	if (loser != NULL)
		unmap(loser);
	return id;
}
