/*
 * ref's `shm` table: POSIX objects (shmem_posix.c) and System V segments
 * (shmem_sysv.c), both groups, with permissions checked against the
 * caller's user (by the kernel for POSIX objects, by ref for segments).
 */
#define _GNU_SOURCE
#include "impl/ref/shmem.h"
#include "impl/ref/tables.h"

const struct ipcconf_shm_ops ref_shm_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_shm_ops, IPCCONF_SHM_CAP_POSIX |
							   IPCCONF_SHM_CAP_SYSV |
							   IPCCONF_SHM_CAP_CREDENTIALS),
	.open = ref_shmp_open,
	.unlink = ref_shmp_unlink,
	.truncate = ref_shmp_truncate,
	.size = ref_shmp_size,
	.map = ref_shmp_map,
	.unmap = ref_shmp_unmap,
	.get = ref_shmget,
	.attach = ref_shmat,
	.detach = ref_shmdt,
	.control = ref_shmctl,
};
