/*
 * fifo.h -- named pipes.  The name is a real FIFO node made by mkfifo(3),
 * which ref never opens; the contents live in a POSIX shared memory
 * object whose name is derived from the node's identity (device, inode,
 * creation time), so any process that can stat the path finds it.
 */
#ifndef IPCCONF_REF_FIFO_H
#define IPCCONF_REF_FIFO_H

#include <sys/types.h>

#include "impl/ref/handles.h"
#include "impl/ref/ref_variant.h"

int ref_fifo_mkfifo(const struct ref_variant *v, const char *path, mode_t mode);
int ref_fifo_open(const struct ref_variant *v, const char *path, int flags);
int ref_fifo_unlink(const char *path);

/*
 * After a release: if no live process holds the FIFO any more, its data
 * is discarded and its capacity reset (POSIX close(): "any data remaining
 * in the pipe or FIFO shall be discarded").
 */
void ref_fifo_discard_if_unheld(struct ref_obj *obj);

#endif /* IPCCONF_REF_FIFO_H */
