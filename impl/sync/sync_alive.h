/*
 * sync_alive.h -- can a process (or thread) still hold anything?
 *
 * Shared structures record who holds what by task id: lock words
 * (sync_lock.h) hold a thread id, ref's holder table a process id.  When a holder is
 * killed nothing tells the others, so they ask this instead, and treat a
 * holder that is gone as having released everything it held.
 */
#ifndef IPCCONF_SYNC_ALIVE_H
#define IPCCONF_SYNC_ALIVE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * True while task `id` (a process id or a thread id) exists and has not
 * exited.  A zombie (state Z) or a dying task (state X) is not alive: the
 * kernel has already closed its files and unmapped its memory, so it holds
 * nothing, even though its parent has not reaped it yet.  Ids <= 0 are
 * never alive.  Costs an open+read+close of /proc/ID/stat.
 */
bool sync_task_alive(pid_t id);

/*
 * sync_task_alive() for a process id, answered by one poll() of a pidfd
 * cached per pid (a pidfd becomes readable when its process exits, zombie
 * or not), so that it is cheap enough to ask on every write.  The cached
 * pidfd keeps pointing at the process it was opened for, so a pid reused
 * later is not mistaken for it.  Falls back on sync_task_alive() where
 * pidfd_open(2) is missing.  Uses up to SYNC_PIDFD_CACHE descriptors
 * (close-on-exec).
 */
#define SYNC_PIDFD_CACHE 32
bool sync_process_alive(pid_t pid);

#endif /* IPCCONF_SYNC_ALIVE_H */
