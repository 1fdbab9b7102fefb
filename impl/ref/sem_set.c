/*
 * System V semaphore sets: their files, each process's cache of mapped
 * sets, the set lock with its wake-ups, and the table of sleeping semop
 * calls (sem_sysv.h).
 */
#define _GNU_SOURCE
#include "impl/ref/sem_sysv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/qcore.h"
#include "impl/ref/shm_obj.h"
#include "impl/ref/signal_model.h"
#include "impl/ref/sysv_registry.h"
#include "impl/sync/sync_futex.h"

static size_t round_up(size_t v, size_t to)
{
	return (v + to - 1) / to * to;
}

void semset_layout(uint32_t nsems, struct semset_layout *l)
{
	long page = sysconf(_SC_PAGESIZE);

	l->sems_off = round_up(sizeof(struct semset_shared), 64);
	l->waiters_off = round_up(l->sems_off + (size_t)nsems * sizeof(struct semset_sem), 64);
	l->undo_off = round_up(l->waiters_off + SEMSET_WAITERS * sizeof(struct semset_waiter), 64);
	l->undo_stride = round_up(sizeof(struct semset_undo) + (size_t)nsems * sizeof(int16_t), 16);
	l->total = round_up(l->undo_off + SEMSET_UNDOS * l->undo_stride,
			    page > 0 ? (size_t)page : 4096);
}

/* ---- the cache ---- */

static struct semset_map *map_of(struct sysv_cached *e)
{
	return ref_container_of(e, struct semset_map, c);
}

static void unmap(struct sysv_cached *e)
{
	struct semset_map *m = map_of(e);

	munmap(m->base, m->lay.total);
	close(m->fd);
	free(m);
}

/* Guarded by ref_lock(). */
static struct sysv_cache cache = { .unmap = unmap };

/* Validates a mapped set (each fixed field read once) and makes a cache entry. */
static int adopt(int id, int fd, unsigned char *base, size_t size, struct semset_map **out)
{
	struct semset_shared *sh = (struct semset_shared *)base;
	volatile struct semset_shared *v = sh;
	struct semset_map *m;
	uint32_t nsems;
	int32_t key;

	if (size < sizeof(*sh) ||
	    atomic_load_explicit(&sh->magic, memory_order_acquire) != SEMSET_MAGIC ||
	    v->version != SEMSET_VERSION || v->id != id)
		return -EPROTO;
	nsems = v->nsems;
	key = v->key;
	if (nsems == 0 || nsems > SEMSET_NSEMS_MAX)
		return -EPROTO;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	semset_layout(nsems, &m->lay);
	if (m->lay.total != size) {
		free(m);
		return -EPROTO;
	}
	m->c.id = id;
	m->key = key;
	m->nsems = nsems;
	m->fd = fd;
	m->base = base;
	m->sh = sh;
	*out = m;
	return 0;
}

static struct semset_map *insert(struct semset_map *m)
{
	struct sysv_cached *loser, *e;

	ref_lock();
	e = sysv_cache_insert(&cache, &m->c, &loser);
	ref_unlock();
	if (loser != NULL)
		unmap(loser);
	return map_of(e);
}

