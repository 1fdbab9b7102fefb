/*
 * Registration (signal_model.h): a process gets a slot on its first use
 * of the table, and a registered process's fork() child gets one at
 * once, with the parent's mask and actions and nothing pending, so that a
 * signal sent to the child the moment fork() has returned finds the
 * handlers the child inherited.
 *
 *   prepare (parent)  blocks the model's real signals, so that no delivery
 *                     (an SA_RESETHAND, a mask change) falls between the
 *                     state the child copies and fork() itself; notes the
 *                     parent's children;
 *   parent            finds the new child among its children (children.h)
 *                     and claims its slot, so the slot exists before
 *                     fork() returns to the parent's caller;
 *   child             claims its own slot (or finds the one its parent
 *                     claimed): a parent killed before its handler ran, or
 *                     without a children list, leaves that to the child.
 *
 * The child's real handlers are its parent's (fork copies them), so it is
 * armed if the parent was.  A process whose parent was not registered
 * stays unregistered until it uses the table: until then its actions are
 * all SIG_DFL and its mask empty, which senders act on for real
 * (signal_send.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "impl/ref/children.h"
#include "impl/ref/signal_model.h"
#include "impl/sync/sync_tid.h"

struct sigm_self sigm_me = { .slot = -1 };

/* The seed of a slot for this process or its fork child: its private state now. */
static struct sigm_seed seed_now(bool armed)
{
	struct sigm_seed seed = {
		.blocked = atomic_load(&sigm_me.mask) | sigm_me.waitset,
		.ignored = sigm_ignored_bits(),
		.armed = armed,
	};
	return seed;
}

int sigm_enter(void)
{
	pid_t self = getpid();
	struct sigm_stat st;
	struct sigm_seed seed;
	sigset_t saved;
	struct sigm_slot *s;
	int i;

	if (sigm_registered(self))
		return sigm_me.slot;
	if (sigm_region == NULL)
		return -ENOMEM;
	/* Without /proc the start time is unknown (0): pids are then told apart by liveness only. */
	if (sigm_proc_stat(0, &st) < 0)
		st.start = 0;
	seed = seed_now(false);
	i = sigm_claim(self, st.start, &seed);
	if (i < 0)
		return i;
	/* Armed under the lock: a sender sees either no handlers and all defaults, or both. */
	s = sigm_lock(i, &saved);
	sigm_me.slot = i;
	sigm_me.start = st.start;
	sigm_arm();
	atomic_store(&s->blocked, seed.blocked);
	atomic_store(&s->ignored, sigm_ignored_bits());
	atomic_store(&s->armed, 1);
	sigm_me.pid = self;
	sigm_unlock(i, &saved);
	return i;
}

static sigset_t fork_saved;
static bool fork_registered;
static struct children fork_before;

static void prepare(void)
{
	fork_registered = sigm_registered(getpid());
	if (!fork_registered)
		return;
	sigm_block_ours(&fork_saved);
	children_read(&fork_before);
}

static void parent(void)
{
	struct children after;
	struct sigm_stat st;
	struct sigm_seed seed;
	pid_t child;
	int saved_errno = errno;

	if (!fork_registered)
		return;
	children_read(&after);
	child = children_new_one(&fork_before, &after);
	children_free(&after);
	children_free(&fork_before);
	if (child > 0 && sigm_proc_stat(child, &st) == 0) {
		seed = seed_now(true);
		sigm_claim(child, st.start, &seed);
	}
	sigm_restore_mask(&fork_saved);
	errno = saved_errno;
}

static void child(void)
{
	pid_t self = getpid();
	struct sigm_stat st;
	struct sigm_seed seed;
	int saved_errno = errno;
	int i;

	if (!fork_registered)
		return;
	children_free(&fork_before);
	sigm_me.pid = 0;
	sigm_me.slot = -1;
	if (sigm_proc_stat(0, &st) < 0)
		st.start = 0;
	/* The slot starts with nothing pending: pending signals are not inherited. */
	seed = seed_now(true);
	i = sigm_claim(self, st.start, &seed);
	if (i >= 0) {
		sigm_me.slot = i;
		sigm_me.start = st.start;
		sigm_me.pid = self;
	}
	sigm_restore_mask(&fork_saved);
	errno = saved_errno;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	sigm_region_map();
	/* sync_tid's handler (which resets the cached thread id the locks use) must run first. */
	sync_self_tid();
	pthread_atfork(prepare, parent, child);
}

void sigm_init(void)
{
	pthread_once(&once, init_once);
}
