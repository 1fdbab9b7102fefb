/*
 * block.c -- the blocked-call pattern (block.h): a helper makes the call;
 * the clause sees it asleep, sees it still in the call after a grace
 * period, and only then acts to release it.
 */
#define _GNU_SOURCE
#include "conformance/harness/block.h"

#include <errno.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/proc_state.h"
#include "conformance/harness/process.h"

/* When the grace period of each call under watch ends (process-local). */
static int64_t grace_end_ns[IPCCONF_MAX_BLOCKED];

static int64_t grace_ns(struct ipcconf_t *t)
{
	return (int64_t)(IPCCONF_BLOCK_GRACE_MS * 1e6 * t->page->timeout_mul);
}

static _Noreturn void run_call(struct ipcconf_t *t, struct ipcconf_block_slot *s,
			       const struct ipcconf_blocking_call *call)
{
	STEP(t, "%s (expected to block)", call->what);
	if (call->prepare)
		call->prepare(t, call->arg);
	atomic_store(&s->started, 1);
	ipcconf_futex_wake_all(&s->started);
	long long r = call->call(t, call->arg);
	atomic_store(&s->result, r);
	if (!atomic_load(&s->released)) {
		char b[32];
		atomic_store(&s->early, 1);
		FAIL(t, "%s returned %s before the clause's releasing action: it did not block until released",
		     call->what, ipcconf_result_name(r, b));
	}
	atomic_store(&s->returned, 1);
	ipcconf_futex_wake_all(&s->returned);
	STEP(t, "%s returned", call->what);
	if (call->then)
		call->then(t, call->arg, r);
	ipcconf_exit(t);
}

static _Noreturn void returned_instead(struct ipcconf_t *t, struct ipcconf_blocked *b,
				       int64_t started_ns)
{
	char r[32];
	struct ipcconf_block_slot *s = &t->page->blocked[b->slot];
	FAIL(t, "%s returned %s after %.1f ms instead of blocking",
	     b->what, ipcconf_result_name(atomic_load(&s->result), r),
	     (double)(ipcconf_now_ns() - started_ns) / 1e6);
	ipcconf_exit(t);
}

/* Waits on the slot's "returned" word until `until`; 1 if the call returned. */
static int returned_by(struct ipcconf_t *t, struct ipcconf_block_slot *s, int64_t until)
{
	while (!atomic_load(&s->returned)) {
		if (ipcconf_now_ns() >= until)
			return 0;
		ipcconf_futex_wait(&s->returned, 0, until);
	}
	return 1;
}

void ipcconf_block_begin(struct ipcconf_t *t, struct ipcconf_blocked *b,
			 const struct ipcconf_blocking_call *call)
{
	unsigned slot = atomic_fetch_add(&t->page->nblocked, 1);
	if (slot >= IPCCONF_MAX_BLOCKED)
		BROKEN(t, "more than %d blocked calls in one clause", IPCCONF_MAX_BLOCKED);
	struct ipcconf_block_slot *s = &t->page->blocked[slot];
	*b = (struct ipcconf_blocked){ .slot = slot, .what = call->what };
	b->pid = ipcconf_fork(t);
	if (b->pid == 0)
		run_call(t, s, call);

	while (!atomic_load(&s->started))
		if (ipcconf_futex_wait(&s->started, 0, t->page->deadline_ns) == -ETIMEDOUT) {
			FAIL(t, "timeout: the helper never reached %s; its last step: %s", call->what,
			     ipcconf_step_of(t, b->pid));
			ipcconf_exit(t);
		}
	int64_t started = ipcconf_now_ns();
	/*
	 * Asleep: /proc/PID/stat says S while the call has not returned.  A
	 * helper that never sleeps but stays in the call (a spinning
	 * implementation) is given a quarter of the clause's bound; it must
	 * then still pass the grace period and wait for the release.
	 */
	int64_t give_up = started + t->page->timeout_ns / 4;
	int64_t backoff = 50 * 1000;
	for (;;) {
		if (atomic_load(&s->returned))
			returned_instead(t, b, started);
		char st = ipcconf_proc_state(b->pid);
		if (st == 0)
			SKIP(t, "blocking cannot be observed here: /proc/%d/stat is unreadable",
			     (int)b->pid);
		if ((st == 'S' && !atomic_load(&s->returned)) || ipcconf_now_ns() >= give_up)
			break;
		if (returned_by(t, s, ipcconf_now_ns() + backoff))
			returned_instead(t, b, started);
		if (backoff < 2 * 1000 * 1000)
			backoff *= 2;
	}
	grace_end_ns[slot] = ipcconf_now_ns() + (call->no_grace ? 0 : grace_ns(t));
	ipcconf_checked(t);
}

void ipcconf_block_release(struct ipcconf_t *t, struct ipcconf_blocked *b)
{
	struct ipcconf_block_slot *s = &t->page->blocked[b->slot];
	if (returned_by(t, s, grace_end_ns[b->slot])) {
		char r[32];
		FAIL(t, "%s returned %s while the clause waited %d ms (x%.2g) without releasing it: it did not block",
		     b->what, ipcconf_result_name(atomic_load(&s->result), r),
		     IPCCONF_BLOCK_GRACE_MS, t->page->timeout_mul);
		ipcconf_exit(t);
	}
	atomic_store(&s->released, 1);
	b->released = 1;
}

long long ipcconf_block_end(struct ipcconf_t *t, struct ipcconf_blocked *b)
{
	struct ipcconf_block_slot *s = &t->page->blocked[b->slot];
	if (!b->released)
		BROKEN(t, "ipcconf_block_end(%s) without ipcconf_block_release()", b->what);
	if (!returned_by(t, s, t->page->deadline_ns)) {
		FAIL(t, "timeout: %s did not return after the releasing action; its last step: %s",
		     b->what, ipcconf_step_of(t, b->pid));
		ipcconf_exit(t);
	}
	ipcconf_join(t, b->pid, b->what);
	return atomic_load(&s->result);
}

int ipcconf_block_returned_yet(struct ipcconf_t *t, const struct ipcconf_blocked *b)
{
	return atomic_load(&t->page->blocked[b->slot].returned) != 0;
}
