/*
 * block.h -- the blocked-call pattern, in one place.
 *
 * "The call blocks" means three things, and a clause that says it must see
 * all three: the call is observed asleep (/proc/PID/stat state S); it has
 * still not returned after a grace period; and it returns only after the
 * clause's releasing action.  An implementation that naps and then
 * proceeds, or that spins and proceeds, fails the second or the third.
 *
 *     static long long write_one(struct ipcconf_t *t, void *arg)
 *     {
 *             int *w = arg;
 *             return iut_write(t, *w, "Z", 1);
 *     }
 *     ...
 *     struct ipcconf_blocked b;
 *     ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
 *             .what = "a 1-byte write into a full pipe",
 *             .call = write_one, .arg = &e[1] });
 *     ipcconf_block_release(t, &b);    // just before the releasing action
 *     ...drain the pipe...
 *     CHECK_EQ(t, ipcconf_block_end(t, &b), 1, "the woken write");
 *
 * ipcconf_block_begin() forks a helper that runs `call`, and returns once
 * the helper is asleep in it and has stayed in it for the grace period
 * (IPCCONF_BLOCK_GRACE_MS, scaled by --timeout-mul).  A call that returns
 * before that is a FAIL ("returned instead of blocking" / "returned after
 * N ms without the releasing action"), and the clause ends.  Several
 * helpers may be begun one after another; their grace periods overlap.
 * Where /proc cannot show process states the clause is a SKIP saying so.
 */
#ifndef IPCCONF_HARNESS_BLOCK_H
#define IPCCONF_HARNESS_BLOCK_H

#include <sys/types.h>

#include "conformance/harness/clause.h"

#define IPCCONF_BLOCK_GRACE_MS 40
#define IPCCONF_MAX_BLOCKED 4

struct ipcconf_blocking_call {
	const char *what;   /* names the call in messages: "open O_RDONLY with no writer" */
	/* Optional, in the helper before the call: setup that must not count as the call. */
	void (*prepare)(struct ipcconf_t *t, void *arg);
	/* Runs in the helper: the call expected to block; returns its result. */
	long long (*call)(struct ipcconf_t *t, void *arg);
	/* Optional, in the helper after the call returned: more work with its result. */
	void (*then)(struct ipcconf_t *t, void *arg, long long result);
	void *arg;          /* the helper gets a copy of the caller's memory (fork) */
	/*
	 * For a clause whose rule is not that the call blocks, only that it is
	 * blocked before the clause acts (EINTR, "woken by close"): no grace
	 * period, which belongs to the clause that owns the blocking rule.  A
	 * return before the release is still a FAIL.
	 */
	int no_grace;
};

struct ipcconf_blocked {
	pid_t pid;
	unsigned slot;
	const char *what;
	int released;
};

/* Starts the call in a helper; returns once it is seen blocked (see above). */
void ipcconf_block_begin(struct ipcconf_t *t, struct ipcconf_blocked *b,
			 const struct ipcconf_blocking_call *call);

/*
 * Marks the start of the releasing action: a return before this point is
 * a FAIL naming the call ("returned before ..."); call it just before the
 * action that should wake the call.
 */
void ipcconf_block_release(struct ipcconf_t *t, struct ipcconf_blocked *b);

/*
 * Waits (bounded by the clause deadline) for the helper's call to return
 * and the helper to end; returns the call's result.  A helper that does
 * not return is a FAIL (timeout) naming the call, and the clause ends.
 */
long long ipcconf_block_end(struct ipcconf_t *t, struct ipcconf_blocked *b);

/* Whether the call has returned yet (no waiting). */
int ipcconf_block_returned_yet(struct ipcconf_t *t, const struct ipcconf_blocked *b);

#endif /* IPCCONF_HARNESS_BLOCK_H */
