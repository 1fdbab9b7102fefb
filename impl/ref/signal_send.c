/*
 * Generation (signal_model.h): kill and sigqueue to one process, a
 * process group, or every process of the model.
 *
 * The kernel judges what only it can: existence and permission (a real
 * kill(pid, 0), so a reaped pid is ESRCH and another user's process
 * EPERM), and the three signals a stopped or uncooperative process cannot
 * act on by itself: SIGKILL is sent for real, and so is SIGCONT (whose
 * model side, its handler, runs when the process goes on).
 *
 * A target with model state (an armed slot) gets the signal in its slot,
 * by the rules of sigm_post(), and a doorbell.  A target without (a
 * process that never used the table and whose parent had not either) has
 * every action SIG_DFL and an empty mask, so the signal's default action
 * is all there is to do: the sender has the kernel carry it out with the
 * real signal, or drops an Ign one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "impl/ref/signal_model.h"
#include "impl/sync/sync_futex.h"

static int sys_kill(pid_t pid, int sig)
{
	return kill(pid, sig) == 0 ? 0 : -errno;
}

/* The default action for a process without model state; the real SIGCONT is sent already. */
static int for_real(pid_t pid, int sig)
{
	switch (sigm_default_action(sig)) {
	case SIGM_IGN:
	case SIGM_CONT:
		return 0;
	default:
		return sys_kill(pid, sig);
	}
}

/* How many instances the target may have queued: the variant's limit and its RLIMIT_SIGPENDING. */
static unsigned queue_limit(pid_t pid, const struct sigm_send *req)
{
	unsigned limit = req->qmax < SIGM_QUEUE_CAP ? req->qmax : SIGM_QUEUE_CAP;
	struct rlimit rl;

	if (!req->queue)
		return SIGM_QUEUE_CAP; /* kill: the kernel does not limit it (override_rlimit) */
	if (prlimit(pid, RLIMIT_SIGPENDING, NULL, &rl) == 0 && rl.rlim_cur < limit)
		limit = (unsigned)rl.rlim_cur;
	return limit;
}

/* One process; real_done: the real part (permission check, SIGCONT) was done for its group. */
static int send_one(pid_t pid, const struct sigm_send *req, bool real_done)
{
	int sig = req->sig;
	bool self = pid == getpid(), ring = false;
	enum sigm_post_result res;
	struct sigm_stat st;
	unsigned qlimit;
	sigset_t saved;
	struct sigm_slot *s;
	uint64_t start;
	int i, r;

	if (sig == SIGKILL)
		return real_done ? 0 : sys_kill(pid, SIGKILL);
	if (!real_done) {
		r = sys_kill(pid, sig == SIGCONT ? SIGCONT : 0);
		if (r < 0 || sig == 0)
			return r;
	}
	if (self) {
		i = sigm_me.slot;
		start = sigm_me.start;
	} else {
		if (sigm_proc_stat(pid, &st) == 0)
			start = st.start;
		else if (kill(pid, 0) == 0)
			start = 0; /* no /proc to read: any slot of that pid */
		else
			return 0; /* gone since the check: as if it had died just after the signal */
		i = sigm_lookup(pid, start);
	}
	qlimit = queue_limit(pid, req);
	if (i < 0)
		return for_real(pid, sig);
	s = sigm_lock(i, &saved);
	if (!sigm_slot_is(i, pid, start) || atomic_load(&s->armed) != 1) {
		/* Registered by its parent but never armed: still all defaults; decided under its lock. */
		r = for_real(pid, sig);
		sigm_unlock(i, &saved);
		return r;
	}
	res = sigm_post(s, sig, &req->info, qlimit);
	/* Once per answer: the target takes everything pending when it answers. */
	if (res == SIGM_POSTED && !self && atomic_load(&s->rung) == 0) {
		atomic_store(&s->rung, 1);
		ring = true;
	}
	if (res == SIGM_POSTED)
		atomic_fetch_add(&s->wake, 1);
	sigm_unlock(i, &saved);
	if (res == SIGM_POSTED)
		sync_futex_wake(&s->wake, INT_MAX);
	if (ring)
		kill(pid, SIGM_DOORBELL);
	return res == SIGM_FULL && req->queue ? -EAGAIN : 0;
}

struct group {
	pid_t pgrp, self;
	const struct sigm_send *req;
	bool self_member;
};

static void each_member(pid_t pid, void *ctx)
{
	struct group *g = ctx;
	struct sigm_stat st;

	if (sigm_proc_stat(pid, &st) < 0 || st.pgrp != g->pgrp)
		return;
	/* The sender last, as the kernel delivers its own copy on the way out. */
	if (pid == g->self) {
		g->self_member = true;
		return;
	}
	/* A member that may not be signalled is skipped: the group as a whole was allowed. */
	send_one(pid, g->req, g->req->sig == SIGCONT);
}

static int send_group(pid_t pgrp, const struct sigm_send *req)
{
	struct group g = { .pgrp = pgrp, .self = getpid(), .req = req };
	int r;

	if (req->sig == SIGKILL)
		return sys_kill(-pgrp, SIGKILL);
	/* The kernel says whether the group exists and whether any member may be signalled. */
	r = sys_kill(-pgrp, req->sig == SIGCONT ? SIGCONT : 0);
	if (r < 0 || req->sig == 0)
		return r;
	if (sigm_proc_each(each_member, &g) < 0) {
		/* No /proc to list the group: the model's own processes are all it can reach. */
		for (int i = 0; i < SIGM_SLOTS; i++) {
			pid_t pid = atomic_load(&sigm_region->dir[i].pid);

			if (pid > 0 && getpgid(pid) == pgrp) {
				if (pid == g.self)
					g.self_member = true;
				else
					send_one(pid, req, req->sig == SIGCONT);
			}
		}
	}
	if (g.self_member)
		send_one(g.self, req, true);
	return 0;
}

/* kill(-1): every process of the model but the sender (and init), never anything else. */
static int send_all(const struct sigm_send *req)
{
	pid_t self = getpid();
	int sent = 0, last = -ESRCH;

	for (int i = 0; i < SIGM_SLOTS; i++) {
		pid_t pid = atomic_load(&sigm_region->dir[i].pid);
		int r;

		if (pid <= 1 || pid == self ||
		    sigm_proc_dead(pid, atomic_load(&sigm_region->dir[i].start)))
			continue;
		r = send_one(pid, req, false);
		if (r == 0 || r == -EAGAIN)
			sent++;
		else
			last = r;
	}
	return sent > 0 ? 0 : last;
}

int sigm_send(pid_t pid, const struct sigm_send *req)
{
	if (pid > 0)
		return send_one(pid, req, false);
	if (pid == 0)
		return send_group(getpgrp(), req);
	if (pid == -1)
		return send_all(req);
	if (pid == INT_MIN)
		return -ESRCH; /* Linux: -INT_MIN names nothing */
	return send_group(-pid, req);
}

void sigm_post_self(int sig, const struct sigm_info *info)
{
	sigset_t saved;
	struct sigm_slot *s = sigm_lock(sigm_me.slot, &saved);

	sigm_post(s, sig, info, SIGM_QUEUE_CAP);
	sigm_unlock(sigm_me.slot, &saved);
}
