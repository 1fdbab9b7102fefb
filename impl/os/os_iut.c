/*
 * The `os` implementation: the system's own IPC (pipes, FIFOs, and the
 * other tables' files: os_signal.c, os_msgq.c, ..., os_socket.c), reached
 * through the C library with no emulation.  Under gVisor, QEMU user mode or
 * an LD_PRELOAD shim, these calls are what gets judged, so every result,
 * odd or not, is passed on as the system gave it.  `self` is unused: there
 * is one `os`, and its state is the kernel's.
 */
#define _GNU_SOURCE
#include "impl/os/os_iut.h"
#include "impl/os/os_memory.h"
#include "impl/os/os_queues.h"
#include "impl/os/os_signal.h"
#include "impl/os/os_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef const struct ipcconf_iut iut_t;

static inline long neg_errno(void) { return -(long)errno; }

static int os_close(iut_t *self, int h) { return close(h) < 0 ? (int)neg_errno() : 0; }

static int os_dup(iut_t *self, int h)
{
	int fd = dup(h);
	return fd < 0 ? (int)neg_errno() : fd;
}

static int os_get_nonblock(iut_t *self, int h)
{
	int fl = fcntl(h, F_GETFL);
	if (fl < 0)
		return (int)neg_errno();
	return (fl & O_NONBLOCK) != 0;
}

static int os_set_nonblock(iut_t *self, int h, int on)
{
	int fl = fcntl(h, F_GETFL);
	if (fl < 0)
		return (int)neg_errno();
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(h, F_SETFL, fl) < 0 ? (int)neg_errno() : 0;
}

/*
 * One poll(2) over the whole set, so that the kernel, not this code,
 * decides every revents (POLLNVAL, POLLHUP, ...) and the count.  The items
 * are copied rather than cast: struct ipcconf_poll_item is not struct
 * pollfd to the compiler, whatever its layout.
 */
static int os_poll(iut_t *self, struct ipcconf_poll_item *items, unsigned n, int timeout_ms)
{
	struct pollfd small[64], *p = small;
	if (n > sizeof small / sizeof small[0] && !(p = calloc(n, sizeof *p)))
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = items[i].handle, .events = items[i].events };
	int r = poll(p, n, timeout_ms);
	int err = errno;
	if (r >= 0)
		for (unsigned i = 0; i < n; i++)
			items[i].revents = p[i].revents;
	if (p != small)
		free(p);
	return r < 0 ? -err : r;
}

static ssize_t os_read(iut_t *self, int h, void *buf, size_t len)
{
	ssize_t n = read(h, buf, len);
	return n < 0 ? neg_errno() : n;
}

static ssize_t os_write(iut_t *self, int h, const void *buf, size_t len)
{
	ssize_t n = write(h, buf, len);
	return n < 0 ? neg_errno() : n;
}

static long os_nread(iut_t *self, int h)
{
	int n = 0;
	return ioctl(h, FIONREAD, &n) < 0 ? neg_errno() : n;
}

/* Whatever pipe2(2) accepts is accepted, O_DIRECT (packet mode) included. */
static int os_pipe_create(iut_t *self, int ends[2], int flags)
{
	return pipe2(ends, flags) < 0 ? (int)neg_errno() : 0;
}

static long os_get_capacity(iut_t *self, int h)
{
	int r = fcntl(h, F_GETPIPE_SZ);
	return r < 0 ? neg_errno() : r;
}

/* The long goes to the kernel untruncated: it, not a cast, refuses a size out of range. */
static long os_set_capacity(iut_t *self, int h, long bytes)
{
	int r = fcntl(h, F_SETPIPE_SZ, bytes);
	return r < 0 ? neg_errno() : r;
}

static long os_pipe_buf(iut_t *self, int h)
{
	errno = 0;
	long r = fpathconf(h, _PC_PIPE_BUF);
	if (r < 0)
		return errno ? neg_errno() : -EINVAL; /* -1 without errno: "no limit", not a size */
	return r;
}

static long long os_seek(iut_t *self, int h, long long offset, int whence)
{
	off_t r = lseek(h, (off_t)offset, whence);
	return r < 0 ? neg_errno() : (long long)r;
}

static int os_mkfifo(iut_t *self, const char *path, mode_t mode)
{
	return mkfifo(path, mode) < 0 ? (int)neg_errno() : 0;
}

static int os_fifo_open(iut_t *self, const char *path, int flags)
{
	int fd = open(path, flags);
	return fd < 0 ? (int)neg_errno() : fd;
}

static int os_unlink(iut_t *self, const char *path)
{
	return unlink(path) < 0 ? (int)neg_errno() : 0;
}

static const struct ipcconf_handle_ops os_handle = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_handle_ops,
				   IPCCONF_HANDLE_CAP_DUP | IPCCONF_HANDLE_CAP_NONBLOCK |
					   IPCCONF_HANDLE_CAP_POLL),
	.close = os_close,
	.dup = os_dup,
	.get_nonblock = os_get_nonblock,
	.set_nonblock = os_set_nonblock,
	.poll = os_poll,
};

static const struct ipcconf_stream_ops os_stream = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_stream_ops, IPCCONF_STREAM_CAP_NREAD),
	.read = os_read,
	.write = os_write,
	.nread = os_nread,
};

static const struct ipcconf_pipe_ops os_pipe = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_pipe_ops,
				   IPCCONF_PIPE_CAP_CAPACITY_GET | IPCCONF_PIPE_CAP_CAPACITY_SET |
					   IPCCONF_PIPE_CAP_PIPE_BUF | IPCCONF_PIPE_CAP_SEEK |
					   IPCCONF_PIPE_CAP_PACKET),
	.create = os_pipe_create,
	.get_capacity = os_get_capacity,
	.set_capacity = os_set_capacity,
	.pipe_buf = os_pipe_buf,
	.seek = os_seek,
};

static const struct ipcconf_fifo_ops os_fifo = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_fifo_ops, 0),
	.mkfifo = os_mkfifo,
	.open = os_fifo_open,
	.unlink = os_unlink,
};

static const struct ipcconf_iut os_iut = {
	.abi_version = IPCCONF_IUT_ABI_VERSION,
	.struct_size = sizeof(struct ipcconf_iut),
	.name = "os",
	.description = "the system's own pipes, FIFOs, signals, message queues, shared memory, semaphores and sockets through the C library",
	.caps = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH | IPCCONF_CAP_SIGPIPE |
		IPCCONF_CAP_EINTR,
	.handle = &os_handle,
	.stream = &os_stream,
	.pipe = &os_pipe,
	.fifo = &os_fifo,
	.signal = &os_signal,
	.msgq = &os_msgq,
	.mq = &os_mq,
	.shm = &os_shm,
	.sem = &os_sem,
	.socket = &os_socket,
};

const struct ipcconf_iut *ipcconf_os_iut(void) { return &os_iut; }
