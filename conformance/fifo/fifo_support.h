/*
 * fifo_support.h -- what FIFO clauses share: calls into the `fifo` table,
 * a FIFO in the clause's private directory, and both of its ends in one
 * process.  (Byte-stream helpers are in conformance/stream, pipe-end ones
 * in conformance/pipe.)
 */
#ifndef IPCCONF_CONFORMANCE_FIFO_SUPPORT_H
#define IPCCONF_CONFORMANCE_FIFO_SUPPORT_H

#include <sys/types.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

static inline int iut_mkfifo(struct ipcconf_t *t, const char *path, mode_t mode)
{
	return t->iut->fifo->mkfifo(t->self, path, mode);
}

static inline int iut_fifo_open(struct ipcconf_t *t, const char *path, int flags)
{
	return t->iut->fifo->open(t->self, path, flags);
}

static inline int iut_fifo_unlink(struct ipcconf_t *t, const char *path)
{
	return t->iut->fifo->unlink(t->self, path);
}

/*
 * Makes a FIFO (mode 0600) named `leaf` in the clause's private directory;
 * mkfifo must succeed.  Returns its path (see ipcconf_path()).
 */
const char *ipcconf_make_fifo(struct ipcconf_t *t, const char *leaf);

/*
 * A reader and a writer on `path`, both in this process and both blocking
 * afterwards.  The read-open uses O_NONBLOCK (no writer exists yet), and
 * the write-open too (a reader now exists): neither may block.
 */
void ipcconf_open_fifo_pair(struct ipcconf_t *t, const char *path, int *r, int *w);

#endif /* IPCCONF_CONFORMANCE_FIFO_SUPPORT_H */
