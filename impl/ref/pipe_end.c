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

/* Calls between two claims tried on spec: a holder that died bumps nothing. */
#define CLAIM_EVERY 256u

/* The budget of a write's evidence that a reader lives (pipe_end.h, EPIPE). */
#define READER_CREDIT 64

/* A write of up to PIPE_BUF bytes always fits a pipe's capacity: it can be all or nothing. */
_Static_assert(REF_MAX_PIPE_BUF <= REF_MIN_CAPACITY, "PIPE_BUF must fit the least capacity");

void pipe_obj_init(struct pipe_obj *p, unsigned char *base, int fd,
		   const struct pipe_limits *limits, const struct ring_adaptive *ring,
		   enum ref_obj_kind kind, const struct ref_obj_ops *ops)
{
	struct pipe_shared *sh = (struct pipe_shared *)base;
	struct ref_holders *sets[1] = { &sh->holders };
	struct stat st;

	ref_obj_init(&p->obj, kind, ops, sets, 1, &sh->ofd_flags);
	p->base = base;
	p->sh = sh;
	p->ring = *ring;
	for (int i = 0; i < 2; i++) {
		atomic_init(&p->watch.claim_releases[i], 0);
		atomic_init(&p->watch.claim_left[i], 0);
	}
	atomic_init(&p->watch.readers_known, false);
	atomic_init(&p->watch.readers_releases, 0);
	atomic_init(&p->watch.readers_head, 0);
	atomic_init(&p->watch.readers_credit, 0);
	atomic_init(&p->watch.readers_trust, 0);
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
	struct pipe_obj *p = pipe_obj_of(obj);

	/* After the counts left the holders (handles.c): whoever sees the bump sees them gone. */
	atomic_fetch_add_explicit(&p->sh->releases, 1, memory_order_seq_cst);
	ring_wake(&p->ring.r);
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

/* What ring_adaptive_claim() asks: is this process the only holder of the side? */
struct sole_question {
	struct ref_holders *holders;
	unsigned which;
};

static int sole_holder(void *ctx)
{
	const struct sole_question *q = ctx;

	return holders_only(q->holders, q->which, (uint32_t)getpid());
}

/*
 * Tries to claim the side this call uses when a holder has gone since the
 * last try (rel: `releases` now), and every CLAIM_EVERY calls besides; the
 * first call tries at once.  A claim of a side we own already costs the
 * side lock and nothing more.
 */
static void claim_maybe(struct pipe_obj *p, enum ring_spsc_side side, uint32_t rel)
{
	struct pipe_watch *w = &p->watch;
	int i = side == RING_SPSC_PRODUCER ? 0 : 1;
	uint32_t left = atomic_load_explicit(&w->claim_left[i], memory_order_relaxed);
	struct sole_question q = { .holders = &p->sh->holders,
				   .which = side == RING_SPSC_PRODUCER ? HOLDER_WRITERS
								 : HOLDER_READERS };

	if (left > 0 && atomic_load_explicit(&w->claim_releases[i], memory_order_relaxed) == rel) {
		atomic_store_explicit(&w->claim_left[i], left - 1, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(&w->claim_left[i], CLAIM_EVERY, memory_order_relaxed);
	atomic_store_explicit(&w->claim_releases[i], rel, memory_order_relaxed);
	ring_adaptive_claim(&p->ring, side, sole_holder, &q);
}

/*
 * Whether a write of len bytes may go ahead: some process holds a read
 * end.  Asks the holders only as pipe_end.h (EPIPE) says.
 */
static bool readers_for_write(struct pipe_obj *p, size_t len, uint32_t rel)
{
	struct pipe_watch *w = &p->watch;
	int32_t cost = 1 + (int32_t)(len / 1024 < READER_CREDIT ? len / 1024 : READER_CREDIT);
	int32_t trust = 0;

	if (atomic_load_explicit(&w->readers_known, memory_order_relaxed) &&
	    atomic_load_explicit(&w->readers_releases, memory_order_relaxed) == rel) {
		int32_t credit = atomic_load_explicit(&w->readers_credit, memory_order_relaxed);
		uint64_t head;

		if (credit >= cost) {
			atomic_store_explicit(&w->readers_credit, credit - cost, memory_order_relaxed);
			return true;
		}
		/* Consumed since we last looked: a reader lived after that look. */
		head = ring_adaptive_consumed(&p->ring);
		if (head != atomic_load_explicit(&w->readers_head, memory_order_relaxed)) {
			atomic_store_explicit(&w->readers_head, head, memory_order_relaxed);
			atomic_store_explicit(&w->readers_credit, READER_CREDIT - cost,
					      memory_order_relaxed);
			atomic_store_explicit(&w->readers_trust, 0, memory_order_relaxed);
			return true;
		}
		trust = atomic_load_explicit(&w->readers_trust, memory_order_relaxed);
	}
	if (!holders_any(&p->sh->holders, HOLDER_READERS))
		return false;
	/*
	 * Alive, but consuming nothing: trust it for 0, 1, 2, 4, ... up to
	 * READER_CREDIT writes before asking again, so that a stalled reader
	 * costs a handful of checks, not one per write -- and the first write
	 * after a look that found the reader alive looks again.
	 */
	atomic_store_explicit(&w->readers_credit, trust, memory_order_relaxed);
	atomic_store_explicit(&w->readers_trust,
			      trust == 0 ? 1 : trust * 2 < READER_CREDIT ? trust * 2 : READER_CREDIT,
			      memory_order_relaxed);
	/* The head after the look: a later move proves a reader alive after it. */
	atomic_store_explicit(&w->readers_head, ring_adaptive_consumed(&p->ring),
			      memory_order_relaxed);
	atomic_store_explicit(&w->readers_releases, rel, memory_order_relaxed);
	atomic_store_explicit(&w->readers_known, true, memory_order_relaxed);
	return true;
}

/*
 * Reads and writes try the ring once before they look at O_NONBLOCK (a
 * word in the shared status-flag table): it matters only when the ring
 * is empty or full, and the common case is neither.
 */
ssize_t pipe_end_read(struct ref_ofd *f, void *buf, size_t len)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);
	struct ring_block b = { .peer = writers_present, .ctx = holders_of(f) };
	ssize_t n;

	if (!ofd_reads(f))
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	claim_maybe(p, RING_SPSC_CONSUMER,
		    atomic_load_explicit(&p->sh->releases, memory_order_acquire));
	n = ring_adaptive_try_pop(&p->ring, buf, len);
	if (n != -EAGAIN)
		return n;
	b.nonblock = ref_ofd_nonblock(f);
	return ring_adaptive_pop(&p->ring, buf, len, &b);
}

/*
 * The rest of a write whose first try did not take all of it (done bytes
 * went in): blocks unless O_NONBLOCK, as ring_push() would have.
 */
static ssize_t write_rest(struct ref_ofd *f, const unsigned char *buf, size_t len, size_t done,
			  struct ring_block *b)
{
	ssize_t n;

