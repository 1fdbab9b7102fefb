/*
 * The `shm` mechanism (POSIX and System V shared memory) and the `shm`
 * table, as the harness sees them (conformance/harness/mechanism.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "conformance/harness/mechanism.h"
#include "conformance/shm/shm_support.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_shm_ops, member)

/* Either group may be missing: each clause USES() the one it calls. */
static const struct ipcconf_member shm_required[] = { { 0 } };

static const struct ipcconf_cap_ops shm_caps[] = {
	{ IPCCONF_SHM_CAP_POSIX, "POSIX",
	  { M(open), M(unlink), M(truncate), M(size), M(map), M(unmap) } },
	{ IPCCONF_SHM_CAP_SYSV, "SYSV", { M(get), M(attach), M(detach), M(control) } },
	{ IPCCONF_SHM_CAP_CREDENTIALS, "CREDENTIALS", { { 0 } } },
	{ 0 },
};

TABLE(shm, .id = IPCCONF_TABLE_SHM, .size = sizeof(struct ipcconf_shm_ops),
      .required = shm_required, .caps = shm_caps);

/*
 * What a clause left is removed through the implementation (which may
 * keep it outside the kernel); the harness then removes the names' and
 * keys' kernel objects itself.
 */
static void shm_cleanup(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			const struct ipcconf_object *obj)
{
	const struct ipcconf_shm_ops *ops = iut->shm;

	if (!ops)
		return;
	if (obj->kind == IPCCONF_OBJ_POSIX_NAME && (ops->head.caps & IPCCONF_SHM_CAP_POSIX) &&
	    ops->unlink)
		ops->unlink(self, obj->name);
	if (obj->kind == IPCCONF_OBJ_SYSV_KEY && (ops->head.caps & IPCCONF_SHM_CAP_SYSV) &&
	    ops->get && ops->control) {
		int id = ops->get(self, (key_t)strtol(obj->name, NULL, 10), 0, 0);
		if (id >= 0)
			ops->control(self, id, IPC_RMID, NULL);
	}
}

/* The report's header names the limits clauses size segments from (shmget(2) NOTES). */
static void shm_probe_limits(struct ipcconf_t *t, char *note, size_t size)
{
	struct shm_limits l;
	char max[32] = "unknown", min[32] = "unknown", all[32] = "unknown";

	shm_read_limits(&l);
	if (l.have_shmmax)
		snprintf(max, sizeof max, "%llu", l.shmmax);
	if (l.have_shmmin)
		snprintf(min, sizeof min, "%llu", l.shmmin);
	if (l.have_shmall)
		snprintf(all, sizeof all, "%llu", l.shmall);
	snprintf(note, size, "shm shmmax %s, shmmin %s, shmall %s pages (%s); page size %ld", max,
		 min, all, l.source, l.page);
}

MECHANISM(shm,
	  .title = "shared memory",
	  .order = 60,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(SHM),
	  .probe = shm_probe_limits,
	  .cleanup = shm_cleanup);
