/*
 * The stream table: read(2), write(2) and ioctl(FIONREAD) on any handle,
 * done by the handle's kind of object.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "impl/ref/handles.h"
#include "impl/ref/tables.h"

/* A kind without byte-stream reads or writes: EINVAL, as read(2) says for an unsuitable file. */
static ssize_t ref_read(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	struct ref_ofd *f = ref_handle_get(h);
	ssize_t n;

	(void)self;
	if (f == NULL)
		return -EBADF;
	n = f->obj->ops->read != NULL ? f->obj->ops->read(f, buf, len) : -EINVAL;
	ref_handle_put(f);
	return n;
}

static ssize_t ref_write(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	struct ref_ofd *f = ref_handle_get(h);
	ssize_t n;

	(void)self;
	if (f == NULL)
		return -EBADF;
	n = f->obj->ops->write != NULL ? f->obj->ops->write(f, buf, len) : -EINVAL;
	ref_handle_put(f);
	return n;
}

/* ioctl(2): a request the file does not know is ENOTTY. */
static long ref_nread(const struct ipcconf_iut *self, int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	long n;

	(void)self;
	if (f == NULL)
		return -EBADF;
	n = f->obj->ops->nread != NULL ? f->obj->ops->nread(f) : -ENOTTY;
	ref_handle_put(f);
	return n;
}

const struct ipcconf_stream_ops ref_stream_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_stream_ops, IPCCONF_STREAM_CAP_NREAD),
	.read = ref_read,
	.write = ref_write,
	.nread = ref_nread,
};
