/*
 * Record mode of the ring (ring_record.h): typed variable-size records
 * over the byte ring's header, locks, copying and waiting; selecting pops,
 * holes left by out-of-order pops, and the compaction that reclaims them.
 */
#define _GNU_SOURCE
#include "impl/ring/ring_record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "impl/ring/ring_int.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_waiter.h"

_Static_assert(sizeof(struct ring_rec_hdr) == RING_REC_HDR_SIZE, "layout is in ring_record.h");
_Static_assert(offsetof(struct ring_rec_hdr, type) == 8, "layout is in ring_record.h");
_Static_assert(RING_REC_HDR_SIZE % RING_REC_ALIGN == 0, "a payload starts aligned");
_Static_assert(RING_REC_MIN_CAPACITY >= RING_REC_HDR_SIZE, "a header fits in one lap");
_Static_assert(offsetof(struct ring_rec_hdr, kind) + 2 <= RING_REC_ALIGN,
	       "kind, stored in place, never wraps");

int ring_record_init(void *mem, size_t len, uint32_t data_size, uint32_t capacity)
{
	return ring_init_mode(mem, len, data_size, capacity, RING_MODE_RECORDS, RING_REC_FORMAT);
}

/*
 * After ring_check() said -EPROTO: is this a record ring of another
 * format (an older one, most likely)?  Then the more specific error.
 * Judged on the snapshot the check read, not on a second look.
 */
static int refine_eproto(const struct ring_snap *s)
{
	if (s->have_identity && s->magic == RING_MAGIC && s->version == RING_VERSION &&
	    s->mode == RING_MODE_RECORDS && s->hdr_size == RING_HDR_SIZE &&
	    s->flags != RING_REC_FORMAT)
		return -EPROTONOSUPPORT;
	return -EPROTO;
}

int ring_record_attach(struct ring *r, void *mem, size_t len)
{
	struct ring tmp;
	struct ring_snap snap;
	int err = ring_attach_snap(&tmp, mem, len, &snap);

	if (err == -EPROTO)
		return refine_eproto(&snap);
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
	RING_PEER(RING_PEER_COUNTERS, h);
	v->head = atomic_load_explicit(&h->head, producer ? memory_order_acquire
							  : memory_order_relaxed);
	RING_PEER(RING_PEER_COUNTERS, h);
	v->tail = atomic_load_explicit(&h->tail, producer ? memory_order_relaxed
							  : memory_order_acquire);
	if (v->tail - v->head > v->cap || ((v->head | v->tail) & (RING_REC_ALIGN - 1)) != 0)
		return -EUCLEAN;
	return 0;
}

/* A record as judged from a private copy of its header. */
struct rec {
	uint64_t pos;     /* stream position of the header */
	uint64_t size;    /* ring_record_size(length) */
	uint32_t length;
	uint16_t kind;
	uint16_t type;
};

/*
 * Judges a header copied into private memory, found at stream position
 * pos with `left` bytes of stream from pos to tail: 0 and *out filled, or
 * -EUCLEAN.  Only this copy is believed, never the shared bytes.
 */
static int judge(const struct ring_rec_hdr *rh, uint64_t pos, uint32_t cap, uint64_t left,
		 struct rec *out)
{
	if (left < RING_REC_HDR_SIZE || (rh->kind != RING_REC_DATA && rh->kind != RING_REC_GONE) ||
	    rh->tag != ring_record_tag(pos) || rh->zero16 != 0 || rh->zero32 != 0 ||
	    rh->length > cap - RING_REC_HDR_SIZE || ring_record_size(rh->length) > left)
		return -EUCLEAN;
	out->pos = pos;
	out->size = ring_record_size(rh->length);
	out->length = rh->length;
	out->kind = rh->kind;
	out->type = rh->type;
	return 0;
}

/* The record at pos (pos < tail, both aligned), copied out of the ring once and judged. */
static int record_at(const struct ring *r, uint32_t cap, uint64_t pos, uint64_t tail,
		     struct rec *out)
{
	struct ring_rec_hdr rh;

