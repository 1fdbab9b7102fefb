/*
 * pipe_support.h -- what pipe and FIFO clauses share: calls into the
 * `pipe` table (every pipe end, FIFOs' included, accepts them), limits
 * read from the implementation, and filling and draining a pipe.
 */
#ifndef IPCCONF_CONFORMANCE_PIPE_SUPPORT_H
#define IPCCONF_CONFORMANCE_PIPE_SUPPORT_H

#include "conformance/harness/clause.h"
#include "conformance/stream/stream_support.h"

static inline int iut_pipe(struct ipcconf_t *t, int ends[2], int flags)
{
	return t->iut->pipe->create(t->self, ends, flags);
}

static inline long iut_get_capacity(struct ipcconf_t *t, int h)
{
	return t->iut->pipe->get_capacity(t->self, h);
}

static inline long iut_set_capacity(struct ipcconf_t *t, int h, long bytes)
{
	return t->iut->pipe->set_capacity(t->self, h, bytes);
}

static inline long long iut_seek(struct ipcconf_t *t, int h, long long offset, int whence)
{
	return t->iut->pipe->seek(t->self, h, offset, whence);
}

/*
 * pipe_buf(h), which must be at least POSIX's minimum of 512; BROKEN when
 * the implementation does not report it (clauses that need it declare
 * USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF) and are SKIPs then).
 */
long ipcconf_pipe_buf(struct ipcconf_t *t, int h);

/*
 * Fills the pipe through write end `w` (switched to O_NONBLOCK, and left
 * so) until a one-byte write returns -EAGAIN; returns the bytes accepted.
 * A pipe is bounded (seed:P8): one that accepts more than its reported
 * capacity (or, when it reports none, more than 64 MiB) is a FAIL.
 */
long ipcconf_fill(struct ipcconf_t *t, int w);

/*
 * ipcconf_fill(), then puts write end `w` back to blocking mode (O_NONBLOCK
 * clear), so that the next write into the full pipe blocks; returns the
 * bytes accepted.
 */
long ipcconf_fill_then_block(struct ipcconf_t *t, int w);

/*
 * Reads `n` bytes of what ipcconf_fill() wrote, in reads of at most 4096
 * bytes, and checks that every one is the filler's 0; a byte that is not
 * 0 (data out of order, or bytes that should not be there) is a FAIL
 * naming `what` and its offset, and the caller ends.
 */
void ipcconf_read_fill(struct ipcconf_t *t, int r, long n, const char *what);

/* As ipcconf_read_fill(), in reads of at most `piece` bytes (1 to 4096). */
void ipcconf_read_fill_by(struct ipcconf_t *t, int r, long n, size_t piece, const char *what);

#endif /* IPCCONF_CONFORMANCE_PIPE_SUPPORT_H */
