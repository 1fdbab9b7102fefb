/*
 * sem_sysv.h -- System V semaphore sets over futexes (the System V part
 * of the `sem` table).
 *
 * NAMES.  A set is a file in /dev/shm named by sysv_registry.h with the
 * prefix "ipcconf-ref-semset-": "...i<id>", and a key's link "...k<key>"
 * to it.  IPC_RMID, under the set lock, marks the header removed, wakes
 * every sleeper (which returns -EIDRM) and removes both names at once;
 * processes that still map the set see the mark (-EINVAL for a new call).
 *
 * LAYOUT of the file (semset_layout(), from nsems alone):
 *   0             struct semset_shared
 *   sems_off      nsems x struct semset_sem       value and sempid
 *   waiters_off   SEMSET_WAITERS x semset_waiter  calls asleep in semop
 *   undo_off      SEMSET_UNDOS x undo_stride      SEM_UNDO adjustments
 *
 * EVERY CALL runs under the set lock (a sync_lock word taken over from a
 * holder that died, qcore.h): it reads what it needs of the set once into
 * private memory, checks it, decides, and writes back.  A semop that
 * must wait leaves its record in the waiter table (who, which semaphore,
 * a decrement or a wait for zero: GETNCNT and GETZCNT count the records
 * of live processes), unlocks and sleeps on `seq`, which every change of
 * a value bumps (waking the sleepers counted in `sleepers`); woken, it
 * tries the whole operation list again.
 *
 * UNDO.  A process's SEM_UNDO adjustments for a set live in a slot of the
 * set's undo table tagged with its pid and start time (/proc/PID/stat),
 * claimed at its first SEM_UNDO operation on the set (a fork child has
 * none, as in Linux).  Nothing runs when a process exits or is killed, so
 * every call on a set -- semget finding it, semop, semctl, each sleeper
 * of semop at least every SYNC_SLICE_MS -- first applies, under the lock,
 * the adjustments of every slot whose process is dead (gone or a zombie,
 * or its pid now another process's), as Linux's exit_sem() would have:
 * each value plus its adjustment, kept within 0..SEMVMX, sempid the dead
 * process; then frees the slot.  So the adjustments of a process are
 * applied after it has died, before anything else happens to the set.
 *
 * The file is shared with processes that may be broken or hostile: the
 * fixed header fields are read once when a process maps the set and
 * checked against the layout and the file's size; every value, record
 * and slot is read once under the lock and checked (a value outside
 * 0..SEMVMX makes the call fail with -EUCLEAN, a record or slot that
 * cannot be true is dropped), and indexes are always the caller's,
 * bounded by the validated nsems.
 */
#ifndef IPCCONF_REF_SEM_SYSV_H
#define IPCCONF_REF_SEM_SYSV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ref/sysv_cache.h"

#define SEMSET_PREFIX "ipcconf-ref-semset-"
#define SEMSET_MAGIC 0x54455353u /* "SSET" in memory on little-endian */
#define SEMSET_VERSION 1u
#define SEMSET_WAITERS 256 /* semop calls asleep at once that GETNCNT/GETZCNT can count */
#define SEMSET_UNDOS 128   /* processes with SEM_UNDO adjustments on one set at once */
#define SEMSET_NSEMS_MAX 65535u /* beyond any SEMMSL Linux allows (sem_num is 16 bits) */

#define SEM_VMX 32767 /* Linux's SEMVMX, and SEMAEM */

/* What changes under the set lock besides the values: copied out, used, written back whole. */
struct semset_state {
	int64_t otime, ctime;
	uint32_t uid, gid, cuid, cgid, mode;
	uint32_t reserved;
};

struct semset_shared {
	_Atomic uint32_t magic; /* SEMSET_MAGIC, stored last (release) by the creator */
	uint16_t version;       /* SEMSET_VERSION */
	uint16_t reserved0;
	int32_t id;
	int32_t key;
	uint32_t nsems;
	_Atomic uint32_t lock;     /* the set lock (qcore.h) */
	_Atomic uint32_t dirty;
	_Atomic uint32_t removed;  /* IPC_RMID happened: set under the lock, never cleared */
	_Atomic uint32_t seq;      /* bumped after every change a sleeper may be waiting for */
	_Atomic uint32_t sleepers; /* semop calls asleep on seq (sync_waiter.h) */
	uint32_t reserved1;
	struct semset_state st;
};

struct semset_sem {
	int32_t val; /* 0..SEM_VMX */
	int32_t pid; /* sempid */
};

