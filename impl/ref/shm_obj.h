/*
 * shm_obj.h -- the named objects ref keeps for its message queues: files
 * in the POSIX shm file system (/dev/shm), made, published, found again
 * and mapped by unrelated processes; and the System V and file permission
 * rules ref checks in user space on top of the file modes.
 *
 * MAKING ONE.  A new object is an unnamed file (O_TMPFILE in /dev/shm),
 * sized, mapped and laid out before anybody can see it; publishing gives
 * it its name with one linkat(2), which fails with EEXIST when the name
 * is taken, so "create if missing" is race-free and nobody ever maps a
 * half-made object.  Where O_TMPFILE is missing, a uniquely named
 * temporary file and link(2) do the same (a creator killed in between
 * leaves the temporary name behind).
 *
 * FILE MODES.  The kernel checks the file's mode when a process opens it;
 * ref checks the IPC object's own mode (kept in its header) after that.
 * The file mode is the IPC mode widened so that the kernel never refuses
 * what the IPC rules allow: each class (owner, group, other) that has
 * read or write permission gets both on the file, and the owner always
 * has both (ref_shm_obj_file_mode).  So a 0600 queue is a 0600 file, which
 * another user cannot even open.
 *
 * Every name is a leaf in /dev/shm, opened with O_NOFOLLOW: a planted
 * symbolic link is refused, never followed.
 */
#ifndef IPCCONF_REF_SHM_OBJ_H
#define IPCCONF_REF_SHM_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REF_SHM_DIR "/dev/shm"
#define REF_SHM_LEAF_MAX 256 /* NAME_MAX + 1 */

/* An object being made: mapped, not yet named. */
struct shm_obj_new {
	int fd;
	void *base;
	size_t size;
	char tmp_leaf[64]; /* without O_TMPFILE: the temporary name; "" otherwise */
};

/* A new unnamed file of `size` bytes (mode 0600), mapped shared: 0 or -errno. */
int ref_shm_obj_create(size_t size, struct shm_obj_new *n);

/*
 * Names the object `leaf` (in /dev/shm) with the given file mode: 0,
 * -EEXIST when the name exists, or -errno.  The mapping and fd stay the
 * caller's (n->fd, n->base) either way.
 */
int ref_shm_obj_publish(struct shm_obj_new *n, const char *leaf, mode_t file_mode);

/* Unmaps and closes what ref_shm_obj_create() made (and removes its temporary name). */
void ref_shm_obj_discard(struct shm_obj_new *n);

/*
 * Opens the object named `leaf` read-write and maps all of it: 0 with
 * *fd, *base and *size (its size, between min_size and max_size, or
 * -EPROTO), or -errno (-ENOENT, -EACCES, -ELOOP for a symbolic link).
 */
int ref_shm_obj_open(const char *leaf, size_t min_size, size_t max_size, int *fd, void **base,
		 size_t *size);

/* unlink(2) of /dev/shm/leaf: 0 or -errno. */
int ref_shm_obj_unlink(const char *leaf);

/* The file mode for an IPC object of mode `ipc_mode` (see FILE MODES). */
mode_t ref_shm_obj_file_mode(mode_t ipc_mode);

/* The owner, group and mode an IPC permission check looks at. */
struct ref_ipc_perm {
	uint32_t uid, gid;   /* owner */
	uint32_t cuid, cgid; /* creator (System V; = owner for POSIX queues) */
	uint32_t mode;       /* 0777 bits */
};

/* Whether the calling thread has capability `cap` (CAP_IPC_OWNER, ...) in its effective set. */
bool ref_capable(int cap);

/* Whether egid or a supplementary group of the caller is gid. */
bool ref_in_group(gid_t gid);

/*
 * Linux ipcperms(): `flag` holds the requested mode bits (S_IRUGO,
 * S_IWUGO, or a msgget mode); 0 when granted, -EACCES otherwise.  The
 * class is owner when euid is uid or cuid, group when gid or cgid is one
 * of the caller's groups, else other; CAP_IPC_OWNER grants everything.
 */
int ref_ipc_perms(const struct ref_ipc_perm *p, int flag);

/* Whether the caller owns or created the object, or has CAP_SYS_ADMIN (IPC_SET, IPC_RMID). */
bool ref_ipc_owner(const struct ref_ipc_perm *p);

/* A number from a /proc/sys file, or `fallback` when it cannot be read. */
long ref_sysctl(const char *path, long fallback);

/* 64 random bits (getrandom, else a mix of the clock, pid and a counter). */
uint64_t ref_random64(void);

#endif /* IPCCONF_REF_SHM_OBJ_H */
