/*
 * Broken: semop drops SEM_UNDO, so a process's adjustments outlive it
 * (semop(2): "If an operation specifies SEM_UNDO, it will be
 * automatically undone when the process terminates").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/sem.h>

#include "conformance/broken/wrap.h"

static int op_no_undo(const struct ipcconf_iut *self, int id, struct sembuf *ops, size_t nops,
		      const struct timespec *timeout)
{
	struct sembuf copy[64];

	(void)self;
	if (nops > 64)
		return OS->sem->op(OS, id, ops, nops, timeout);
	for (size_t i = 0; i < nops; i++) {
		copy[i] = ops[i];
		copy[i].sem_flg &= ~SEM_UNDO;
	}
	return OS->sem->op(OS, id, copy, nops, timeout);
}

const struct ipcconf_iut *broken_sem_undo_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sem-undo-ignored", "semop ignores SEM_UNDO");
	b.sem.op = op_no_undo;
	return &b.iut;
}
