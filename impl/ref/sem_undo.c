/*
 * SEM_UNDO adjustments that survive their process (sem_sysv.h UNDO): the
 * slots of a set's undo table, claimed per process, and applied under
 * the set lock by whoever touches the set after their process has died.
 */
#define _GNU_SOURCE
#include "impl/ref/sem_sysv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* A slot's tag, read once: false for a free slot. */
static bool read_tag(const struct semset_map *m, unsigned i, int32_t *pid, uint64_t *start)
{
	volatile struct semset_undo *u = semset_undo(m, i);

	if (u->used != 1)
		return false;
	*pid = u->pid;
	*start = u->start;
	return true;
}

static void free_slot(struct semset_map *m, unsigned i)
{
	struct semset_undo *u = semset_undo(m, i);

	memset(u->adj, 0, (size_t)m->nsems * sizeof(u->adj[0]));
	u->pid = 0;
	u->start = 0;
	u->used = 0;
}

/*
 * Linux exit_sem(): each semaphore's value plus the dead process's
 * adjustment, kept within 0..SEMVMX, and the process as its sempid.  A
 * value no set can hold is taken as 0, what the clamp would make of it.
 */
static bool apply(struct semset_map *m, unsigned i, int32_t pid)
{
	struct semset_undo *u = semset_undo(m, i);
	bool changed = false;

	for (unsigned k = 0; k < m->nsems; k++) {
		int16_t adj = ((volatile int16_t *)u->adj)[k];
		struct semset_sem *s = semset_sem(m, k);
		int v;

		if (adj == 0)
			continue;
		v = semset_value_locked(m, k);
		if (v < 0)
			v = 0;
		v += adj;
		if (v < 0)
			v = 0;
		if (v > SEM_VMX)
			v = SEM_VMX;
		s->val = v;
		s->pid = pid;
		changed = true;
	}
	free_slot(m, i);
	return changed;
}

bool semset_undo_reap_locked(struct semset_map *m)
{
	bool changed = false;

	for (unsigned i = 0; i < SEMSET_UNDOS; i++) {
		int32_t pid;
		uint64_t start;

		if (read_tag(m, i, &pid, &start) && semset_dead(pid, start))
			changed |= apply(m, i, pid);
	}
	return changed;
}

int semset_undo_mine_locked(struct semset_map *m)
{
	int32_t self = (int32_t)getpid();
	uint64_t me = semset_self_start();
	int free_i = -1;

	for (unsigned i = 0; i < SEMSET_UNDOS; i++) {
		int32_t pid;
		uint64_t start;

		if (!read_tag(m, i, &pid, &start)) {
			if (free_i < 0)
				free_i = (int)i;
		} else if (pid == self && start == me) {
			return (int)i;
		}
	}
	/* Dead processes' slots were applied and freed when the lock was taken. */
	if (free_i < 0)
		return -ENOMEM;
	{
		struct semset_undo *u = semset_undo(m, (unsigned)free_i);

		memset(u->adj, 0, (size_t)m->nsems * sizeof(u->adj[0]));
		u->pid = self;
		u->start = me;
		u->used = 1;
	}
	return free_i;
}

void semset_undo_clear_locked(struct semset_map *m, int num)
{
	for (unsigned i = 0; i < SEMSET_UNDOS; i++) {
		struct semset_undo *u = semset_undo(m, i);

		if (num < 0)
			memset(u->adj, 0, (size_t)m->nsems * sizeof(u->adj[0]));
		else if ((unsigned)num < m->nsems)
			u->adj[num] = 0;
	}
}
