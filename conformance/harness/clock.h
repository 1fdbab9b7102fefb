/* clock.h -- monotonic time for deadlines. */
#ifndef IPCCONF_HARNESS_CLOCK_H
#define IPCCONF_HARNESS_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t ipcconf_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline struct timespec ipcconf_ns_to_timespec(int64_t ns)
{
	if (ns < 0)
		ns = 0;
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
	return ts;
}

#endif
