/*
 * Record mode of the ring (ring_record.h): variable-size records over the
 * byte ring's header, locks, copying and waiting.
 */
#define _GNU_SOURCE
#include "impl/ring/ring_record.h"

#include <errno.h>
#include <stdbool.h>

#include "impl/ring/ring_lock.h"

_Static_assert(sizeof(struct ring_rec_hdr) == RING_REC_HDR_SIZE, "layout is in ring_record.h");
_Static_assert(RING_REC_HDR_SIZE % RING_REC_ALIGN == 0, "a payload starts aligned");

int ring_record_init(void *mem, size_t len, uint32_t data_size, uint32_t capacity)
{
	return ring_init_mode(mem, len, data_size, capacity, RING_MODE_RECORDS, RING_REC_FORMAT);
}

int ring_record_attach(struct ring *r, void *mem, size_t len)
{
	struct ring tmp;
	int err = ring_attach(&tmp, mem, len);

	if (err < 0)
		return err;
	if (tmp.mode != RING_MODE_RECORDS)
		return -EPROTO;
	*r = tmp;
	return 0;
}

/* head, tail and capacity as one side sees them, checked against each other. */
struct view {
	uint32_t cap;
	uint64_t head;
	uint64_t tail;
};

/*
 * Reads the counters with the caller's lock held.  The caller's own
 * counter is relaxed (only it moves it); the other side's is acquire: for
 * a consumer, the producer's release of tail publishes the records below
 * it; for a producer, the consumer's release of head says it has finished
 * reading the bytes we may now overwrite.
 */
static int load_view(const struct ring *r, struct view *v, bool producer)
{
	struct ring_hdr *h = r->hdr;
	long cap = ring_checked_capacity(r);

	if (cap < 0)
		return (int)cap;
	v->cap = (uint32_t)cap;
	v->head = atomic_load_explicit(&h->head, producer ? memory_order_acquire
							  : memory_order_relaxed);
	v->tail = atomic_load_explicit(&h->tail, producer ? memory_order_relaxed
							  : memory_order_acquire);
	if (v->tail - v->head > v->cap || ((v->head | v->tail) & (RING_REC_ALIGN - 1)) != 0)
		return -EUCLEAN;
	return 0;
}

/*
 * The length of the record at pos, with `left` bytes of stream from pos
 * to tail.  The header is copied out once and only the copy is judged: a
 * peer may rewrite the shared bytes at any moment.  left is a non-zero
 * multiple of 8 and cap >= 8, so the header is whole and does not wrap.
 */
static long record_at(const struct ring *r, uint32_t cap, uint64_t pos, uint64_t left)
{
	struct ring_rec_hdr rh;

	ring_copy_out(r, cap, pos, &rh, sizeof rh);
	if (rh.kind != RING_REC_DATA || rh.tag != ring_record_tag(pos) ||
	    rh.length > cap - RING_REC_HDR_SIZE || ring_record_size(rh.length) > left)
		return -EUCLEAN;
	return (long)rh.length;
}

int ring_record_check(const void *mem, size_t len)
{
	const struct ring_hdr *h = mem;
	struct ring r;
	int err = ring_check(mem, len);
	uint64_t pos, tail;
	uint32_t cap;

	if (err < 0)
		return err;
	if (h->mode != RING_MODE_RECORDS)
		return -EPROTO;
	/* Quiescent by contract: a local view, and plain reads of the counters. */
	r.hdr = (struct ring_hdr *)h;
	r.data = (unsigned char *)mem + RING_HDR_SIZE;
	r.data_size = h->data_size;
	r.mode = h->mode;
	cap = atomic_load_explicit(&r.hdr->capacity, memory_order_relaxed);
	pos = atomic_load_explicit(&r.hdr->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r.hdr->tail, memory_order_relaxed);
	/* Each step moves pos by at least 8 towards tail: at most capacity / 8 steps. */
	while (pos != tail) {
		long n = record_at(&r, cap, pos, tail - pos);

		if (n < 0)
			return (int)n;
		pos += ring_record_size((uint64_t)n);
	}
	return 0;
}

ssize_t ring_record_try_push(struct ring *r, const void *buf, size_t n)
{
	struct ring_hdr *h = r->hdr;
	struct ring_rec_hdr rh;
	struct view v;
	ssize_t ret;
	int err;

	if (r->mode != RING_MODE_RECORDS)
		return -EPROTO;
	ring_lock(&h->p_lock);
	err = load_view(r, &v, true);
	if (err < 0)
		ret = err;
	else if (n > v.cap - RING_REC_HDR_SIZE)
		ret = -EMSGSIZE;
	else if (ring_record_size(n) > v.cap - (v.tail - v.head))
		ret = -EAGAIN;
	else
		ret = (ssize_t)n;
	if (ret < 0) {
		ring_unlock(&h->p_lock);
		return ret;
	}
	rh.length = (uint32_t)n;
	rh.kind = RING_REC_DATA;
	rh.tag = ring_record_tag(v.tail);
	ring_copy_in(r, v.cap, v.tail, &rh, sizeof rh);
	if (n > 0) /* buf may be NULL then, which memcpy() must not see */
		ring_copy_in(r, v.cap, v.tail + RING_REC_HDR_SIZE, buf, n);
	/* release: the header and payload above are visible to whoever sees the new tail. */
	atomic_store_explicit(&h->tail, v.tail + ring_record_size(n), memory_order_release);
	ring_unlock(&h->p_lock);
	ring_announce(&h->data_seq, &h->data_waiters);
	return ret;
}

