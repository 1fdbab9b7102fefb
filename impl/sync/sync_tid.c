/* The per-thread cache of gettid() (sync_tid.h). */
#define _GNU_SOURCE
#include "impl/sync/sync_tid.h"

#include <pthread.h>
#include <unistd.h>

static __thread pid_t cached_tid;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* Runs in the fork child, on the one thread it has: its id is new. */
static void child_after_fork(void)
{
	cached_tid = 0;
}

static void register_fork_handler(void)
{
	pthread_atfork(NULL, NULL, child_after_fork);
}

pid_t sync_self_tid(void)
{
	if (cached_tid == 0) {
		pthread_once(&fork_once, register_fork_handler);
		cached_tid = gettid();
	}
	return cached_tid;
}
