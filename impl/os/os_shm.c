/*
 * The `os` shared memory table: shm_open, ftruncate, mmap and the System V
 * shmget/shmat/shmdt/shmctl of the C library, results passed on as the
 * system gave them.  A POSIX object's handle is its file descriptor, so
 * the `os` handle table closes it.
 */
#define _GNU_SOURCE
#include "impl/os/os_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

typedef const struct ipcconf_iut iut_t;

static int os_shm_open(iut_t *self, const char *name, int flags, mode_t mode)
{
	int fd = shm_open(name, flags, mode);
	return fd < 0 ? -errno : fd;
}

static int os_shm_unlink(iut_t *self, const char *name)
{
	return shm_unlink(name) < 0 ? -errno : 0;
}

static int os_shm_truncate(iut_t *self, int h, off_t size)
{
	return ftruncate(h, size) < 0 ? -errno : 0;
}

static int os_shm_size(iut_t *self, int h, off_t *size)
{
	struct stat st;

	if (fstat(h, &st) < 0)
		return -errno;
	*size = st.st_size;
	return 0;
}

static int os_shm_map(iut_t *self, int h, size_t len, int prot, int flags, off_t offset,
		      void **addr)
{
	void *p = mmap(NULL, len, prot, flags, h, offset);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int os_shm_unmap(iut_t *self, void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? -errno : 0;
}

static int os_shm_get(iut_t *self, key_t key, size_t size, int flags)
{
	int id = shmget(key, size, flags);
	return id < 0 ? -errno : id;
}

static int os_shm_attach(iut_t *self, int id, int flags, void **addr)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		return -errno;
	*addr = p;
	return 0;
}

static int os_shm_detach(iut_t *self, const void *addr)
{
	return shmdt(addr) < 0 ? -errno : 0;
}

static int os_shm_control(iut_t *self, int id, int cmd, struct shmid_ds *buf)
{
	int r = shmctl(id, cmd, buf);
	return r < 0 ? -errno : r;
}

const struct ipcconf_shm_ops os_shm = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_shm_ops, IPCCONF_SHM_CAP_POSIX |
							   IPCCONF_SHM_CAP_SYSV |
							   IPCCONF_SHM_CAP_CREDENTIALS),
	.open = os_shm_open,
	.unlink = os_shm_unlink,
	.truncate = os_shm_truncate,
	.size = os_shm_size,
	.map = os_shm_map,
	.unmap = os_shm_unmap,
	.get = os_shm_get,
	.attach = os_shm_attach,
	.detach = os_shm_detach,
	.control = os_shm_control,
};
