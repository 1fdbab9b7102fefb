/*
 * sem.h -- the operations of ref's `sem` table (sem_ops.c puts them
 * together): POSIX semaphores, named and unnamed, in sem_posix.c (over
 * struct ref_psem below); System V sets in sem_sysv.c (over
 * sem_sysv.h).  The rules they follow and where they differ from Linux
 * are in ref_iut.h, SEMAPHORES.
 */
#ifndef IPCCONF_REF_SEM_H
#define IPCCONF_REF_SEM_H

#include <stdatomic.h>
#include <stdint.h>

#include "ipcconf/iut.h"

typedef const struct ipcconf_iut ref_sem_iut_t;

/*
 * A POSIX semaphore, in the caller's memory (unnamed) or in a file of its
 * own (named): the value, never above SEM_VALUE_MAX, is the futex word
 * waits sleep on; `sleepers` counts the waits asleep on it, so that a
 * post calls FUTEX_WAKE only when somebody sleeps.  `magic` tells an
 * initialised semaphore from other memory (EINVAL).  Every word may be
 * written by any process that maps it: each is read once per step and
 * checked.
 */
struct ref_psem {
	_Atomic uint32_t value;
	_Atomic uint32_t sleepers;
	_Atomic uint32_t magic;
	uint32_t reserved;
};

#define REF_PSEM_MAGIC 0x4d455350u /* "PSEM" in memory on little-endian */

/* POSIX (sem_posix.c) */
int ref_sem_open(ref_sem_iut_t *self, const char *name, int flags, mode_t mode, unsigned value,
		 void **sem);
int ref_sem_close(ref_sem_iut_t *self, void *sem);
int ref_sem_unlink(ref_sem_iut_t *self, const char *name);
int ref_sem_init(ref_sem_iut_t *self, void *sem, int pshared, unsigned value);
int ref_sem_destroy(ref_sem_iut_t *self, void *sem);
int ref_sem_wait(ref_sem_iut_t *self, void *sem, const struct timespec *abs_timeout);
int ref_sem_trywait(ref_sem_iut_t *self, void *sem);
int ref_sem_post(ref_sem_iut_t *self, void *sem);
int ref_sem_getvalue(ref_sem_iut_t *self, void *sem, int *value);

/* System V (sem_sysv.c) */
int ref_semget(ref_sem_iut_t *self, key_t key, int nsems, int flags);
int ref_semop(ref_sem_iut_t *self, int id, struct sembuf *ops, size_t nops,
	      const struct timespec *timeout);
int ref_semctl(ref_sem_iut_t *self, int id, int semnum, int cmd, union ipcconf_semun arg);

#endif /* IPCCONF_REF_SEM_H */
