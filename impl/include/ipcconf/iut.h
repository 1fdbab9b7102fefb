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
 * nothing; with SA_RESTART it goes on waiting (signal(7)).  Clauses of
 * every mechanism other than `signal` install handlers, change masks and
 * send signals through ipcconf's own raw system calls, never through the
 * `signal` table and never through the C library, so that an
 * implementation's (or a C library's) broken signal functions fail the
 * signal clauses and nothing else.
 *
 * Everything in this header is C11 plus POSIX types; it includes nothing
 * from ipcconf's own sources, so an implementation can be built outside
 * this tree (see docs/plugins.md for a complete minimal plug-in).
 */
#ifndef IPCCONF_IUT_H
#define IPCCONF_IUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* ---- stream: byte streams (pipe and FIFO ends; stream sockets later) -- */

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

/*
 * Reserved: each later mechanism defines its table in its own change,
 * append-only within ABI 2.  Until then the members below stay NULL.
 */
struct ipcconf_signal_ops;
struct ipcconf_msgq_ops;
struct ipcconf_mq_ops;
struct ipcconf_shm_ops;
struct ipcconf_sem_ops;
struct ipcconf_socket_ops;

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
	const struct ipcconf_signal_ops *signal;  /* [v2] reserved */
	const struct ipcconf_msgq_ops *msgq;      /* [v2] reserved: System V queues */
	const struct ipcconf_mq_ops *mq;          /* [v2] reserved: POSIX queues */
	const struct ipcconf_shm_ops *shm;        /* [v2] reserved */
	const struct ipcconf_sem_ops *sem;        /* [v2] reserved */
	const struct ipcconf_socket_ops *socket;  /* [v2] reserved */
};

/*
 * The tables as a list, for tools that treat them alike (the suite's
 * loader): X(ENUM_SUFFIX, member, struct tag).  Reserved tables have no
 * definition yet and are listed when they get one.
 */
#define IPCCONF_TABLES(X)                                                      \
	X(HANDLE, handle, ipcconf_handle_ops)                                  \
	X(STREAM, stream, ipcconf_stream_ops)                                  \
	X(PIPE, pipe, ipcconf_pipe_ops)                                        \
	X(FIFO, fifo, ipcconf_fifo_ops)

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