	if (tail - pos < RING_REC_HDR_SIZE)
		return -EUCLEAN;
	RING_PEER(RING_PEER_RECORD_HEADER, r->hdr);
	ring_copy_out(r, cap, pos, &rh, sizeof rh);
	return judge(&rh, pos, cap, tail - pos, out);
}

int ring_record_check(const void *mem, size_t len)
{
	struct ring r;
	struct ring_snap snap;
	int err = ring_attach_snap(&r, (void *)mem, len, &snap);
	uint64_t pos, tail;
	uint32_t cap;

	if (err == -EPROTO)
		return refine_eproto(&snap);
	if (err < 0)
		return err;
	if (snap.mode != RING_MODE_RECORDS)
		return -EPROTO;
	/*
	 * The walk goes by the capacity and counters the check judged, not
	 * by a second read of them: one changed since would be a mask or a
	 * bound nobody checked.  (Quiescent by contract, but a peer need not
	 * keep the contract.)
	 */
	cap = snap.cap;
	pos = snap.head;
	tail = snap.head + snap.used;
	while (pos != tail) {
		struct rec rec;

		err = record_at(&r, cap, pos, tail, &rec);
		if (err < 0)
			return err;
		pos += rec.size;
	}
	return 0;
}

/* ---- compaction (see REPRESENTATION in ring_record.h) ---- */

/*
 * With p_lock held: takes c_lock, and if holes are buffered moves the
 * live records up so that they end at tail, then moves head.  v->head is
 * updated.  0 (compacted, or nothing to gain), -EUCLEAN, -ENOMEM.
 */
static int compact(struct ring *r, struct view *v)
{
	struct ring_hdr *h = r->hdr;
	uint64_t used, live = 0, dst;
	unsigned char *tmp;
	struct rec rec;
	int err = 0;

	sync_lock(&h->c_lock);
	/* acquire: the consumers' reads below the head they stored are complete. */
	RING_PEER(RING_PEER_COUNTERS, h);
	v->head = atomic_load_explicit(&h->head, memory_order_acquire);
	used = v->tail - v->head;
	if (used > v->cap || (v->head & (RING_REC_ALIGN - 1)) != 0) {
		sync_unlock(&h->c_lock);
		return -EUCLEAN;
	}
	tmp = used > 0 ? malloc(used) : NULL;
	if (used > 0 && tmp == NULL) {
		sync_unlock(&h->c_lock);
		return -ENOMEM;
	}
	/* One private copy: every header is judged, then used, from it alone. */
	RING_PEER(RING_PEER_RECORD_HEADER, h);
	ring_copy_out(r, v->cap, v->head, tmp, used);
	/* A refused header leaves rec unset: stop before the step reads it. */
	for (uint64_t o = 0; o < used; o += rec.size) {
		struct ring_rec_hdr rh;

		if (used - o < sizeof rh) {
			err = -EUCLEAN;
			break;
		}
		memcpy(&rh, tmp + o, sizeof rh);
		err = judge(&rh, v->head + o, v->cap, used - o, &rec);
		if (err < 0)
			break;
		if (rec.kind == RING_REC_DATA)
			live += rec.size;
	}
	if (err < 0 || live == used)
		goto out;
	dst = v->tail - live;
	for (uint64_t o = 0; o < used; o += rec.size) {
		struct ring_rec_hdr rh;

		memcpy(&rh, tmp + o, sizeof rh);
		/* Judged above; the private copy cannot have changed. */
		rec.size = ring_record_size(rh.length);
		if (rh.kind != RING_REC_DATA)
			continue;
		rh.tag = ring_record_tag(dst);
		ring_copy_in(r, v->cap, dst, &rh, sizeof rh);
		ring_copy_in(r, v->cap, dst + sizeof rh, tmp + o + sizeof rh, rec.size - sizeof rh);
		dst += rec.size;
	}
	atomic_store_explicit(&h->gone, 0, memory_order_relaxed);
	/* release: a consumer that sees the new head (acquire under c_lock) sees the records. */
	v->head = v->tail - live;
	atomic_store_explicit(&h->head, v->head, memory_order_release);
out:
	sync_unlock(&h->c_lock);
	free(tmp);
	return err;
}

