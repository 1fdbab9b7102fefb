/*
 * ipcconf/iut.h -- the contract between the conformance suite and an
 * implementation under test (IUT).  Interface version 2.
 *
 * An implementation is one table, `struct ipcconf_iut`, reached through one
 * exported function:
 *
 *     const struct ipcconf_iut *ipcconf_iut_v2(void);
 *
 * A plug-in shared object exports exactly that symbol (IPCCONF_IUT_SYMBOL);
 * the built-in `os` and `ref` implementations provide the same table.  The
 * suite calls the function once, before it forks anything, and then uses
 * only the table.
 *
 * SELF.  Every operation receives, as its first argument `self`, the very
 * pointer the entry function returned.  One implementation can therefore
 * serve several variants at run time: embed `struct ipcconf_iut` as the
 * first member of a larger structure of your own, return a pointer to it,
 * and recover your structure from `self` in every operation.  The suite
 * may copy the tables it reads, but it always passes the original pointer.
 *
 * VERSIONING.  `abi_version` comes first and is IPCCONF_IUT_ABI_VERSION for
 * every implementation of this header.  Within one ABI version, tables only
 * grow at their end: each table starts with a `struct ipcconf_table_head`
 * whose `struct_size` is the sizeof() the implementation was compiled
 * with, and the suite never reads a member that lies beyond it.  A member
 * that is NULL, or beyond `struct_size`, is "not implemented"; a table
 * that is NULL is "mechanism not implemented".  The clauses that need a
 * missing member, table or capability are SKIPs that name it.  Each member
 * below says, as "[v2]", the ABI version it arrived in.  An incompatible
 * change bumps the ABI version and the symbol name: ipcconf refuses a
 * plug-in built for another version with a message naming both versions.
 *
 * RESULTS AND ERRORS.  Every operation returns a non-negative integer on
 * success (a count, a handle, or 0) and a negative errno value (-EAGAIN,
 * -EPIPE, ...) on failure, in Linux's errno numbering.  Pointers and
 * structures never come back as the return value: they come back through
 * out-parameters, which an operation writes only when it succeeds.  An
 * operation never reports failure through `errno`.
 *
 * HANDLES.  Every mechanism whose objects are opened and closed (pipe and
 * FIFO ends, POSIX message queue descriptors, sockets, shared memory
 * descriptors) names them by `int` handles, which the common `handle`
 * table (close, dup, O_NONBLOCK, poll) accepts whatever mechanism made
 * them.  A handle is meaningful only to the implementation that returned
 * it (for `os` a file descriptor; for `ref` an index into a per-process
 * table); an operation given a handle that is not open returns -EBADF, and
 * one given a handle of the wrong kind returns the error its manual page
 * names (-EBADF for a write on a read end, -ENOTSOCK, -ESPIPE, ...).  A
 * handle is valid in the process that obtained it and, when the
 * implementation sets IPCCONF_CAP_FORK_INHERIT, in every child that
 * process forks afterwards: the child holds its own reference to the same
 * object, exactly as a forked child holds duplicated file descriptors.  An
 * object whose holders have all closed it, or have all exited (killed or
 * not), is gone.  Mechanisms whose objects are not handles say what
 * identifies them in their own table (process ids for signals, System V
 * ids for System V objects).
 *
 * FLAGS.  Open and creation flags are the <fcntl.h> values (O_RDONLY,
 * O_WRONLY, O_RDWR, O_NONBLOCK, O_CLOEXEC, O_CREAT, O_EXCL, O_DIRECT);
 * poll events are the <poll.h> values POLLIN, POLLOUT, POLLHUP, POLLERR,
 * POLLNVAL.
 *
 * SIGNALS.  A write to a byte stream that no reader holds raises SIGPIPE
 * in the calling thread and returns -EPIPE, as pipe(7) describes.  A
 * blocking operation interrupted by a caught signal whose handler was
 * installed without SA_RESTART returns -EINTR when it has transferred
 * nothing; with SA_RESTART it goes on waiting (signal(7)).  That holds
 * for signals sent and caught through the kernel and, for an
 * implementation with its own `signal` table, for signals sent and caught
 * through that table.  Clauses of
 * every mechanism other than `signal` install handlers, change masks and
 * send signals through ipcconf's own raw system calls, never through the
 * `signal` table and never through the C library, so that an
 * implementation's (or a C library's) broken signal functions fail the
 * signal clauses and nothing else.
 *
 * Everything in this header is C11 plus POSIX.1-2008 types (sigset_t,
 * siginfo_t, idtype_t, struct msqid_ds, struct mq_attr, struct shmid_ds,
 * struct semid_ds, struct sembuf, struct sockaddr, struct msghdr: define
 * _POSIX_C_SOURCE 200809L and _XOPEN_SOURCE 700, or _GNU_SOURCE
 * before any #include, or build with -std=gnu11); it includes nothing
 * from ipcconf's own sources, so an implementation can be built outside
 * this tree (see docs/plugins.md for a complete minimal plug-in).
 */
#ifndef IPCCONF_IUT_H
#define IPCCONF_IUT_H

#if defined(__STRICT_ANSI__) && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && \
	!defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#error "ipcconf/iut.h needs POSIX.1-2008 declarations: define _POSIX_C_SOURCE 200809L (or _GNU_SOURCE) first, or build with -std=gnu11"
#endif

#include <mqueue.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPCCONF_IUT_ABI_VERSION 2u
#define IPCCONF_IUT_SYMBOL "ipcconf_iut_v2"

struct ipcconf_iut;

