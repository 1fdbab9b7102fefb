/*
 * Pending signals of one slot, under its lock (signal_model.h): the
 * standard signals' bits with the siginfo of the instance that made each
 * pending, and the real-time queue in order of arrival.  Any field may
 * have been written by a hostile peer: each is read once into a local,
 * checked, and only the local is used.
 */
#define _GNU_SOURCE
#include <string.h>

#include "impl/ref/signal_model.h"

/* The kernel takes these first (next_signal(): faults must not wait behind others). */
#define SYNCHRONOUS                                                                            \
	(sigm_bit(SIGSEGV) | sigm_bit(SIGBUS) | sigm_bit(SIGILL) | sigm_bit(SIGTRAP) |        \
	 sigm_bit(SIGFPE) | sigm_bit(SIGSYS))

/* The queue's length, read once and kept within the array. */
static unsigned queue_len(struct sigm_slot *s)
{
	uint32_t n = atomic_load(&s->qcount);

	return n > SIGM_QUEUE_CAP ? SIGM_QUEUE_CAP : n;
}

/* Entry k's signal, read once: a real-time number, or 0 for garbage. */
static int entry_sig(struct sigm_slot *s, unsigned k)
{
	uint32_t sig = *(volatile uint32_t *)&s->queue[k].sig;

	return sig >= SIGM_FIRST_RT && sig <= SIGM_NSIG ? (int)sig : 0;
}

/* Removes entry k, keeping the others in order (n: the length read before). */
static void remove_entry(struct sigm_slot *s, unsigned k, unsigned n)
{
	memmove(&s->queue[k], &s->queue[k + 1], (n - k - 1) * sizeof(s->queue[0]));
	atomic_store(&s->qcount, n - 1);
}

uint64_t sigm_pending_bits(struct sigm_slot *s)
{
	uint64_t bits = atomic_load(&s->std_pending) & SIGM_STD_BITS;
	unsigned n = queue_len(s);

	for (unsigned k = 0; k < n; k++) {
		int sig = entry_sig(s, k);

		if (sig != 0)
			bits |= sigm_bit(sig);
	}
	return bits;
}

void sigm_flush(struct sigm_slot *s, uint64_t bits)
{
	uint64_t std = atomic_load(&s->std_pending) & SIGM_STD_BITS;
	unsigned n = queue_len(s);

	atomic_store(&s->std_pending, std & ~bits);
	for (unsigned k = 0; k < n;) {
		int sig = entry_sig(s, k);

		if (sig != 0 && (bits & sigm_bit(sig))) {
			remove_entry(s, k, n);
			n--;
		} else {
			k++;
		}
	}
}

enum sigm_post_result sigm_post(struct sigm_slot *s, int sig, const struct sigm_info *info,
				unsigned qlimit)
{
	uint64_t bit = sigm_bit(sig);
	uint64_t blocked = atomic_load(&s->blocked) & ~SIGM_UNBLOCKABLE;
	uint64_t ignored = atomic_load(&s->ignored) & ~SIGM_UNBLOCKABLE;

	/* Linux prepare_signal(): a continue and a stop cancel each other's pending instances. */
	if (sig == SIGCONT)
		sigm_flush(s, SIGM_STOPS);
	else if (bit & SIGM_STOPS)
		sigm_flush(s, sigm_bit(SIGCONT));
	/*
	 * Ignored at generation only when not blocked: a blocked signal's
	 * action may change before it is unblocked (Linux sig_ignored()), and
	 * sigwait takes blocked signals whatever their action.
	 */
	if (!(blocked & bit) && (ignored & bit))
		return SIGM_DROPPED;
	if (sig < SIGM_FIRST_RT) {
		uint64_t std = atomic_load(&s->std_pending) & SIGM_STD_BITS;

		if (std & bit)
			return SIGM_DROPPED; /* standard signals do not queue: the first one's info stays */
		s->std_info[sig - 1] = *info;
		atomic_store(&s->std_pending, std | bit);
		return SIGM_POSTED;
	}
	unsigned n = queue_len(s);

	if (n >= qlimit || n >= SIGM_QUEUE_CAP)
		return SIGM_FULL;
	s->queue[n].sig = (uint32_t)sig;
	s->queue[n].reserved = 0;
	s->queue[n].info = *info;
	/* Last: a sender killed before this store leaves nothing half-made visible. */
	atomic_store(&s->qcount, n + 1);
	return SIGM_POSTED;
}

int sigm_take(struct sigm_slot *s, uint64_t allowed, struct sigm_info *info)
{
	uint64_t std = atomic_load(&s->std_pending) & SIGM_STD_BITS;
	uint64_t avail = std & allowed;
	unsigned n, best = 0;
	int sig, best_sig = 0;

	if (avail != 0) {
		if (avail & SYNCHRONOUS)
			avail &= SYNCHRONOUS;
		sig = __builtin_ctzll(avail) + 1;
		*info = s->std_info[sig - 1];
		atomic_store(&s->std_pending, std & ~sigm_bit(sig));
		return sig;
	}
	n = queue_len(s);
	for (unsigned k = 0; k < n; k++) {
		sig = entry_sig(s, k);
		if (sig != 0 && (allowed & sigm_bit(sig)) && (best_sig == 0 || sig < best_sig)) {
			best_sig = sig;
			best = k;
		}
	}
	if (best_sig == 0)
		return 0;
	*info = s->queue[best].info;
	remove_entry(s, best, n);
	return best_sig;
}
