/*
 * ipcconf/iut.h -- the contract between the conformance suite and an
 * implementation under test (IUT).
 *
 * An implementation is one table, `struct ipcconf_iut`, reached through one
 * exported function:
 *
 *     const struct ipcconf_iut *ipcconf_iut_v1(void);
 *
 * A plug-in shared object exports exactly that symbol (IPCCONF_IUT_SYMBOL);
 * the built-in `os` and `ref` implementations provide the same table.  The
 * suite calls the function once, before it forks anything, and then uses
 * only the table.
 *
 * VERSIONING.  `abi_version` comes first and is IPCCONF_IUT_ABI_VERSION for
 * every implementation of this header.  Tables only ever grow at the end:
 * each table starts with `struct_size`, the sizeof() the implementation was
 * compiled with, and the suite never reads a member that lies beyond it.  A
 * member that is NULL, or beyond `struct_size`, is "not implemented"; the
 * clauses that need it are reported as SKIP with that reason.  An
 * incompatible change would bump the ABI version and the symbol name.
 *
 * ERRORS.  Every operation returns a non-negative result on success and a
 * negative errno value (-EAGAIN, -EPIPE, ...) on failure, using Linux's
 * errno numbering.  An operation never reports failure through `errno`.
 *
 * HANDLES.  Pipe and FIFO ends are `int` handles.  A handle is meaningful
 * only to the implementation that returned it (for `os` it is a file
 * descriptor; for `ref` an index into a per-process table).  A handle is
 * valid in the process that obtained it and, when the implementation sets
 * IPCCONF_CAP_FORK_INHERIT, in every child that process forks afterwards:
 * the child holds its own reference to the same end, exactly as a forked
 * child holds duplicated file descriptors.  An end whose holders have all
 * closed it, or have all exited (killed or not), is gone.
 *
 * FLAGS.  Open and creation flags are the <fcntl.h> values O_RDONLY,
 * O_WRONLY, O_RDWR, O_NONBLOCK and O_CLOEXEC; poll events are the <poll.h>
 * values POLLIN, POLLOUT, POLLHUP, POLLERR.
 *
 * SIGNALS.  A write to an end that no reader holds raises SIGPIPE in the
 * calling thread and returns -EPIPE, as pipe(7) describes.  A blocking
 * operation interrupted by a caught signal whose handler was installed
 * without SA_RESTART returns -EINTR when it has transferred nothing; with
 * SA_RESTART it goes on waiting, as read(2) and write(2) do (signal(7)).
 *
 * Everything in this header is C11 plus POSIX types; it includes nothing
 * from ipcconf's own sources, so an implementation can be built outside
 * this tree.
 */
#ifndef IPCCONF_IUT_H
#define IPCCONF_IUT_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPCCONF_IUT_ABI_VERSION 1u
#define IPCCONF_IUT_SYMBOL "ipcconf_iut_v1"

/*
 * Capability flags (struct ipcconf_iut.caps).  A clause names the
 * capabilities it needs; when the implementation lacks one, the clause is a
 * SKIP that names the missing capability.  Appending bits is compatible.
 */
#define IPCCONF_CAP_PIPE          (UINT64_C(1) << 0)  /* pipe table present */
#define IPCCONF_CAP_FIFO          (UINT64_C(1) << 1)  /* fifo table present */
#define IPCCONF_CAP_FORK_INHERIT  (UINT64_C(1) << 2)  /* handles survive fork() */
#define IPCCONF_CAP_PEER_DEATH    (UINT64_C(1) << 3)  /* a holder that dies counts as closed */
#define IPCCONF_CAP_NONBLOCK      (UINT64_C(1) << 4)  /* O_NONBLOCK on create/open/set_nonblock */
#define IPCCONF_CAP_CAPACITY_GET  (UINT64_C(1) << 5)  /* stream.get_capacity (F_GETPIPE_SZ) */
#define IPCCONF_CAP_CAPACITY_SET  (UINT64_C(1) << 6)  /* stream.set_capacity (F_SETPIPE_SZ) */
#define IPCCONF_CAP_NREAD         (UINT64_C(1) << 7)  /* stream.nread (FIONREAD) */
#define IPCCONF_CAP_POLL          (UINT64_C(1) << 8)  /* stream.poll */
#define IPCCONF_CAP_DUP           (UINT64_C(1) << 9)  /* stream.dup */
#define IPCCONF_CAP_SEEK          (UINT64_C(1) << 10) /* stream.seek exists (to be refused) */
#define IPCCONF_CAP_SIGPIPE       (UINT64_C(1) << 11) /* raises SIGPIPE on a reader-less write */
#define IPCCONF_CAP_EINTR         (UINT64_C(1) << 12) /* blocking calls return -EINTR on a caught signal */