/*
 * Behaviour flags (struct ipcconf_iut.caps): properties of the
 * implementation as a whole, not of one table.  A clause that relies on
 * one the implementation does not declare is a SKIP naming it.
 */
#define IPCCONF_CAP_FORK_INHERIT  (UINT64_C(1) << 0) /* [v2] handles survive fork() */
#define IPCCONF_CAP_PEER_DEATH    (UINT64_C(1) << 1) /* [v2] a holder that dies counts as closed */
#define IPCCONF_CAP_SIGPIPE       (UINT64_C(1) << 2) /* [v2] SIGPIPE on a reader-less write */
#define IPCCONF_CAP_EINTR         (UINT64_C(1) << 3) /* [v2] blocking calls return -EINTR on a caught signal */

/*
 * Every table starts with this head.  `caps` holds that table's own
 * capability bits (IPCCONF_<TABLE>_CAP_*): what the implementation
 * supports beyond the table's required members.  A capability whose
 * operation is missing is dropped by the suite.
 */
struct ipcconf_table_head {
	uint32_t struct_size;     /* sizeof(the table) as compiled */
	uint32_t reserved;        /* 0 */
	uint64_t caps;
};

/* Fills a table's head: IPCCONF_TABLE_HEAD(struct ipcconf_pipe_ops, caps). */
#define IPCCONF_TABLE_HEAD(type, capbits) { (uint32_t)sizeof(type), 0u, (capbits) }

/* ---- handle: the operations every handle accepts ---------------------- */

#define IPCCONF_HANDLE_CAP_DUP      (UINT64_C(1) << 0) /* [v2] dup */
#define IPCCONF_HANDLE_CAP_NONBLOCK (UINT64_C(1) << 1) /* [v2] get_nonblock, set_nonblock, O_NONBLOCK at open */
#define IPCCONF_HANDLE_CAP_POLL     (UINT64_C(1) << 2) /* [v2] poll */

/* One entry of a poll set, as struct pollfd with a handle. */
struct ipcconf_poll_item {
	int handle;
	short events;   /* POLLIN, POLLOUT, ... */
	short revents;  /* written by poll */
};

struct ipcconf_handle_ops {
	struct ipcconf_table_head head;

	/* [v2] close(2): releases this handle; -EBADF if it is not open.  Required. */
	int (*close)(const struct ipcconf_iut *self, int h);

	/* [v2] dup(2): a new handle for the same open object, sharing its status flags. */
	int (*dup)(const struct ipcconf_iut *self, int h);

	/* [v2] fcntl(F_GETFL) & O_NONBLOCK: 1 when set, 0 when clear. */
	int (*get_nonblock)(const struct ipcconf_iut *self, int h);

	/* [v2] fcntl(F_SETFL) of O_NONBLOCK: 0 or -errno. */
	int (*set_nonblock)(const struct ipcconf_iut *self, int h, int on);

	/*
	 * [v2] poll(2) over `n` items, waiting at most timeout_ms (negative:
	 * no bound).  Writes every item's revents (POLLNVAL for a handle that
	 * is not open) and returns how many items have a non-zero revents (0
	 * on timeout).
	 */
	int (*poll)(const struct ipcconf_iut *self, struct ipcconf_poll_item *items, unsigned n,
		    int timeout_ms);
};

/* ---- stream: byte streams (pipe and FIFO ends, connected sockets) ---- */

#define IPCCONF_STREAM_CAP_NREAD (UINT64_C(1) << 0) /* [v2] nread */

struct ipcconf_stream_ops {
	struct ipcconf_table_head head;

	/*
	 * [v2] read(2): blocks while the stream is empty and a writer exists
	 * (unless O_NONBLOCK: -EAGAIN); returns 0 at end-of-file; returns what
	 * is available up to `len`; -EBADF on a handle not open for reading.
	 * Required.
	 */
	ssize_t (*read)(const struct ipcconf_iut *self, int h, void *buf, size_t len);

	/*
	 * [v2] write(2): blocks while there is no room (unless O_NONBLOCK);
	 * -EPIPE (and SIGPIPE) when no reader holds the stream; -EBADF on a
	 * handle not open for writing.  Required.
	 */
	ssize_t (*write)(const struct ipcconf_iut *self, int h, const void *buf, size_t len);

	/* [v2] ioctl(FIONREAD): bytes that a read could return now. */
	long (*nread)(const struct ipcconf_iut *self, int h);
};

/* ---- pipe: anonymous pipes, and what every pipe end (FIFOs too) has -- */

#define IPCCONF_PIPE_CAP_CAPACITY_GET (UINT64_C(1) << 0) /* [v2] get_capacity (F_GETPIPE_SZ) */
#define IPCCONF_PIPE_CAP_CAPACITY_SET (UINT64_C(1) << 1) /* [v2] set_capacity (F_SETPIPE_SZ) */
#define IPCCONF_PIPE_CAP_PIPE_BUF     (UINT64_C(1) << 2) /* [v2] pipe_buf (_PC_PIPE_BUF) */
#define IPCCONF_PIPE_CAP_SEEK         (UINT64_C(1) << 3) /* [v2] seek exists (to be refused) */
#define IPCCONF_PIPE_CAP_PACKET       (UINT64_C(1) << 4) /* [v2] create() takes O_DIRECT (packet mode) */

/* seed:P1-P10, POSIX pipe(), pipe(7).  FIFO ends accept these operations too. */
struct ipcconf_pipe_ops {
	struct ipcconf_table_head head;

	/*
	 * [v2] pipe2(2): ends[0] is the read end, ends[1] the write end, both
	 * handles.  `flags` is 0 or a combination of O_NONBLOCK, O_CLOEXEC
	 * and (with IPCCONF_PIPE_CAP_PACKET) O_DIRECT; anything else gives
	 * -EINVAL.  Required.
	 */
	int (*create)(const struct ipcconf_iut *self, int ends[2], int flags);

