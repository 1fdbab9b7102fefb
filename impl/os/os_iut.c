/*
 * The `os` implementation: the system's own pipes and FIFOs, reached
 * through the C library with no emulation.  Under gVisor, QEMU user mode or
 * an LD_PRELOAD shim, these calls are what gets judged.
 */
#define _GNU_SOURCE
#include "impl/os/os_iut.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static inline long neg_errno(void) { return -(long)errno; }

static ssize_t os_read(int h, void *buf, size_t len)
{
	ssize_t n = read(h, buf, len);
	return n < 0 ? neg_errno() : n;
}

static ssize_t os_write(int h, const void *buf, size_t len)
{
	ssize_t n = write(h, buf, len);
	return n < 0 ? neg_errno() : n;
}

static int os_close(int h) { return close(h) < 0 ? (int)neg_errno() : 0; }

static int os_dup(int h)
{
	int fd = dup(h);
	return fd < 0 ? (int)neg_errno() : fd;
}

static int os_get_nonblock(int h)
{
	int fl = fcntl(h, F_GETFL);
	if (fl < 0)
		return (int)neg_errno();
	return (fl & O_NONBLOCK) != 0;
}

static int os_set_nonblock(int h, int on)
{
	int fl = fcntl(h, F_GETFL);
	if (fl < 0)
		return (int)neg_errno();
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(h, F_SETFL, fl) < 0 ? (int)neg_errno() : 0;
}

static long os_nread(int h)
{
	int n = 0;
	return ioctl(h, FIONREAD, &n) < 0 ? neg_errno() : n;
}

static int os_poll(int h, short events, int timeout_ms)
{
	struct pollfd p = { .fd = h, .events = events };
	int r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return (int)neg_errno();
	return r == 0 ? 0 : p.revents;
}

static long long os_seek(int h, long long offset, int whence)
{
	off_t r = lseek(h, (off_t)offset, whence);
	return r < 0 ? neg_errno() : (long long)r;
}

static long os_get_capacity(int h)
{
	int r = fcntl(h, F_GETPIPE_SZ);
	return r < 0 ? neg_errno() : r;
}

static long os_set_capacity(int h, long bytes)
{
	int r = fcntl(h, F_SETPIPE_SZ, (int)bytes);
	return r < 0 ? neg_errno() : r;
}

static long os_pipe_buf(int h)
{
	errno = 0;
	long r = fpathconf(h, _PC_PIPE_BUF);
	if (r < 0)
		return errno ? neg_errno() : -EINVAL;
	return r;
}

static int os_pipe_create(int ends[2], int flags)
{
	return pipe2(ends, flags) < 0 ? (int)neg_errno() : 0;
}

static int os_mkfifo(const char *path, mode_t mode)
{
	return mkfifo(path, mode) < 0 ? (int)neg_errno() : 0;
}

static int os_fifo_open(const char *path, int flags)
{
	int fd = open(path, flags);
	return fd < 0 ? (int)neg_errno() : fd;
}

static int os_unlink(const char *path)
{
	return unlink(path) < 0 ? (int)neg_errno() : 0;
}

static const struct ipcconf_stream_ops os_stream = {
	.struct_size = sizeof(struct ipcconf_stream_ops),
	.read = os_read,
	.write = os_write,
	.close = os_close,
	.dup = os_dup,
	.get_nonblock = os_get_nonblock,
	.set_nonblock = os_set_nonblock,
	.nread = os_nread,
	.poll = os_poll,
	.seek = os_seek,
	.get_capacity = os_get_capacity,
	.set_capacity = os_set_capacity,
	.pipe_buf = os_pipe_buf,
};

static const struct ipcconf_pipe_ops os_pipe = {
	.struct_size = sizeof(struct ipcconf_pipe_ops),
	.create = os_pipe_create,
};

static const struct ipcconf_fifo_ops os_fifo = {
	.struct_size = sizeof(struct ipcconf_fifo_ops),
	.mkfifo = os_mkfifo,
	.open = os_fifo_open,
	.unlink = os_unlink,
};

static const struct ipcconf_iut os_iut = {
	.abi_version = IPCCONF_IUT_ABI_VERSION,
	.struct_size = sizeof(struct ipcconf_iut),
	.name = "os",
	.description = "the system's own pipes and FIFOs through the C library",
	.caps = IPCCONF_CAP_PIPE | IPCCONF_CAP_FIFO | IPCCONF_CAP_FORK_INHERIT |
		IPCCONF_CAP_PEER_DEATH | IPCCONF_CAP_NONBLOCK |
		IPCCONF_CAP_CAPACITY_GET | IPCCONF_CAP_CAPACITY_SET |
		IPCCONF_CAP_NREAD | IPCCONF_CAP_POLL | IPCCONF_CAP_DUP |
		IPCCONF_CAP_SEEK | IPCCONF_CAP_SIGPIPE | IPCCONF_CAP_EINTR,
	.stream = &os_stream,
	.pipe = &os_pipe,
	.fifo = &os_fifo,
};

const struct ipcconf_iut *ipcconf_os_iut(void) { return &os_iut; }
