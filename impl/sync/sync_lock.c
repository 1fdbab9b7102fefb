/* The shared-memory lock of sync_lock.h: CAS, a short spin, then futex sleeps. */
#define _GNU_SOURCE
#include "impl/sync/sync_lock.h"

#include <errno.h>
#include <stdbool.h>

#include "impl/sync/sync_alive.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_relax.h"
#include "impl/sync/sync_tid.h"
#include "impl/sync/sync_waiter.h" /* SYNC_SLICE_MS */

/* Holders keep the lock for one memcpy: worth a short spin before sleeping. */
#define LOCK_SPIN 128

/*
 * acquire on success: everything the previous holder wrote before its
 * release store in sync_unlock() is visible to us.
 */
static bool try_take(_Atomic uint32_t *word, uint32_t from, uint32_t to)
{
	return atomic_compare_exchange_strong_explicit(word, &from, to, memory_order_acquire,
						       memory_order_relaxed);
}

void sync_lock(_Atomic uint32_t *word)
{
	uint32_t self = (uint32_t)sync_self_tid();

	if (try_take(word, 0, self))
		return;
	for (int i = 0; i < LOCK_SPIN; i++) {
		sync_cpu_relax();
		if (atomic_load_explicit(word, memory_order_relaxed) == 0 && try_take(word, 0, self))
			return;
	}
	for (;;) {
		uint32_t cur = atomic_load_explicit(word, memory_order_relaxed);
		uint32_t owner = cur & ~SYNC_LOCK_WAITERS;

		/*
		 * Once anyone has slept, every later holder keeps the waiters
		 * bit: we cannot know whether other sleepers remain, and a
		 * spare FUTEX_WAKE costs less than a lost one.
		 */
		if (owner == 0 || owner == self) {
			if (try_take(word, cur, self | SYNC_LOCK_WAITERS))
				return;
			continue;
		}
		if (!(cur & SYNC_LOCK_WAITERS)) {
			if (!atomic_compare_exchange_strong_explicit(word, &cur, cur | SYNC_LOCK_WAITERS,
								     memory_order_relaxed,
								     memory_order_relaxed))
				continue;
			cur |= SYNC_LOCK_WAITERS;
		}
		if (sync_futex_wait(word, cur, SYNC_SLICE_MS) == -ETIMEDOUT &&
		    !sync_task_alive((pid_t)owner) &&
		    try_take(word, cur, self | SYNC_LOCK_WAITERS))
			return;
	}
}

void sync_unlock(_Atomic uint32_t *word)
{
	/* release: publishes the critical section to the next acquirer. */
	uint32_t old = atomic_exchange_explicit(word, 0, memory_order_release);

	if (old & SYNC_LOCK_WAITERS)
		sync_futex_wake(word, 1);
}