	/* [v2] fcntl(F_GETPIPE_SZ): the capacity in bytes. */
	long (*get_capacity)(const struct ipcconf_iut *self, int h);

	/* [v2] fcntl(F_SETPIPE_SZ): returns the capacity actually set (>= bytes). */
	long (*set_capacity)(const struct ipcconf_iut *self, int h, long bytes);

	/* [v2] fpathconf(_PC_PIPE_BUF): the largest write that is atomic. */
	long (*pipe_buf)(const struct ipcconf_iut *self, int h);

	/* [v2] lseek(2): a pipe or FIFO refuses it with -ESPIPE. */
	long long (*seek)(const struct ipcconf_iut *self, int h, long long offset, int whence);
};

/* ---- fifo: named pipes ------------------------------------------------ */

/* seed:F1-F6, POSIX mkfifo() and open(), fifo(7).  No optional members yet. */
struct ipcconf_fifo_ops {
	struct ipcconf_table_head head;

	/* [v2] mkfifo(3): creates the name; -EEXIST if the path exists.  Required. */
	int (*mkfifo)(const struct ipcconf_iut *self, const char *path, mode_t mode);

	/*
	 * [v2] open(2) of a FIFO: O_RDONLY blocks until a writer opens and
	 * O_WRONLY until a reader opens; O_RDWR never blocks; with O_NONBLOCK a
	 * read-open succeeds at once and a write-open without a reader fails
	 * with -ENXIO.  Returns a handle.  Required.
	 */
	int (*open)(const struct ipcconf_iut *self, const char *path, int flags);

	/*
	 * [v2] unlink(2) of the name, plus whatever the implementation keeps
	 * for it outside the file system.  The suite calls it to clean up
	 * after a clause, also after killing the clause's processes.  Required.
	 */
	int (*unlink)(const struct ipcconf_iut *self, const char *path);
};

/* ---- signal: POSIX signals ------------------------------------------ */

/*
 * seed:S1-S4, POSIX.1-2017 XSH 2.4 "Signal Concepts", signal(7),
 * sigaction(2), wait(2).
 *
 * Processes are named by process ids as `self_pid` reports them; a
 * negative id names a process group, as kill(2) takes it.  Masks and
 * pending sets are the calling thread's (clause processes have one
 * thread).  Types are the C library's: sigset_t, struct sigaction,
 * siginfo_t, union sigval.
 *
 * Handlers.  `action` installs a struct sigaction as sigaction(2) does:
 * sa_handler or (with SA_SIGINFO) sa_sigaction, sa_mask, and sa_flags
 * among SA_RESTART, SA_SIGINFO, SA_RESETHAND, SA_NODEFER, SA_NOCLDSTOP,
 * SA_NOCLDWAIT.  A handler runs in the process the signal was delivered
 * to, with the signal (unless SA_NODEFER) and sa_mask added to the mask,
 * and the old mask back when it returns.  An SA_SIGINFO handler gets a
 * siginfo_t with si_signo, si_code (SI_USER for kill, SI_QUEUE for
 * queue, CLD_* for SIGCHLD), si_pid, si_uid, si_value and, for SIGCHLD,
 * si_status; its third argument (the ucontext) may be NULL in an
 * implementation that delivers signals in user space.  `mask` with a
 * NULL `set` (a query) and `kill` must be async-signal-safe: handlers
 * call them.
 *
 * Delivery.  A signal that is not blocked is delivered to a running
 * process promptly; to one that is stopped, or asleep in a blocking
 * call, when it runs again; one sent by a process to itself, or made
 * deliverable by `mask`, before that call returns.  Default actions are
 * signal(7)'s: Term, Core (terminate, and dump core where the system
 * would), Stop, Cont, Ign, observed by the parent through wait_pid.
 *
 * Processes.  Children are made with fork(); a child inherits the mask
 * and the dispositions and starts with an empty pending set.
 */
#define IPCCONF_SIGNAL_CAP_QUEUE   (UINT64_C(1) << 0) /* [v2] queue; real-time signals queue with their values */
#define IPCCONF_SIGNAL_CAP_WAIT    (UINT64_C(1) << 1) /* [v2] wait (sigtimedwait, sigwaitinfo) */
#define IPCCONF_SIGNAL_CAP_SUSPEND (UINT64_C(1) << 2) /* [v2] suspend and pause */
#define IPCCONF_SIGNAL_CAP_CHILD   (UINT64_C(1) << 3) /* [v2] wait_pid, wait_id; SIGCHLD on a child's exit, stop, continue */
#define IPCCONF_SIGNAL_CAP_STOP    (UINT64_C(1) << 4) /* [v2] Stop and Cont default actions: job control */
#define IPCCONF_SIGNAL_CAP_CORE    (UINT64_C(1) << 5) /* [v2] the Core default action dumps where the system would */
#define IPCCONF_SIGNAL_CAP_EXEC    (UINT64_C(1) << 6) /* [v2] dispositions and mask follow execve(2)'s rules */
#define IPCCONF_SIGNAL_CAP_CREDENTIALS (UINT64_C(1) << 7) /* [v2] kill checks the sender's user against the target's */

struct ipcconf_signal_ops {
	struct ipcconf_table_head head;

	/* [v2] getpid(2): the id other processes name this one by.  Required. */
	pid_t (*self_pid)(const struct ipcconf_iut *self);

