/* Blocking on a futex word like a system call blocks (sync_waiter.h). */
#define _GNU_SOURCE
#include "impl/sync/sync_waiter.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_spin.h"

void sync_waiter_begin(struct sync_waiter *w, int timeout_ms)
{
	sigset_t all;

	w->deadline_ns = timeout_ms < 0 ? INT64_MAX
					: sync_now_ns() + (int64_t)timeout_ms * 1000000;
	w->spun = 0;
	/* glibc quietly leaves its internal signals (cancellation, setxid) unblocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &w->caller_mask);
}

void sync_waiter_end(struct sync_waiter *w)
{
	pthread_sigmask(SIG_SETMASK, &w->caller_mask, NULL);
}

/* The user-space signal model's real signals and its handler counts (sync_waiter.h). */
static struct {
	_Atomic int sig;
	void (*_Atomic handler)(int, siginfo_t *, void *);
} model[SYNC_MODEL_SIGNALS];
static _Atomic unsigned model_runs, model_interrupts;

void sync_waiter_model_signal(int sig, void (*real_handler)(int, siginfo_t *, void *))
{
	for (int i = 0; i < SYNC_MODEL_SIGNALS; i++) {
		int cur = atomic_load(&model[i].sig);

		if (cur == sig || cur == 0) {
			atomic_store(&model[i].handler, real_handler);
			atomic_store(&model[i].sig, sig);
			return;
		}
	}
}

/* sig is one of the model's, with the model's handler in place. */
static bool is_model(int sig, const struct sigaction *sa)
{
	if (!(sa->sa_flags & SA_SIGINFO))
		return false;
	for (int i = 0; i < SYNC_MODEL_SIGNALS; i++)
		if (atomic_load(&model[i].sig) == sig &&
		    atomic_load(&model[i].handler) == sa->sa_sigaction)
			return true;
	return false;
}

/* The model's signals the caller does not block itself: let in during sleeps. */
static bool model_signals(const sigset_t *caller_mask, sigset_t *set)
{
	bool any = false;

	sigemptyset(set);
	for (int i = 0; i < SYNC_MODEL_SIGNALS; i++) {
		int sig = atomic_load(&model[i].sig);

		if (sig > 0 && sigismember(caller_mask, sig) != 1) {
			sigaddset(set, sig);
			any = true;
		}
	}
	return any;
}

void sync_waiter_model_ran(bool restart)
{
	atomic_fetch_add(&model_runs, 1);
	if (!restart)
		atomic_fetch_add(&model_interrupts, 1);
}

/* What letting the pending signals in will do to the blocking call. */
enum pending_effect {
	PENDING_NONE,      /* nothing the caller would receive */
	PENDING_SILENT,    /* ignored, stopping or fatal: no handler runs */
	PENDING_MODEL,     /* the model's signal: what it runs decides (model_runs) */
	PENDING_RESTART,   /* a handler runs, all of them with SA_RESTART */
	PENDING_INTERRUPT, /* a handler without SA_RESTART runs */
};

static enum pending_effect pending_effect(const sigset_t *caller_mask)
{
	enum pending_effect effect = PENDING_NONE;
	struct sigaction sa;
	sigset_t pending;

	if (sigpending(&pending) != 0)
		return PENDING_NONE;
	for (int sig = 1; sig < NSIG; sig++) {
		enum pending_effect e;

		/* A signal the caller blocks itself would not interrupt the kernel either. */
		if (sigismember(&pending, sig) != 1 || sigismember(caller_mask, sig) == 1)
			continue;
		if (sigaction(sig, NULL, &sa) != 0 || sa.sa_handler == SIG_DFL ||
		    sa.sa_handler == SIG_IGN)
			e = PENDING_SILENT;
		else if (is_model(sig, &sa))
			e = PENDING_MODEL;
		else if (sa.sa_flags & SA_RESTART)
			e = PENDING_RESTART;
		else
			e = PENDING_INTERRUPT;
		if (e > effect)
			effect = e;
	}
	return effect;
}

/* Opens the mask for a moment so that the kernel delivers what is pending. */
static int let_signals_in(struct sync_waiter *w)
{
	enum pending_effect effect = pending_effect(&w->caller_mask);
	unsigned runs, interrupts;
	sigset_t all;

	if (effect == PENDING_NONE)
		return 0;
	/* The model runs its handlers only while the mask is open: the counts tell what ran. */
	runs = atomic_load(&model_runs);
	interrupts = atomic_load(&model_interrupts);
	pthread_sigmask(SIG_SETMASK, &w->caller_mask, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (atomic_load(&model_interrupts) != interrupts)
		effect = PENDING_INTERRUPT;
	else if (atomic_load(&model_runs) != runs && effect < PENDING_RESTART)
		effect = PENDING_RESTART;
	switch (effect) {
	case PENDING_INTERRUPT:
		return -EINTR;
	case PENDING_RESTART:
		return -ERESTART;
	default:
		return 0;
	}
}

/* The slice to sleep now: SYNC_SLICE_MS, or what is left before the deadline (0: none). */
static int slice_ms(const struct sync_waiter *w)
{
	int64_t left = w->deadline_ns - sync_now_ns();

	if (left <= 0)
		return 0;
	if (left < (int64_t)SYNC_SLICE_MS * 1000000)
		return (int)((left + 999999) / 1000000);
	return SYNC_SLICE_MS;
}

bool sync_spin_for_change(_Atomic uint32_t *word, uint32_t seen)
{
	struct sync_spin s;

	sync_spin_begin(&s);
	while (atomic_load_explicit(word, memory_order_acquire) == seen)
		if (!sync_spin_step(&s))
			return false;
	return true;
}

/* Polls the word, once per wait (see SPINNING in sync_waiter.h): true when it changed. */
static bool spin_once(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen)
{
	if (w->spun)
		return false;
	w->spun = 1;
	return sync_spin_for_change(word, seen);
}

/*
 * One futex sleep of at most a slice; signals were let in by the caller.
 * The model's own signals come in during the sleep, which they end, and
 * the handlers the model reports decide the result, as in let_signals_in().
 */
static int sleep_slice(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen)
{
	int ms = slice_ms(w);
	unsigned runs, interrupts;
	sigset_t ours;

	if (ms == 0)
		return -ETIMEDOUT;
	if (!model_signals(&w->caller_mask, &ours)) {
		sync_futex_wait(word, seen, ms);
		return 0;
	}
	runs = atomic_load(&model_runs);
	interrupts = atomic_load(&model_interrupts);
	pthread_sigmask(SIG_UNBLOCK, &ours, NULL);
	sync_futex_wait(word, seen, ms);
	pthread_sigmask(SIG_BLOCK, &ours, NULL);
	if (atomic_load(&model_interrupts) != interrupts)
		return -EINTR;
	return atomic_load(&model_runs) != runs ? -ERESTART : 0;
}

int sync_waiter_sleep(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen)
{
	int r = let_signals_in(w);

	return r != 0 ? r : sleep_slice(w, word, seen);
}

int sync_waiter_wait(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen,
		     _Atomic uint32_t *waiters)
{
	int r = let_signals_in(w);

	if (r != 0)
		return r;
	if (slice_ms(w) == 0)
		return -ETIMEDOUT;
	/* A peer that is about to publish is cheaper to wait for than a sleep. */
	if (spin_once(w, word, seen))
		return 0;

	/*
	 * Announce the sleep, then re-read the word, both seq_cst.  The waker
	 * changes the word and then reads `waiters`, both seq_cst too.  In
	 * the single order of seq_cst operations either the waker's read comes
	 * after our increment (it sees us and calls FUTEX_WAKE), or its change
	 * of the word comes before our re-read (we see it and do not sleep).
	 * FUTEX_WAIT itself compares the word again in the kernel, closing the
	 * gap between our re-read and the sleep.
	 */
	if (waiters != NULL)
		atomic_fetch_add_explicit(waiters, 1, memory_order_seq_cst);
	if (atomic_load_explicit(word, memory_order_seq_cst) == seen)
		r = sleep_slice(w, word, seen);
	if (waiters != NULL)
		atomic_fetch_sub_explicit(waiters, 1, memory_order_relaxed);
	return r;
}
