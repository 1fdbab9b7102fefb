/*
 * shm_support.h -- what shared memory clauses share: calls into the
 * implementation's `shm` table (POSIX object handles close through the
 * `handle` table: iut_close in conformance/handle/iut_handle.h), the
 * system's limits, objects made the one safe way, byte patterns to tell
 * one write from another, a probe for accesses that must fault, and
 * helpers of another user.
 */
#ifndef IPCCONF_CONFORMANCE_SHM_SUPPORT_H
#define IPCCONF_CONFORMANCE_SHM_SUPPORT_H

#include <errno.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

#include "conformance/handle/iut_handle.h"
#include "conformance/harness/clause.h"

static inline int iut_shm_open(struct ipcconf_t *t, const char *name, int flags, mode_t mode)
{
	return t->iut->shm->open(t->self, name, flags, mode);
}

static inline int iut_shm_unlink(struct ipcconf_t *t, const char *name)
{
	return t->iut->shm->unlink(t->self, name);
}

static inline int iut_shm_truncate(struct ipcconf_t *t, int h, off_t size)
{
	return t->iut->shm->truncate(t->self, h, size);
}

static inline int iut_shm_size(struct ipcconf_t *t, int h, off_t *size)
{
	return t->iut->shm->size(t->self, h, size);
}

static inline int iut_shm_map(struct ipcconf_t *t, int h, size_t len, int prot, int flags,
			      off_t offset, void **addr)
{
	return t->iut->shm->map(t->self, h, len, prot, flags, offset, addr);
}

static inline int iut_shm_unmap(struct ipcconf_t *t, void *addr, size_t len)
{
	return t->iut->shm->unmap(t->self, addr, len);
}

static inline int iut_shmget(struct ipcconf_t *t, key_t key, size_t size, int flags)
{
	return t->iut->shm->get(t->self, key, size, flags);
}

static inline int iut_shmat(struct ipcconf_t *t, int id, int flags, void **addr)
{
	return t->iut->shm->attach(t->self, id, flags, addr);
}

static inline int iut_shmdt(struct ipcconf_t *t, const void *addr)
{
	return t->iut->shm->detach(t->self, addr);
}

static inline int iut_shmctl(struct ipcconf_t *t, int id, int cmd, struct shmid_ds *buf)
{
	return t->iut->shm->control(t->self, id, cmd, buf);
}

/*
 * System V limits of the system the suite runs on (shmget(2) NOTES),
 * read with shmctl(IPC_INFO) (shmctl(2)) and, where that is refused, from
 * /proc/sys/kernel (proc(5)).  A limit that could not be read is 0 and
 * its `have_` flag 0.
 */
struct shm_limits {
	unsigned long long shmmax; /* bytes */
	unsigned long long shmmin; /* bytes */
	unsigned long long shmall; /* pages */
	int have_shmmax, have_shmmin, have_shmall;
	const char *source;        /* "IPC_INFO" or "/proc/sys/kernel" */
	long page;                 /* sysconf(_SC_PAGESIZE) */
};

void shm_read_limits(struct shm_limits *l);

/* The page size; BROKEN when the system does not say. */
size_t shm_page(struct ipcconf_t *t);

/*
 * A new POSIX object of `size` bytes: a name from ipcconf_posix_name()
 * (removed by the runner after the clause, even a killed one), opened
 * O_RDWR | O_CREAT | O_EXCL with mode 0600 and truncated to `size`.
 * Returns the handle; the name goes to *name when name is not NULL.  A
 * failure ends the caller.
 */
int shm_posix_create(struct ipcconf_t *t, const char *leaf, size_t size, const char **name);

/*
 * As shm_posix_create, for a name the caller already has from
 * ipcconf_posix_name() (so that a helper can be the creator).
 */
int shm_posix_create_named(struct ipcconf_t *t, const char *name, size_t size);

/* A MAP_SHARED read-write mapping of `len` bytes of handle h; a failure ends the caller. */
void *shm_map_shared(struct ipcconf_t *t, int h, size_t len);

/* The handle's size (fstat st_size); a failure ends the caller. */
long long shm_size_of(struct ipcconf_t *t, int h);

/*
 * A new System V segment of `size` bytes: a key from ipcconf_sysv_key()
 * and IPC_CREAT | IPC_EXCL | 0600.  Returns the id; the key goes to *key
 * when key is not NULL.  A failure ends the caller.
 */