	/*
	 * [v2] kill(2): `sig` 0 only checks that the target exists and may be
	 * signalled; -ESRCH for no such process (a reaped child), -EINVAL for
	 * an invalid signal, -EPERM without permission.  Required.
	 */
	int (*kill)(const struct ipcconf_iut *self, pid_t pid, int sig);

	/* [v2] raise(3): the signal to the calling thread, delivered before return when not blocked.  Required. */
	int (*raise)(const struct ipcconf_iut *self, int sig);

	/*
	 * [v2] sigaction(2): either pointer may be NULL; -EINVAL for SIGKILL
	 * or SIGSTOP with a new action, or for an invalid signal.  Required.
	 */
	int (*action)(const struct ipcconf_iut *self, int sig, const struct sigaction *act,
		      struct sigaction *old);

	/*
	 * [v2] sigprocmask(2): `how` is SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK;
	 * either pointer may be NULL.  SIGKILL and SIGSTOP are silently left
	 * out.  Pending signals it unblocks are delivered before it returns.
	 * Required.
	 */
	int (*mask)(const struct ipcconf_iut *self, int how, const sigset_t *set, sigset_t *old);

	/* [v2] sigpending(2): the signals pending for the thread or the process.  Required. */
	int (*pending)(const struct ipcconf_iut *self, sigset_t *set);

	/*
	 * [v2] sigqueue(3): sends `sig` with `value`; real-time signals
	 * (SIGRTMIN..SIGRTMAX) queue, one instance per call, and -EAGAIN once
	 * the receiver's queue limit (RLIMIT_SIGPENDING) is reached.
	 */
	int (*queue)(const struct ipcconf_iut *self, pid_t pid, int sig, union sigval value);

	/*
	 * [v2] sigtimedwait(2) (sigwaitinfo(2) when `timeout` is NULL): takes
	 * one pending signal of `set` (which the caller has blocked) and
	 * returns its number, filling `info` when not NULL; -EAGAIN when the
	 * timeout passes first; -EINTR when a handler for another signal ran.
	 */
	int (*wait)(const struct ipcconf_iut *self, const sigset_t *set, siginfo_t *info,
		    const struct timespec *timeout);

	/* [v2] sigsuspend(2): waits with `mask` in place; -EINTR after a handler ran, old mask back. */
	int (*suspend)(const struct ipcconf_iut *self, const sigset_t *mask);

	/* [v2] pause(2): waits for a caught signal; -EINTR after its handler ran. */
	int (*pause)(const struct ipcconf_iut *self);

	/* [v2] waitpid(2): a child's pid with its wait status, 0 under WNOHANG, -ECHILD. */
	pid_t (*wait_pid)(const struct ipcconf_iut *self, pid_t pid, int *status, int options);

	/*
	 * [v2] waitid(2): 0 with `info` filled (si_pid 0 under WNOHANG when
	 * no child changed state), or -errno.
	 */
	int (*wait_id)(const struct ipcconf_iut *self, idtype_t idtype, id_t id, siginfo_t *info,
		       int options);
};

/* ---- msgq: System V message queues ---------------------------------- */

/*
 * seed:Q1-Q6, POSIX.1-2017 XSH msgget(), msgsnd(), msgrcv(), msgctl(),
 * msgop(2), msgctl(2).  Queues are named by their System V identifiers
 * (msgget's result), valid in every process, related or not, until
 * IPC_RMID; keys come from the suite (ipcconf_sysv_key), never IPC_PRIVATE
 * unless a clause says so.  A message buffer is struct { long mtype; char
 * mtext[]; } as msgop(2) describes; `size` counts mtext only.  Flags and
 * commands are <sys/ipc.h>'s and <sys/msg.h>'s (IPC_CREAT, IPC_EXCL,
 * IPC_NOWAIT, MSG_NOERROR, MSG_EXCEPT, MSG_COPY, IPC_STAT, IPC_SET,
 * IPC_RMID).  A queue outlives every process until IPC_RMID, which wakes
 * its blocked senders and receivers with -EIDRM.
 */
#define IPCCONF_MSGQ_CAP_EXCEPT      (UINT64_C(1) << 0) /* [v2] receive takes MSG_EXCEPT */
#define IPCCONF_MSGQ_CAP_COPY        (UINT64_C(1) << 1) /* [v2] receive takes MSG_COPY (by position, not removed) */
#define IPCCONF_MSGQ_CAP_CREDENTIALS (UINT64_C(1) << 2) /* [v2] modes are checked against the caller's user (EACCES) */

struct ipcconf_msgq_ops {
	struct ipcconf_table_head head;

	/* [v2] msgget(2): the queue's id for `key` with `flags` (IPC_CREAT, IPC_EXCL, mode bits).  Required. */
	int (*get)(const struct ipcconf_iut *self, key_t key, int flags);

	/*
	 * [v2] msgsnd(2): appends the message (mtype >= 1) or blocks while the
	 * queue lacks room (unless IPC_NOWAIT: -EAGAIN).  0 or -errno.  Required.
	 */
	int (*send)(const struct ipcconf_iut *self, int id, const void *msg, size_t size, int flags);

	/*
	 * [v2] msgrcv(2): removes and copies the first message that `type`
	 * selects (0: the oldest; > 0: the oldest of that type, or with
	 * MSG_EXCEPT of any other; < 0: the oldest of the lowest type <=
	 * |type|); blocks while none matches (unless IPC_NOWAIT: -ENOMSG).
	 * Returns the bytes of mtext copied; -E2BIG, leaving the message, when
	 * it is longer than `size` and MSG_NOERROR is not given.  Required.
	 */
	ssize_t (*receive)(const struct ipcconf_iut *self, int id, void *msg, size_t size, long type,
			   int flags);

