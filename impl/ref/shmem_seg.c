/*
 * System V segments: their files, each process's cache of mapped headers,
 * attachments and their count, removal and destruction (shmem_sysv.h).
 */
#define _GNU_SOURCE
#include "impl/ref/shmem_sysv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/qcore.h"
#include "impl/ref/shm_obj.h"
#include "impl/ref/sysv_registry.h"

/* A holder slot's "readers" count (holders.h: bits 32-47 of the word). */
#define SLOT_COUNT(w) ((unsigned)((w) >> 32) & 0xffffu)

struct attachment {
	struct attachment *next;
	void *addr;
	size_t len;
	struct shmseg_map *m;
};

static struct attachment *attachments;

/* Never called: a segment's object has no open description (obj.h REF_OBJ_SHMSEG). */
static const struct ref_obj_ops seg_obj_ops = { .name = "System V shared memory segment" };

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

size_t shmseg_hdr_size(void)
{
	size_t page = page_size();

	return (sizeof(struct shmseg_shared) + page - 1) / page * page;
}

static bool data_len_of(uint64_t segsz, size_t *len)
{
	size_t page = page_size();

	if (segsz == 0 || segsz > SHMSEG_MAX)
		return false;
	*len = (size_t)((segsz + page - 1) / page * page);
	return true;
}

static struct shmseg_map *map_of(struct sysv_cached *e)
{
	return ref_container_of(e, struct shmseg_map, c);
}

/* Attached in this process: the entry counts the attachments, it must stay. */
static bool pinned(struct sysv_cached *e)
{
	return map_of(e)->obj.hold[0].readers != 0;
}

/* Off the process's object list with the entry (fork.c walks it). */
static void unlist(struct sysv_cached *e)
{
	ref_obj_unlink_locked(&map_of(e)->obj);
}

static void unmap(struct sysv_cached *e)
{
	struct shmseg_map *m = map_of(e);

	munmap(m->sh, m->hdr_size);
	close(m->fd);
	free(m);
}

/* Guarded by ref_lock(), with the attachment list. */
static struct sysv_cache cache = { .pinned = pinned, .unlist = unlist, .unmap = unmap };

/* Validates a mapped header (each fixed field read once) and makes a cache entry. */
static int adopt(int id, int fd, off_t file_size, struct shmseg_shared *sh,
		 struct shmseg_map **out)
{
	volatile struct shmseg_shared *v = sh;
	size_t hdr = shmseg_hdr_size(), data_len;
	struct ref_holders *sets[1];
	struct shmseg_map *m;
	uint64_t segsz;
	int32_t key;

	if (atomic_load_explicit(&sh->magic, memory_order_acquire) != SHMSEG_MAGIC ||
	    v->version != SHMSEG_VERSION || v->hdr_size != hdr || v->id != id)
		return -EPROTO;
	segsz = v->segsz;
	key = v->key;
	if (!data_len_of(segsz, &data_len) || file_size < 0 ||
	    (uint64_t)file_size != (uint64_t)hdr + data_len)
		return -EPROTO;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	m->c.id = id;
	m->key = key;
	m->segsz = segsz;
	m->hdr_size = hdr;
	m->data_len = data_len;
	m->fd = fd;
	m->sh = sh;
	sets[0] = &sh->attached;
	ref_obj_init(&m->obj, REF_OBJ_SHMSEG, &seg_obj_ops, sets, 1, NULL);
	*out = m;
	return 0;
}

/* A new entry in the cache (and on the object list), taken once. */
static struct shmseg_map *insert(struct shmseg_map *m)
{
	struct sysv_cached *loser, *e;

	ref_lock();
	e = sysv_cache_insert(&cache, &m->c, &loser);
	if (loser == NULL)
		ref_obj_register_locked(&m->obj);
	ref_unlock();
	if (loser != NULL)
		unmap(loser);
	return map_of(e);
}

