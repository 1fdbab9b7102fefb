/*
 * Blocking push and pop: the non-blocking attempts of ring.c, with
 * futex sleeps in between (sync_waiter.h) and the caller's peer() check.
 */
#define _GNU_SOURCE
#include "impl/ring/ring.h"

#include <errno.h>
#include <stdbool.h>

#include "impl/ring/ring_int.h"
#include "impl/sync/sync_waiter.h"

/*
 * Starts the waiter on the first sleep only, so that neither the fast
 * path nor a short wait touches the signal mask (two system calls, more
 * than a cross-core hand-over costs).  Before that first sleep the word
 * is polled (sync_spin.h) with the caller's own mask: a signal that comes
 * meanwhile runs its handler as one that came before the call blocked.
 */
static int wait_on(struct sync_waiter *w, bool *started, const struct ring_block *b,
		   _Atomic uint32_t *seq, uint32_t seen, _Atomic uint32_t *waiters)
{
	if (!*started) {
		if (sync_spin_for_change(seq, seen))
			return 0;
		sync_waiter_begin(w, b->timeout_ms > 0 ? b->timeout_ms : -1);
		w->spun = 1;
		*started = true;
	}
	return sync_waiter_wait(w, seq, seen, waiters);
}

static bool peer_present(struct ring_block *b)
{
	if (b->peer == NULL || b->peer(b->ctx))
		return true;
	b->peer_gone = 1;
	return false;
}

ssize_t ring_push(struct ring *r, const void *buf, size_t n, struct ring_block *b)
{
	const unsigned char *p = buf;
	_Atomic uint32_t *waiters;
	_Atomic uint32_t *seq = ring_room_seq(r, &waiters);
	struct sync_waiter w;
	bool started = false;
	size_t done = 0;
	ssize_t ret;

	b->peer_gone = 0;
	if (n == 0)
		return 0;
	for (;;) {
		/* Read before the attempt: room made after this ends the sleep below. */
		uint32_t seen = atomic_load_explicit(seq, memory_order_acquire);
		ssize_t k;
		int err;

		if (!peer_present(b)) {
			ret = -EPIPE;
			break;
		}
		/*
		 * Whole or nothing while nothing is in and n <= atomic_max and
		 * n fits the capacity -- decided inside the attempt, on the
		 * capacity it reads once and copies with.
		 */
		k = ring_try_push_whole(r, p + done, n - done, 0, done == 0 ? b->atomic_max : 0);
		if (k > 0) {
			done += (size_t)k;
			if (done == n) {
				ret = 0;
				break;
			}
			continue;
		}
		if (k != -EAGAIN) {
			ret = k;
			break;
		}
		if (b->nonblock) {
			ret = -EAGAIN;
			break;
		}
		err = wait_on(&w, &started, b, seq, seen, waiters);
		/* Restarting is only possible while nothing was transferred. */
		if (err == -EINTR || err == -ETIMEDOUT || (err == -ERESTART && done > 0)) {
			ret = err == -ERESTART ? -EINTR : err;
			break;
		}
	}
	if (started)
		sync_waiter_end(&w);
	return done > 0 ? (ssize_t)done : ret;
}

ssize_t ring_pop(struct ring *r, void *buf, size_t n, struct ring_block *b)
{
	_Atomic uint32_t *waiters;
	_Atomic uint32_t *seq = ring_data_seq(r, &waiters);
	struct sync_waiter w;
	bool started = false;
	ssize_t ret;

	b->peer_gone = 0;
	if (n == 0)
		return 0;
	/* Data first: a reader with bytes waiting needs no peer check. */
	ret = ring_try_pop(r, buf, n);
	if (ret != -EAGAIN)
		return ret;
	for (;;) {
		uint32_t seen = atomic_load_explicit(seq, memory_order_acquire);
		/*
		 * Ask about the producers *before* looking at the data: bytes a
		 * producer pushed before it left are then certain to be seen,
		 * and end-of-file is only reported on a drained ring.
		 */
		bool present = b->peer == NULL || b->peer(b->ctx);
		int err;

		ret = ring_try_pop(r, buf, n);
		if (ret != -EAGAIN)
			break;
		if (!present) {
			b->peer_gone = 1;
			ret = 0;
			break;
		}
		if (b->nonblock)
			break;
		err = wait_on(&w, &started, b, seq, seen, waiters);
		if (err == -EINTR || err == -ETIMEDOUT) {
			ret = err;
			break;
		}
	}
	if (started)
		sync_waiter_end(&w);
	return ret;
}
