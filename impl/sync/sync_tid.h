/*
 * sync_tid.h -- the calling thread's id, cheaply.
 *
 * Lock words (sync_lock.h) name their holder by thread id, and taking a
 * lock must not cost a gettid() system call every time.
 */
#ifndef IPCCONF_SYNC_TID_H
#define IPCCONF_SYNC_TID_H

#include <sys/types.h>

/*
 * The calling thread's id, cached per thread.  The cache is reset in a
 * fork child (the forking thread's id changes there); a child made by a
 * raw clone() that bypasses pthread_atfork sees a stale value.
 */
pid_t sync_self_tid(void);

#endif /* IPCCONF_SYNC_TID_H */
