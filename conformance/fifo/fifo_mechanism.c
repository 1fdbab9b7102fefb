/*
 * The `fifo` mechanism and the `fifo` table, as the harness sees them
 * (conformance/harness/mechanism.h).
 */
#include <sys/stat.h>

#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_fifo_ops, member)

static const struct ipcconf_member fifo_required[] = { M(mkfifo), M(open), M(unlink), { 0 } };

static const struct ipcconf_cap_ops fifo_caps[] = { { 0 } };

TABLE(fifo, .id = IPCCONF_TABLE_FIFO, .size = sizeof(struct ipcconf_fifo_ops),
      .required = fifo_required, .caps = fifo_caps);

/*
 * A FIFO a clause left is removed through the implementation's unlink, so
 * that it can drop what it keeps outside the file system.
 */
static void fifo_cleanup(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			 const struct ipcconf_object *obj)
{
	struct stat st;
	if (obj->kind != IPCCONF_OBJ_PATH || !iut->fifo)
		return;
	if (lstat(obj->name, &st) == 0 && S_ISFIFO(st.st_mode))
		iut->fifo->unlink(self, obj->name);
}

MECHANISM(fifo,
	  .title = "named pipes (FIFOs)",
	  .order = 20,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(STREAM) | IPCCONF_TABLE_BIT(FIFO),
	  .cleanup = fifo_cleanup);
