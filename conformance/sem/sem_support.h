/*
 * sem_support.h -- what semaphore clauses share: calls into the
 * implementation's `sem` table, the system's limits, semaphores made the
 * one safe way (named, unnamed in memory every clause process shares, and
 * System V sets), and small checks of a value.
 */
#ifndef IPCCONF_CONFORMANCE_SEM_SUPPORT_H
#define IPCCONF_CONFORMANCE_SEM_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <time.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

/* semop(2): the largest value a System V semaphore may hold on Linux (SEMVMX). */
#define SEM_VMX 32767

static inline int iut_sem_open(struct ipcconf_t *t, const char *name, int flags, mode_t mode,
			       unsigned value, void **sem)
{
	return t->iut->sem->open(t->self, name, flags, mode, value, sem);
}

static inline int iut_sem_close(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->close(t->self, sem);
}

static inline int iut_sem_unlink(struct ipcconf_t *t, const char *name)
{
	return t->iut->sem->unlink(t->self, name);
}

static inline int iut_sem_init(struct ipcconf_t *t, void *sem, int pshared, unsigned value)
{
	return t->iut->sem->init(t->self, sem, pshared, value);
}

static inline int iut_sem_destroy(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->destroy(t->self, sem);
}

static inline int iut_sem_wait(struct ipcconf_t *t, void *sem, const struct timespec *abs_timeout)
{
	return t->iut->sem->wait(t->self, sem, abs_timeout);
}

static inline int iut_sem_trywait(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->trywait(t->self, sem);
}

static inline int iut_sem_post(struct ipcconf_t *t, void *sem)
{
	return t->iut->sem->post(t->self, sem);
}

static inline int iut_sem_getvalue(struct ipcconf_t *t, void *sem, int *value)
{
	return t->iut->sem->getvalue(t->self, sem, value);
}

static inline int iut_semget(struct ipcconf_t *t, key_t key, int nsems, int flags)
{
	return t->iut->sem->get(t->self, key, nsems, flags);
}

static inline int iut_semop(struct ipcconf_t *t, int id, struct sembuf *ops, size_t nops,
			    const struct timespec *timeout)
{
	return t->iut->sem->op(t->self, id, ops, nops, timeout);
}

static inline int iut_semctl(struct ipcconf_t *t, int id, int semnum, int cmd,
			     union ipcconf_semun arg)
{
	return t->iut->sem->control(t->self, id, semnum, cmd, arg);
}

/* System V limits from /proc/sys/kernel/sem (semget(2) NOTES); -1 when unreadable. */
struct sem_limits {
	long semmsl; /* semaphores per set */
	long semmns; /* semaphores in the system */
	long semopm; /* operations per semop call */
	long semmni; /* sets in the system */
};

void sem_read_limits(struct sem_limits *l);

/*
 * A new named semaphore with `value`: a name from ipcconf_posix_name()
 * (removed by the runner after the clause, even a killed one), O_CREAT |
 * O_EXCL, mode 0600.  The name goes to *name when name is not NULL.  A
 * failure ends the caller.
 */
void *sem_named_create(struct ipcconf_t *t, const char *leaf, unsigned value, const char **name);

/*
 * `count` unnamed process-shared semaphores with `value`, each in its own
 * slot of one MAP_SHARED anonymous mapping (made by the suite, so the
 * clause's later helpers share it), sized and aligned as the table says.
 * Returns the first; sem_unnamed_at() finds the others.  A failure ends
 * the caller.
 */
void *sem_unnamed_create(struct ipcconf_t *t, unsigned count, unsigned value);
void *sem_unnamed_at(struct ipcconf_t *t, void *first, unsigned i);

/*
 * Memory shared by the clause process and the helpers it forks later: a
 * zero-filled MAP_SHARED anonymous mapping of `size` bytes made by the
 * suite (never through the implementation).  Lives until the clause ends.
 */
void *sem_shared_memory(struct ipcconf_t *t, size_t size);

/*
 * A new System V set of `nsems` semaphores, set to 0 by SETALL (POSIX
 * leaves a new set's values indeterminate): a key from
 * ipcconf_sysv_key() and IPC_CREAT | IPC_EXCL | 0600.  The key goes to
 * *key when key is not NULL.  A failure ends the caller.
 */
