/*
 * shmget(2), shmat(2), shmdt(2) and shmctl(2) over the segments of
 * shmem_sysv.h, with Linux's rules (ipc/shm.c): the size checks against
 * SHMMIN, SHMMAX and SHMALL and against an existing segment before the
 * permission check, IPC_RMID that frees the key at once and destroys the
 * segment with its last detach, and what IPC_STAT reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/shm_obj.h"
#include "impl/ref/shmem.h"
#include "impl/ref/shmem_sysv.h"
#include "impl/ref/sysv_registry.h"

#ifndef IPC_64
#define IPC_64 0x0100
#endif

#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)

/* Linux's SHMMIN; SHMMAX and SHMALL where /proc cannot tell (ULONG_MAX - 2^24). */
#define SHMMIN 1
#define SHM_LIMIT_DEFAULT (~0ULL - (1ULL << 24))

/* An unsigned limit from /proc/sys/kernel (shmmax, shmall), read when used. */
static unsigned long long kernel_limit(const char *name)
{
	char path[64], buf[32];
	unsigned long long v;
	char *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SHM_LIMIT_DEFAULT;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return SHM_LIMIT_DEFAULT;
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	return errno != 0 || end == buf ? SHM_LIMIT_DEFAULT : v;
}

static struct ref_ipc_perm perm_of(const struct shmseg_state *st)
{
	return (struct ref_ipc_perm){ .uid = st->uid, .gid = st->gid, .cuid = st->cuid,
				      .cgid = st->cgid, .mode = st->mode & 0777 };
}

/* A segment found by id but destroyed meanwhile: gone for everybody. */
static bool gone_locked(struct shmseg_map *m)
{
	return atomic_load(&m->sh->destroyed) != 0;
}

/* ---- shmget ---- */

/* Linux newseg(): the size against SHMMIN, SHMMAX and SHMALL, then the segment. */
static int create(int32_t key, size_t size, int flags)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long pages;

	if (size < SHMMIN || (unsigned long long)size > kernel_limit("shmmax"))
		return -EINVAL;
	pages = (unsigned long long)size / (unsigned long long)page +
		((unsigned long long)size % (unsigned long long)page != 0);
	if (pages > kernel_limit("shmall") || (uint64_t)size > SHMSEG_MAX)
		return -ENOSPC;
	return shmseg_create(key, (uint64_t)size, (uint32_t)flags & 0777);
}

/*
 * An existing segment for the key: its id, -EINVAL (larger than it),
 * -EACCES, or -EIDRM when it was removed meanwhile (look the key up again).
 */
static int get_existing(int id, size_t size, int flags)
{
	struct shmseg_map *m;
	struct shmseg_state st;
	int err = shmseg_get(id, &m);

	if (err == -EACCES)
		/* The size cannot be read either: only the permission is checked (ref_iut.h). */
		return sysv_file_perms(SHMSEG_PREFIX, "i", id, flags) != 0 ? -EACCES : id;
	if (err == -EINVAL)
		return -EIDRM;
	if (err != 0)
		return err;
	shmseg_lock(m, &st);
	if (gone_locked(m) || atomic_load(&m->sh->removed)) {
		err = -EIDRM;
	} else if ((uint64_t)size > m->segsz) {
		err = -EINVAL; /* Linux shm_more_checks(), before the permission check */
	} else {
		struct ref_ipc_perm p = perm_of(&st);

		err = ref_ipc_perms(&p, flags & 0777);
	}
	shmseg_unlock(m, &st);
	shmseg_put(m);
	return err != 0 ? err : id;
}

int ref_shmget(ref_iut_t *self, key_t key, size_t size, int flags)
{
	(void)self;
	/* Removed segments whose last attacher exited or died go now (shmem_sysv.h NAMES). */
	shmseg_sweep();
	if (key == IPC_PRIVATE)
		return create(0, size, flags);
	for (int tries = 0; tries < 64; tries++) {
		int id = sysv_key_id(SHMSEG_PREFIX, key);

		if (id >= 0) {
			/* Linux ipcget_public(): EEXIST before anything else. */
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				return -EEXIST;
			id = get_existing(id, size, flags);
			if (id != -EIDRM)
				return id;
			continue; /* removed meanwhile: the key is free now */
		}
		if (id != -ENOENT)
			return id;
		if (!(flags & IPC_CREAT))
			return -ENOENT;
		id = create(key, size, flags);
		if (id != -EEXIST)
			return id;
		/* Another process made the key's segment meanwhile. */
	}
	return -ENOSPC;
}

/* ---- shmat, shmdt ---- */