	/* [v2] msgctl(2) with IPC_STAT, IPC_SET or IPC_RMID (`buf` unused: may be NULL).  Required. */
	int (*control)(const struct ipcconf_iut *self, int id, int cmd, struct msqid_ds *buf);
};

/* ---- mq: POSIX message queues ----------------------------------------- */

/*
 * seed:Q3, Q4, Q6, POSIX.1-2017 XSH mq_open() ... mq_unlink(),
 * mq_overview(7).  A queue is reached by name ("/name") from any process;
 * an open queue is a handle, which the `handle` table closes (and, with
 * IPCCONF_MQ_CAP_POLL, polls: POLLIN when a message is there, POLLOUT when
 * there is room).  O_NONBLOCK is the open description's flag, read and
 * changed with getattr/setattr.  Messages leave highest priority first,
 * oldest first within a priority.  Timeouts are absolute CLOCK_REALTIME
 * times, as mq_timedsend(3) takes them; NULL waits without bound.
 */
#define IPCCONF_MQ_CAP_NOTIFY (UINT64_C(1) << 0) /* [v2] notify (mq_notify, SIGEV_SIGNAL and SIGEV_NONE) */
#define IPCCONF_MQ_CAP_POLL   (UINT64_C(1) << 1) /* [v2] the handle table's poll accepts queue handles */
#define IPCCONF_MQ_CAP_SETATTR (UINT64_C(1) << 2) /* [v2] setattr */

struct ipcconf_mq_ops {
	struct ipcconf_table_head head;

	/*
	 * [v2] mq_open(3): `flags` O_RDONLY/O_WRONLY/O_RDWR with O_CREAT,
	 * O_EXCL, O_NONBLOCK; `attr` (mq_maxmsg, mq_msgsize) only with
	 * O_CREAT, NULL for the system's defaults.  Returns a handle.  Required.
	 */
	int (*open)(const struct ipcconf_iut *self, const char *name, int flags, mode_t mode,
		    const struct mq_attr *attr);

	/* [v2] mq_unlink(3): removes the name; open handles keep working.  Required. */
	int (*unlink)(const struct ipcconf_iut *self, const char *name);

	/*
	 * [v2] mq_send(3), or mq_timedsend(3) when `abs_timeout` is not NULL:
	 * blocks while the queue is full (unless O_NONBLOCK: -EAGAIN;
	 * -ETIMEDOUT at the timeout); -EMSGSIZE when len > mq_msgsize.  Required.
	 */
	int (*send)(const struct ipcconf_iut *self, int h, const char *msg, size_t len, unsigned prio,
		    const struct timespec *abs_timeout);

	/*
	 * [v2] mq_receive(3), or mq_timedreceive(3) when `abs_timeout` is not
	 * NULL: the oldest message of the highest priority, its length
	 * returned and its priority in *prio (when not NULL); -EMSGSIZE when
	 * len < mq_msgsize.  Required.
	 */
	ssize_t (*receive)(const struct ipcconf_iut *self, int h, char *msg, size_t len, unsigned *prio,
			   const struct timespec *abs_timeout);

	/* [v2] mq_getattr(3).  Required. */
	int (*getattr)(const struct ipcconf_iut *self, int h, struct mq_attr *attr);

	/* [v2] mq_setattr(3): only O_NONBLOCK of mq_flags changes; `old` may be NULL. */
	int (*setattr)(const struct ipcconf_iut *self, int h, const struct mq_attr *attr,
		       struct mq_attr *old);

	/* [v2] mq_notify(3): registers (sev not NULL) or removes (NULL) this process's notification. */
	int (*notify)(const struct ipcconf_iut *self, int h, const struct sigevent *sev);
};

/* ---- shm: shared memory (POSIX and System V) -------------------------- */

/*
 * seed:M1, M3, M4, G1; POSIX.1-2017 XSH shm_open(), shm_unlink(), mmap(),
 * munmap(), ftruncate(), shmget(), shmat(), shmdt(), shmctl();
 * shm_overview(7), shmget(2), shmop(2), shmctl(2).
 *
 * POSIX objects are reached by name ("/name") and opened as handles (the
 * `handle` table closes them); System V segments are named by their ids
 * (shmget's result), valid in every process until IPC_RMID and the last
 * detach.  A mapping or attachment comes back through an out-parameter
 * and is an address in the calling process: reads and writes through it
 * are plain memory accesses, which is the mechanism (M1).  Access beyond
 * the object's end, inside a mapping, raises SIGBUS; a write through a
 * read-only mapping or attachment raises SIGSEGV, as the kernel does.
 * Mappings and attachments are inherited by fork() (IPCCONF_CAP_FORK_INHERIT
 * has no say: memory is not a handle) and dropped by exit, which detaches.
 * The POSIX members and the System V members are independent groups,
 * each behind its capability: an implementation may offer either.
 */
#define IPCCONF_SHM_CAP_POSIX       (UINT64_C(1) << 0) /* [v2] open, unlink, truncate, size, map, unmap */
#define IPCCONF_SHM_CAP_SYSV        (UINT64_C(1) << 1) /* [v2] get, attach, detach, control */
#define IPCCONF_SHM_CAP_CREDENTIALS (UINT64_C(1) << 2) /* [v2] modes are checked against the caller's user (EACCES) */

struct ipcconf_shm_ops {
	struct ipcconf_table_head head;

	/* [v2] shm_open(3): `flags` O_RDONLY/O_RDWR with O_CREAT, O_EXCL, O_TRUNC.  Returns a handle. */
	int (*open)(const struct ipcconf_iut *self, const char *name, int flags, mode_t mode);