int shmseg_get(int id, struct shmseg_map **out)
{
	size_t hdr = shmseg_hdr_size();
	struct sysv_cached *e;
	struct shmseg_map *m;
	struct stat st;
	void *base;
	int fd, err;

	if (id <= 0)
		return -EINVAL;
	ref_init_once();
	ref_lock();
	e = sysv_cache_take(&cache, id);
	ref_unlock();
	if (e != NULL) {
		*out = map_of(e);
		return 0;
	}
	fd = sysv_open_id(SHMSEG_PREFIX, "id", id, &st);
	if (fd == -ENOENT || fd == -EPROTO)
		return -EINVAL; /* no segment of ours has this id */
	if (fd < 0)
		return fd;
	if (st.st_size < (off_t)hdr) {
		close(fd);
		return -EINVAL;
	}
	base = mmap(NULL, hdr, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	err = adopt(id, fd, st.st_size, base, &m);
	if (err != 0) {
		munmap(base, hdr);
		close(fd);
		return err == -EPROTO ? -EINVAL : err;
	}
	*out = insert(m);
	return 0;
}

void shmseg_put(struct shmseg_map *m)
{
	struct sysv_cached *dropped;

	ref_lock();
	dropped = sysv_cache_put(&cache, &m->c);
	ref_unlock();
	sysv_cache_unmap_all(&cache, dropped);
}

void shmseg_forget(struct shmseg_map *m)
{
	ref_lock();
	m->c.stale = true;
	ref_unlock();
}

static void stamp(void *base, int id)
{
	struct shmseg_shared *sh = base;

	sh->id = id;
	atomic_store_explicit(&sh->magic, SHMSEG_MAGIC, memory_order_release);
}

int shmseg_create(int32_t key, uint64_t segsz, uint32_t mode)
{
	size_t hdr = shmseg_hdr_size(), data_len;
	struct shmseg_map *m;
	struct shm_obj_new n;
	struct shmseg_shared *sh;
	int id, err;

	if (!data_len_of(segsz, &data_len))
		return -EINVAL;
	ref_init_once();
	/* Only the header is mapped here: the segment may be far larger than memory. */
	err = ref_shm_obj_create(hdr, &n);
	if (err != 0)
		return err == -ENOMEM ? -ENOSPC : err;
	if (ftruncate(n.fd, (off_t)(hdr + data_len)) != 0) {
		err = errno == EFBIG || errno == EINVAL ? -ENOSPC : -errno;
		ref_shm_obj_discard(&n);
		return err;
	}
	sh = n.base;
	memset(sh, 0, sizeof(*sh));
	sh->version = SHMSEG_VERSION;
	sh->hdr_size = (uint32_t)hdr;
	sh->key = key;
	sh->segsz = segsz;
	sh->st.ctime = (int64_t)time(NULL);
	sh->st.cpid = (int32_t)getpid();
	sh->st.uid = sh->st.cuid = (uint32_t)geteuid();
	sh->st.gid = sh->st.cgid = (uint32_t)getegid();
	sh->st.mode = mode & 0777;
	id = sysv_publish(SHMSEG_PREFIX, key, &n, ref_shm_obj_file_mode(mode), stamp);
	if (id < 0) {
		ref_shm_obj_discard(&n);
		return id;
	}
	err = adopt(id, n.fd, (off_t)(hdr + data_len), sh, &m);
	if (err != 0) {
		sysv_unlink_key(SHMSEG_PREFIX, key, id);
		sysv_unlink_id(SHMSEG_PREFIX, SYSV_TAG_LIVE, id);
		ref_shm_obj_discard(&n);
		return err;
	}
	/* Cached, unused: the creator is the likeliest next user. */
	shmseg_put(insert(m));
	return id;
}

void shmseg_lock(struct shmseg_map *m, struct shmseg_state *st)
{
	/*
	 * A holder that died inside leaves at most some fields of the state
	 * written: each is used as it is (the mode masked), so nothing needs
	 * repair.
	 */
	(void)ref_qcore_lock(&m->sh->lock, &m->sh->dirty);
	memcpy(st, (const void *)&m->sh->st, sizeof(*st));
	st->mode &= 0777;
}

void shmseg_unlock(struct shmseg_map *m, const struct shmseg_state *st)
{
	memcpy((void *)&m->sh->st, st, sizeof(*st));
	ref_qcore_unlock(&m->sh->lock, &m->sh->dirty);
}

unsigned long shmseg_nattch(struct shmseg_map *m)
{
	struct ref_holders *set = &m->sh->attached;
	unsigned long n = 0;

	holders_forget_dead(set);
	for (int i = 0; i < REF_SLOTS; i++)
		n += SLOT_COUNT(atomic_load(&set->slot[i]));
	return n;
}

static void destroy_locked(struct shmseg_map *m)
{
	atomic_store(&m->sh->destroyed, 1);
	sysv_unlink_key(SHMSEG_PREFIX, m->key, m->c.id);
	sysv_unlink_id(SHMSEG_PREFIX, SYSV_TAG_REMOVED, m->c.id);
	sysv_unlink_id(SHMSEG_PREFIX, SYSV_TAG_LIVE, m->c.id);
}

void shmseg_destroy_if_unused_locked(struct shmseg_map *m)
{
	if (atomic_load(&m->sh->removed) && !atomic_load(&m->sh->destroyed) &&
	    shmseg_nattch(m) == 0)
		destroy_locked(m);
}

void shmseg_remove_locked(struct shmseg_map *m)
{
	/*
	 * The name first: a remover killed after it leaves a "...d" file,
	 * which the sweep treats as removed whatever its mark says, and a
	 * dangling key link, which the next lookup of the key removes.
	 */
	sysv_rename_id(SHMSEG_PREFIX, m->c.id, SYSV_TAG_LIVE, SYSV_TAG_REMOVED);
	atomic_store(&m->sh->removed, 1);
	sysv_unlink_key(SHMSEG_PREFIX, m->key, m->c.id);
	shmseg_destroy_if_unused_locked(m);
}

static void sweep_one(int id, void *ctx)
{
	struct shmseg_map *m;
	struct shmseg_state st;
	bool gone;

	(void)ctx;
	if (shmseg_get(id, &m) != 0)
		return;
	shmseg_lock(m, &st);
	if (!atomic_load(&m->sh->destroyed)) {
		atomic_store(&m->sh->removed, 1);
		shmseg_destroy_if_unused_locked(m);
	}
	gone = atomic_load(&m->sh->destroyed) != 0;
	shmseg_unlock(m, &st);
	if (gone)
		shmseg_forget(m);
	shmseg_put(m);
}

void shmseg_sweep(void)
{
	sysv_each(SHMSEG_PREFIX, SYSV_TAG_REMOVED, sweep_one, NULL);
}

int shmseg_attach_add(struct shmseg_map *m, void *addr, size_t len)
{
	struct ref_holding *hd = &m->obj.hold[0];
	struct attachment *a = malloc(sizeof(*a));
	int err;

	if (a == NULL)
		return -ENOMEM;
	ref_lock();
	err = holders_add(hd->set, &hd->slot, (uint32_t)getpid(), 1, 0);
	if (err == 0) {
		hd->readers++;
		a->addr = addr;
		a->len = len;
		a->m = m;
		a->next = attachments;
		attachments = a;
	}
	ref_unlock();
	if (err != 0) {
		free(a);
		return -ENOMEM;
	}
	return 0;
}

int shmseg_attach_take(const void *addr, struct shmseg_map **m, size_t *len)
{
	struct attachment *a = NULL;

	ref_lock();
	for (struct attachment **pp = &attachments; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->addr == addr) {
			a = *pp;
			*pp = a->next;
			a->m->c.refs++; /* for the caller: shmseg_put() */
			break;
		}
	}
	ref_unlock();
	if (a == NULL)
		return -EINVAL;
	*m = a->m;
	*len = a->len;
	free(a);
	return 0;
}

void shmseg_attach_drop(struct shmseg_map *m)
{
	struct ref_holding *hd = &m->obj.hold[0];

	ref_lock();
	if (hd->readers > 0) {
		hd->readers--;
		if (hd->slot >= 0)
			holders_adjust(hd->set, &hd->slot, -1, 0);
	}
	ref_unlock();
}
