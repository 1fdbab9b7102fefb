#ifndef IPCCONF_IMPL_OS_MEMORY_H
#define IPCCONF_IMPL_OS_MEMORY_H

#include "ipcconf/iut.h"

/* The C library's shared memory (os_shm.c) and semaphores (os_sem.c). */
extern const struct ipcconf_shm_ops os_shm;
extern const struct ipcconf_sem_ops os_sem;

#endif
