/*
 * The pipe table: pipe2(2), and what every pipe or FIFO end accepts
 * (fcntl(F_[GS]ETPIPE_SZ), fpathconf(_PC_PIPE_BUF), lseek(2)), done by
 * the handle's kind of object.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "impl/ref/handles.h"
#include "impl/ref/pipe.h"
#include "impl/ref/ref_variant.h"
#include "impl/ref/tables.h"

static int ref_pipe_create_op(const struct ipcconf_iut *self, int ends[2], int flags)
{
	return ref_pipe_create(ref_variant_of(self), ends, flags);
}

/* fcntl(2): F_GETPIPE_SZ and F_SETPIPE_SZ on a file that is not a pipe are EBADF. */
static long ref_get_capacity(const struct ipcconf_iut *self, int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	long r;

	(void)self;
	if (f == NULL)
		return -EBADF;
	r = f->obj->ops->get_capacity != NULL ? f->obj->ops->get_capacity(f) : -EBADF;
	ref_handle_put(f);
	return r;
}

/* The variant plays the system, whose pipe-max-size limits growth (ref_variant.h). */
static long ref_set_capacity(const struct ipcconf_iut *self, int h, long bytes)
{
	struct ref_ofd *f = ref_handle_get(h);
	long r;

	if (f == NULL)
		return -EBADF;
	r = f->obj->ops->set_capacity != NULL
		    ? f->obj->ops->set_capacity(f, bytes, ref_variant_of(self)->max_capacity)
		    : -EBADF;
	ref_handle_put(f);
	return r;
}

/* fpathconf(3): a file with no such limit is EINVAL. */
static long ref_pipe_buf(const struct ipcconf_iut *self, int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	long r;

	(void)self;
	if (f == NULL)
		return -EBADF;
	r = f->obj->ops->pipe_buf != NULL ? f->obj->ops->pipe_buf(f) : -EINVAL;
	ref_handle_put(f);
	return r;
}

/* lseek(2): none of ref's objects has a file offset (pipes, FIFOs, sockets: ESPIPE). */
static long long ref_seek(const struct ipcconf_iut *self, int h, long long offset, int whence)
{
	struct ref_ofd *f = ref_handle_get(h);

	(void)self;
	(void)offset;
	(void)whence;
	if (f == NULL)
		return -EBADF;
	ref_handle_put(f);
	return -ESPIPE;
}

const struct ipcconf_pipe_ops ref_pipe_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_pipe_ops,
				   IPCCONF_PIPE_CAP_CAPACITY_GET | IPCCONF_PIPE_CAP_CAPACITY_SET |
					   IPCCONF_PIPE_CAP_PIPE_BUF | IPCCONF_PIPE_CAP_SEEK),
	.create = ref_pipe_create_op,
	.get_capacity = ref_get_capacity,
	.set_capacity = ref_set_capacity,
	.pipe_buf = ref_pipe_buf,
	.seek = ref_seek,
};