/* ---- push ---- */

ssize_t ring_record_try_push_type(struct ring *r, const void *buf, size_t n, uint16_t type)
{
	struct ring_hdr *h = r->hdr;
	struct ring_rec_hdr rh;
	bool compacted = false;
	struct view v;
	ssize_t ret;
	int err;

	if (r->mode != RING_MODE_RECORDS)
		return -EPROTO;
	sync_lock(&h->p_lock);
	err = load_view(r, &v, true);
	if (err < 0)
		ret = err;
	else if (n > v.cap - RING_REC_HDR_SIZE)
		ret = -EMSGSIZE;
	else
		ret = (ssize_t)n;
	if (ret >= 0 && ring_record_size(n) > v.cap - (v.tail - v.head)) {
		uint64_t used = v.tail - v.head;
		uint64_t gone;

		RING_PEER(RING_PEER_COUNTERS, h);
		gone = atomic_load_explicit(&h->gone, memory_order_relaxed);

		/* Compact only where the holes would make room: it copies every buffered byte. */
		if (gone > used)
			gone = used;
		if (gone == 0 || ring_record_size(n) > v.cap - used + gone) {
			ret = -EAGAIN;
		} else {
			err = compact(r, &v);
			compacted = err == 0;
			if (err < 0)
				ret = err;
			else if (ring_record_size(n) > v.cap - (v.tail - v.head))
				ret = -EAGAIN;
		}
	}
	if (ret < 0) {
		sync_unlock(&h->p_lock);
		return ret;
	}
	memset(&rh, 0, sizeof rh);
	rh.length = (uint32_t)n;
	rh.kind = RING_REC_DATA;
	rh.tag = ring_record_tag(v.tail);
	rh.type = type;
	ring_copy_in(r, v.cap, v.tail, &rh, sizeof rh);
	if (n > 0) /* buf may be NULL then, which memcpy() must not see */
		ring_copy_in(r, v.cap, v.tail + RING_REC_HDR_SIZE, buf, n);
	/* release: the header and payload above are visible to whoever sees the new tail. */
	atomic_store_explicit(&h->tail, v.tail + ring_record_size(n), memory_order_release);
	sync_unlock(&h->p_lock);
	ring_announce(&h->data_seq, &h->data_waiters);
	/* Other producers may fit in what compaction freed beyond our record. */
	if (compacted)
		ring_announce(&h->room_seq, &h->room_waiters);
	return ret;
}

ssize_t ring_record_try_push(struct ring *r, const void *buf, size_t n)
{
	return ring_record_try_push_type(r, buf, n, 0);
}

/* ---- selecting pop ---- */

/* Whether the selector takes the first match it meets (no better one can follow). */
static bool first_match_wins(enum ring_rec_match m)
{
	return m == RING_REC_ANY || m == RING_REC_EQ || m == RING_REC_NE;
}

static bool matches(const struct ring_rec_sel *sel, uint16_t type)
{
	switch (sel->match) {
	case RING_REC_EQ: return type == sel->type;
	case RING_REC_LE: return type <= sel->type;
	case RING_REC_NE: return type != sel->type;
	default: return true; /* ANY, HIGHEST */
	}
}

/* A later match replaces an earlier one only when strictly better: FIFO among equals. */
static bool better(const struct ring_rec_sel *sel, uint16_t type, uint16_t best)
{
	if (sel->match == RING_REC_LE)
		return type < best;
	if (sel->match == RING_REC_HIGHEST)
		return type > best;
	return false;
}

/*
 * Walks the records from head: *pick is the one sel selects, *first the
 * oldest live record (so the caller knows whether head can move).
 * -EAGAIN when nothing matches; -EUCLEAN on a bad header on the way.
 */