	/* [v2] shm_unlink(3): removes the name; open handles and mappings keep working. */
	int (*unlink)(const struct ipcconf_iut *self, const char *name);

	/* [v2] ftruncate(2) on a handle: sets the size, new bytes read as zero. */
	int (*truncate)(const struct ipcconf_iut *self, int h, off_t size);

	/* [v2] fstat(2)'s st_size of a handle, in *size. */
	int (*size)(const struct ipcconf_iut *self, int h, off_t *size);

	/*
	 * [v2] mmap(2) of a handle: `prot` PROT_READ/PROT_WRITE, `flags`
	 * MAP_SHARED or MAP_PRIVATE; the address in *addr.  -EACCES for a
	 * writable shared mapping of a read-only handle.
	 */
	int (*map)(const struct ipcconf_iut *self, int h, size_t len, int prot, int flags, off_t offset,
		   void **addr);

	/* [v2] munmap(2) of a mapping `map` returned. */
	int (*unmap)(const struct ipcconf_iut *self, void *addr, size_t len);

	/* [v2] shmget(2): the segment's id for `key` (size, IPC_CREAT, IPC_EXCL, mode bits). */
	int (*get)(const struct ipcconf_iut *self, key_t key, size_t size, int flags);

	/* [v2] shmat(2) at an address of the implementation's choosing; SHM_RDONLY.  *addr. */
	int (*attach)(const struct ipcconf_iut *self, int id, int flags, void **addr);

	/* [v2] shmdt(2) of an address `attach` returned. */
	int (*detach)(const struct ipcconf_iut *self, const void *addr);

	/* [v2] shmctl(2) with IPC_STAT, IPC_SET or IPC_RMID (`buf` unused for IPC_RMID). */
	int (*control)(const struct ipcconf_iut *self, int id, int cmd, struct shmid_ds *buf);
};

/* ---- sem: semaphores (POSIX named and unnamed, System V sets) --------- */

/*
 * seed:M2; POSIX.1-2017 XSH sem_open() ... sem_unlink(), sem_init(),
 * semget(), semop(), semctl(); sem_overview(7), semop(2), semctl(2).
 *
 * A POSIX semaphore is an address: named ones come from `open` (through
 * an out-parameter, valid in the process and its later children until
 * `close`), unnamed ones live in memory the caller provides -- normally a
 * shared mapping -- of at least `unnamed_size` bytes aligned to
 * `unnamed_align`, set up by `init` (pshared 1: usable by every process
 * that maps the memory).  System V sets are named by their ids.
 * Timeouts: `wait` takes an absolute CLOCK_REALTIME time as
 * sem_timedwait(3) does (NULL: no bound); `op` a relative one as
 * semtimedop(2) does (NULL: no bound).  A blocked wait interrupted by a
 * caught signal returns -EINTR when the handler was installed without
 * SA_RESTART; with SA_RESTART, sem_wait and sem_timedwait go on waiting
 * while semop and semtimedop still return -EINTR (signal(7)).
 */
#define IPCCONF_SEM_CAP_UNNAMED     (UINT64_C(1) << 0) /* [v2] init, destroy, wait, trywait, post, getvalue */
#define IPCCONF_SEM_CAP_NAMED       (UINT64_C(1) << 1) /* [v2] open, close, unlink, wait, trywait, post, getvalue */
#define IPCCONF_SEM_CAP_SYSV        (UINT64_C(1) << 2) /* [v2] get, op, control */
#define IPCCONF_SEM_CAP_UNDO        (UINT64_C(1) << 3) /* [v2] SEM_UNDO adjustments applied when the process exits or dies */
#define IPCCONF_SEM_CAP_CREDENTIALS (UINT64_C(1) << 4) /* [v2] modes are checked against the caller's user (EACCES) */

/* semctl(2)'s fourth argument, which the caller must define (semctl(2) NOTES). */
union ipcconf_semun {
	int val;                 /* SETVAL */
	struct semid_ds *buf;    /* IPC_STAT, IPC_SET */
	unsigned short *array;   /* GETALL, SETALL */
};

struct ipcconf_sem_ops {
	struct ipcconf_table_head head;

	/* [v2] Bytes and alignment an unnamed semaphore needs (sizeof and _Alignof(sem_t) for os). */
	uint32_t unnamed_size;
	uint32_t unnamed_align;

	/* [v2] sem_open(3): O_CREAT, O_EXCL; `value` only on creation.  The semaphore in *sem. */
	int (*open)(const struct ipcconf_iut *self, const char *name, int flags, mode_t mode,
		    unsigned value, void **sem);

	/* [v2] sem_close(3) of a named semaphore. */
	int (*close)(const struct ipcconf_iut *self, void *sem);

	/* [v2] sem_unlink(3): removes the name; open semaphores keep working. */
	int (*unlink)(const struct ipcconf_iut *self, const char *name);

	/* [v2] sem_init(3) in caller memory: `pshared` 0 (threads) or 1 (processes). */
	int (*init)(const struct ipcconf_iut *self, void *sem, int pshared, unsigned value);

	/* [v2] sem_destroy(3) of an unnamed semaphore nobody waits on. */
	int (*destroy)(const struct ipcconf_iut *self, void *sem);

	/*
	 * [v2] sem_wait(3), or sem_timedwait(3) when `abs_timeout` is not NULL:
	 * decrements, blocking while the value is 0; -ETIMEDOUT, -EINTR.
	 */
	int (*wait)(const struct ipcconf_iut *self, void *sem, const struct timespec *abs_timeout);

