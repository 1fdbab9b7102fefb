/* What ref's message queues share: see qcore.h. */
#define _GNU_SOURCE
#include "impl/ref/qcore.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "impl/ring/ring_record.h"
#include "impl/sync/sync_alive.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_relax.h"
#include "impl/sync/sync_tid.h"

/* Spins before the one liveness check of a contended lock: holders keep it briefly. */
#define QLOCK_SPIN 256

/*
 * A holder found dead is replaced at once, where sync_lock() would first
 * sleep a slice: the suite's cleanup (msgget and IPC_RMID right after
 * killing a clause's processes) must not wait SYNC_SLICE_MS per queue.
 * Its waiters bit stays, so that sleepers are still woken.
 */
static bool take_from_dead(_Atomic uint32_t *lock, uint32_t self)
{
	uint32_t cur = atomic_load_explicit(lock, memory_order_relaxed);
	uint32_t owner = cur & ~SYNC_LOCK_WAITERS;

	if (owner == 0 || owner == self || sync_task_alive((pid_t)owner))
		return false;
	return atomic_compare_exchange_strong_explicit(lock, &cur,
						       self | (cur & SYNC_LOCK_WAITERS),
						       memory_order_acquire, memory_order_relaxed);
}

bool ref_qcore_lock(_Atomic uint32_t *lock, _Atomic uint32_t *dirty)
{
	uint32_t self = (uint32_t)sync_self_tid();
	uint32_t zero = 0;
	bool taken = atomic_compare_exchange_strong_explicit(lock, &zero, self, memory_order_acquire,
							     memory_order_relaxed);

	for (int i = 0; !taken && i < QLOCK_SPIN; i++) {
		sync_cpu_relax();
		zero = 0;
		taken = atomic_load_explicit(lock, memory_order_relaxed) == 0 &&
			atomic_compare_exchange_strong_explicit(lock, &zero, self,
								memory_order_acquire,
								memory_order_relaxed);
	}
	if (!taken && !take_from_dead(lock, self))
		sync_lock(lock);
	return atomic_exchange(dirty, 1) != 0;
}

void ref_qcore_ring_unlock_dead(struct ring *r)
{
	atomic_store(&r->hdr->p_lock, 0);
	atomic_store(&r->hdr->c_lock, 0);
}

void ref_qcore_unlock(_Atomic uint32_t *lock, _Atomic uint32_t *dirty)
{
	atomic_store(dirty, 0);
	sync_unlock(lock);
}

int ref_qcore_drain(struct ring *r, struct qcore_drained *d)
{
	static const struct ring_rec_sel any = { .match = RING_REC_ANY, .flags = RING_REC_TRUNC };
	long used = ring_used(r);
	size_t max_recs, off = 0;

	d->buf = NULL;
	d->rec = NULL;
	d->n = 0;
	if (used < 0)
		return (int)used;
	/* Every record takes RING_REC_HDR_SIZE bytes of stream at least. */
	max_recs = (size_t)used / RING_REC_HDR_SIZE + 1;
	d->buf = malloc((size_t)used + 1);
	d->rec = malloc(max_recs * sizeof(*d->rec));
	if (d->buf == NULL || d->rec == NULL) {
		ref_qcore_drained_free(d);
		return -ENOMEM;
	}
	while (d->n < max_recs) {
		uint16_t type = 0;
		ssize_t len = ring_record_try_pop_sel(r, d->buf + off, (size_t)used - off, &any, &type);

		if (len == -EAGAIN)
			return 0;
		if (len < 0)
			return (int)len;
		/* More than the ring held: not a ring our peers wrote correctly. */
		if ((size_t)len > (size_t)used - off)
			return -EUCLEAN;
		d->rec[d->n++] = (struct qcore_rec){ .len = (uint32_t)len, .type = type, .off = off };
		off += (size_t)len;
	}
	return -EUCLEAN;
}

size_t ref_qcore_refill(struct ring *r, const struct qcore_drained *d, size_t skip)
{
	size_t lost = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (i == skip)
			continue;
		if (ring_record_try_push_type(r, d->buf + d->rec[i].off, d->rec[i].len,
					      d->rec[i].type) < 0)
			lost++;
	}
	return lost;
}

void ref_qcore_drained_free(struct qcore_drained *d)
{
	free(d->buf);
	free(d->rec);
	d->buf = NULL;
	d->rec = NULL;
	d->n = 0;
}

bool ref_qcore_timespec_bad(const struct timespec *ts)
{
	return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L;
}

/* Milliseconds from now (CLOCK_REALTIME) to abs, rounded up; 0 when abs has passed. */
static int ms_until(const struct timespec *abs)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_REALTIME, &now);
	if (abs->tv_sec > now.tv_sec + (time_t)(INT_MAX / 1000 - 1))
		return INT_MAX;
	ns = ((long long)abs->tv_sec - now.tv_sec) * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	return (int)((ns + 999999) / 1000000);
}

int ref_qcore_wait(struct ref_qcore_wait *qw, _Atomic uint32_t *word, uint32_t seen,
	       _Atomic uint32_t *waiters)
{
	if (!qw->started) {
		int ms = -1;

		if (qw->abs != NULL) {
			ms = ms_until(qw->abs);
			if (ms == 0)
				return -ETIMEDOUT;
			if (ms == INT_MAX)
				ms = -1; /* beyond what sync_waiter counts: as good as no bound */
		}
		sync_waiter_begin(&qw->w, ms);
		qw->started = true;
	}
	return sync_waiter_wait(&qw->w, word, seen, waiters);
}

void ref_qcore_wait_end(struct ref_qcore_wait *qw)
{
	if (qw->started)
		sync_waiter_end(&qw->w);
	qw->started = false;
}