static int select_record(const struct ring *r, const struct view *v,
			 const struct ring_rec_sel *sel, struct rec *pick, struct rec *first)
{
	bool found = false, any_live = false;
	struct rec rec;

	for (uint64_t pos = v->head; pos != v->tail; pos += rec.size) {
		int err = record_at(r, v->cap, pos, v->tail, &rec);

		if (err < 0)
			return err;
		if (rec.kind == RING_REC_GONE)
			continue;
		if (!any_live) {
			*first = rec;
			any_live = true;
		}
		if (!matches(sel, rec.type) || (found && !better(sel, rec.type, pick->type)))
			continue;
		*pick = rec;
		found = true;
		if (first_match_wins(sel->match))
			break;
	}
	return found ? 0 : -EAGAIN;
}

static void sub_gone(struct ring_hdr *h, uint64_t bytes)
{
	uint32_t gone;

	RING_PEER(RING_PEER_COUNTERS, h);
	gone = atomic_load_explicit(&h->gone, memory_order_relaxed);

	/* A hint: never below 0, whatever a peer stored. */
	atomic_store_explicit(&h->gone, bytes >= gone ? 0 : gone - (uint32_t)bytes,
			      memory_order_relaxed);
}

static void add_gone(struct ring_hdr *h, uint64_t bytes, uint32_t cap)
{
	uint64_t gone;

	RING_PEER(RING_PEER_COUNTERS, h);
	gone = atomic_load_explicit(&h->gone, memory_order_relaxed) + bytes;

	atomic_store_explicit(&h->gone, gone > cap ? cap : (uint32_t)gone, memory_order_relaxed);
}

/*
 * Removes the picked record, copied out already.  The oldest live record
 * moves head past itself, the holes before it and those that follow; any
 * other is marked RING_REC_GONE.  Each way ends in one store that makes
 * it visible (head, or kind), so a consumer killed before it lost nothing.
 */
static void remove_record(struct ring *r, const struct view *v, const struct rec *pick,
			  const struct rec *first)
{
	struct ring_hdr *h = r->hdr;
	uint64_t head;
	struct rec rec;

	if (pick->pos != first->pos) {
		uint16_t kind = RING_REC_GONE;

		ring_copy_in(r, v->cap, pick->pos + offsetof(struct ring_rec_hdr, kind), &kind,
			     sizeof kind);
		add_gone(h, pick->size, v->cap);
		return;
	}
	head = pick->pos + pick->size;
	/* A bad header stops the skip: the next call reports it. */
	while (head != v->tail && record_at(r, v->cap, head, v->tail, &rec) == 0 &&
	       rec.kind == RING_REC_GONE)
		head += rec.size;
	sub_gone(h, head - v->head - pick->size);
	/* release: our reads of the record finish before a producer may reuse its bytes. */
	atomic_store_explicit(&h->head, head, memory_order_release);
}

/* Pops (or, with peek, only describes) the record sel picks; every failure leaves it queued. */
static ssize_t take(struct ring *r, void *buf, size_t n, const struct ring_rec_sel *sel,
		    uint16_t *type, bool peek)
{
	struct ring_hdr *h = r->hdr;
	struct rec pick = { 0 }, first = { 0 };
	struct view v;
	int err;

	if (r->mode != RING_MODE_RECORDS)
		return -EPROTO;
	if ((unsigned)sel->match > RING_REC_HIGHEST)
		return -EINVAL;
	sync_lock(&h->c_lock);
	err = load_view(r, &v, false);
	if (err == 0)
		err = select_record(r, &v, sel, &pick, &first);
	if (err == 0 && !peek && pick.length > n && !(sel->flags & RING_REC_TRUNC))
		err = -E2BIG;
	if (err < 0 || peek) {
		sync_unlock(&h->c_lock);
		if (err == 0 && type != NULL)
			*type = pick.type;
		return err < 0 ? err : (ssize_t)pick.length;
	}
	if (pick.length > 0 && n > 0)
		ring_copy_out(r, v.cap, pick.pos + RING_REC_HDR_SIZE, buf,
			      pick.length < n ? pick.length : n);
	remove_record(r, &v, &pick, &first);
	sync_unlock(&h->c_lock);
	ring_announce(&h->room_seq, &h->room_waiters);
	if (type != NULL)
		*type = pick.type;
	return (ssize_t)pick.length;
}

static const struct ring_rec_sel oldest_whole = { .match = RING_REC_ANY };