/* A semop asleep: GETNCNT/GETZCNT count it while its process lives. */
struct semset_waiter {
	int32_t pid;
	uint16_t num;  /* the semaphore its blocking operation is on */
	uint8_t zero;  /* 1: waits for zero (GETZCNT), 0: to decrement (GETNCNT) */
	uint8_t used;
	uint64_t start; /* the process's start time: a reused pid is another process */
};

/* A process's SEM_UNDO adjustments, one per semaphore of the set (Linux: semadj, a short). */
struct semset_undo {
	int32_t pid;
	uint32_t used;
	uint64_t start;
	int16_t adj[];
};

struct semset_layout {
	size_t sems_off, waiters_off, undo_off, undo_stride, total;
};

/* The layout of a set of nsems semaphores. */
void semset_layout(uint32_t nsems, struct semset_layout *l);

/* A process's mapping of a set, cached by id (sem_set.c). */
struct semset_map {
	struct sysv_cached c;  /* the id and the cache's bookkeeping */
	int32_t key;           /* validated copies of the fixed header fields */
	uint32_t nsems;
	struct semset_layout lay;
	int fd;
	unsigned char *base;
	struct semset_shared *sh;
};

static inline struct semset_sem *semset_sem(const struct semset_map *m, unsigned i)
{
	return (struct semset_sem *)(m->base + m->lay.sems_off) + i;
}

static inline struct semset_waiter *semset_waiter(const struct semset_map *m, unsigned i)
{
	return (struct semset_waiter *)(m->base + m->lay.waiters_off) + i;
}

static inline struct semset_undo *semset_undo(const struct semset_map *m, unsigned i)
{
	return (struct semset_undo *)(m->base + m->lay.undo_off + (size_t)i * m->lay.undo_stride);
}

/* The set of `id`, kept until semset_put(): -EINVAL when there is none, -EACCES. */
int semset_get(int id, struct semset_map **out);
void semset_put(struct semset_map *m);

/* The set was removed: nobody gets this mapping from the cache again. */
void semset_forget(struct semset_map *m);

/*
 * A new set for `key` (0: IPC_PRIVATE) of nsems semaphores, all 0, with
 * permission bits `mode`: its id, -EEXIST when the key got a set
 * meanwhile, -ENOSPC, or -errno.
 */
int semset_create(int32_t key, uint32_t nsems, uint32_t mode);

/*
 * Takes the set lock and copies the state out; then applies the undo
 * adjustments of dead processes (see UNDO): *wake is set when that
 * changed a value.
 */
void semset_lock(struct semset_map *m, struct semset_state *st, bool *wake);

/*
 * Writes the state back and unlocks; with `wake`, bumps seq first and
 * then wakes every sleeper.
 */
void semset_unlock(struct semset_map *m, const struct semset_state *st, bool wake);

/* Under the lock: IPC_RMID (the mark, both names). */
void semset_remove_locked(struct semset_map *m);

/* A value read once under the lock: 0..SEM_VMX, or -EUCLEAN for one no set can hold. */
int semset_value_locked(const struct semset_map *m, unsigned i);

/* ---- the waiter table (sem_set.c) ---- */

/*
 * Under the lock: records (or updates, slot >= 0 being the caller's
 * record) that this process waits on semaphore num: the slot, or -1 when
 * the table is full (the call then waits uncounted).
 */
int semset_waiter_set_locked(struct semset_map *m, int slot, unsigned num, bool zero);

/* Under the lock: the caller's record goes. */
void semset_waiter_clear_locked(struct semset_map *m, int slot);

/* Under the lock: GETNCNT (zero false) or GETZCNT (zero true) of semaphore num. */
int semset_waiters_locked(struct semset_map *m, unsigned num, bool zero);

/* The calling process's start time (/proc/self/stat), 0 when unknown. */
uint64_t semset_self_start(void);

/* Whether (pid, start) names a process that is no longer there (gone, zombie, pid reused). */
bool semset_dead(int32_t pid, uint64_t start);

/* ---- undo (sem_undo.c) ---- */

/* Under the lock: applies and frees the slots of dead processes; true when a value changed. */
bool semset_undo_reap_locked(struct semset_map *m);

/*
 * Under the lock: the caller's undo slot, claimed (all adjustments 0)
 * when it has none yet: its index, or -ENOMEM when every slot belongs to
 * a live process.
 */
int semset_undo_mine_locked(struct semset_map *m);

/* Under the lock: every process's adjustment of semaphore num (all of them: num < 0) is 0. */
void semset_undo_clear_locked(struct semset_map *m, int num);

#endif /* IPCCONF_REF_SEM_SYSV_H */
