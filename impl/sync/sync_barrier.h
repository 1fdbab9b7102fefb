/*
 * sync_barrier.h -- an asymmetric store-load fence for the SPSC ring.
 *
 * A side that goes to sleep and the side that must wake it form a Dekker
 * pair: the waker stores the counter the sleeper waits on and then loads
 * the sleeper's "waiters" word; the sleeper stores "waiters" and then
 * loads the counter.  Both store-then-load sequences need a full fence
 * between them, or each side may read the other's old value (x86 lets a
 * load pass an earlier store) and the wake-up is lost.
 *
 * The waker runs once per message; the sleeper once per sleep, after a
 * spin of tens of microseconds.  So the fence is made asymmetric
 * (membarrier(2), MEMBARRIER_CMD_GLOBAL_EXPEDITED): the frequent side
 * only stops the compiler (sync_barrier_light), and the rare side forces
 * a full barrier on every CPU that runs a thread of a registered process
 * (sync_barrier_heavy).  Either the waker's load of "waiters" comes after
 * that barrier, and sees the sleeper's store, or it came before, and so
 * did the waker's earlier store of the counter, which the sleeper's load
 * after sync_barrier_heavy() then sees.
 *
 * Where membarrier is missing or refused (old kernels, some sandboxes),
 * sync_barrier_light() is a real seq_cst fence in that process and
 * sync_barrier_heavy() is one too: correct, just slower per message.
 * Every process that uses the light side must have called
 * sync_barrier_init(); it registers the process (again in a fork child,
 * whose registration the kernel does not promise to carry over).
 */
#ifndef IPCCONF_SYNC_BARRIER_H
#define IPCCONF_SYNC_BARRIER_H

#include <stdatomic.h>
#include <stdbool.h>

/* Registers this process for the expedited barrier; idempotent.  True when the light side is cheap. */
bool sync_barrier_init(void);

/* Set by sync_barrier_init() when registration worked in this process (internal). */
extern _Atomic int sync_barrier_registered;

/* The frequent side: between a store and a load that must not pass it. */
static inline void sync_barrier_light(void)
{
	if (atomic_load_explicit(&sync_barrier_registered, memory_order_relaxed))
		atomic_signal_fence(memory_order_seq_cst);
	else
		atomic_thread_fence(memory_order_seq_cst);
}

/* The rare side: a full fence here and on every CPU running a registered thread. */
void sync_barrier_heavy(void);

#endif /* IPCCONF_SYNC_BARRIER_H */