int semset_get(int id, struct semset_map **out)
{
	struct sysv_cached *e;
	struct semset_map *m;
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
	fd = sysv_open_id(SEMSET_PREFIX, "i", id, &st);
	if (fd == -ENOENT || fd == -EPROTO)
		return -EINVAL; /* no set of ours has this id */
	if (fd < 0)
		return fd;
	if (st.st_size < (off_t)sizeof(struct semset_shared) || st.st_size > (off_t)1 << 32) {
		close(fd);
		return -EINVAL;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	err = adopt(id, fd, base, (size_t)st.st_size, &m);
	if (err != 0) {
		munmap(base, (size_t)st.st_size);
		close(fd);
		return err == -EPROTO ? -EINVAL : err;
	}
	*out = insert(m);
	return 0;
}

void semset_put(struct semset_map *m)
{
	struct sysv_cached *dropped;

	ref_lock();
	dropped = sysv_cache_put(&cache, &m->c);
	ref_unlock();
	sysv_cache_unmap_all(&cache, dropped);
}

void semset_forget(struct semset_map *m)
{
	ref_lock();
	m->c.stale = true;
	ref_unlock();
}

static void stamp(void *base, int id)
{
	struct semset_shared *sh = base;

	sh->id = id;
	atomic_store_explicit(&sh->magic, SEMSET_MAGIC, memory_order_release);
}

int semset_create(int32_t key, uint32_t nsems, uint32_t mode)
{
	struct semset_layout lay;
	struct semset_shared *sh;
	struct semset_map *m;
	struct shm_obj_new n;
	int id, err;

	if (nsems == 0 || nsems > SEMSET_NSEMS_MAX)
		return -EINVAL;
	ref_init_once();
	semset_layout(nsems, &lay);
	err = ref_shm_obj_create(lay.total, &n);
	if (err != 0)
		return err == -ENOMEM ? -ENOSPC : err;
	/* A new file reads as zeros: every value, record and slot starts empty. */
	sh = n.base;
	sh->version = SEMSET_VERSION;
	sh->key = key;
	sh->nsems = nsems;
	sh->st.ctime = (int64_t)time(NULL);
	sh->st.uid = sh->st.cuid = (uint32_t)geteuid();
	sh->st.gid = sh->st.cgid = (uint32_t)getegid();
	sh->st.mode = mode & 0777;
	id = sysv_publish(SEMSET_PREFIX, key, &n, ref_shm_obj_file_mode(mode), stamp);
	if (id < 0) {
		ref_shm_obj_discard(&n);
		return id;
	}
	err = adopt(id, n.fd, n.base, n.size, &m);
	if (err != 0) {
		sysv_unlink_key(SEMSET_PREFIX, key, id);
		sysv_unlink_id(SEMSET_PREFIX, SYSV_TAG_LIVE, id);
		ref_shm_obj_discard(&n);
		return err;
	}
	/* Cached, unused: the creator is the likeliest next user. */
	semset_put(insert(m));
	return id;
}

/* ---- the lock ---- */

void semset_lock(struct semset_map *m, struct semset_state *st, bool *wake)
{
	/*
	 * A holder that died inside may have left an operation list half
	 * written: each value is still checked when read (ref_iut.h).
	 */
	(void)ref_qcore_lock(&m->sh->lock, &m->sh->dirty);
	memcpy(st, (const void *)&m->sh->st, sizeof(*st));
	st->mode &= 0777;
	*wake = !atomic_load(&m->sh->removed) && semset_undo_reap_locked(m);
}

void semset_unlock(struct semset_map *m, const struct semset_state *st, bool wake)
{
	memcpy((void *)&m->sh->st, st, sizeof(*st));
	/* Before the unlock: a sleeper that read seq before our change finds it moved. */
	if (wake)
		atomic_fetch_add(&m->sh->seq, 1);
	ref_qcore_unlock(&m->sh->lock, &m->sh->dirty);
	if (wake && atomic_load(&m->sh->sleepers) != 0)
		sync_futex_wake(&m->sh->seq, INT_MAX);
}

void semset_remove_locked(struct semset_map *m)
{
	atomic_store(&m->sh->removed, 1);
	sysv_unlink_id(SEMSET_PREFIX, SYSV_TAG_LIVE, m->c.id);
	sysv_unlink_key(SEMSET_PREFIX, m->key, m->c.id);
}

int semset_value_locked(const struct semset_map *m, unsigned i)
{
	int32_t v = ((volatile struct semset_sem *)semset_sem(m, i))->val;

	return v < 0 || v > SEM_VMX ? -EUCLEAN : (int)v;
}

/* ---- processes ---- */

uint64_t semset_self_start(void)
{
	static _Atomic pid_t known_pid;
	static _Atomic uint64_t known_start;
	pid_t self = getpid();
	struct sigm_stat st;

	/* Per process: a fork child reads its own. */
	if (atomic_load(&known_pid) == self)
		return atomic_load(&known_start);
	if (sigm_proc_stat(0, &st) != 0)
		return 0;
	atomic_store(&known_start, st.start);
	atomic_store(&known_pid, self);
	return st.start;
}

bool semset_dead(int32_t pid, uint64_t start)
{
	if (pid <= 0)
		return true;
	if (pid == getpid())
		return start != 0 && start != semset_self_start();
	return sigm_proc_dead(pid, start);
}

/* ---- the waiter table ---- */

/* A record read once: its process and what it waits for; false for a free or broken one. */
static bool read_waiter(const struct semset_map *m, unsigned i, struct semset_waiter *w)
{
	memcpy(w, (const void *)semset_waiter(m, i), sizeof(*w));
	return w->used == 1 && w->pid > 0 && w->num < m->nsems;
}

int semset_waiter_set_locked(struct semset_map *m, int slot, unsigned num, bool zero)
{
	struct semset_waiter mine = { .pid = (int32_t)getpid(), .num = (uint16_t)num,
				      .zero = zero, .used = 1, .start = semset_self_start() };
	struct semset_waiter w;

	if (slot >= 0 && slot < SEMSET_WAITERS && read_waiter(m, (unsigned)slot, &w) &&
	    w.pid == mine.pid && w.start == mine.start) {
		memcpy(semset_waiter(m, (unsigned)slot), &mine, sizeof(mine));
		return slot;
	}
	/* A free record, else one whose process has died. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < SEMSET_WAITERS; i++) {
			bool take = read_waiter(m, i, &w) ? pass == 1 && semset_dead(w.pid, w.start)
							  : true;

			if (take) {
				memcpy(semset_waiter(m, i), &mine, sizeof(mine));
				return (int)i;
			}
		}
	}
	return -1;
}

void semset_waiter_clear_locked(struct semset_map *m, int slot)
{
	if (slot >= 0 && slot < SEMSET_WAITERS)
		memset(semset_waiter(m, (unsigned)slot), 0, sizeof(struct semset_waiter));
}

int semset_waiters_locked(struct semset_map *m, unsigned num, bool zero)
{
	struct semset_waiter w;
	int n = 0;

	for (unsigned i = 0; i < SEMSET_WAITERS; i++) {
		if (!read_waiter(m, i, &w)) {
			continue;
		} else if (semset_dead(w.pid, w.start)) {
			/* Died asleep (a kill): it waits no more. */
			semset_waiter_clear_locked(m, (int)i);
		} else if (w.num == num && (w.zero != 0) == zero) {
			n++;
		}
	}
	return n;
}