	b->nonblock = ref_ofd_nonblock(f);
	if (b->nonblock)
		return done > 0 ? (ssize_t)done : -EAGAIN;
	/* A write the first try cut is no longer atomic: whatever part fits goes in. */
	if (done > 0)
		b->atomic_max = 0;
	n = ring_adaptive_push(&pipe_obj_of(f->obj)->ring, buf + done, len - done, b);
	if (done == 0)
		return n;
	return n > 0 ? (ssize_t)done + n : (ssize_t)done;
}

ssize_t pipe_end_write(struct ref_ofd *f, const void *buf, size_t len)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);
	struct ring_block b = { .atomic_max = p->limits.pipe_buf,
				.peer = readers_present,
				.ctx = holders_of(f) };
	uint32_t rel;
	ssize_t n;

	if (!ofd_writes(f))
		return -EBADF;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	/* Linux pipe_write(): a write of nothing returns 0 before it looks for readers. */
	if (len == 0)
		return 0;
	/* acquire: whoever bumped it had its counts out of the holders already. */
	rel = atomic_load_explicit(&p->sh->releases, memory_order_acquire);
	claim_maybe(p, RING_SPSC_PRODUCER, rel);
	if (readers_for_write(p, len, rel)) {
		/* Up to PIPE_BUF bytes: all or nothing (pipe_buf <= the least capacity). */
		n = ring_adaptive_try_push(&p->ring, buf, len, len <= p->limits.pipe_buf);
		if (n == -EAGAIN || (n >= 0 && (size_t)n < len))
			n = write_rest(f, buf, len, n > 0 ? (size_t)n : 0, &b);
	} else {
		n = -EPIPE;
		b.peer_gone = 1;
	}
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
	return ring_used(&pipe_obj_of(f->obj)->ring.r);
}

/*
 * Linux pipe_poll(): POLLIN only with data (an empty pipe without writers
 * is POLLHUP alone), POLLOUT with room for an atomic write, POLLERR on a
 * write end nobody reads.
 */
int pipe_end_poll_events(struct ref_ofd *f)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);
	long used = ring_used(&p->ring.r);
	long cap = ring_capacity(&p->ring.r);
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

/*
 * Readers' events change with data_seq, writers' with room_seq; closes
 * bump both.  An exclusive writer (reader) bumps data_seq (room_seq) only
 * while data_waiters (room_waiters) counts someone, so the poller raises
 * the count before it looks (handle_ops.c; ring_adaptive.h, WAKE-UPS).
 */
_Atomic uint32_t *pipe_end_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters)
{
	struct pipe_obj *p = pipe_obj_of(f->obj);

	if (ofd_reads(f) && ((events & (POLLIN | POLLRDNORM)) || !ofd_writes(f)))
		return ring_data_seq(&p->ring.r, waiters);
	return ring_room_seq(&p->ring.r, waiters);
}

long pipe_end_get_capacity(struct ref_ofd *f)
{
	return ring_capacity(&pipe_obj_of(f->obj)->ring.r);
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
	struct pipe_obj *p = pipe_obj_of(f->obj);
	struct ring_adaptive *ring = &p->ring;
	unsigned int arg = (unsigned int)(int)bytes;
	uint64_t size = REF_MIN_CAPACITY;
	long cur;
	int r;

	while (size < arg)
		size <<= 1;
	if (arg > (1u << 31))
		return -EINVAL;
	cur = ring_capacity(&ring->r);
	if (cur < 0)
		return cur;
	if (size > (uint64_t)cur && size > max_size)
		return -EPERM;
	/* Both sides quiescent and SHARED meanwhile (ring_adaptive.h, CAPACITY). */
	r = ring_adaptive_set_capacity(ring, (uint32_t)size);
	/* The exclusive users lost their sides: the bump makes them claim again. */
	atomic_fetch_add_explicit(&p->sh->releases, 1, memory_order_seq_cst);
	return r < 0 ? r : (long)size;
}

long pipe_end_pipe_buf(struct ref_ofd *f)
{
	return pipe_obj_of(f->obj)->limits.pipe_buf;
}
