/* The futex system call for process-shared words (sync_futex.h). */
#define _GNU_SOURCE
#include "impl/sync/sync_futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int sync_futex_wait(_Atomic uint32_t *word, uint32_t expected, int timeout_ms)
{
	struct timespec ts;
	struct timespec *tp = NULL;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tp = &ts;
	}
	if (syscall(SYS_futex, (void *)word, FUTEX_WAIT, expected, tp, NULL, 0) == 0)
		return 0;
	switch (errno) {
	case EAGAIN:
	case ETIMEDOUT:
	case EINTR:
		return -errno;
	default:
		/* EFAULT/EINVAL cannot happen on a mapped, aligned word. */
		return -EAGAIN;
	}
}

void sync_futex_wake(_Atomic uint32_t *word, int count)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAKE, count, NULL, NULL, 0);
}
