/*
 * stream_support.h -- byte streams in clauses: calls into the `stream`
 * table, and whole-buffer I/O that loops over short reads and writes.
 * Any mechanism whose handles are byte streams (pipes, FIFOs, stream
 * sockets) uses these.
 */
#ifndef IPCCONF_CONFORMANCE_STREAM_SUPPORT_H
#define IPCCONF_CONFORMANCE_STREAM_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "conformance/handle/iut_handle.h"
#include "conformance/harness/clause.h"

static inline ssize_t iut_read(struct ipcconf_t *t, int h, void *buf, size_t len)
{
	return t->iut->stream->read(t->self, h, buf, len);
}

static inline ssize_t iut_write(struct ipcconf_t *t, int h, const void *buf, size_t len)
{
	return t->iut->stream->write(t->self, h, buf, len);
}

static inline long iut_nread(struct ipcconf_t *t, int h)
{
	return t->iut->stream->nread(t->self, h);
}

/* Reads exactly `len` bytes (looping over short reads); FAIL on EOF or error. */
void ipcconf_read_exact(struct ipcconf_t *t, int r, void *buf, size_t len, const char *what);

/* Writes all `len` bytes (looping over short writes); FAIL on error. */
void ipcconf_write_all(struct ipcconf_t *t, int w, const void *buf, size_t len, const char *what);

/*
 * Reads through nonblocking `h` until -EAGAIN: everything the stream holds
 * now, however the implementation splits it into reads.  The first `cap`
 * bytes land in `buf`, the rest is read and dropped.  Returns the count.
 * An error, or more than `limit` bytes without -EAGAIN, is a FAIL naming
 * `what`, and the caller ends.
 */
size_t ipcconf_drain_now(struct ipcconf_t *t, int h, char *buf, size_t cap, size_t limit,
			 const char *what);

/*
 * Sets O_NONBLOCK on read end `r` (and leaves it so) and checks that a
 * 1-byte read fails with -EAGAIN: nothing more is in the stream and a
 * writer is open.  `what` names the read in the message.
 */
void ipcconf_expect_empty(struct ipcconf_t *t, int r, const char *what);

#endif /* IPCCONF_CONFORMANCE_STREAM_SUPPORT_H */