int sem_sysv_create(struct ipcconf_t *t, int nsems, key_t *key);

/* semctl(GETVAL) of semaphore `num`; a failure ends the caller. */
int sem_sysv_value(struct ipcconf_t *t, int id, int num);

/* semctl(SETVAL); a failure ends the caller. */
void sem_sysv_set(struct ipcconf_t *t, int id, int num, int value);

/* sem_getvalue(); a failure ends the caller. */
int sem_value(struct ipcconf_t *t, void *sem);

/* An absolute CLOCK_REALTIME time `ms` milliseconds from now, or ago if negative (sem_timedwait's clock). */
struct timespec sem_deadline_in(long ms);

/* One System V operation {num, op, flags} through semop(2) (no timeout): its result. */
int sem_sysv_op1(struct ipcconf_t *t, int id, unsigned short num, short op, short flags);

/* semctl(cmd) of semaphore `num` for GETNCNT, GETZCNT or GETPID; a failure ends the caller. */
int sem_sysv_query(struct ipcconf_t *t, int id, int num, int cmd);

/* GETALL of a set of `n` semaphores into values[0..n-1]; a failure ends the caller. */
void sem_sysv_getall(struct ipcconf_t *t, int id, unsigned short *values, int n);

/*
 * Checks (one check per semaphore, by GETALL) that the set's `n` values
 * are `want`; `when` names the moment in messages.
 */
void sem_sysv_expect_all(struct ipcconf_t *t, int id, const unsigned short *want, int n,
			 const char *when);

/* The two kinds of POSIX semaphore, for clauses that hold for both (CLAUSE_TABLE rows). */
enum sem_kind { SEM_KIND_UNNAMED, SEM_KIND_NAMED };

/*
 * A new POSIX semaphore of `kind` with `value`: sem_unnamed_create(t, 1,
 * value) or sem_named_create(t, "sem", value, name).  *name (when name is
 * not NULL) is the name, or NULL for an unnamed one.
 */
void *sem_posix_create(struct ipcconf_t *t, enum sem_kind kind, unsigned value, const char **name);

/*
 * sem_open(name, 0) of an existing named semaphore, as a process that
 * knows only its name does; a failure ends the caller.
 */
void *sem_named_open(struct ipcconf_t *t, const char *name);

/*
 * After an action that must NOT release the `n` blocked calls b[] (a
 * decrement that leaves a waited-for-zero value non-zero, a post that
 * another waiter took): none may return within the grace period
 * (IPCCONF_BLOCK_GRACE_MS, scaled by --timeout-mul, one period for all),
 * and each must then be seen asleep again (/proc/PID/stat S).  A return
 * is a FAIL naming `after`, and the caller ends.
 */
void sem_still_blocked(struct ipcconf_t *t, struct ipcconf_blocked *const *b, unsigned n,
		       const char *after);

/* Milliseconds of CLOCK_MONOTONIC since `start_ns` (ipcconf_now_ns() of clock.h). */
double sem_ms_since(int64_t start_ns);

/* The unprivileged user a helper becomes for permission clauses: nobody. */
#define SEM_OTHER_UID 65534

/*
 * In the clause process, before making anything: a SKIP unless this
 * process is root, which alone can make a helper of another user.
 */
void sem_need_root(struct ipcconf_t *t);

/*
 * In a helper: become the user nobody (uid and gid 65534, no
 * supplementary groups; setresuid(2) from uid 0 to a nonzero uid clears
 * every capability) and check that no capability that bypasses IPC or
 * file permission checks is left (CAP_IPC_OWNER, CAP_DAC_OVERRIDE,
 * CAP_FOWNER, CAP_SYS_ADMIN).  A SKIP saying why when that cannot be had.
 */
void sem_become_other_user(struct ipcconf_t *t);

/*
 * ipcconf_join() of a helper that may have ended in a SKIP (it could not
 * become another user, say): then the caller ends too, since what it
 * would check afterwards was never arranged.
 */
void sem_join_helper(struct ipcconf_t *t, pid_t helper, const char *who);

#endif
