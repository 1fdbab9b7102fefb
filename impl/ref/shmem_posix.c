/*
 * POSIX shared memory: shm_open(3), shm_unlink(3), ftruncate(2), fstat(2)
 * st_size, mmap(2) and munmap(2) of ref's own named objects.
 *
 * An object "/name" is the file "ipcconf-ref-shm-name" in /dev/shm (a
 * name too long for that is "ipcconf-ref-shm-h<128-bit hash>"), made
 * and opened with open(2), O_CREAT, O_EXCL, O_TRUNC and the mode (less
 * the umask) as given, O_NOFOLLOW always: so the existence check and the
 * creation are one step, the file's mode is the object's, and the kernel
 * checks it against the caller's user (EACCES) exactly as for the
 * system's own objects.  The file holds the object's bytes and nothing
 * else, so a mapping is a mapping of the file: MAP_SHARED shares with
 * every other mapping, MAP_PRIVATE copies on write, ftruncate grows with
 * zeros, and pages past the end fault with SIGBUS -- the kernel's own
 * behaviour for the memory, which is the mechanism (seed:M1).
 *
 * What ref keeps itself is the name (its own namespace, apart from the
 * system's shm_open names) and the handle: an open object is a ref handle
 * of kind REF_OBJ_SHM (close, dup; inherited by fork), whose object holds
 * the file descriptor.  The handle table counts every open description
 * in a holder set; nothing outside the process needs to know who holds
 * a shared memory object (the file lives while open or mapped, as the
 * kernel counts), so that set is in the object's private memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/posix_name.h"
#include "impl/ref/shm_obj.h"
#include "impl/ref/shmem.h"

#define SHMP_PREFIX "ipcconf-ref-shm-"

struct shmp_obj {
	struct ref_obj obj; /* first: obj.h's generic part */
	int fd;
	struct ref_holders holders; /* private: see above */
};

static struct shmp_obj *shmp_of(struct ref_obj *obj)
{
	return ref_container_of(obj, struct shmp_obj, obj);
}

/* The file name for object `name` (posix_name.h). */
static int leaf_of(const char *name, char *leaf, size_t len)
{
	return ref_posix_leaf(SHMP_PREFIX, name, leaf, len);
}

static void shmp_released(struct ref_obj *obj)
{
	(void)obj; /* nobody else watches who holds an object */
}

static void shmp_destroy(struct ref_obj *obj)
{
	struct shmp_obj *o = shmp_of(obj);

	close(o->fd);
	free(o);
}

/*
 * The stream table on an object's handle: read(2), write(2) and
 * FIONREAD of the file at the open description's offset, as Linux has
 * them for a shared memory object's descriptor.
 */
