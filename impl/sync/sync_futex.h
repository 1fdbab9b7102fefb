/*
 * sync_futex.h -- futex sleep and wake on 32-bit words in shared memory.
 *
 * Process-shared on purpose: FUTEX_WAIT/FUTEX_WAKE without FUTEX_PRIVATE,
 * because the sleepers and the wakers are different processes mapping
 * the same pages (at different addresses, possibly).  The raw system call
 * only; sync_waiter.h builds timeouts, signals and spinning on top.
 */
#ifndef IPCCONF_SYNC_FUTEX_H
#define IPCCONF_SYNC_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Sleeps while *word == expected, at most timeout_ms (negative: no bound).
 * Returns 0 when woken (or spuriously), -EAGAIN when *word already
 * differed, -ETIMEDOUT, or -EINTR when a signal handler ran.
 */
int sync_futex_wait(_Atomic uint32_t *word, uint32_t expected, int timeout_ms);

/* Wakes up to `count` sleepers on word (INT_MAX: all of them). */
void sync_futex_wake(_Atomic uint32_t *word, int count);

#endif /* IPCCONF_SYNC_FUTEX_H */
