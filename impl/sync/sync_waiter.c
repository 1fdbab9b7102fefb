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

/* What letting the pending signals in will do to the blocking call. */
enum pending_effect {
	PENDING_NONE,      /* nothing the caller would receive */
	PENDING_SILENT,    /* ignored, stopping or fatal: no handler runs */
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
	sigset_t all;

	if (effect == PENDING_NONE)
		return 0;
	pthread_sigmask(SIG_SETMASK, &w->caller_mask, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
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

/* One futex sleep of at most a slice; signals were let in by the caller. */
static int sleep_slice(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen)
{
	int ms = slice_ms(w);

	if (ms == 0)
		return -ETIMEDOUT;
	sync_futex_wait(word, seen, ms);
	return 0;
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
