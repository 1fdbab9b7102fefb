#define _GNU_SOURCE
#include "impl/ring/ring_lock.h"

#include <errno.h>
#include <stdbool.h>

#include "impl/ring/ring_futex.h"
#include "impl/ring/ring_relax.h"
#include "impl/ring/ring_wait.h"
#include "impl/ring/task_alive.h"

/* Holders keep the lock for one memcpy: worth a short spin before sleeping. */
#define LOCK_SPIN 128

/*
 * acquire on success: everything the previous holder wrote before its
 * release store in ring_unlock() is visible to us.
 */
static bool try_take(_Atomic uint32_t *word, uint32_t from, uint32_t to)
{
	return atomic_compare_exchange_strong_explicit(word, &from, to, memory_order_acquire,
						       memory_order_relaxed);
}

void ring_lock(_Atomic uint32_t *word)
{
	uint32_t self = (uint32_t)ring_self_tid();

	if (try_take(word, 0, self))
		return;
	for (int i = 0; i < LOCK_SPIN; i++) {
		ring_cpu_relax();
		if (atomic_load_explicit(word, memory_order_relaxed) == 0 && try_take(word, 0, self))
			return;
	}
	for (;;) {
		uint32_t cur = atomic_load_explicit(word, memory_order_relaxed);
		uint32_t owner = cur & ~RING_LOCK_WAITERS;

		/*
		 * Once anyone has slept, every later holder keeps the waiters
		 * bit: we cannot know whether other sleepers remain, and a
		 * spare FUTEX_WAKE costs less than a lost one.
		 */
		if (owner == 0 || owner == self) {
			if (try_take(word, cur, self | RING_LOCK_WAITERS))
				return;
			continue;
		}
		if (!(cur & RING_LOCK_WAITERS)) {
			if (!atomic_compare_exchange_strong_explicit(word, &cur, cur | RING_LOCK_WAITERS,
								     memory_order_relaxed,
								     memory_order_relaxed))
				continue;
			cur |= RING_LOCK_WAITERS;
		}
		if (ring_futex_wait(word, cur, RING_SLICE_MS) == -ETIMEDOUT &&
		    !ring_task_alive((pid_t)owner) &&
		    try_take(word, cur, self | RING_LOCK_WAITERS))
			return;
	}
}

void ring_unlock(_Atomic uint32_t *word)
{
	/* release: publishes the critical section to the next acquirer. */
	uint32_t old = atomic_exchange_explicit(word, 0, memory_order_release);

	if (old & RING_LOCK_WAITERS)
		ring_futex_wake(word, 1);
}
