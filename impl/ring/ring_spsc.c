/*
 * The lock-free single-producer/single-consumer byte ring (ring_spsc.h):
 * copies, publication of the counters, and the spin-then-sleep waits.
 */
#define _GNU_SOURCE
#include "impl/ring/ring_spsc.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "impl/ring/ring_int.h"
#include "impl/sync/sync_barrier.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_spin.h"
#include "impl/sync/sync_waiter.h"

/* Bytes between the two counters as this side sees them: what the producer has in flight. */
static uint64_t in_flight(const struct ring_spsc *s)
{
	return s->side == RING_SPSC_PRODUCER ? s->pos - s->peer_pos : s->peer_pos - s->pos;
}

/*
 * Everything this side will trust is read here once and judged: the mode
 * and geometry (ring_attach()'s snapshot), the capacity, both counters.
 * The counters must be judged together with the capacity: the fast paths
 * compute room as cap - in_flight and never look at the header again
 * while the cached copies say there is room, so an in_flight above cap
 * taken in at attach time would be room without bound.
 */
int ring_spsc_attach(struct ring_spsc *s, void *mem, size_t len, enum ring_spsc_side side)
{
	struct ring_hdr *h;
	long cap;
	int err = ring_attach(&s->r, mem, len);

	if (err < 0)
		return err;
	if (side != RING_SPSC_PRODUCER && side != RING_SPSC_CONSUMER)
		return -EINVAL;
	h = s->r.hdr;
	if (s->r.mode != RING_MODE_BYTES)
		return -EPROTO;
	cap = ring_checked_capacity(&s->r);
	if (cap < 0)
		return (int)cap;
	sync_barrier_init();
	s->side = side;
	s->cap = (uint32_t)cap;
	/* acquire on both: whatever was published before we came is visible. */
	RING_PEER(RING_PEER_COUNTERS, h);
	s->pos = atomic_load_explicit(side == RING_SPSC_PRODUCER ? &h->tail : &h->head,
				      memory_order_acquire);
	RING_PEER(RING_PEER_COUNTERS, h);
	s->peer_pos = atomic_load_explicit(side == RING_SPSC_PRODUCER ? &h->head : &h->tail,
					   memory_order_acquire);
	if (in_flight(s) > s->cap)
		return -EUCLEAN;
	return 0;
}

/*
 * Reads the other side's counter afresh.  acquire: for the consumer, the
 * producer's bytes below the new tail are then visible; for the producer,
 * the consumer's reads of the bytes below the new head are complete, and
 * they may be overwritten.  A counter out of range, or a capacity that
 * changed, is a header this side can no longer trust.
 */
static int refresh(struct ring_spsc *s)
{
	struct ring_hdr *h = s->r.hdr;
	_Atomic uint64_t *peer = s->side == RING_SPSC_PRODUCER ? &h->head : &h->tail;
	uint64_t old = s->peer_pos;

	RING_PEER(RING_PEER_COUNTERS, h);
	s->peer_pos = atomic_load_explicit(peer, memory_order_acquire);
	RING_PEER(RING_PEER_CAPACITY, h);
	if (in_flight(s) > s->cap ||
	    atomic_load_explicit(&h->capacity, memory_order_relaxed) != s->cap) {
		s->peer_pos = old;
		return -EUCLEAN;
	}
	return 0;
}

/*
 * Wakes the other side if it announced a sleep.  The caller has just
 * stored its counter; see sync_barrier.h for why the light barrier
 * suffices between that store and the load of the waiters count.  The
 * futex word is bumped before the wake so that a sleeper that read it
 * before our store of the counter does not go back to sleep.
 */
static void wake_if_waiting(_Atomic uint32_t *seq, _Atomic uint32_t *waiters)
{
	sync_barrier_light();
	if (atomic_load_explicit(waiters, memory_order_relaxed) == 0)
		return;
	atomic_fetch_add_explicit(seq, 1, memory_order_seq_cst);
	sync_futex_wake(seq, INT_MAX);
}

/*
 * memcpy(), inline for short copies: a call into libc costs about as much
 * as moving 64 bytes (18 ns of a 235 ns round trip on the benchmark).  Two
 * fixed-size moves that may overlap cover every length of a size class;
 * dst and src never overlap each other.
 */