	/* [v2] sem_trywait(3): decrements, or -EAGAIN at 0. */
	int (*trywait)(const struct ipcconf_iut *self, void *sem);

	/* [v2] sem_post(3): increments, waking one waiter; -EOVERFLOW above SEM_VALUE_MAX. */
	int (*post)(const struct ipcconf_iut *self, void *sem);

	/* [v2] sem_getvalue(3): the value in *value (0 when there are waiters, as Linux reports). */
	int (*getvalue)(const struct ipcconf_iut *self, void *sem, int *value);

	/* [v2] semget(2): the set's id for `key` with `nsems` semaphores. */
	int (*get)(const struct ipcconf_iut *self, key_t key, int nsems, int flags);

	/*
	 * [v2] semop(2), or semtimedop(2) when `timeout` is not NULL: all the
	 * operations at once or none; blocks (IPC_NOWAIT: -EAGAIN), SEM_UNDO.
	 */
	int (*op)(const struct ipcconf_iut *self, int id, struct sembuf *ops, size_t nops,
		  const struct timespec *timeout);

	/*
	 * [v2] semctl(2): GETVAL, SETVAL, GETALL, SETALL, GETNCNT, GETZCNT,
	 * GETPID, IPC_STAT, IPC_SET, IPC_RMID.  Returns the value the command
	 * asks for (GETVAL, GETNCNT, GETZCNT, GETPID) or 0.
	 */
	int (*control)(const struct ipcconf_iut *self, int id, int semnum, int cmd,
		       union ipcconf_semun arg);
};

/* ---- socket: sockets ------------------------------------------------- */

/*
 * seed:K1-K3; POSIX.1-2017 XSH socket(), socketpair(), bind(), listen(),
 * accept(), connect(), sendto(), recvfrom(), sendmsg(), recvmsg(),
 * shutdown(), getsockname(), getpeername(), getsockopt(), setsockopt();
 * socket(7), unix(7), tcp(7), udp(7).
 *
 * A socket is a handle: the `handle` table closes, dups and polls it and
 * sets its O_NONBLOCK; the `stream` table's read and write accept a
 * connected socket of any type and behave as recv and send with flags 0.
 * Domains are AF_UNIX, AF_INET and AF_INET6; types SOCK_STREAM,
 * SOCK_DGRAM and SOCK_SEQPACKET, optionally OR'd with SOCK_NONBLOCK and
 * SOCK_CLOEXEC; addresses are the system's struct sockaddr_un,
 * sockaddr_in and sockaddr_in6; message flags are <sys/socket.h>'s MSG_*
 * values, options its SOL_SOCKET ones.  Only AF_UNIX SOCK_STREAM is
 * required; everything else is a capability.  The suite uses AF_INET and
 * AF_INET6 only with loopback addresses.
 *
 * A bind to a path name creates a file system object at that path
 * (-EADDRINUSE when anything exists there) that outlives the socket until
 * it is unlinked; the suite unlinks it itself (unlink(2)), never through
 * this table.  A send on a stream or seqpacket socket that can no longer
 * deliver (shut down for writing, or the peer closed) returns -EPIPE; on a
 * stream socket it also raises SIGPIPE in the calling thread unless
 * MSG_NOSIGNAL is given (Linux raises none for seqpacket, and the suite
 * does not ask for it there); the stream table's write is a send without
 * MSG_NOSIGNAL.
 *
 * Control messages (send_msg, recv_msg) are laid out as cmsg(3)
 * describes; the descriptors of an SCM_RIGHTS message are this
 * implementation's handles, and the receiver gets new handles for the
 * same open objects.  A msghdr's msg_flags on return carries MSG_TRUNC and
 * MSG_CTRUNC as recvmsg(2) sets them.
 */
#define IPCCONF_SOCKET_CAP_DGRAM       (UINT64_C(1) << 0) /* [v2] AF_UNIX SOCK_DGRAM */
#define IPCCONF_SOCKET_CAP_SEQPACKET   (UINT64_C(1) << 1) /* [v2] AF_UNIX SOCK_SEQPACKET */
#define IPCCONF_SOCKET_CAP_ABSTRACT    (UINT64_C(1) << 2) /* [v2] AF_UNIX abstract names (sun_path[0] == 0) */
#define IPCCONF_SOCKET_CAP_INET        (UINT64_C(1) << 3) /* [v2] AF_INET TCP and UDP on 127.0.0.1 */
#define IPCCONF_SOCKET_CAP_INET6       (UINT64_C(1) << 4) /* [v2] AF_INET6 TCP and UDP on ::1 */
#define IPCCONF_SOCKET_CAP_PEERCRED    (UINT64_C(1) << 5) /* [v2] get_option(SOL_SOCKET, SO_PEERCRED) */
#define IPCCONF_SOCKET_CAP_RIGHTS      (UINT64_C(1) << 6) /* [v2] send_msg, recv_msg with SCM_RIGHTS */
#define IPCCONF_SOCKET_CAP_CREDENTIALS (UINT64_C(1) << 7) /* [v2] SO_PASSCRED and SCM_CREDENTIALS */

struct ipcconf_socket_ops {
	struct ipcconf_table_head head;

	/* [v2] socket(2): a new, unconnected socket.  Required. */
	int (*open)(const struct ipcconf_iut *self, int domain, int type, int protocol);

	/* [v2] socketpair(2): two connected sockets (AF_UNIX).  Required. */
	int (*pair)(const struct ipcconf_iut *self, int domain, int type, int protocol, int ends[2]);

	/* [v2] bind(2).  Required. */
	int (*bind)(const struct ipcconf_iut *self, int h, const struct sockaddr *addr,
		    socklen_t len);

