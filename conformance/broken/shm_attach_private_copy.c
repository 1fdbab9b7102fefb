/*
 * Broken: shmat returns a private copy of the segment's bytes at attach
 * time instead of the segment itself, so writes through it are seen by
 * nobody else (shmop(2): "attaches the System V shared memory segment
 * ... to the address space of the calling process").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "conformance/broken/wrap.h"

/* The copies handed out, so that shmdt of one is accepted and unmaps it. */
#define COPIES 64
static struct {
	void *addr;
	size_t len;
} copies[COPIES];

static int attach_copy(const struct ipcconf_iut *self, int id, int flags, void **addr)
{
	struct shmid_ds ds;
	void *seg = NULL;
	int r;

	(void)self;
	if ((r = OS->shm->control(OS, id, IPC_STAT, &ds)) < 0)
		return r;
	if ((r = OS->shm->attach(OS, id, flags, &seg)) < 0)
		return r;
	void *copy = mmap(NULL, ds.shm_segsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (copy == MAP_FAILED) {
		OS->shm->detach(OS, seg);
		return -ENOMEM;
	}
	memcpy(copy, seg, ds.shm_segsz);
	OS->shm->detach(OS, seg);
	for (int i = 0; i < COPIES; i++)
		if (!copies[i].addr) {
			copies[i].addr = copy;
			copies[i].len = ds.shm_segsz;
			break;
		}
	*addr = copy;
	return 0;
}

static int detach_copy(const struct ipcconf_iut *self, const void *addr)
{
	(void)self;
	for (int i = 0; i < COPIES; i++)
		if (copies[i].addr == addr) {
			munmap(copies[i].addr, copies[i].len);
			copies[i].addr = NULL;
			return 0;
		}
	return OS->shm->detach(OS, addr);
}

const struct ipcconf_iut *broken_shm_attach_private_copy_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-shm-attach-private-copy",
		       "shmat returns a private copy of the segment, not the segment");
	b.shm.attach = attach_copy;
	b.shm.detach = detach_copy;
	return &b.iut;
}
