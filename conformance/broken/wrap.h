/*
 * wrap.h -- the deliberately broken implementations start from `os` and
 * replace one operation.  Each breaks exactly one rule, so that the suite
 * can be shown to catch it, on the clause for that rule.
 */
#ifndef IPCCONF_BROKEN_WRAP_H
#define IPCCONF_BROKEN_WRAP_H

#include "impl/os/os_iut.h"

struct broken_iut {
	struct ipcconf_iut iut;
	struct ipcconf_stream_ops stream;
	struct ipcconf_pipe_ops pipe;
	struct ipcconf_fifo_ops fifo;
};

/* Fills `b` with a copy of `os`, renamed, whose tables the caller may patch. */
static inline const struct ipcconf_iut *broken_from_os(struct broken_iut *b, const char *name,
						       const char *what)
{
	const struct ipcconf_iut *os = ipcconf_os_iut();
	b->iut = *os;
	b->stream = *os->stream;
	b->pipe = *os->pipe;
	b->fifo = *os->fifo;
	b->iut.stream = &b->stream;
	b->iut.pipe = &b->pipe;
	b->iut.fifo = &b->fifo;
	b->iut.name = name;
	b->iut.description = what;
	return &b->iut;
}

#endif
