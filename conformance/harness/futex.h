/* futex.h -- the harness's own wait/wake primitive, on shared-page words. */
#ifndef IPCCONF_HARNESS_FUTEX_H
#define IPCCONF_HARNESS_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Sleeps while *word == expected, at most until the CLOCK_MONOTONIC
 * deadline.  Returns 0 when woken or the value changed, -ETIMEDOUT at the
 * deadline, -EINTR on a signal.  Not private: the word is shared between
 * processes.
 */
int ipcconf_futex_wait(_Atomic uint32_t *word, uint32_t expected, int64_t deadline_ns);

/* Wakes every waiter on the word. */
void ipcconf_futex_wake_all(_Atomic uint32_t *word);

#endif
