/*
 * fifo_name.h -- from a FIFO's path to the name of its backing shm object.
 *
 * The name must be the same for every process that reaches the node, and
 * differ for a new node made at the same path later (or on an inode number
 * reused after an unlink): device, inode number and creation time together
 * identify the node.  The creation time is statx's birth time where the
 * file system keeps one, which chmod, link and rename leave alone; else
 * the change time, which those do change (the FIFO then loses its
 * contents to a new object, see the limitations in ref_iut.h).
 */
#ifndef IPCCONF_REF_FIFO_NAME_H
#define IPCCONF_REF_FIFO_NAME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define FIFO_NAME_MAX 128

struct fifo_id {
	mode_t mode;
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	int64_t sec;
	uint32_t nsec;
};

/* statx() of path (following symlinks unless nofollow): 0 or -errno. */
int fifo_identify(const char *path, bool nofollow, struct fifo_id *id);

bool fifo_same(const struct fifo_id *a, const struct fifo_id *b);

/* "<prefix><major>.<minor>-<ino>-<sec>.<nsec>" */
void fifo_shm_name(const char *prefix, const struct fifo_id *id, char name[FIFO_NAME_MAX]);

#endif /* IPCCONF_REF_FIFO_NAME_H */
