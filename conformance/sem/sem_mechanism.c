/*
 * The `sem` mechanism (POSIX and System V semaphores) and the `sem`
 * table, as the harness sees them (conformance/harness/mechanism.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "conformance/harness/mechanism.h"
#include "conformance/sem/sem_support.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_sem_ops, member)

/* Each kind of semaphore is a group of its own: each clause USES() the one it calls. */
static const struct ipcconf_member sem_required[] = { { 0 } };

static const struct ipcconf_cap_ops sem_caps[] = {
	{ IPCCONF_SEM_CAP_UNNAMED, "UNNAMED",
	  { M(init), M(destroy), M(wait), M(trywait), M(post), M(getvalue) } },
	{ IPCCONF_SEM_CAP_NAMED, "NAMED",
	  { M(open), M(close), M(unlink), M(wait), M(trywait), M(post), M(getvalue) } },
	{ IPCCONF_SEM_CAP_SYSV, "SYSV", { M(get), M(op), M(control) } },
	{ IPCCONF_SEM_CAP_UNDO, "UNDO", { M(get), M(op), M(control) } },
	{ IPCCONF_SEM_CAP_CREDENTIALS, "CREDENTIALS", { { 0 } } },
	{ 0 },
};

TABLE(sem, .id = IPCCONF_TABLE_SEM, .size = sizeof(struct ipcconf_sem_ops),
      .required = sem_required, .caps = sem_caps);

/* Names and sets a clause left go through the implementation first. */
static void sem_cleanup(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			const struct ipcconf_object *obj)
{
	const struct ipcconf_sem_ops *ops = iut->sem;

	if (!ops)
		return;
	if (obj->kind == IPCCONF_OBJ_POSIX_NAME && (ops->head.caps & IPCCONF_SEM_CAP_NAMED) &&
	    ops->unlink)
		ops->unlink(self, obj->name);
	if (obj->kind == IPCCONF_OBJ_SYSV_KEY && (ops->head.caps & IPCCONF_SEM_CAP_SYSV) &&
	    ops->get && ops->control) {
		int id = ops->get(self, (key_t)strtol(obj->name, NULL, 10), 0, 0);
		if (id >= 0)
			ops->control(self, id, 0, IPC_RMID, (union ipcconf_semun){ .val = 0 });
	}
}

/* The report's header names the limits clauses size sets from (semget(2) NOTES). */
static void sem_probe_limits(struct ipcconf_t *t, char *note, size_t size)
{
	struct sem_limits l;

	sem_read_limits(&l);
	snprintf(note, size, "sem semmsl %ld, semmns %ld, semopm %ld, semmni %ld; SEMVMX %d",
		 l.semmsl, l.semmns, l.semopm, l.semmni, SEM_VMX);
}

MECHANISM(sem,
	  .title = "semaphores",
	  .order = 70,
	  .tables = IPCCONF_TABLE_BIT(SEM),
	  .probe = sem_probe_limits,
	  .cleanup = sem_cleanup);
