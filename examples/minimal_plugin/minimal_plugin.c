/*
 * minimal_plugin.c -- the smallest useful ipcconf plug-in: anonymous pipes
 * over the kernel's own pipe2/read/write/close/poll.  It builds outside the
 * ipcconf tree against the installed header alone (see Makefile and
 * docs/plugins.md):
 *
 *     make IPCCONF_INCLUDE=/usr/local/include
 *     ipcconf run --impl ./libminimal.so --mechanism pipe
 *
 * Replace the system calls with your own implementation's.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <ipcconf/iut.h>

/*
 * The table the suite gets, plus this variant's own state.  `iut` comes
 * first, so the `self` every operation receives points at a struct
 * minimal.  Here the state is which pipe2() flags the variant accepts: the
 * kernel takes more than O_NONBLOCK and O_CLOEXEC, but this plug-in does
 * not declare IPCCONF_PIPE_CAP_PACKET, so it must refuse O_DIRECT.
 */
struct minimal {
	struct ipcconf_iut iut;
	int create_flags;
};

static const struct minimal *variant(const struct ipcconf_iut *self)
{
	return (const struct minimal *)self;
}

/* Every operation returns a count or 0, or -errno: never -1 with errno set. */
static int result(long r) { return r < 0 ? -errno : (int)r; }

static int m_close(const struct ipcconf_iut *self, int h)
{
	(void)self;
	return result(close(h));
}

static int m_get_nonblock(const struct ipcconf_iut *self, int h)
{
	(void)self;
	int fl = fcntl(h, F_GETFL);
	return fl < 0 ? -errno : (fl & O_NONBLOCK) != 0;
}

static int m_set_nonblock(const struct ipcconf_iut *self, int h, int on)
{
	(void)self;
	int fl = fcntl(h, F_GETFL);
	if (fl < 0)
		return -errno;
	return result(fcntl(h, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
}

/* struct ipcconf_poll_item is struct pollfd with a handle: copy it across. */
static int m_poll(const struct ipcconf_iut *self, struct ipcconf_poll_item *items, unsigned n,
		  int timeout_ms)
{
	(void)self;
	struct pollfd *p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		p[i].fd = items[i].handle;
		p[i].events = items[i].events;
	}
	int r = poll(p, n, timeout_ms);
	int err = errno;
	for (unsigned i = 0; r >= 0 && i < n; i++)
		items[i].revents = p[i].revents;
	free(p);
	return r < 0 ? -err : r;
}

static ssize_t m_read(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	(void)self;
	ssize_t n = read(h, buf, len);
	return n < 0 ? -errno : n;
}

static ssize_t m_write(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	(void)self;
	ssize_t n = write(h, buf, len);
	return n < 0 ? -errno : n;
}

static int m_create(const struct ipcconf_iut *self, int ends[2], int flags)
{
	if (flags & ~variant(self)->create_flags)
		return -EINVAL;
	return result(pipe2(ends, flags));
}

static const struct ipcconf_handle_ops handle_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_handle_ops,
				   IPCCONF_HANDLE_CAP_NONBLOCK | IPCCONF_HANDLE_CAP_POLL),
	.close = m_close,
	.get_nonblock = m_get_nonblock,
	.set_nonblock = m_set_nonblock,
	.poll = m_poll,
};

static const struct ipcconf_stream_ops stream_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_stream_ops, 0),
	.read = m_read,
	.write = m_write,
};

static const struct ipcconf_pipe_ops pipe_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_pipe_ops, 0),
	.create = m_create,
};

static const struct minimal minimal = {
	.iut = {
		.abi_version = IPCCONF_IUT_ABI_VERSION,
		.struct_size = sizeof(struct ipcconf_iut),
		.name = "minimal",
		.description = "example plug-in: the kernel's pipes",
		/* Kernel file descriptors behave so; declare only what yours does. */
		.caps = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH |
			IPCCONF_CAP_SIGPIPE | IPCCONF_CAP_EINTR,
		.handle = &handle_ops,
		.stream = &stream_ops,
		.pipe = &pipe_ops,
	},
	.create_flags = O_NONBLOCK | O_CLOEXEC,
};

/* The one exported symbol.  It may be called more than once: keep it cheap and pure. */
const struct ipcconf_iut *ipcconf_iut_v2(void) { return &minimal.iut; }