static ssize_t shmp_read(struct ref_ofd *f, void *buf, size_t len)
{
	ssize_t n = read(shmp_of(f->obj)->fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t shmp_write(struct ref_ofd *f, const void *buf, size_t len)
{
	ssize_t n = write(shmp_of(f->obj)->fd, buf, len);

	return n < 0 ? -errno : n;
}

static long shmp_nread(struct ref_ofd *f)
{
	int n = 0;

	return ioctl(shmp_of(f->obj)->fd, FIONREAD, &n) != 0 ? -errno : n;
}

static const struct ref_obj_ops shmp_ops = {
	.name = "shared memory object",
	.read = shmp_read,
	.write = shmp_write,
	.nread = shmp_nread,
	.released = shmp_released,
	.destroy = shmp_destroy,
};

/* A handle for a new open description of the file fd, opened with accmode. */
static int install(int fd, int accmode)
{
	/* The holder set is cache-line aligned: malloc alone need not align so far. */
	size_t size = (sizeof(struct shmp_obj) + 63) / 64 * 64;
	struct shmp_obj *o = aligned_alloc(64, size);
	struct ref_holders *sets[1];
	struct ref_ofd *ofd = NULL;
	int h;

	if (o == NULL) {
		close(fd);
		return -ENOMEM;
	}
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	sets[0] = &o->holders;
	ref_obj_init(&o->obj, REF_OBJ_SHM, &shmp_ops, sets, 1, NULL);
	ref_init_once();
	ref_lock();
	ref_obj_register_locked(&o->obj);
	h = ref_ofd_new_locked(&o->obj, 0, accmode, false, &ofd);
	if (h == 0)
		h = ref_handle_install_locked(ofd);
	ref_unlock();
	/* The last release closes the file. */
	if (h < 0 && ofd != NULL)
		ref_ofd_abandon(ofd);
	else if (h < 0)
		ref_obj_abandon(&o->obj);
	return h;
}

int ref_shmp_open(ref_iut_t *self, const char *name, int flags, mode_t mode)
{
	char leaf[REF_SHM_LEAF_MAX], path[sizeof(REF_SHM_DIR) + REF_SHM_LEAF_MAX];
	int accmode = flags & O_ACCMODE;
	struct stat st;
	int fd, err;

	(void)self;
	err = leaf_of(name, leaf, sizeof leaf);
	if (err != 0)
		return err;
	snprintf(path, sizeof path, REF_SHM_DIR "/%s", leaf);
	fd = open(path, (flags & (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC)) | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno; /* a planted link is not an object */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return install(fd, accmode);
}

int ref_shmp_unlink(ref_iut_t *self, const char *name)
{
	char leaf[REF_SHM_LEAF_MAX];
	int err;

	(void)self;
	err = leaf_of(name, leaf, sizeof leaf);
	if (err != 0)
		return err;
	err = ref_shm_obj_unlink(leaf);
	/* glibc's shm_unlink: the sticky /dev/shm refuses another user's name with EPERM. */
	return err == -EPERM ? -EACCES : err;
}

/* The file of an object's handle, kept until ref_handle_put(): -EBADF, `other` for another kind. */
static int get_file(int h, int other, struct ref_ofd **f, int *fd)
{
	*f = ref_handle_get(h);
	if (*f == NULL)
		return -EBADF;
	if ((*f)->obj->kind != REF_OBJ_SHM) {
		ref_handle_put(*f);
		return other;
	}
	*fd = shmp_of((*f)->obj)->fd;
	return 0;
}

int ref_shmp_truncate(ref_iut_t *self, int h, off_t size)
{
	struct ref_ofd *f;
	int fd, err;

	(void)self;
	/* ftruncate(2) of a pipe or FIFO: EINVAL. */
	err = get_file(h, -EINVAL, &f, &fd);
	if (err != 0)
		return err;
	err = ftruncate(fd, size) != 0 ? -errno : 0;
	ref_handle_put(f);
	return err;
}

int ref_shmp_size(ref_iut_t *self, int h, off_t *size)
{
	struct ref_ofd *f;
	struct stat st;
	int fd, err;

	(void)self;
	err = get_file(h, -EINVAL, &f, &fd);
	if (err != 0)
		return err;
	err = fstat(fd, &st) != 0 ? -errno : 0;
	ref_handle_put(f);
	if (err == 0)
		*size = st.st_size;
	return err;
}

int ref_shmp_map(ref_iut_t *self, int h, size_t len, int prot, int flags, off_t offset,
		 void **addr)
{
	struct ref_ofd *f;
	void *p;
	int fd, err;

	(void)self;
	/* mmap(2) of a pipe or FIFO: ENODEV. */
	err = get_file(h, -ENODEV, &f, &fd);
	if (err != 0)
		return err;
	p = mmap(NULL, len, prot, flags, fd, offset);
	err = p == MAP_FAILED ? -errno : 0;
	ref_handle_put(f);
	if (err == 0)
		*addr = p;
	return err;
}

int ref_shmp_unmap(ref_iut_t *self, void *addr, size_t len)
{
	(void)self;
	return munmap(addr, len) != 0 ? -errno : 0;
}
