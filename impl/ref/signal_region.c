/*
 * The shared table of processes (signal_model.h): one anonymous shared
 * mapping, made before the suite forks anything, so that every clause
 * process inherits it and nothing can outlive the run; a directory of
 * (pid, start time) and a slot of signal state per process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "impl/ref/signal_model.h"
#include "impl/sync/sync_lock.h"

struct sigm_region *sigm_region;

int sigm_lookup(pid_t pid, uint64_t start)
{
	struct sigm_region *r = sigm_region;

	if (r == NULL || pid <= 0)
		return -1;
	for (int i = 0; i < SIGM_SLOTS; i++) {
		if (atomic_load_explicit(&r->dir[i].pid, memory_order_acquire) != pid)
			continue;
		if (start == 0 || atomic_load(&r->dir[i].start) == start)
			return i;
	}
	return -1;
}

struct sigm_slot *sigm_lock(int i, sigset_t *saved)
{
	struct sigm_slot *s = &sigm_region->slot[i];

	/* The real handlers take slot locks too: never let them in while we hold one. */
	sigm_block_ours(saved);
	sync_lock(&s->lock);
	return s;
}

void sigm_unlock(int i, const sigset_t *saved)
{
	sync_unlock(&sigm_region->slot[i].lock);
	sigm_restore_mask(saved);
}

bool sigm_slot_is(int i, pid_t pid, uint64_t start)
{
	struct sigm_dir *d = &sigm_region->dir[i];

	return atomic_load(&d->pid) == pid && (start == 0 || atomic_load(&d->start) == start);
}

/* A slot whose owner can no longer use it: free, or its process gone or a zombie. */
static bool reclaimable(int i)
{
	pid_t pid = atomic_load(&sigm_region->dir[i].pid);

	return pid <= 0 || sigm_proc_dead(pid, atomic_load(&sigm_region->dir[i].start));
}

/* Under the claim lock: a slot to give away, preferring free ones; -1 if all are taken. */
static int pick_slot(void)
{
	struct sigm_region *r = sigm_region;
	uint32_t from = atomic_load(&r->cursor) % SIGM_SLOTS;

	for (int k = 0; k < SIGM_SLOTS; k++) {
		int i = (int)((from + (uint32_t)k) % SIGM_SLOTS);

		if (atomic_load(&r->dir[i].pid) == 0)
			return i;
	}
	/* None free: the first whose process is gone (one /proc read each). */
	for (int k = 0; k < SIGM_SLOTS; k++) {
		int i = (int)((from + (uint32_t)k) % SIGM_SLOTS);

		if (reclaimable(i)) {
			atomic_store(&r->cursor, (uint32_t)i + 1);
			return i;
		}
	}
	return -1;
}

int sigm_claim(pid_t pid, uint64_t start, const struct sigm_seed *seed)
{
	struct sigm_region *r = sigm_region;
	sigset_t saved, inner;
	struct sigm_slot *s;
	int i;

	if (r == NULL)
		return -ENOMEM;
	sigm_block_ours(&saved);
	sync_lock(&r->claim_lock);
	i = sigm_lookup(pid, start);
	if (i >= 0) {
		sync_unlock(&r->claim_lock);
		sigm_restore_mask(&saved);
		return i;
	}
	i = pick_slot();
	if (i < 0) {
		sync_unlock(&r->claim_lock);
		sigm_restore_mask(&saved);
		return -EAGAIN;
	}
	/* Senders that found the old owner check its identity under this lock and see the new one. */
	s = sigm_lock(i, &inner);
	atomic_store(&r->dir[i].pid, 0);
	atomic_store(&s->rung, 0);
	atomic_store(&s->armed, seed->armed ? 1u : 0u);
	atomic_store(&s->blocked, seed->blocked);
	atomic_store(&s->ignored, seed->ignored);
	atomic_store(&s->std_pending, 0);
	atomic_store(&s->qcount, 0);
	memset(s->std_info, 0, sizeof(s->std_info));
	atomic_store(&r->dir[i].start, start);
	atomic_store_explicit(&r->dir[i].pid, pid, memory_order_release);
	sigm_unlock(i, &inner);
	sync_unlock(&r->claim_lock);
	sigm_restore_mask(&saved);
	return i;
}

void sigm_region_map(void)
{
	void *m = mmap(NULL, sizeof(struct sigm_region), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m != MAP_FAILED)
		sigm_region = m;
}
