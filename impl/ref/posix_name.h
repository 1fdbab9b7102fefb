/*
 * posix_name.h -- how ref turns the name of a POSIX shared memory object
 * or named semaphore into a file in /dev/shm, and the umask such a file
 * is made under.
 */
#ifndef IPCCONF_REF_POSIX_NAME_H
#define IPCCONF_REF_POSIX_NAME_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The leaf name (in /dev/shm) of `name` under `prefix`, read as glibc's
 * shm_open and sem_open read a name: leading slashes are skipped; what
 * is left must be non-empty, without a slash, not "." or ".." (-EINVAL)
 * and at most NAME_MAX bytes (-ENAMETOOLONG).  A name too long to follow
 * the prefix in a file name is "<prefix>h" and a 128-bit hash of it.
 * `len` is REF_SHM_LEAF_MAX at least.
 */
int ref_posix_leaf(const char *prefix, const char *name, char *leaf, size_t len);

/* The process's umask, left unchanged (/proc/self/status says it since Linux 4.7). */
mode_t ref_umask(void);

#endif /* IPCCONF_REF_POSIX_NAME_H */
