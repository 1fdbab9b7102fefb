/*
 * sync_lock.h -- a mutex in shared memory that survives its holder's death.
 *
 * The lock is one 32-bit word: 0 when free, otherwise the holder's thread
 * id, with SYNC_LOCK_WAITERS set while someone may be sleeping on it.  A
 * contender that has slept SYNC_SLICE_MS asks whether the holder still
 * lives (sync_task_alive) and, if not, takes the lock over.
 *
 * Taking over is safe only because of how the guarded structures are
 * written: a critical section prepares everything first and makes it
 * visible with one final store (the ring's head or tail counter).  A
 * holder killed before that store leaves work that nobody can see.
 *
 * Not recursive.  A word that names the calling thread cannot be a lock
 * the caller holds (it would not be asking); it is left over from a
 * corrupted header or from a dead holder whose id was reused, so it is
 * taken over at once instead of deadlocking.
 */
#ifndef IPCCONF_SYNC_LOCK_H
#define IPCCONF_SYNC_LOCK_H

#include <stdatomic.h>
#include <stdint.h>

#define SYNC_LOCK_WAITERS 0x80000000u

void sync_lock(_Atomic uint32_t *word);
void sync_unlock(_Atomic uint32_t *word);

#endif /* IPCCONF_SYNC_LOCK_H */
