/* The spin-then-yield policy of sync_spin.h. */
#define _GNU_SOURCE
#include "impl/sync/sync_spin.h"

#include <sched.h>
#include <time.h>

#include "impl/sync/sync_relax.h"

/*
 * The clock is read once every this many steps: a read costs about as
 * much as a pause (~25 ns here), and reading it on every step would add
 * that to how late the awaited change is noticed.
 */
#define CLOCK_EVERY 8

int64_t sync_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sync_spin_begin(struct sync_spin *s)
{
	s->start_ns = sync_now_ns();
	s->steps = 0;
}

bool sync_spin_step(struct sync_spin *s)
{
	int64_t spent;

	if (++s->steps % CLOCK_EVERY != 0) {
		sync_cpu_relax();
		return true;
	}
	spent = sync_now_ns() - s->start_ns;
	if (spent >= SYNC_SPIN_NS)
		return false;
	/*
	 * Past the pure-polling phase the peer is either slow or waiting for
	 * this CPU; yielding serves the second case and costs the first
	 * only a syscall.
	 */
	if (spent >= SYNC_SPIN_ALONE_NS)
		sched_yield();
	else
		sync_cpu_relax();
	return true;
}
