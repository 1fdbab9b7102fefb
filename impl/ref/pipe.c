/*
 * Anonymous pipes: one MAP_SHARED|MAP_ANONYMOUS region per pipe.  Nothing
 * names it, so it cannot leak: the kernel frees it when the last process
 * mapping it unmaps it or exits.
 */
#define _GNU_SOURCE
#include "impl/ref/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "impl/ref/handles.h"
#include "impl/ref/ref_shared.h"

int ref_pipe_create(const struct ref_variant *v, int ends[2], int flags)
{
	bool nonblock = (flags & O_NONBLOCK) != 0;
	struct ref_ofd *rd = NULL, *wr = NULL;
	struct ref_obj *obj;
	struct ring ring;
	void *base;
	int err;

	if (flags & ~(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	ref_init_once();
	base = mmap(NULL, REF_REGION_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -ENFILE;
	ref_region_init(base, REF_KIND_PIPE, v->default_capacity, v->read_max);
	err = ref_region_attach(base, REF_REGION_SIZE, REF_KIND_PIPE, &ring);
	if (err < 0) {
		munmap(base, REF_REGION_SIZE);
		return err;
	}

	ref_lock();
	obj = ref_obj_new_locked(base, &ring, false);
	if (obj == NULL) {
		ref_unlock();
		munmap(base, REF_REGION_SIZE);
		return -ENOMEM;
	}
	err = ref_ofd_new_locked(obj, O_RDONLY, nonblock, &rd);
	if (err < 0) {
		ref_obj_unlink_locked(obj);
		ref_unlock();
		ref_obj_discard(obj);
		return err;
	}
	err = ref_ofd_new_locked(obj, O_WRONLY, nonblock, &wr);
	if (err == 0)
		err = ends[0] = ref_handle_install_locked(rd);
	if (err >= 0)
		err = ends[1] = ref_handle_install_locked(wr);
	ref_unlock();
	if (err >= 0)
		return 0;

	/* Undo: the last release unmaps the region. */
	if (wr != NULL)
		ref_ofd_abandon(wr);
	if (rd->handles > 0)
		ref_handle_close(ends[0]);
	else
		ref_ofd_abandon(rd);
	return err;
}
