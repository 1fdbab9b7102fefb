/*
 * The real signals the signal model uses (signal_model.h), and nothing
 * else of the real signal state:
 *
 *   the doorbell (SIGM_DOORBELL)  a sender sends it after changing the
 *                                 target's slot; its handler delivers
 *                                 what the slot holds.  Sent only to an
 *                                 armed process (one with this handler),
 *                                 and at most once until answered (rung);
 *   SIGCHLD                       the kernel's notice of a child's exit,
 *                                 stop or continuation; its handler turns
 *                                 it into the modelled SIGCHLD and wakes a
 *                                 model wait_pid.  The real disposition
 *                                 carries the modelled SIG_IGN and
 *                                 SA_NOCLDWAIT, so that the kernel reaps
 *                                 as it would, and SA_NOCLDSTOP: a stop's
 *                                 notice that the model would drop must
 *                                 not be generated at all, or an exit's
 *                                 notice could merge into it (SIGCHLD does
 *                                 not queue) and be dropped with it.
 *
 * Both handlers have SA_RESTART, so that the model's traffic does not
 * interrupt the process's own system calls: whether a modelled handler
 * interrupts a ref blocking call is the model's own decision (the counts
 * of sync_waiter_model_ran and sigm_self).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "impl/ref/signal_model.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_waiter.h"

static void ours(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGM_DOORBELL);
	sigaddset(set, SIGCHLD);
}

void sigm_block_ours(sigset_t *saved)
{
	sigset_t set;

	ours(&set);
	pthread_sigmask(SIG_BLOCK, &set, saved);
}

void sigm_restore_mask(const sigset_t *saved)
{
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

void sigm_wake(struct sigm_slot *s)
{
	atomic_fetch_add(&s->wake, 1);
	sync_futex_wake(&s->wake, INT_MAX);
}

/* The own slot's wake word moves: a model sleep (suspend, wait, wait_pid) looks again. */
static void wake_self(void)
{
	if (sigm_region != NULL)
		sigm_wake(&sigm_region->slot[sigm_me.slot]);
}

static void doorbell(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;

	/* A process not (yet) registered has nothing of ours to deliver. */
	if (sigm_registered(getpid())) {
		wake_self();
		sigm_deliver();
	}
	errno = saved_errno;
}

static void child_notice(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;
	struct sigm_info info = {
		.code = si->si_code,
		.pid = si->si_pid,
		.uid = si->si_uid,
	};
	bool stopcont = si->si_code == CLD_STOPPED || si->si_code == CLD_CONTINUED;

	if (sigm_registered(getpid())) {
		if (si->si_code > 0) /* from the kernel: si_status is set */
			info.status = si->si_status;
		wake_self();
		/* SA_NOCLDSTOP set since the kernel sent it: the kernel would not have. */
		if (!(stopcont && (sigm_me.act[SIGCHLD].sa_flags & SA_NOCLDSTOP)))
			sigm_post_self(SIGCHLD, &info);
		sigm_deliver();
	}
	errno = saved_errno;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int extra_flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | extra_flags;
	/* Each keeps the other out while it holds a lock; they let each other in around handlers. */
	ours(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void sigm_mirror_sigchld(void)
{
	const struct sigaction *m = &sigm_me.act[SIGCHLD];
	bool reap = m->sa_handler == SIG_IGN || (m->sa_flags & SA_NOCLDWAIT);

	install(SIGCHLD, child_notice,
		(reap ? SA_NOCLDWAIT : 0) | (m->sa_flags & SA_NOCLDSTOP ? SA_NOCLDSTOP : 0));
}

void sigm_arm(void)
{
	sync_waiter_model_signal(SIGM_DOORBELL, doorbell);
	sync_waiter_model_signal(SIGCHLD, child_notice);
	install(SIGM_DOORBELL, doorbell, 0);
	sigm_mirror_sigchld();
}
