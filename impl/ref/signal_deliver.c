/*
 * Delivery (signal_model.h): what the kernel does with pending signals
 * on a return to user mode, for the modelled ones.
 *
 * Linux takes the pending, unblocked signals one after another, lowest
 * number first, and for each caught one sets up a handler frame at once:
 * the handler's mask (the signal unless SA_NODEFER, and sa_mask) is in
 * force from then on, so the next signal taken is one that mask leaves
 * unblocked, and its frame goes on top.  The handlers then run last set up
 * first, and each one's return restores the mask its frame saved and
 * delivers again under it.  sigm_deliver() does the same with the frames
 * on its stack.
 *
 * Default actions that end or stop the process are carried out by the
 * kernel: the process sets the real signal's disposition to SIG_DFL,
 * unblocks it and sends it to itself, so that the parent sees the wait
 * status, the SIGCHLD and the core dump the kernel would produce.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/signal_model.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_waiter.h"

/* Frames set up in one pass; more wait for the next pass (after these handlers). */
#define FRAMES 32

/* A handler to run, as its action was when the signal was taken (SA_RESETHAND changes the table). */
struct frame {
	int sig;
	int flags;             /* sa_flags */
	union {
		void (*plain)(int);
		void (*info)(int, siginfo_t *, void *);
	} fn;
	struct sigm_info info;
	uint64_t saved_mask;   /* what the handler's return restores */
};

enum sigm_default sigm_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return SIGM_CORE;
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return SIGM_IGN;
	case SIGCONT:
		return SIGM_CONT;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SIGM_STOP;
	default:
		return SIGM_TERM; /* the rest of signal(7)'s table, and every real-time signal */
	}
}

uint64_t sigm_ignored_bits(void)
{
	uint64_t bits = 0;

	for (int sig = 1; sig <= SIGM_NSIG; sig++) {
		void (*h)(int) = sigm_me.act[sig].sa_handler;
		enum sigm_default d = sigm_default_action(sig);

		/* SIGCONT's default continues (the sender did that for real) and otherwise ignores. */
		if (h == SIG_IGN || (h == SIG_DFL && (d == SIGM_IGN || d == SIGM_CONT)))
			bits |= sigm_bit(sig);
	}
	return bits & ~SIGM_UNBLOCKABLE;
}

void sigm_set_mask_locked(struct sigm_slot *s, uint64_t mask)
{
	mask &= ~SIGM_UNBLOCKABLE;
	atomic_store(&sigm_me.mask, mask);
	atomic_store(&s->blocked, mask | sigm_me.waitset);
}

int64_t sigm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sigm_sleep(uint32_t seen, int64_t deadline_ns)
{
	struct sigm_slot *s = &sigm_region->slot[sigm_me.slot];
	int ms = -1;

	if (deadline_ns != INT64_MAX) {
		int64_t left = deadline_ns - sigm_now_ns();

		if (left <= 0)
			return -ETIMEDOUT;
		ms = left > INT32_MAX * INT64_C(1000000) ? INT32_MAX : (int)((left + 999999) / 1000000);
	}
	/* The real handlers bump the word: a handler that ran ends the sleep. */
	sync_futex_wait(&s->wake, seen, ms);
	return 0;
}

/* The kernel's own default action: raw calls, since glibc guards its internal signals. */
static void act_for_real(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { SIG_DFL, 0, NULL, 0 };
	uint64_t one = sigm_bit(sig), old;

	if (sig != SIGSTOP)
		syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &one, &old, sizeof(uint64_t));
	/* Pending and unblocked: taken on the way out of this call. */
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
	/* Only a stop comes back (once continued); a stop signal may also be dropped (orphaned group). */
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(uint64_t));
}

