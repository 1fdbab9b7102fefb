/*
 * fifo.h -- named pipes.  The name is a real FIFO node made by mkfifo(3),
 * which ref never opens; the contents live in a POSIX shm object (mode
 * 0600) whose name is derived from the node's identity (device, inode,
 * creation time), so any process that can stat the path finds it.
 *
 * The object exists only while the FIFO is open: the first open creates
 * it, the last close removes it (POSIX close(): "any data remaining in
 * the pipe or FIFO shall be discarded", so nothing is lost).  A last
 * holder that dies leaves it behind until the next open of the node
 * (which adopts and empties it) or fifo.unlink (which removes it).
 */
#ifndef IPCCONF_REF_FIFO_H
#define IPCCONF_REF_FIFO_H

#include <sys/types.h>

#include "impl/ref/ref_variant.h"

int ref_fifo_mkfifo(const struct ref_variant *v, const char *path, mode_t mode);
int ref_fifo_open(const struct ref_variant *v, const char *path, int flags);

/* Removes the node and whatever shm object any variant left for it. */
int ref_fifo_unlink(const char *path);

#endif /* IPCCONF_REF_FIFO_H */