/* Reserved for the mechanisms that come next; their tables are appended. */
#define IPCCONF_CAP_SIGNAL        (UINT64_C(1) << 32)
#define IPCCONF_CAP_MSGQ_SYSV     (UINT64_C(1) << 33)
#define IPCCONF_CAP_MQ_POSIX      (UINT64_C(1) << 34)
#define IPCCONF_CAP_SHM           (UINT64_C(1) << 35)
#define IPCCONF_CAP_SEM           (UINT64_C(1) << 36)
#define IPCCONF_CAP_SOCKET        (UINT64_C(1) << 37)

/*
 * Operations on an open end of a pipe or a FIFO: the byte stream of
 * seed:P2-P5, P9 and F2-F3.  Both the pipe and the fifo tables hand out
 * handles that these operations accept.
 */
struct ipcconf_stream_ops {
	uint32_t struct_size;

	/*
	 * read(2) on the end: blocks while the stream is empty and a writer
	 * exists (unless O_NONBLOCK: -EAGAIN); returns 0 at end-of-file; may
	 * return fewer bytes than asked; -EBADF on a write-only end.
	 */
	ssize_t (*read)(int h, void *buf, size_t len);

	/*
	 * write(2) on the end: writes of at most pipe_buf() bytes are atomic;
	 * blocks while there is no room (unless O_NONBLOCK: -EAGAIN, or a
	 * partial count for writes larger than pipe_buf()); -EPIPE (and
	 * SIGPIPE) when no reader holds the stream; -EBADF on a read-only end.
	 */
	ssize_t (*write)(int h, const void *buf, size_t len);

	/* close(2): releases this handle; -EBADF if it is not open. */
	int (*close)(int h);

	/* dup(2): a new handle for the same end, sharing its status flags. */
	int (*dup)(int h);

	/* fcntl(F_GETFL) & O_NONBLOCK: 1 when set, 0 when clear. */
	int (*get_nonblock)(int h);

	/* fcntl(F_SETFL) of O_NONBLOCK: 0 or -errno. */
	int (*set_nonblock)(int h, int on);

	/* ioctl(FIONREAD): bytes that a read could return now. */
	long (*nread)(int h);

	/*
	 * poll(2) on the one end for `events`; waits at most timeout_ms
	 * (negative: no bound).  Returns the revents (0 on timeout).
	 */
	int (*poll)(int h, short events, int timeout_ms);

	/* lseek(2): a pipe or FIFO refuses it with -ESPIPE. */
	long long (*seek)(int h, long long offset, int whence);

	/* fcntl(F_GETPIPE_SZ): the stream's capacity in bytes. */
	long (*get_capacity)(int h);

	/* fcntl(F_SETPIPE_SZ): returns the capacity actually set (>= bytes). */
	long (*set_capacity)(int h, long bytes);

	/* fpathconf(_PC_PIPE_BUF): the largest write that is atomic. */
	long (*pipe_buf)(int h);
};

/* Anonymous pipes: seed:P1-P10, POSIX pipe(), pipe(7). */
struct ipcconf_pipe_ops {
	uint32_t struct_size;

	/*
	 * pipe2(2): ends[0] is the read end, ends[1] the write end.
	 * `flags` is 0 or a combination of O_NONBLOCK and O_CLOEXEC.
	 */
	int (*create)(int ends[2], int flags);
};

/* Named pipes: seed:F1-F6, POSIX mkfifo() and open(), fifo(7). */
struct ipcconf_fifo_ops {
	uint32_t struct_size;

	/* mkfifo(3): creates the name; -EEXIST if the path exists. */
	int (*mkfifo)(const char *path, mode_t mode);

	/*
	 * open(2) of a FIFO: O_RDONLY blocks until a writer opens and O_WRONLY
	 * until a reader opens; O_RDWR never blocks; with O_NONBLOCK a read-open
	 * succeeds at once and a write-open without a reader fails with -ENXIO.
	 * Returns a handle for the stream operations.
	 */
	int (*open)(const char *path, int flags);

	/*
	 * unlink(2) of the name, plus whatever the implementation keeps for it
	 * outside the file system.  The suite calls it to clean up after a
	 * clause, also after killing the clause's processes.
	 */
	int (*unlink)(const char *path);
};

/* Declared here so that later tables are appended without an ABI break. */
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
	uint64_t caps;              /* IPCCONF_CAP_* */

	const struct ipcconf_stream_ops *stream;
	const struct ipcconf_pipe_ops *pipe;
	const struct ipcconf_fifo_ops *fifo;

	/* Not yet specified: NULL until their mechanisms are added. */
	const struct ipcconf_signal_ops *signal;
	const struct ipcconf_msgq_ops *msgq;
	const struct ipcconf_mq_ops *mq;
	const struct ipcconf_shm_ops *shm;
	const struct ipcconf_sem_ops *sem;
	const struct ipcconf_socket_ops *socket;
};

typedef const struct ipcconf_iut *(*ipcconf_iut_entry_fn)(void);

/* The one symbol a plug-in exports. */
const struct ipcconf_iut *ipcconf_iut_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* IPCCONF_IUT_H */