/*
 * Pops the oldest record, or only tells its length (peek).  Every failure
 * leaves head untouched, so nothing is lost.
 */
static ssize_t take(struct ring *r, void *buf, size_t n, bool peek)
{
	struct ring_hdr *h = r->hdr;
	struct view v;
	long len;
	int err;

	if (r->mode != RING_MODE_RECORDS)
		return -EPROTO;
	ring_lock(&h->c_lock);
	err = load_view(r, &v, false);
	if (err < 0)
		len = err;
	else if (v.tail == v.head)
		len = -EAGAIN;
	else
		len = record_at(r, v.cap, v.head, v.tail - v.head);
	if (len >= 0 && !peek && (size_t)len > n)
		len = -EMSGSIZE;
	if (len < 0 || peek) {
		ring_unlock(&h->c_lock);
		return len;
	}
	if (len > 0)
		ring_copy_out(r, v.cap, v.head + RING_REC_HDR_SIZE, buf, (size_t)len);
	/* release: our reads of the record finish before a producer may reuse its bytes. */
	atomic_store_explicit(&h->head, v.head + ring_record_size((uint64_t)len),
			      memory_order_release);
	ring_unlock(&h->c_lock);
	ring_announce(&h->room_seq, &h->room_waiters);
	return len;
}

ssize_t ring_record_try_pop(struct ring *r, void *buf, size_t n)
{
	return take(r, buf, n, false);
}

ssize_t ring_record_peek(struct ring *r)
{
	return take(r, NULL, 0, true);
}

/* One blocking call's direction and buffer. */
struct xfer {
	bool push;
	const void *in; /* push */
	void *out;      /* pop */
	size_t n;
};

/*
 * The blocking loop shared by push and pop, on the waiting primitives of
 * ring_wait.h, with the conventions of ring_block.c: the futex word is read
 * before each attempt (a change after the read ends the sleep), and peer()
 * is asked before the attempt too, so that records pushed by producers
 * that then left are still seen before end of file.  A record moves whole
 * or not at all, so an attempt that fails has transferred nothing and a
 * restart after an SA_RESTART handler is always allowed.
 */
static ssize_t block(struct ring *r, struct xfer *x, struct ring_block *b)
{
	bool push = x->push;
	_Atomic uint32_t *waiters;
	_Atomic uint32_t *seq = push ? ring_room_seq(r, &waiters) : ring_data_seq(r, &waiters);
	struct ring_waiter w;
	bool started = false;
	ssize_t ret;

	b->peer_gone = 0;
	for (;;) {
		uint32_t seen = atomic_load_explicit(seq, memory_order_acquire);
		bool present = b->peer == NULL || b->peer(b->ctx);
		int err;

		if (push && !present) {
			ret = -EPIPE;
			b->peer_gone = 1;
			break;
		}
		ret = push ? ring_record_try_push(r, x->in, x->n) : ring_record_try_pop(r, x->out, x->n);
		if (ret != -EAGAIN)
			break;
		if (!present) {
			ret = 0; /* end of file: empty, and no producer left */
			b->peer_gone = 1;
			break;
		}
		if (b->nonblock)
			break;
		if (!started) {
			ring_waiter_begin(&w, b->timeout_ms > 0 ? b->timeout_ms : -1);
			started = true;
		}
		err = ring_waiter_wait(&w, seq, seen, waiters);
		if (err == -EINTR || err == -ETIMEDOUT) {
			ret = err;
			break;
		}
	}
	if (started)
		ring_waiter_end(&w);
	return ret;
}

ssize_t ring_record_push(struct ring *r, const void *buf, size_t n, struct ring_block *b)
{
	struct xfer x = { .push = true, .in = buf, .n = n };

	return block(r, &x, b);
}

ssize_t ring_record_pop(struct ring *r, void *buf, size_t n, struct ring_block *b)
{
	struct xfer x = { .out = buf, .n = n };
	ssize_t ret;

	/* Records first: a consumer with one waiting needs no peer check. */
	b->peer_gone = 0;
	ret = ring_record_try_pop(r, buf, n);
	if (ret != -EAGAIN)
		return ret;
	return block(r, &x, b);
}