ssize_t ring_record_try_pop_sel(struct ring *r, void *buf, size_t n,
				const struct ring_rec_sel *sel, uint16_t *type)
{
	return take(r, buf, n, sel, type, false);
}

/* Format 1's pops said -EMSGSIZE for a buffer too small; their callers still expect it. */
static ssize_t old_error(ssize_t ret)
{
	return ret == -E2BIG ? -EMSGSIZE : ret;
}

ssize_t ring_record_try_pop(struct ring *r, void *buf, size_t n)
{
	return old_error(take(r, buf, n, &oldest_whole, NULL, false));
}

ssize_t ring_record_peek_sel(struct ring *r, const struct ring_rec_sel *sel, uint16_t *type)
{
	return take(r, NULL, 0, sel, type, true);
}

ssize_t ring_record_peek(struct ring *r)
{
	return take(r, NULL, 0, &oldest_whole, NULL, true);
}

/* ---- blocking ---- */

/* One blocking call's direction, buffer and record. */
struct xfer {
	bool push;
	const void *in; /* push */
	uint16_t type;  /* push */
	void *out;      /* pop */
	const struct ring_rec_sel *sel; /* pop */
	uint16_t *type_out;             /* pop */
	size_t n;
};

static ssize_t attempt(struct ring *r, struct xfer *x)
{
	if (x->push)
		return ring_record_try_push_type(r, x->in, x->n, x->type);
	return take(r, x->out, x->n, x->sel, x->type_out, false);
}

/*
 * The blocking loop shared by push and pop, on the waiting primitives of
 * sync_waiter.h, with the conventions of ring_block.c: the futex word is
 * read before each attempt (a change after the read ends the sleep), and
 * peer() is asked before the attempt too, so that records pushed by
 * producers that then left are still seen before end of file.  A record
 * moves whole or not at all, so an attempt that fails has transferred
 * nothing and a restart after an SA_RESTART handler is always allowed.
 * A selecting pop is woken by every push and simply looks again: one that
 * does not match leaves it waiting.
 */
static ssize_t block(struct ring *r, struct xfer *x, struct ring_block *b)
{
	bool push = x->push;
	_Atomic uint32_t *waiters;
	_Atomic uint32_t *seq = push ? ring_room_seq(r, &waiters) : ring_data_seq(r, &waiters);
	struct sync_waiter w;
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
		ret = attempt(r, x);
		if (ret != -EAGAIN)
			break;
		if (!present) {
			ret = 0; /* end of file: nothing to take, and no producer left */
			b->peer_gone = 1;
			break;
		}
		if (b->nonblock)
			break;
		if (!started) {
			sync_waiter_begin(&w, b->timeout_ms > 0 ? b->timeout_ms : -1);
			started = true;
		}
		err = sync_waiter_wait(&w, seq, seen, waiters);
		if (err == -EINTR || err == -ETIMEDOUT) {
			ret = err;
			break;
		}
	}
	if (started)
		sync_waiter_end(&w);
	return ret;
}

ssize_t ring_record_push_type(struct ring *r, const void *buf, size_t n, uint16_t type,
			      struct ring_block *b)
{
	struct xfer x = { .push = true, .in = buf, .type = type, .n = n };

	return block(r, &x, b);
}

ssize_t ring_record_push(struct ring *r, const void *buf, size_t n, struct ring_block *b)
{
	return ring_record_push_type(r, buf, n, 0, b);
}

ssize_t ring_record_pop_sel(struct ring *r, void *buf, size_t n, const struct ring_rec_sel *sel,
			    uint16_t *type, struct ring_block *b)
{
	struct xfer x = { .out = buf, .sel = sel, .type_out = type, .n = n };
	ssize_t ret;

	/* Records first: a consumer with one waiting needs no peer check. */
	b->peer_gone = 0;
	ret = take(r, buf, n, sel, type, false);
	if (ret != -EAGAIN)
		return ret;
	return block(r, &x, b);
}

ssize_t ring_record_pop(struct ring *r, void *buf, size_t n, struct ring_block *b)
{
	return old_error(ring_record_pop_sel(r, buf, n, &oldest_whole, NULL, b));
}
