/* The fifo table: mkfifo(3), open(2) and unlink(2) of named pipes (fifo.h). */
#define _GNU_SOURCE
#include "impl/ref/fifo.h"
#include "impl/ref/ref_variant.h"
#include "impl/ref/tables.h"

static int ref_mkfifo(const struct ipcconf_iut *self, const char *path, mode_t mode)
{
	return ref_fifo_mkfifo(ref_variant_of(self), path, mode);
}

static int ref_open(const struct ipcconf_iut *self, const char *path, int flags)
{
	return ref_fifo_open(ref_variant_of(self), path, flags);
}

/* Any variant's: the suite may clean up a FIFO with another variant than made it. */
static int ref_unlink(const struct ipcconf_iut *self, const char *path)
{
	(void)self;
	return ref_fifo_unlink(path);
}

const struct ipcconf_fifo_ops ref_fifo_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_fifo_ops, 0),
	.mkfifo = ref_mkfifo,
	.open = ref_open,
	.unlink = ref_unlink,
};
