#define _GNU_SOURCE
#include "conformance/harness/futex.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/harness/clock.h"

int ipcconf_futex_wait(_Atomic uint32_t *word, uint32_t expected, int64_t deadline_ns)
{
	int64_t left = deadline_ns - ipcconf_now_ns();
	if (left <= 0)
		return -ETIMEDOUT;
	struct timespec rel = ipcconf_ns_to_timespec(left);
	/* Relative timeout: FUTEX_WAIT measures it on CLOCK_MONOTONIC. */
	if (syscall(SYS_futex, word, FUTEX_WAIT, expected, &rel, NULL, 0) == 0)
		return 0;
	if (errno == EAGAIN)
		return 0;
	return -errno;
}

void ipcconf_futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
