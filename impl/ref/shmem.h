/*
 * shmem.h -- the operations of ref's `shm` table (shmem_ops.c puts them
 * together): POSIX objects in shmem_posix.c, System V segments in
 * shmem_sysv.c (over shmem_sysv.h).  The rules they follow and where
 * they differ from Linux are in ref_iut.h, SHARED MEMORY.
 */
#ifndef IPCCONF_REF_SHMEM_H
#define IPCCONF_REF_SHMEM_H

#include "ipcconf/iut.h"

typedef const struct ipcconf_iut ref_iut_t;

/* POSIX (shmem_posix.c) */
int ref_shmp_open(ref_iut_t *self, const char *name, int flags, mode_t mode);
int ref_shmp_unlink(ref_iut_t *self, const char *name);
int ref_shmp_truncate(ref_iut_t *self, int h, off_t size);
int ref_shmp_size(ref_iut_t *self, int h, off_t *size);
int ref_shmp_map(ref_iut_t *self, int h, size_t len, int prot, int flags, off_t offset,
		 void **addr);
int ref_shmp_unmap(ref_iut_t *self, void *addr, size_t len);

/* System V (shmem_sysv.c) */
int ref_shmget(ref_iut_t *self, key_t key, size_t size, int flags);
int ref_shmat(ref_iut_t *self, int id, int flags, void **addr);
int ref_shmdt(ref_iut_t *self, const void *addr);
int ref_shmctl(ref_iut_t *self, int id, int cmd, struct shmid_ds *buf);

#endif /* IPCCONF_REF_SHMEM_H */
