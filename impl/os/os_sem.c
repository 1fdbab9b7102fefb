/*
 * The `os` semaphore table: the C library's POSIX semaphores (sem_t,
 * named and unnamed) and System V semaphore sets, results passed on as
 * the system gave them.
 */
#define _GNU_SOURCE
#include "impl/os/os_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdalign.h>
#include <sys/sem.h>

typedef const struct ipcconf_iut iut_t;

static int os_sem_open(iut_t *self, const char *name, int flags, mode_t mode, unsigned value,
		       void **sem)
{
	sem_t *s = sem_open(name, flags, mode, value);

	if (s == SEM_FAILED)
		return -errno;
	*sem = s;
	return 0;
}

static int os_sem_close(iut_t *self, void *sem)
{
	return sem_close(sem) < 0 ? -errno : 0;
}

static int os_sem_unlink(iut_t *self, const char *name)
{
	return sem_unlink(name) < 0 ? -errno : 0;
}

static int os_sem_init(iut_t *self, void *sem, int pshared, unsigned value)
{
	return sem_init(sem, pshared, value) < 0 ? -errno : 0;
}

static int os_sem_destroy(iut_t *self, void *sem)
{
	return sem_destroy(sem) < 0 ? -errno : 0;
}

static int os_sem_wait(iut_t *self, void *sem, const struct timespec *abs_timeout)
{
	int r = abs_timeout ? sem_timedwait(sem, abs_timeout) : sem_wait(sem);
	return r < 0 ? -errno : 0;
}

static int os_sem_trywait(iut_t *self, void *sem)
{
	return sem_trywait(sem) < 0 ? -errno : 0;
}

static int os_sem_post(iut_t *self, void *sem)
{
	return sem_post(sem) < 0 ? -errno : 0;
}

static int os_sem_getvalue(iut_t *self, void *sem, int *value)
{
	return sem_getvalue(sem, value) < 0 ? -errno : 0;
}

static int os_sem_get(iut_t *self, key_t key, int nsems, int flags)
{
	int id = semget(key, nsems, flags);
	return id < 0 ? -errno : id;
}

static int os_sem_op(iut_t *self, int id, struct sembuf *ops, size_t nops,
		     const struct timespec *timeout)
{
	int r = timeout ? semtimedop(id, ops, nops, timeout) : semop(id, ops, nops);
	return r < 0 ? -errno : 0;
}

static int os_sem_control(iut_t *self, int id, int semnum, int cmd, union ipcconf_semun arg)
{
	int r;

	/* semctl is variadic: pass the one member the command reads, as semctl(2) describes. */
	switch (cmd) {
	case SETVAL:
		r = semctl(id, semnum, cmd, arg.val);
		break;
	case GETALL:
	case SETALL:
		r = semctl(id, semnum, cmd, arg.array);
		break;
	case IPC_STAT:
	case IPC_SET:
	case SEM_STAT:
	case IPC_INFO:
	case SEM_INFO:
		r = semctl(id, semnum, cmd, arg.buf);
		break;
	default:
		r = semctl(id, semnum, cmd);
		break;
	}
	return r < 0 ? -errno : r;
}

const struct ipcconf_sem_ops os_sem = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_sem_ops,
				   IPCCONF_SEM_CAP_UNNAMED | IPCCONF_SEM_CAP_NAMED |
					   IPCCONF_SEM_CAP_SYSV | IPCCONF_SEM_CAP_UNDO |
					   IPCCONF_SEM_CAP_CREDENTIALS),
	.unnamed_size = sizeof(sem_t),
	.unnamed_align = alignof(sem_t),
	.open = os_sem_open,
	.close = os_sem_close,
	.unlink = os_sem_unlink,
	.init = os_sem_init,
	.destroy = os_sem_destroy,
	.wait = os_sem_wait,
	.trywait = os_sem_trywait,
	.post = os_sem_post,
	.getvalue = os_sem_getvalue,
	.get = os_sem_get,
	.op = os_sem_op,
	.control = os_sem_control,
};
