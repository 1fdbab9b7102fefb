/*
 * sync_spin.h -- how long, and how, to busy-wait before a futex sleep.
 *
 * Blocking costs the most where it is least expected: on this kind of
 * machine (a VM) waking a sleeping vCPU takes 20-30 us, a hundred times a
 * cross-core cache-line transfer.  So a waiter first polls.  But polling
 * helps only while the peer runs on another CPU; when both ends share one
 * CPU, every nanosecond spent polling is taken from the peer it waits
 * for.  The policy, per wait:
 *
 *   1. poll with a CPU pause for SYNC_SPIN_ALONE_NS: long enough to
 *      cover a cross-core round trip (a few hundred ns), short enough to
 *      cost little when the peer is waiting for this very CPU;
 *   2. then poll with sched_yield() in between: a peer that is runnable
 *      on this CPU gets it at once (about 1.5 us for the switch), and a
 *      peer on another CPU is still noticed within a syscall's time;
 *   3. after SYNC_SPIN_NS in all, give up: the caller sleeps on a futex.
 *      The budget is about one wake-up, so an idle wait costs at most
 *      as much CPU as the sleep would have cost in latency.
 *
 * Usage, after a failed check of the condition:
 *     struct sync_spin s;
 *     sync_spin_begin(&s);
 *     while (!condition)
 *             if (!sync_spin_step(&s))
 *                     break;          (then sleep, see sync_waiter.h)
 *
 * No memory ordering here: the caller's check carries it.
 */
#ifndef IPCCONF_SYNC_SPIN_H
#define IPCCONF_SYNC_SPIN_H

#include <stdbool.h>
#include <stdint.h>

/* Pure polling before the first sched_yield(). */
#define SYNC_SPIN_ALONE_NS 400
/* Polling in all before the caller sleeps: about one vCPU wake-up here. */
#define SYNC_SPIN_NS 30000

struct sync_spin {
	int64_t start_ns; /* CLOCK_MONOTONIC at sync_spin_begin() */
	uint32_t steps;   /* calls of sync_spin_step() so far */
};

void sync_spin_begin(struct sync_spin *s);

/* Waits a little; false once the budget is spent (nothing waited then). */
bool sync_spin_step(struct sync_spin *s);

/* CLOCK_MONOTONIC in ns (the clock the spin budget and timeouts use). */
int64_t sync_now_ns(void);

#endif /* IPCCONF_SYNC_SPIN_H */