	/* [v2] listen(2).  Required. */
	int (*listen)(const struct ipcconf_iut *self, int h, int backlog);

	/*
	 * [v2] accept4(2): the next pending connection as a new handle, its
	 * peer's address in *addr (when addr is not NULL, *len in and out);
	 * flags SOCK_NONBLOCK, SOCK_CLOEXEC.  Blocks while none is pending
	 * (unless O_NONBLOCK: -EAGAIN).  Required.
	 */
	int (*accept)(const struct ipcconf_iut *self, int h, struct sockaddr *addr, socklen_t *len,
		      int flags);

	/* [v2] connect(2).  Required. */
	int (*connect)(const struct ipcconf_iut *self, int h, const struct sockaddr *addr,
		       socklen_t len);

	/*
	 * [v2] sendto(2) (send(2) when `to` is NULL): the bytes sent, which a
	 * stream socket may make fewer than `len`.  Required.
	 */
	ssize_t (*send)(const struct ipcconf_iut *self, int h, const void *buf, size_t len, int flags,
			const struct sockaddr *to, socklen_t to_len);

	/*
	 * [v2] recvfrom(2) (recv(2) when `from` is NULL): the bytes received,
	 * or with MSG_TRUNC on a datagram socket the datagram's real length;
	 * 0 at end of file.  Required.
	 */
	ssize_t (*recv)(const struct ipcconf_iut *self, int h, void *buf, size_t len, int flags,
			struct sockaddr *from, socklen_t *from_len);

	/* [v2] shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR.  Required. */
	int (*shutdown)(const struct ipcconf_iut *self, int h, int how);

	/* [v2] getsockname(2).  Required. */
	int (*local_name)(const struct ipcconf_iut *self, int h, struct sockaddr *addr,
			  socklen_t *len);

	/* [v2] getpeername(2).  Required. */
	int (*peer_name)(const struct ipcconf_iut *self, int h, struct sockaddr *addr,
			 socklen_t *len);

	/* [v2] getsockopt(2).  Required (SO_TYPE and SO_ERROR at least). */
	int (*get_option)(const struct ipcconf_iut *self, int h, int level, int name, void *value,
			  socklen_t *len);

	/* [v2] setsockopt(2). */
	int (*set_option)(const struct ipcconf_iut *self, int h, int level, int name,
			  const void *value, socklen_t len);

	/* [v2] sendmsg(2): with IPCCONF_SOCKET_CAP_RIGHTS or _CREDENTIALS. */
	ssize_t (*send_msg)(const struct ipcconf_iut *self, int h, const struct msghdr *msg,
			    int flags);

	/* [v2] recvmsg(2): with IPCCONF_SOCKET_CAP_RIGHTS or _CREDENTIALS. */
	ssize_t (*recv_msg)(const struct ipcconf_iut *self, int h, struct msghdr *msg, int flags);
};

struct ipcconf_iut {
	uint32_t abi_version;       /* IPCCONF_IUT_ABI_VERSION: checked first */
	uint32_t struct_size;       /* sizeof(struct ipcconf_iut) as compiled */
	const char *name;           /* short name shown in reports: "os", "ref" */
	const char *description;    /* one line */
	uint64_t caps;              /* IPCCONF_CAP_* behaviour flags */

	/* The tables, in IPCCONF_TABLES order.  NULL: not implemented. */
	const struct ipcconf_handle_ops *handle;  /* [v2] */
	const struct ipcconf_stream_ops *stream;  /* [v2] */
	const struct ipcconf_pipe_ops *pipe;      /* [v2] */
	const struct ipcconf_fifo_ops *fifo;      /* [v2] */
	const struct ipcconf_signal_ops *signal;  /* [v2] */
	const struct ipcconf_msgq_ops *msgq;      /* [v2] System V queues */
	const struct ipcconf_mq_ops *mq;          /* [v2] POSIX queues */
	const struct ipcconf_shm_ops *shm;        /* [v2] shared memory */
	const struct ipcconf_sem_ops *sem;        /* [v2] semaphores */
	const struct ipcconf_socket_ops *socket;  /* [v2] sockets */
};

/*
 * The tables as a list, for tools that treat them alike (the suite's
 * loader): X(ENUM_SUFFIX, member, struct tag).
 */
#define IPCCONF_TABLES(X)                                                      \
	X(HANDLE, handle, ipcconf_handle_ops)                                  \
	X(STREAM, stream, ipcconf_stream_ops)                                  \
	X(PIPE, pipe, ipcconf_pipe_ops)                                        \
	X(FIFO, fifo, ipcconf_fifo_ops)                                        \
	X(SIGNAL, signal, ipcconf_signal_ops)                                  \
	X(MSGQ, msgq, ipcconf_msgq_ops)                                        \
	X(MQ, mq, ipcconf_mq_ops)                                              \
	X(SHM, shm, ipcconf_shm_ops)                                           \
	X(SEM, sem, ipcconf_sem_ops)                                          \
	X(SOCKET, socket, ipcconf_socket_ops)

enum ipcconf_table_id {
#define IPCCONF_TABLE_ENUM_(id, member, tag) IPCCONF_TABLE_##id,
	IPCCONF_TABLES(IPCCONF_TABLE_ENUM_)
#undef IPCCONF_TABLE_ENUM_
	IPCCONF_TABLE_COUNT
};

typedef const struct ipcconf_iut *(*ipcconf_iut_entry_fn)(void);

/* The one symbol a plug-in exports. */
const struct ipcconf_iut *ipcconf_iut_v2(void);

#ifdef __cplusplus
}
#endif

#endif /* IPCCONF_IUT_H */
