/*
 * The operations on an open end of a ref pipe or FIFO: read(2), write(2),
 * poll(2), ioctl(FIONREAD), fcntl(F_[GS]ETPIPE_SZ, F_[GS]ETFL) as Linux
 * does them for pipes (fs/pipe.c), over the shared ring.
 */
#define _GNU_SOURCE
#include "impl/ref/stream.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include "impl/ref/handles.h"
#include "impl/ref/holders.h"

static int writers_present(void *ctx)
{
	struct ref_obj *obj = ctx;

	return holders_any(obj->sh, HOLDER_WRITERS);
}

static int readers_present(void *ctx)
{
	struct ref_obj *obj = ctx;

	return holders_any(obj->sh, HOLDER_READERS);
}

static ssize_t ref_read(int h, void *buf, size_t len)
{
	struct ref_ofd *f = ref_handle_get(h);
	struct ring_block b = { .peer = writers_present };
	ssize_t n;

	if (f == NULL)
		return -EBADF;
	if (!ofd_reads(f)) {
		ref_handle_put(f);
		return -EBADF;
	}
	if (f->obj->read_max != 0 && len > f->obj->read_max)
		len = f->obj->read_max;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	b.nonblock = ref_ofd_nonblock(f);
	b.ctx = f->obj;
	n = ring_pop(&f->obj->ring, buf, len, &b);
	ref_handle_put(f);
	return n;
}

static ssize_t ref_write(int h, const void *buf, size_t len)
{
	struct ref_ofd *f = ref_handle_get(h);
	struct ring_block b = { .atomic_max = REF_PIPE_BUF, .peer = readers_present };
	ssize_t n;

	if (f == NULL)
		return -EBADF;
	if (!ofd_writes(f)) {
		ref_handle_put(f);
		return -EBADF;
	}
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	b.nonblock = ref_ofd_nonblock(f);
	b.ctx = f->obj;
	n = ring_push(&f->obj->ring, buf, len, &b);
	ref_handle_put(f);
	/*
	 * pipe(7): the writer gets SIGPIPE, and the kernel sends it to the
	 * writing thread; also when part of the write went in before the
	 * readers left (the count is returned then).
	 */
	if (b.peer_gone)
		pthread_kill(pthread_self(), SIGPIPE);
	return n;
}

static int ref_close(int h)
{
	return ref_handle_close(h);
}

static int ref_dup(int h)
{
	return ref_handle_dup(h);
}

static int ref_get_nonblock(int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	int on;

	if (f == NULL)
		return -EBADF;
	on = ref_ofd_nonblock(f);
	ref_handle_put(f);
	return on;
}

static int ref_set_nonblock(int h, int on)
{
	struct ref_ofd *f = ref_handle_get(h);

	if (f == NULL)
		return -EBADF;
	ref_ofd_set_nonblock(f, on != 0);
	ref_handle_put(f);
	return 0;
}

static long ref_nread(int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	long n;

	if (f == NULL)
		return -EBADF;
	n = ring_used(&f->obj->ring);
	ref_handle_put(f);
	return n;
}

/*
 * Linux pipe_poll(): POLLIN only with data (an empty pipe without writers
 * is POLLHUP alone), POLLOUT with room for an atomic write, POLLERR on a
 * write end nobody reads.
 */
static int poll_state(struct ref_ofd *f)
{
	struct ref_obj *obj = f->obj;
	long used = ring_used(&obj->ring);
	long cap = ring_capacity(&obj->ring);
	int mask = 0;

	if (used < 0 || cap < 0)
		return POLLERR;
	if (ofd_reads(f)) {
		if (used > 0)
			mask |= POLLIN | POLLRDNORM;
		if (!holders_any(obj->sh, HOLDER_WRITERS) &&
		    !(f->hup_gated && atomic_load(&obj->sh->opens_w) == f->hup_gate))
			mask |= POLLHUP;
	}
	if (ofd_writes(f)) {
		if (cap - used >= (long)REF_PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!holders_any(obj->sh, HOLDER_READERS))
			mask |= POLLERR;
	}
	return mask;
}