static inline void copy_bytes(unsigned char *dst, const unsigned char *src, size_t n)
{
	if (n > 64) {
		memcpy(dst, src, n);
	} else if (n >= 32) {
		__builtin_memcpy(dst, src, 32);
		__builtin_memcpy(dst + n - 32, src + n - 32, 32);
	} else if (n >= 16) {
		__builtin_memcpy(dst, src, 16);
		__builtin_memcpy(dst + n - 16, src + n - 16, 16);
	} else if (n >= 8) {
		__builtin_memcpy(dst, src, 8);
		__builtin_memcpy(dst + n - 8, src + n - 8, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

/* Copies n bytes in at our position, wrapping, and publishes them. */
static void put(struct ring_spsc *s, const unsigned char *src, size_t n)
{
	struct ring_hdr *h = s->r.hdr;
	size_t off = s->pos & (s->cap - 1);
	size_t first = s->cap - off < n ? s->cap - off : n;

	copy_bytes(s->r.data + off, src, first);
	if (first < n) {
		RING_PEER(RING_PEER_DATA, h);
		copy_bytes(s->r.data, src + first, n - first);
	}
	s->pos += n;
	/* release: the bytes above are visible to whoever sees the new tail. */
	atomic_store_explicit(&h->tail, s->pos, memory_order_release);
	wake_if_waiting(&h->data_seq, &h->data_waiters);
}

/* Copies n bytes out at our position, wrapping, and hands their room back. */
static void take(struct ring_spsc *s, unsigned char *dst, size_t n)
{
	struct ring_hdr *h = s->r.hdr;
	size_t off = s->pos & (s->cap - 1);
	size_t first = s->cap - off < n ? s->cap - off : n;

	copy_bytes(dst, s->r.data + off, first);
	if (first < n) {
		RING_PEER(RING_PEER_DATA, h);
		copy_bytes(dst + first, s->r.data, n - first);
	}
	s->pos += n;
	/* release: our reads above complete before the producer may reuse the bytes. */
	atomic_store_explicit(&h->head, s->pos, memory_order_release);
	wake_if_waiting(&h->room_seq, &h->room_waiters);
}

ssize_t ring_spsc_try_push(struct ring_spsc *s, const void *buf, size_t n, int all_or_nothing)
{
	const unsigned char *p = buf;
	size_t room, k, done;

	if (s->side != RING_SPSC_PRODUCER)
		return -EINVAL;
	if (n == 0)
		return 0;
	room = s->cap - in_flight(s);
	if (room < n) {
		int err = refresh(s);

		if (err < 0)
			return err;
		room = s->cap - in_flight(s);
	}
	if (room == 0 || (all_or_nothing && room < n))
		return -EAGAIN;
	k = n < room ? n : room;
	/* In pieces, so that the consumer starts on the first while we copy the next. */
	for (done = 0; done < k; done += RING_SPSC_CHUNK)
		put(s, p + done, k - done < RING_SPSC_CHUNK ? k - done : RING_SPSC_CHUNK);
	return (ssize_t)k;
}

ssize_t ring_spsc_try_pop(struct ring_spsc *s, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t avail, k, done;

	if (s->side != RING_SPSC_CONSUMER)
		return -EINVAL;
	if (n == 0)
		return 0;
	avail = in_flight(s);
	if (avail < n) {
		int err = refresh(s);

		if (err < 0)
			return err;
		avail = in_flight(s);
	}
	if (avail == 0)
		return -EAGAIN;
	k = n < avail ? n : avail;
	for (done = 0; done < k; done += RING_SPSC_CHUNK)
		take(s, p + done, k - done < RING_SPSC_CHUNK ? k - done : RING_SPSC_CHUNK);
	return (ssize_t)k;
}

/* The state of one blocking call's waiting. */
struct wait_state {
	struct sync_waiter w;
	bool started;   /* w is begun: the signal mask must be restored */
	bool spun;      /* the polling phase is over */
	bool announced; /* our waiters count is raised, until the call returns */
};

/* The words this side waits with: the other side's counter, our futex word and our waiters count. */
static void my_words(struct ring_spsc *s, _Atomic uint64_t **peer, _Atomic uint32_t **seq,
		     _Atomic uint32_t **waiters)
{
	struct ring_hdr *h = s->r.hdr;

	if (s->side == RING_SPSC_PRODUCER) {
		*peer = &h->head;
		*seq = &h->room_seq;
		*waiters = &h->room_waiters;
	} else {
		*peer = &h->tail;
		*seq = &h->data_seq;
		*waiters = &h->data_waiters;
	}
}

/*
 * Polls the other side's counter, once per call (sync_spin.h).  True when
 * it moved away from the value our last attempt saw.  The load is
 * relaxed: the retry that follows reads it again with acquire.
 */
static bool spin_for_change(struct ring_spsc *s, struct wait_state *ws)
{
	_Atomic uint64_t *peer;
	_Atomic uint32_t *seq, *waiters;
	struct sync_spin sp;

	if (ws->spun)
		return false;
	ws->spun = true;
	my_words(s, &peer, &seq, &waiters);
	sync_spin_begin(&sp);
	while (atomic_load_explicit(peer, memory_order_relaxed) == s->peer_pos)
		if (!sync_spin_step(&sp))
			return false;
	return true;
}

/*
 * One sleep until the other side's counter moves: 0 (re-check), or
 * sync_waiter_sleep()'s -EINTR, -ERESTART, -ETIMEDOUT.
 *
 * The first sleep of a call announces it (waiters count), then fences;
 * the heavy barrier pairs with the other side's light one (sync_barrier.h):
 * from then on either a publication sees the announcement and wakes us,
 * or it came before the barrier and we see its counter below.  The count
 * stays raised until the call returns, so the later sleeps (after a slice
 * ended) need no fence: an idle waiter costs one futex wake-up per slice
 * and nothing more.  Reading the futex word before re-checking the
 * counter makes a wake that comes in between end FUTEX_WAIT at once.
 */
static int sleep_for_change(struct ring_spsc *s, const struct ring_block *b,
			    struct wait_state *ws)
{
	_Atomic uint64_t *peer;
	_Atomic uint32_t *seq, *waiters;
	uint32_t seen;

	my_words(s, &peer, &seq, &waiters);
	if (!ws->started) {
		sync_waiter_begin(&ws->w, b->timeout_ms > 0 ? b->timeout_ms : -1);
		ws->started = true;
	}
	if (!ws->announced) {
		atomic_fetch_add_explicit(waiters, 1, memory_order_seq_cst);
		sync_barrier_heavy();
		ws->announced = true;
	}
	seen = atomic_load_explicit(seq, memory_order_acquire);
	if (atomic_load_explicit(peer, memory_order_acquire) != s->peer_pos)
		return 0;
	return sync_waiter_sleep(&ws->w, seq, seen);
}

/* Ends a blocking call's waiting: withdraws the announcement, restores the signal mask. */
static void wait_end(struct ring_spsc *s, struct wait_state *ws)
{
	_Atomic uint64_t *peer;
	_Atomic uint32_t *seq, *waiters;

	my_words(s, &peer, &seq, &waiters);
	if (ws->announced)
		atomic_fetch_sub_explicit(waiters, 1, memory_order_relaxed);
	if (ws->started)
		sync_waiter_end(&ws->w);
}

static bool peer_present(struct ring_block *b)
{
	if (b->peer == NULL || b->peer(b->ctx))
		return true;
	b->peer_gone = 1;
	return false;
}

ssize_t ring_spsc_push(struct ring_spsc *s, const void *buf, size_t n, struct ring_block *b)
{
	const unsigned char *p = buf;
	struct wait_state ws = { .started = false, .spun = false, .announced = false };
	bool whole = n <= b->atomic_max && n <= s->cap;
	size_t done = 0;
	ssize_t ret = 0;

	b->peer_gone = 0;
	while (done < n) {
		ssize_t k = ring_spsc_try_push(s, p + done, n - done, whole && done == 0);

		if (k > 0) {
			done += (size_t)k;
			continue;
		}
		if (k != -EAGAIN || b->nonblock) {
			ret = k;
			break;
		}
		if (spin_for_change(s, &ws))
			continue;
		if (!peer_present(b)) {
			ret = -EPIPE;
			break;
		}
		ret = sleep_for_change(s, b, &ws);
		/* Restarting is only possible while nothing was transferred. */
		if (ret == -ERESTART && done == 0)
			ret = 0;
		if (ret != 0) {
			ret = ret == -ERESTART ? -EINTR : ret;
			break;
		}
	}
	wait_end(s, &ws);
	return done > 0 ? (ssize_t)done : ret;
}

ssize_t ring_spsc_pop(struct ring_spsc *s, void *buf, size_t n, struct ring_block *b)
{
	struct wait_state ws = { .started = false, .spun = false, .announced = false };
	ssize_t ret;

	b->peer_gone = 0;
	for (;;) {
		bool present;

		ret = ring_spsc_try_pop(s, buf, n);
		if (ret != -EAGAIN || b->nonblock)
			break;
		if (spin_for_change(s, &ws))
			continue;
		/*
		 * Ask about the producer *before* looking at the data again:
		 * bytes it pushed before it left are then certain to be seen,
		 * and end of file is only reported on a drained ring.
		 */
		present = b->peer == NULL || b->peer(b->ctx);
		ret = ring_spsc_try_pop(s, buf, n);
		if (ret != -EAGAIN)
			break;
		if (!present) {
			b->peer_gone = 1;
			ret = 0;
			break;
		}
		ret = sleep_for_change(s, b, &ws);
		if (ret == -EINTR || ret == -ETIMEDOUT)
			break;
	}
	wait_end(s, &ws);
	return ret;
}