/* Calls the modelled handler, with the model's real signals let in for nested deliveries. */
static void run_handler(const struct frame *f)
{
	bool restart = (f->flags & SA_RESTART) != 0;
	sigset_t ours, saved;

	atomic_fetch_add(&sigm_me.runs, 1);
	if (!restart)
		atomic_fetch_add(&sigm_me.interrupts, 1);
	sync_waiter_model_ran(restart);

	sigemptyset(&ours);
	sigaddset(&ours, SIGM_DOORBELL);
	sigaddset(&ours, SIGCHLD);
	pthread_sigmask(SIG_UNBLOCK, &ours, &saved);
	if (f->flags & SA_SIGINFO) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = f->sig;
		si.si_code = f->info.code;
		si.si_pid = f->info.pid;
		si.si_uid = f->info.uid;
		/* si_status and si_value share their place in siginfo_t. */
		if (f->sig == SIGCHLD && f->info.code > 0)
			si.si_status = f->info.status;
		else
			si.si_value.sival_ptr = (void *)(uintptr_t)f->info.value;
		f->fn.info(f->sig, &si, NULL);
	} else {
		f->fn.plain(f->sig);
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

/* SA_RESETHAND: the action goes back to SIG_DFL as the handler is entered (flags stay, as Linux keeps them). */
static void reset_hand(struct sigm_slot *s, int sig)
{
	sigm_me.act[sig].sa_handler = SIG_DFL;
	atomic_store(&s->ignored, sigm_ignored_bits());
	if (atomic_load(&s->ignored) & sigm_bit(sig))
		sigm_flush(s, sigm_bit(sig));
	if (sig == SIGCHLD)
		sigm_mirror_sigchld();
}

/*
 * One pass of taking signals under the own lock: discards, real default
 * actions (with the lock let go) and frames.  Returns the frames set up.
 */
static unsigned set_up(struct frame *fr)
{
	int me = sigm_me.slot;
	unsigned n = 0;
	sigset_t saved;
	struct sigm_slot *s = sigm_lock(me, &saved);

	/* Whatever rang is being answered now; a later change rings again. */
	atomic_store(&s->rung, 0);
	while (n < FRAMES) {
		uint64_t mask = atomic_load(&sigm_me.mask);
		uint64_t allowed = ~(mask | sigm_me.waitset) | SIGM_UNBLOCKABLE;
		struct sigm_info info;
		int sig = sigm_take(s, allowed, &info);
		const struct sigaction *act;
		uint64_t hmask = 0;

		if (sig == 0)
			break;
		act = &sigm_me.act[sig];
		if (act->sa_handler == SIG_IGN)
			continue;
		if (act->sa_handler == SIG_DFL) {
			enum sigm_default d = sigm_default_action(sig);

			if (d == SIGM_IGN || d == SIGM_CONT)
				continue;
			sigm_unlock(me, &saved);
			act_for_real(sig);
			s = sigm_lock(me, &saved);
			continue;
		}
		fr[n].sig = sig;
		fr[n].flags = act->sa_flags;
		if (act->sa_flags & SA_SIGINFO)
			fr[n].fn.info = act->sa_sigaction;
		else
			fr[n].fn.plain = act->sa_handler;
		fr[n].info = info;
		fr[n].saved_mask = mask;
		/* sigsuspend: the first handler's return puts back the mask from before the call. */
		if (sigm_me.restore_pending) {
			fr[n].saved_mask = sigm_me.restore_mask;
			sigm_me.restore_pending = false;
		}
		for (int k = 1; k <= SIGM_NSIG; k++)
			if (sigismember(&act->sa_mask, k) == 1)
				hmask |= sigm_bit(k);
		if (!(act->sa_flags & SA_NODEFER))
			hmask |= sigm_bit(sig);
		sigm_set_mask_locked(s, mask | hmask);
		if (act->sa_flags & SA_RESETHAND)
			reset_hand(s, sig);
		n++;
	}
	sigm_unlock(me, &saved);
	return n;
}

void sigm_deliver(void)
{
	struct frame fr[FRAMES];
	unsigned n;

	if (!sigm_registered(getpid()))
		return;
	n = set_up(fr);
	while (n > 0) {
		struct frame *f = &fr[--n];
		sigset_t saved;
		struct sigm_slot *s;

		run_handler(f);
		/* The handler's return (sigreturn): its frame's mask, then whatever that lets in. */
		s = sigm_lock(sigm_me.slot, &saved);
		sigm_set_mask_locked(s, f->saved_mask);
		sigm_unlock(sigm_me.slot, &saved);
		sigm_deliver();
	}
}