int shm_sysv_create(struct ipcconf_t *t, size_t size, key_t *key);

/* As shm_sysv_create, on a key the caller already has from ipcconf_sysv_key(). */
int shm_sysv_create_keyed(struct ipcconf_t *t, key_t key, size_t size);

/* shmat() read-write; a failure ends the caller. */
void *shm_attach(struct ipcconf_t *t, int id);

/* shmat() with `flags` (SHM_RDONLY); a failure ends the caller. */
void *shm_attach_flags(struct ipcconf_t *t, int id, int flags);

/* IPC_STAT through the implementation; a failure ends the caller. */
void shm_stat(struct ipcconf_t *t, int id, struct shmid_ds *ds);

/* shm_nattch by IPC_STAT. */
long long shm_nattch(struct ipcconf_t *t, int id);

/* An identifier that names no segment any more: -EINVAL or -EIDRM (shmop(2), shmctl(2)). */
static inline int shm_gone(long long r)
{
	return r == -EINVAL || r == -EIDRM;
}

/*
 * Byte patterns: the byte at offset i of pattern `seed` is never 0 and
 * differs from the byte at i of every other seed below 251, so a region
 * that holds one pattern shows which write it came from, and never looks
 * like fresh zero-filled memory.
 */
static inline unsigned char shm_pattern_byte(size_t i, unsigned seed)
{
	return (unsigned char)((i * 7 + seed * 13) % 251 + 1);
}

/* Writes pattern `seed` over p[0, len). */
void shm_fill(volatile unsigned char *p, size_t len, unsigned seed);

/*
 * Checks that p[0, len) holds pattern `seed` (offsets counted from p),
 * reading each byte once; a mismatch is a FAIL naming `what`, the first
 * offset that differs, and both bytes.  Returns 1 when all matched.
 */
int shm_expect_pattern(struct ipcconf_t *t, const volatile unsigned char *p, size_t len,
		       unsigned seed, const char *what);

/*
 * As shm_expect_pattern, with offsets reported from `base_offset` and the
 * pattern indexed from there: checks p[0, len) against pattern bytes
 * base_offset .. base_offset + len - 1.
 */
int shm_expect_pattern_at(struct ipcconf_t *t, const volatile unsigned char *p, size_t base_offset,
			  size_t len, unsigned seed, const char *what);

/* Checks that p[0, len) reads as zero; offsets in messages start at base_offset. */
int shm_expect_zero(struct ipcconf_t *t, const volatile unsigned char *p, size_t base_offset,
		    size_t len, const char *what);

/*
 * Accesses one byte at `addr` (a read, or a write of `value`) in a helper
 * process and returns the signal that killed the helper (SIGBUS,
 * SIGSEGV), or 0 when the access completed.  For rules of the form "this
 * access faults": the clause survives whatever happens.
 */
int shm_access_signal(struct ipcconf_t *t, volatile unsigned char *addr, int write,
		      unsigned char value);

/* "SIGBUS", "SIGSEGV", "no signal": how shm_access_signal's result reads in a message. */
const char *shm_signal_name(int sig);

/*
 * A number from /proc/sys/kernel/<name> (shm_rmid_forced, ...), or -1
 * when it cannot be read here.
 */
long long shm_sysctl(const char *name);

/*
 * ipcconf_join() of a helper, then: when the clause's outcome is no
 * longer PASS (the helper failed, was BROKEN, or ended in a SKIP), the
 * caller ends too, since what it would check next was never arranged.
 */
void shm_join_helper(struct ipcconf_t *t, pid_t helper, const char *who);

/* ---- another user ---- */

/* The unprivileged user helpers become: nobody. */
#define SHM_OTHER_UID 65534

/*
 * In the clause process, before making anything: a SKIP unless this
 * process is root, which alone can make a helper of another user.
 */
void shm_need_root(struct ipcconf_t *t);

/*
 * In a helper: become the user nobody (uid and gid 65534, no
 * supplementary groups; setresuid(2) from uid 0 to a nonzero uid clears
 * every capability), then check that no capability that bypasses the
 * permission checks of either kind of shared memory is left
 * (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH and CAP_FOWNER for the files
 * of /dev/shm; CAP_IPC_OWNER and CAP_SYS_ADMIN for System V).  A SKIP
 * saying why when that cannot be had (not root, a user namespace that
 * maps no such user, a sandbox that refuses setresuid).
 */
void shm_become_other_user(struct ipcconf_t *t);

#endif
