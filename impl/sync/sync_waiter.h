/*
 * sync_waiter.h -- blocking on a futex word the way a blocking system call
 * blocks: bounded by an optional timeout, interruptible by caught signals
 * (with SA_RESTART honoured), and with a bounded sleep ("slice") so that
 * the caller can re-check conditions nobody wakes it for (a peer that was
 * killed never calls FUTEX_WAKE).
 *
 * SIGNALS.  Between sync_waiter_begin() and sync_waiter_end() the calling
 * thread blocks every signal, and a signal is only let in by
 * sync_waiter_wait(), which looks at what is pending before each sleep.
 * A caught signal that arrived while the thread was running user code
 * between two sleeps would otherwise run its handler unnoticed, and the
 * thread would go back to sleep where the kernel would have returned
 * EINTR.  Knowing which signal is pending also tells SA_RESTART apart.
 * The price is latency: a signal sent while the thread sleeps is seen at
 * the end of the current slice (SYNC_SLICE_MS at most).
 *
 * SIGNALS OF A MODEL.  A signal implementation in user space (ref's
 * `signal` table) runs its handlers from the handlers of a few real
 * signals of its own.  Such a real handler's SA_RESTART says nothing
 * about the handlers it runs, and it may run none (the modelled signal
 * was blocked, ignored, or already taken), so the waiter cannot judge
 * these signals by their dispositions.  The model names each of them
 * with its real handler (sync_waiter_model_signal) and reports every
 * handler of its own it runs (sync_waiter_model_ran); only those reports
 * decide between going on, -ERESTART and -EINTR.  Since the reports say
 * what ran, these signals need not wait for the end of a slice: they are
 * let in during each futex sleep (one that arrives just before the sleep
 * starts is seen at the slice's end, as any other signal).
 *
 * SPINNING.  The first sync_waiter_wait() after sync_waiter_begin() polls
 * the word before it sleeps, for up to SYNC_SPIN_NS, yielding the CPU
 * after the first SYNC_SPIN_ALONE_NS (sync_spin.h): a peer on another CPU
 * usually answers sooner than a wake-up would take, and a peer on this
 * CPU gets it at once.  Later calls (a slice ended, a signal came) sleep
 * straight away, so that an idle waiter does not poll 50 times a second.
 * ring_push() and ring_pop() poll before they begin a waiter instead
 * (sync_spin_for_change()), so that a short wait leaves the signal mask alone.
 *
 * Usage:
 *     struct sync_waiter w;
 *     sync_waiter_begin(&w, timeout_ms);
 *     for (;;) {
 *             uint32_t seen = atomic_load(word);
 *             if (condition holds) break;
 *             int r = sync_waiter_wait(&w, word, seen, waiters);
 *             if (r == -EINTR || r == -ETIMEDOUT) break;   (-ERESTART: go on)
 *     }
 *     sync_waiter_end(&w);
 */
#ifndef IPCCONF_SYNC_WAITER_H
#define IPCCONF_SYNC_WAITER_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The longest single futex sleep: how late a peer's death or a signal is seen. */
#define SYNC_SLICE_MS 20

struct sync_waiter {
	sigset_t caller_mask;  /* the mask sync_waiter_end() restores */
	int64_t deadline_ns;   /* CLOCK_MONOTONIC; INT64_MAX: no timeout */
	int spun;              /* the polling phase is over (a caller that polled
				  before sync_waiter_begin() may set it) */
};

/* Starts a wait bounded by timeout_ms (negative: none); blocks signals. */
void sync_waiter_begin(struct sync_waiter *w, int timeout_ms);

/*
 * One step of the wait: lets in pending signals, then sleeps while
 * *word == seen, for one slice at most.  `waiters`, when not NULL, is the
 * count wakers read to decide whether FUTEX_WAKE is needed; it is raised
 * around the sleep.  Returns:
 *   0          the word changed, a wake came, or the slice ended: re-check;
 *   -ETIMEDOUT the timeout given to sync_waiter_begin() has passed;
 *   -EINTR     a handler without SA_RESTART ran: the call fails with EINTR;
 *   -ERESTART  only handlers with SA_RESTART ran: the call goes on, as the
 *              kernel restarts a system call (unless it transferred data).
 */
int sync_waiter_wait(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen,
		     _Atomic uint32_t *waiters);

/*
 * The polling phase on its own, for callers that poll before they begin
 * a waiter and so leave the signal mask alone when the peer answers in
 * time: true when *word moved away from seen, false when SYNC_SPIN_NS
 * passed first.
 */
bool sync_spin_for_change(_Atomic uint32_t *word, uint32_t seen);

/*
 * sync_waiter_wait() without the polling and the waiters count, for
 * callers that do both themselves (ring_spsc.c): lets in pending signals,
 * then one futex sleep while *word == seen.  Same results.
 */
int sync_waiter_sleep(struct sync_waiter *w, _Atomic uint32_t *word, uint32_t seen);

/* Restores the caller's signal mask; pending signals are delivered now. */
void sync_waiter_end(struct sync_waiter *w);

/*
 * A real signal through whose handler a user-space signal model runs its
 * own handlers (see SIGNALS OF A MODEL); process-wide, and inherited by
 * fork() children with the handler.  SYNC_MODEL_SIGNALS at most.
 */
#define SYNC_MODEL_SIGNALS 4
void sync_waiter_model_signal(int sig, void (*real_handler)(int, siginfo_t *, void *));

/*
 * Called by that model, async-signal-safely, each time it runs one of its
 * handlers: `restart` is that handler's SA_RESTART.  The counts are
 * process-wide (the model keeps one mask per process).
 */
void sync_waiter_model_ran(bool restart);

#endif /* IPCCONF_SYNC_WAITER_H */
