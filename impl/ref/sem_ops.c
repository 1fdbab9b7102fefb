/*
 * ref's `sem` table: POSIX semaphores, unnamed and named (sem_posix.c),
 * and System V sets with SEM_UNDO (sem_sysv.c), permissions checked
 * against the caller's user (by the kernel for named semaphores' files,
 * by ref for sets).
 */
#define _GNU_SOURCE
#include <stdalign.h>

#include "impl/ref/sem.h"
#include "impl/ref/tables.h"

const struct ipcconf_sem_ops ref_sem_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_sem_ops,
				   IPCCONF_SEM_CAP_UNNAMED | IPCCONF_SEM_CAP_NAMED |
					   IPCCONF_SEM_CAP_SYSV | IPCCONF_SEM_CAP_UNDO |
					   IPCCONF_SEM_CAP_CREDENTIALS),
	.unnamed_size = sizeof(struct ref_psem),
	.unnamed_align = alignof(struct ref_psem),
	.open = ref_sem_open,
	.close = ref_sem_close,
	.unlink = ref_sem_unlink,
	.init = ref_sem_init,
	.destroy = ref_sem_destroy,
	.wait = ref_sem_wait,
	.trywait = ref_sem_trywait,
	.post = ref_sem_post,
	.getvalue = ref_sem_getvalue,
	.get = ref_semget,
	.op = ref_semop,
	.control = ref_semctl,
};
