/*
 * ipc_clean.h -- every IPC object ipc_bench makes, and its removal at
 * exit, on SIGINT, SIGTERM or SIGHUP, and on error.
 *
 * Names live as briefly as possible: a FIFO, a socket path or a POSIX
 * queue name is created, opened and unlinked again while the fatal
 * signals are held (ipc_clean_hold), so no signal can find it in between;
 * the open descriptors are inherited by fork() and need no name.  Paths
 * are made in a private directory (mkdtemp, mode 0700) under $TMPDIR or
 * /tmp, named /tmp/ipcconf-bench.XXXXXX so that ci/ipc-objects sees a
 * leftover; POSIX names carry 128 random bits.  System V queues have no
 * name to drop (IPC_PRIVATE) and live as long as a measurement: they are
 * registered here and removed with IPC_RMID at the end, by the fatal
 * signal handler, at exit(), and as soon as the child of a measurement
 * dies abnormally (which also wakes a parent blocked in msgsnd/msgrcv
 * with EIDRM: System V calls have no timeout).
 *
 * The child of the current measurement is registered too: a fatal signal
 * kills it before the parent goes, and the child itself dies with its
 * parent (PR_SET_PDEATHSIG), so no busy-polling child outlives a run.
 */
#ifndef IPCCONF_BENCH_IPC_CLEAN_H
#define IPCCONF_BENCH_IPC_CLEAN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* The private directory, the signal handlers and the exit handler: 0 or -errno. */
int ipc_clean_init(void);

/* The private directory's path ("" before ipc_clean_init). */
const char *ipc_clean_dir(void);

/* A fresh path in the private directory: DIR/what.N.RANDOM.  0 or -ENAMETOOLONG. */
int ipc_clean_path(char *out, size_t len, const char *what);

/* A fresh POSIX IPC name: /ipcconf-bench.PID.RANDOM (128 bits).  0 or -errno. */
int ipc_clean_posix_name(char *out, size_t len);

/* Holds the fatal signals (and SIGCHLD) while a name exists; release restores the mask. */
void ipc_clean_hold(sigset_t *old);
void ipc_clean_release(const sigset_t *old);

/* A new System V message queue (IPC_PRIVATE, mode 0600), registered: its id or -errno. */
int ipc_clean_msgget(void);

/* IPC_RMID now, and forgets the id. */
void ipc_clean_msgq_remove(int id);

/* The child of the current measurement (0: none). */
void ipc_clean_set_child(pid_t pid);

/*
 * In a child right after fork(): default signal actions, death with the
 * parent.  Returns -1 if the parent is already gone.
 */
int ipc_clean_in_child(pid_t parent);

#endif /* IPCCONF_BENCH_IPC_CLEAN_H */
