/*
 * The `os` System V message queue table: msgget, msgsnd, msgrcv and
 * msgctl of the C library, results passed on as the system gave them.
 */
#define _GNU_SOURCE
#include "impl/os/os_queues.h"

#include <errno.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef const struct ipcconf_iut iut_t;

static int os_msgq_get(iut_t *self, key_t key, int flags)
{
	int id = msgget(key, flags);
	return id < 0 ? -errno : id;
}

/*
 * Under AddressSanitizer, its msgsnd interceptor reads `size` bytes of the
 * buffer before the call, so an invalid size (the clauses pass
 * (size_t)-1, which the kernel refuses with EINVAL) would crash the
 * sanitizer build instead of reaching the kernel.  There the system call
 * is made directly; elsewhere it is the C library's msgsnd, as for every
 * os operation.
 */
#if defined(__SANITIZE_ADDRESS__)
#define OS_MSGSND_RAW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OS_MSGSND_RAW 1
#endif
#endif

static int os_msgq_send(iut_t *self, int id, const void *msg, size_t size, int flags)
{
#ifdef OS_MSGSND_RAW
	return syscall(SYS_msgsnd, id, msg, size, flags) < 0 ? -errno : 0;
#else
	return msgsnd(id, msg, size, flags) < 0 ? -errno : 0;
#endif
}

static ssize_t os_msgq_receive(iut_t *self, int id, void *msg, size_t size, long type, int flags)
{
	ssize_t n = msgrcv(id, msg, size, type, flags);
	return n < 0 ? -errno : n;
}

static int os_msgq_control(iut_t *self, int id, int cmd, struct msqid_ds *buf)
{
	int r = msgctl(id, cmd, buf);
	return r < 0 ? -errno : r;
}

const struct ipcconf_msgq_ops os_msgq = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_msgq_ops,
				   IPCCONF_MSGQ_CAP_EXCEPT | IPCCONF_MSGQ_CAP_COPY |
					   IPCCONF_MSGQ_CAP_CREDENTIALS),
	.get = os_msgq_get,
	.send = os_msgq_send,
	.receive = os_msgq_receive,
	.control = os_msgq_control,
};
