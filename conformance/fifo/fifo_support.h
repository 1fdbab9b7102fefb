/*
 * fifo_support.h -- building blocks only the FIFO clauses need: a FIFO in
 * the clause's private directory, and both of its ends in one process.
 * (Stream helpers both mechanisms use are in conformance/harness/clause.h.)
 */
#ifndef IPCCONF_CONFORMANCE_FIFO_SUPPORT_H
#define IPCCONF_CONFORMANCE_FIFO_SUPPORT_H

#include "conformance/harness/clause.h"

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