int ref_shmat(ref_iut_t *self, int id, int flags, void **addr)
{
	int prot = (flags & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	int want = (flags & SHM_RDONLY) ? S_IRUGO : S_IRUGO | S_IWUGO;
	struct shmseg_map *m;
	struct shmseg_state st;
	void *p = MAP_FAILED;
	int err;

	(void)self;
	if (id < 0)
		return -EINVAL;
	/* Linux do_shmat(): SHM_REMAP needs an address, and ref always chooses the address. */
	if (flags & SHM_REMAP)
		return -EINVAL;
	if (flags & SHM_EXEC)
		prot |= PROT_EXEC;
	if (addr == NULL)
		return -EFAULT;
	err = shmseg_get(id, &m);
	if (err != 0)
		return err;
	shmseg_lock(m, &st);
	if (gone_locked(m)) {
		err = -EINVAL;
	} else {
		struct ref_ipc_perm pm = perm_of(&st);

		err = ref_ipc_perms(&pm, want);
	}
	if (err == 0) {
		/* Linux lets a removed segment be attached until it is destroyed: so does ref. */
		p = mmap(NULL, m->data_len, prot, MAP_SHARED, m->fd, (off_t)m->hdr_size);
		if (p == MAP_FAILED)
			err = errno == EACCES ? -EACCES : -ENOMEM;
	}
	if (err == 0) {
		err = shmseg_attach_add(m, p, m->data_len);
		if (err != 0)
			munmap(p, m->data_len);
	}
	if (err == 0) {
		st.atime = (int64_t)time(NULL);
		st.lpid = (int32_t)getpid();
	}
	shmseg_unlock(m, &st);
	if (err == -EINVAL)
		shmseg_forget(m);
	shmseg_put(m);
	if (err == 0)
		*addr = p;
	return err;
}

int ref_shmdt(ref_iut_t *self, const void *addr)
{
	struct shmseg_map *m;
	struct shmseg_state st;
	size_t len;
	bool gone;

	(void)self;
	if (shmseg_attach_take(addr, &m, &len) != 0)
		return -EINVAL;
	munmap((void *)addr, len);
	shmseg_lock(m, &st);
	shmseg_attach_drop(m);
	st.dtime = (int64_t)time(NULL);
	st.lpid = (int32_t)getpid();
	shmseg_destroy_if_unused_locked(m);
	gone = gone_locked(m);
	shmseg_unlock(m, &st);
	if (gone)
		shmseg_forget(m);
	shmseg_put(m);
	return 0;
}

/* ---- shmctl ---- */

static void stat_locked(struct shmseg_map *m, const struct shmseg_state *st, struct shmid_ds *buf)
{
	bool removed = atomic_load(&m->sh->removed) != 0;

	memset(buf, 0, sizeof(*buf));
	/* Linux do_shm_rmid(): a removed segment's key reads IPC_PRIVATE, its mode SHM_DEST. */
	buf->shm_perm.__key = removed ? IPC_PRIVATE : m->key;
	buf->shm_perm.uid = st->uid;
	buf->shm_perm.gid = st->gid;
	buf->shm_perm.cuid = st->cuid;
	buf->shm_perm.cgid = st->cgid;
	buf->shm_perm.mode = (unsigned short)((st->mode & 0777) | (removed ? SHM_DEST : 0));
	buf->shm_segsz = (size_t)m->segsz;
	buf->shm_atime = (time_t)st->atime;
	buf->shm_dtime = (time_t)st->dtime;
	buf->shm_ctime = (time_t)st->ctime;
	buf->shm_cpid = st->cpid > 0 ? st->cpid : 0;
	buf->shm_lpid = st->lpid > 0 ? st->lpid : 0;
	buf->shm_nattch = shmseg_nattch(m);
}

/* Linux shmctl_down() IPC_SET: 0 or -errno, the new state in *st. */
static int set_locked(struct shmseg_state *st, const struct shmid_ds *in)
{
	struct ref_ipc_perm p = perm_of(st);

	if (!ref_ipc_owner(&p))
		return -EPERM;
	if (in->shm_perm.uid == (uid_t)-1 || in->shm_perm.gid == (gid_t)-1)
		return -EINVAL;
	st->uid = in->shm_perm.uid;
	st->gid = in->shm_perm.gid;
	st->mode = in->shm_perm.mode & 0777;
	st->ctime = (int64_t)time(NULL);
	return 0;
}

int ref_shmctl(ref_iut_t *self, int id, int cmd, struct shmid_ds *buf)
{
	struct shmid_ds in;
	struct shmseg_state st;
	struct shmseg_map *m;
	bool gone;
	int r;

	(void)self;
	/* Linux ipc_parse_version(): IPC_64 only names the layout, always the C library's here. */
	if (cmd > 0)
		cmd &= ~IPC_64;
	if (id < 0 || (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID))
		return -EINVAL;
	if (cmd != IPC_RMID && buf == NULL)
		return -EFAULT;
	if (cmd == IPC_SET)
		in = *buf;
	r = shmseg_get(id, &m);
	/* A file the caller cannot open: its class has neither read nor write; the owner's has. */
	if (r == -EACCES && cmd != IPC_STAT)
		return -EPERM;
	if (r != 0)
		return r;
	shmseg_lock(m, &st);
	shmseg_destroy_if_unused_locked(m);
	if (gone_locked(m)) {
		r = -EINVAL;
	} else if (cmd == IPC_STAT) {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_perms(&p, S_IRUGO);
		if (r == 0)
			stat_locked(m, &st, buf);
	} else if (cmd == IPC_SET) {
		r = set_locked(&st, &in);
	} else {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_owner(&p) ? 0 : -EPERM;
		if (r == 0 && !atomic_load(&m->sh->removed))
			shmseg_remove_locked(m);
	}
	gone = gone_locked(m);
	shmseg_unlock(m, &st);
	if (r == 0 && cmd == IPC_SET) {
		/* Best effort: the file lets in whom the new owner and mode do (shm_obj.h). */
		if (fchown(m->fd, st.uid, st.gid) != 0) {
			/* Not ours to give away: the owner's class keeps its access. */
		}
		fchmod(m->fd, ref_shm_obj_file_mode(st.mode));
	}
	if (gone)
		shmseg_forget(m);
	shmseg_put(m);
	return r;
}