static int ref_poll(int h, short events, int timeout_ms)
{
	struct ref_ofd *f = ref_handle_get(h);
	_Atomic uint32_t *waiters, *seq;
	struct ring_waiter w;
	int started = 0;
	int mask;

	/* poll(2) reports a descriptor that is not open in revents, not as an error. */
	if (f == NULL)
		return POLLNVAL;
	/* Readers' events change with data_seq, writers' with room_seq; closes bump both. */
	if (ofd_reads(f) && ((events & (POLLIN | POLLRDNORM)) || !ofd_writes(f)))
		seq = ring_data_seq(&f->obj->ring, &waiters);
	else
		seq = ring_room_seq(&f->obj->ring, &waiters);
	for (;;) {
		uint32_t seen = atomic_load_explicit(seq, memory_order_acquire);
		int r;

		mask = poll_state(f) & (events | POLLHUP | POLLERR);
		if (mask != 0 || timeout_ms == 0)
			break;
		if (!started) {
			ring_waiter_begin(&w, timeout_ms);
			started = 1;
		}
		r = ring_waiter_wait(&w, seq, seen, waiters);
		if (r == -ETIMEDOUT)
			break;
		/* poll(2) is never restarted after a handler, SA_RESTART or not. */
		if (r == -EINTR || r == -ERESTART) {
			mask = -EINTR;
			break;
		}
	}
	if (started)
		ring_waiter_end(&w);
	ref_handle_put(f);
	return mask;
}

static long long ref_seek(int h, long long offset, int whence)
{
	struct ref_ofd *f = ref_handle_get(h);

	if (f == NULL)
		return -EBADF;
	ref_handle_put(f);
	return -ESPIPE;
}

static long ref_get_capacity(int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	long cap;

	if (f == NULL)
		return -EBADF;
	cap = ring_capacity(&f->obj->ring);
	ref_handle_put(f);
	return cap;
}

/*
 * Linux pipe_set_size(): fcntl's argument is an unsigned int; sizes round
 * up to a power of two of at least a page; growing beyond pipe-max-size
 * is EPERM (for a process without CAP_SYS_RESOURCE); shrinking below what
 * is buffered is EBUSY.
 */
static long ref_set_capacity(int h, long bytes)
{
	struct ref_ofd *f = ref_handle_get(h);
	unsigned int arg = (unsigned int)(int)bytes;
	uint64_t size = REF_MIN_CAPACITY;
	long cur, r;

	if (f == NULL)
		return -EBADF;
	while (size < arg)
		size <<= 1;
	cur = ring_capacity(&f->obj->ring);
	if (arg > (1u << 31))
		r = -EINVAL;
	else if (cur < 0)
		r = cur;
	else if (size > (uint64_t)cur && size > REF_MAX_CAPACITY)
		r = -EPERM;
	else
		r = ring_set_capacity(&f->obj->ring, (uint32_t)size);
	ref_handle_put(f);
	return r < 0 ? r : (long)size;
}

static long ref_pipe_buf(int h)
{
	struct ref_ofd *f = ref_handle_get(h);

	if (f == NULL)
		return -EBADF;
	ref_handle_put(f);
	return REF_PIPE_BUF;
}

const struct ipcconf_stream_ops ref_stream_ops = {
	.struct_size = sizeof(struct ipcconf_stream_ops),
	.read = ref_read,
	.write = ref_write,
	.close = ref_close,
	.dup = ref_dup,
	.get_nonblock = ref_get_nonblock,
	.set_nonblock = ref_set_nonblock,
	.nread = ref_nread,
	.poll = ref_poll,
	.seek = ref_seek,
	.get_capacity = ref_get_capacity,
	.set_capacity = ref_set_capacity,
	.pipe_buf = ref_pipe_buf,
};
