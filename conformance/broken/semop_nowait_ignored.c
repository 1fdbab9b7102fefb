/*
 * Broken: semop drops IPC_NOWAIT, so an operation that cannot proceed
 * blocks instead of failing with EAGAIN (semop(2): "If IPC_NOWAIT is
 * specified in sem_flg, then semop() fails with errno set to EAGAIN").
 * The suite must turn the resulting hang into a named timeout FAIL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "conformance/broken/wrap.h"

static int op_blocking(const struct ipcconf_iut *self, int id, struct sembuf *ops, size_t nops,
		       const struct timespec *timeout)
{
	struct sembuf copy[64];

	(void)self;
	if (nops > 64)
		return OS->sem->op(OS, id, ops, nops, timeout);
	for (size_t i = 0; i < nops; i++) {
		copy[i] = ops[i];
		copy[i].sem_flg &= ~IPC_NOWAIT;
	}
	return OS->sem->op(OS, id, copy, nops, timeout);
}

const struct ipcconf_iut *broken_semop_nowait_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-semop-nowait-ignored", "semop ignores IPC_NOWAIT and blocks");
	b.sem.op = op_blocking;
	return &b.iut;
}
