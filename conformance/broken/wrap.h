/*
 * wrap.h -- the deliberately broken implementations start from `os` and
 * replace one operation.  Each breaks exactly one rule, so that the suite
 * can be shown to catch it, on the clause for that rule.
 *
 * A replaced operation receives the broken table as `self`; when it calls
 * on into `os` it passes os's own table (OS below), never that `self`, so
 * that `os` is always called exactly as the suite would call it.
 */
#ifndef IPCCONF_BROKEN_WRAP_H
#define IPCCONF_BROKEN_WRAP_H

#include "impl/os/os_iut.h"

#define OS (ipcconf_os_iut())

struct broken_iut {
	struct ipcconf_iut iut;
	struct ipcconf_handle_ops handle;
	struct ipcconf_stream_ops stream;
	struct ipcconf_pipe_ops pipe;
	struct ipcconf_fifo_ops fifo;
	struct ipcconf_signal_ops signal;
	struct ipcconf_msgq_ops msgq;
	struct ipcconf_mq_ops mq;
	struct ipcconf_shm_ops shm;
	struct ipcconf_sem_ops sem;
	struct ipcconf_socket_ops socket;
};

/* Fills `b` with a copy of `os`, renamed, whose tables the caller may patch. */
static inline const struct ipcconf_iut *broken_from_os(struct broken_iut *b, const char *name,
						       const char *what)
{
	const struct ipcconf_iut *os = OS;
	b->iut = *os;
	b->handle = *os->handle;
	b->stream = *os->stream;
	b->pipe = *os->pipe;
	b->fifo = *os->fifo;
	b->signal = *os->signal;
	b->msgq = *os->msgq;
	b->mq = *os->mq;
	b->shm = *os->shm;
	b->sem = *os->sem;
	b->socket = *os->socket;
	b->iut.handle = &b->handle;
	b->iut.stream = &b->stream;
	b->iut.pipe = &b->pipe;
	b->iut.fifo = &b->fifo;
	b->iut.signal = &b->signal;
	b->iut.msgq = &b->msgq;
	b->iut.mq = &b->mq;
	b->iut.shm = &b->shm;
	b->iut.sem = &b->sem;
	b->iut.socket = &b->socket;
	b->iut.name = name;
	b->iut.description = what;
	return &b->iut;
}

#endif
