/*
 * sem_support.h -- what semaphore clauses share: calls into the
 * implementation's `sem` table, the system's limits, semaphores made the
 * one safe way (named, unnamed in memory every clause process shares, and
 * System V sets), and small checks of a value.
 */
#ifndef IPCCONF_CONFORMANCE_SEM_SUPPORT_H
#define IPCCONF_CONFORMANCE_SEM_SUPPORT_H

#include <stddef.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <time.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

/* semop(2): the largest value a System V semaphore may hold on Linux (SEMVMX). */
#define SEM_VMX 32767

static inline int iut_sem_open(struct ipcconf_t *t, const char *name, int flags, mode_t mode,
			       unsigned value, void **sem)
{
	return t->iut->sem->open(t->self, name, flags, mode, value, sem);
}

static inline int iut_sem_close(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->close(t->self, sem);
}

static inline int iut_sem_unlink(struct ipcconf_t *t, const char *name)
{
	return t->iut->sem->unlink(t->self, name);
}

static inline int iut_sem_init(struct ipcconf_t *t, void *sem, int pshared, unsigned value)
{
	return t->iut->sem->init(t->self, sem, pshared, value);
}

static inline int iut_sem_destroy(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->destroy(t->self, sem);
}

static inline int iut_sem_wait(struct ipcconf_t *t, void *sem, const struct timespec *abs_timeout)
{
	return t->iut->sem->wait(t->self, sem, abs_timeout);
}

static inline int iut_sem_trywait(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->trywait(t->self, sem);
}

static inline int iut_sem_post(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->post(t->self, sem);
}

static inline int iut_sem_getvalue(struct ipcconf_t *t, void *sem, int *value)
{
	return t->iut->sem->getvalue(t->self, sem, value);
}

static inline int iut_semget(struct ipcconf_t *t, key_t key, int nsems, int flags)
{
	return t->iut->sem->get(t->self, key, nsems, flags);
}

static inline int iut_semop(struct ipcconf_t *t, int id, struct sembuf *ops, size_t nops,
			    const struct timespec *timeout)
{
	return t->iut->sem->op(t->self, id, ops, nops, timeout);
}

static inline int iut_semctl(struct ipcconf_t *t, int id, int semnum, int cmd,
			     union ipcconf_semun arg)
{
	return t->iut->sem->control(t->self, id, semnum, cmd, arg);
}

/* System V limits from /proc/sys/kernel/sem (semget(2) NOTES); -1 when unreadable. */
struct sem_limits {
	long semmsl; /* semaphores per set */
	long semmns; /* semaphores in the system */
	long semopm; /* operations per semop call */
	long semmni; /* sets in the system */
};

void sem_read_limits(struct sem_limits *l);

/*
 * A new named semaphore with `value`: a name from ipcconf_posix_name()
 * (removed by the runner after the clause, even a killed one), O_CREAT |
 * O_EXCL, mode 0600.  The name goes to *name when name is not NULL.  A
 * failure ends the caller.
 */
void *sem_named_create(struct ipcconf_t *t, const char *leaf, unsigned value, const char **name);

/*
 * `count` unnamed process-shared semaphores with `value`, each in its own
 * slot of one MAP_SHARED anonymous mapping (made by the suite, so the
 * clause's later helpers share it), sized and aligned as the table says.
 * Returns the first; sem_unnamed_at() finds the others.  A failure ends
 * the caller.
 */
void *sem_unnamed_create(struct ipcconf_t *t, unsigned count, unsigned value);
void *sem_unnamed_at(struct ipcconf_t *t, void *first, unsigned i);

/*
 * Memory shared by the clause process and the helpers it forks later: a
 * zero-filled MAP_SHARED anonymous mapping of `size` bytes made by the
 * suite (never through the implementation).  Lives until the clause ends.
 */
void *sem_shared_memory(struct ipcconf_t *t, size_t size);

/*
 * A new System V set of `nsems` semaphores, all 0: a key from
 * ipcconf_sysv_key() and IPC_CREAT | IPC_EXCL | 0600.  The key goes to
 * *key when key is not NULL.  A failure ends the caller.
 */
int sem_sysv_create(struct ipcconf_t *t, int nsems, key_t *key);

/* semctl(GETVAL) of semaphore `num`; a failure ends the caller. */
int sem_sysv_value(struct ipcconf_t *t, int id, int num);

/* semctl(SETVAL); a failure ends the caller. */
void sem_sysv_set(struct ipcconf_t *t, int id, int num, int value);

/* sem_getvalue(); a failure ends the caller. */
int sem_value(struct ipcconf_t *t, void *sem);

/* An absolute CLOCK_REALTIME time `ms` milliseconds from now (sem_timedwait's clock). */
struct timespec sem_deadline_in(long ms);

#endif
