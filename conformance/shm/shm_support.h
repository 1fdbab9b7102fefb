/*
 * shm_support.h -- what shared memory clauses share: calls into the
 * implementation's `shm` table (POSIX object handles close through the
 * `handle` table: iut_close in conformance/handle/iut_handle.h), the
 * system's limits, objects made the one safe way, and a probe for
 * accesses that must fault.
 */
#ifndef IPCCONF_CONFORMANCE_SHM_SUPPORT_H
#define IPCCONF_CONFORMANCE_SHM_SUPPORT_H

#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

#include "conformance/handle/iut_handle.h"
#include "conformance/harness/clause.h"

static inline int iut_shm_open(struct ipcconf_t *t, const char *name, int flags, mode_t mode)
{
	return t->iut->shm->open(t->self, name, flags, mode);
}

static inline int iut_shm_unlink(struct ipcconf_t *t, const char *name)
{
	return t->iut->shm->unlink(t->self, name);
}

static inline int iut_shm_truncate(struct ipcconf_t *t, int h, off_t size)
{
	return t->iut->shm->truncate(t->self, h, size);
}

static inline int iut_shm_size(struct ipcconf_t *t, int h, off_t *size)
{
	return t->iut->shm->size(t->self, h, size);
}

static inline int iut_shm_map(struct ipcconf_t *t, int h, size_t len, int prot, int flags,
			      off_t offset, void **addr)
{
	return t->iut->shm->map(t->self, h, len, prot, flags, offset, addr);
}

static inline int iut_shm_unmap(struct ipcconf_t *t, void *addr, size_t len)
{
	return t->iut->shm->unmap(t->self, addr, len);
}

static inline int iut_shmget(struct ipcconf_t *t, key_t key, size_t size, int flags)
{
	return t->iut->shm->get(t->self, key, size, flags);
}

static inline int iut_shmat(struct ipcconf_t *t, int id, int flags, void **addr)
{
	return t->iut->shm->attach(t->self, id, flags, addr);
}

static inline int iut_shmdt(struct ipcconf_t *t, const void *addr)
{
	return t->iut->shm->detach(t->self, addr);
}

static inline int iut_shmctl(struct ipcconf_t *t, int id, int cmd, struct shmid_ds *buf)
{
	return t->iut->shm->control(t->self, id, cmd, buf);
}

/* System V limits from /proc/sys/kernel (shmget(2) NOTES); -1 when unreadable. */
struct shm_limits {
	long long shmmax; /* bytes */
	long long shmmin; /* bytes: 1 on Linux, which has no file for it */
	long long shmall; /* pages */
	long page;        /* sysconf(_SC_PAGESIZE) */
};

void shm_read_limits(struct shm_limits *l);

/* The page size; BROKEN when the system does not say. */
size_t shm_page(struct ipcconf_t *t);

/*
 * A new POSIX object of `size` bytes: a name from ipcconf_posix_name()
 * (removed by the runner after the clause, even a killed one), opened
 * O_RDWR | O_CREAT | O_EXCL with mode 0600 and truncated to `size`.
 * Returns the handle; the name goes to *name when name is not NULL.  A
 * failure ends the caller.
 */
int shm_posix_create(struct ipcconf_t *t, const char *leaf, size_t size, const char **name);

/* A MAP_SHARED read-write mapping of `len` bytes of handle h; a failure ends the caller. */
void *shm_map_shared(struct ipcconf_t *t, int h, size_t len);

/*
 * A new System V segment of `size` bytes: a key from ipcconf_sysv_key()
 * and IPC_CREAT | IPC_EXCL | 0600.  Returns the id; the key goes to *key
 * when key is not NULL.  A failure ends the caller.
 */
int shm_sysv_create(struct ipcconf_t *t, size_t size, key_t *key);

/* shmat() read-write; a failure ends the caller. */
void *shm_attach(struct ipcconf_t *t, int id);

/* IPC_STAT through the implementation; a failure ends the caller. */
void shm_stat(struct ipcconf_t *t, int id, struct shmid_ds *ds);

/*
 * Accesses one byte at `addr` (a read, or a write of `value`) in a helper
 * process and returns the signal that killed the helper (SIGBUS,
 * SIGSEGV), or 0 when the access completed.  For rules of the form "this
 * access faults": the clause survives whatever happens.
 */
int shm_access_signal(struct ipcconf_t *t, volatile unsigned char *addr, int write,
		      unsigned char value);

/* The unprivileged user helpers become: nobody. */
#define SHM_OTHER_UID 65534

#endif
