/*
 * The open ends of ref pipes and FIFOs over the shared ring: see
 * pipe_end.h.
 */
#define _GNU_SOURCE
#include "impl/ref/pipe_end.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void pipe_obj_init(struct pipe_obj *p, unsigned char *base, int fd,
		   const struct pipe_limits *limits, const struct ring *ring,
		   enum ref_obj_kind kind, const struct ref_obj_ops *ops)
{
	struct pipe_shared *sh = (struct pipe_shared *)base;
	struct ref_holders *sets[1] = { &sh->holders };
	struct stat st;

	ref_obj_init(&p->obj, kind, ops, sets, 1, &sh->ofd_flags);
	p->base = base;
	p->sh = sh;
	p->ring = *ring;
	p->limits = *limits;
	p->fd = fd;
	if (fd >= 0 && fstat(fd, &st) == 0) {
		p->fd_dev = st.st_dev;
		p->fd_ino = st.st_ino;
	} else if (fd >= 0) {
		close(fd);
		p->fd = -1;
	}
}

/* Whether p->fd is still the file we opened. */
static bool fd_is_ours(const struct pipe_obj *p)
{
	struct stat st;

	return p->fd >= 0 && fstat(p->fd, &st) == 0 && st.st_dev == p->fd_dev &&
	       st.st_ino == p->fd_ino;
}

void pipe_obj_destroy(struct ref_obj *obj)
{
	struct pipe_obj *p = pipe_obj_of(obj);

	munmap(p->base, REF_REGION_SIZE);
	if (fd_is_ours(p))
		close(p->fd);
	free(p);
}

void pipe_end_wake_peers(struct ref_obj *obj)
{
	ring_wake(&pipe_obj_of(obj)->ring);
}

static struct ref_holders *holders_of(struct ref_ofd *f)
{
	return f->obj->hold[0].set;
}

static int writers_present(void *ctx)
{
	return holders_any(ctx, HOLDER_WRITERS);
}

static int readers_present(void *ctx)
{
	return holders_any(ctx, HOLDER_READERS);
}

ssize_t pipe_end_read(struct ref_ofd *f, void *buf, size_t len)
{
	struct ring_block b = { .peer = writers_present, .ctx = holders_of(f) };

	if (!ofd_reads(f))
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	b.nonblock = ref_ofd_nonblock(f);
	return ring_pop(&pipe_obj_of(f->obj)->ring, buf, len, &b);
}

ssize_t pipe_end_write(struct ref_ofd *f, const void *buf, size_t len)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);
	struct ring_block b = { .atomic_max = p->limits.pipe_buf,
				.peer = readers_present,
				.ctx = holders_of(f) };
	ssize_t n;

	if (!ofd_writes(f))
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	b.nonblock = ref_ofd_nonblock(f);
	n = ring_push(&p->ring, buf, len, &b);
	/*
	 * pipe(7): the writer gets SIGPIPE, and the kernel sends it to the
	 * writing thread; also when part of the write went in before the
	 * readers left (the count is returned then).
	 */
	if (b.peer_gone)
		pthread_kill(pthread_self(), SIGPIPE);
	return n;
}

long pipe_end_nread(struct ref_ofd *f)
{
	return ring_used(&pipe_obj_of(f->obj)->ring);
}

/*
 * Linux pipe_poll(): POLLIN only with data (an empty pipe without writers
 * is POLLHUP alone), POLLOUT with room for an atomic write, POLLERR on a
 * write end nobody reads.
 */
int pipe_end_poll_events(struct ref_ofd *f)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);
	long used = ring_used(&p->ring);
	long cap = ring_capacity(&p->ring);
	int mask = 0;

	if (used < 0 || cap < 0)
		return POLLERR;
	if (ofd_reads(f)) {
		if (used > 0)
			mask |= POLLIN | POLLRDNORM;
		if (!holders_any(holders_of(f), HOLDER_WRITERS) &&
		    !(f->u.fifo.hup_gated && atomic_load(&p->sh->opens_w) == f->u.fifo.hup_gate))
			mask |= POLLHUP;
	}
	if (ofd_writes(f)) {
		if (cap - used >= (long)p->limits.pipe_buf)
			mask |= POLLOUT | POLLWRNORM;
		if (!holders_any(holders_of(f), HOLDER_READERS))
			mask |= POLLERR;
	}
	return mask;
}

/* Readers' events change with data_seq, writers' with room_seq; closes bump both. */
_Atomic uint32_t *pipe_end_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);

	if (ofd_reads(f) && ((events & (POLLIN | POLLRDNORM)) || !ofd_writes(f)))
		return ring_data_seq(&p->ring, waiters);
	return ring_room_seq(&p->ring, waiters);
}

long pipe_end_get_capacity(struct ref_ofd *f)
{
	return ring_capacity(&pipe_obj_of(f->obj)->ring);
}

/*
 * Linux pipe_set_size(): fcntl's argument is an unsigned int; sizes round
 * up to a power of two of at least a page, and a size that cannot be
 * rounded (above 2^31) is EINVAL; growing beyond pipe-max-size is EPERM
 * for a process without CAP_SYS_RESOURCE, which is what every ref caller
 * is; shrinking below what is buffered is EBUSY.
 */
long pipe_end_set_capacity(struct ref_ofd *f, long bytes, uint32_t max_size)
{
	struct ring *ring = &pipe_obj_of(f->obj)->ring;
	unsigned int arg = (unsigned int)(int)bytes;
	uint64_t size = REF_MIN_CAPACITY;
	long cur;
	int r;

	while (size < arg)
		size <<= 1;
	if (arg > (1u << 31))
		return -EINVAL;
	cur = ring_capacity(ring);
	if (cur < 0)
		return cur;
	if (size > (uint64_t)cur && size > max_size)
		return -EPERM;
	r = ring_set_capacity(ring, (uint32_t)size);
	return r < 0 ? r : (long)size;
}

long pipe_end_pipe_buf(struct ref_ofd *f)
{
	return pipe_obj_of(f->obj)->limits.pipe_buf;
}
