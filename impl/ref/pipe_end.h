/*
 * pipe_end.h -- the objects of kinds "pipe" and "fifo": a byte ring in a
 * shared region (pipe_region.h), and the operations on their open ends,
 * which are the same for both kinds: read(2), write(2), poll(2),
 * ioctl(FIONREAD), fcntl(F_[GS]ETPIPE_SZ) and fpathconf(_PC_PIPE_BUF) as
 * Linux does them for pipes (fs/pipe.c).  The kinds differ in how a
 * region is found and in what a release means (pipe.c, fifo.c).
 */
#ifndef IPCCONF_REF_PIPE_END_H
#define IPCCONF_REF_PIPE_END_H

#include <sys/types.h>

#include "impl/ref/obj.h"
#include "impl/ref/pipe_region.h"
#include "impl/ring/ring.h"

struct pipe_obj {
	struct ref_obj obj;          /* the generic part (obj.h) */
	unsigned char *base;         /* the mapped region, REF_REGION_SIZE bytes */
	struct pipe_shared *sh;
	struct ring ring;
	struct pipe_limits limits;   /* validated at attach: trusted */
	int fd;                      /* a pipe's unnamed file (pipe.h); -1: none kept */
	dev_t fd_dev;                /* its identity, so that a descriptor the program */
	ino_t fd_ino;                /* closed and reused behind our back is left alone */
};

static inline struct pipe_obj *pipe_obj_of(struct ref_obj *obj)
{
	return ref_container_of(obj, struct pipe_obj, obj);
}

/*
 * Fills in a process's object (allocated by the kind, with malloc, as the
 * first member of its own structure if it needs more) for a region
 * already validated and attached, its limits and ring given: generic part
 * included, not yet on the process's list.  Takes over `fd` (may be -1).
 */
void pipe_obj_init(struct pipe_obj *p, unsigned char *base, int fd,
		   const struct pipe_limits *limits, const struct ring *ring,
		   enum ref_obj_kind kind, const struct ref_obj_ops *ops);

/*
 * Unmaps the region, closes the fd, frees the allocation that starts with
 * the object: ref_obj_ops.destroy.
 */
void pipe_obj_destroy(struct ref_obj *obj);

/* Wakes every sleeper to re-check the holders: ref_obj_ops.released of a pipe. */
void pipe_end_wake_peers(struct ref_obj *obj);

/* The operations on an open end, for both kinds' ref_obj_ops. */
ssize_t pipe_end_read(struct ref_ofd *f, void *buf, size_t len);
ssize_t pipe_end_write(struct ref_ofd *f, const void *buf, size_t len);
long pipe_end_nread(struct ref_ofd *f);
int pipe_end_poll_events(struct ref_ofd *f);
_Atomic uint32_t *pipe_end_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters);
long pipe_end_get_capacity(struct ref_ofd *f);
long pipe_end_set_capacity(struct ref_ofd *f, long bytes, uint32_t max_size);
long pipe_end_pipe_buf(struct ref_ofd *f);

#endif /* IPCCONF_REF_PIPE_END_H */
