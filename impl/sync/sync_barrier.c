/* The asymmetric fence of sync_barrier.h, on membarrier(2). */
#define _GNU_SOURCE
#include "impl/sync/sync_barrier.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

_Atomic int sync_barrier_registered;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static long membarrier(int cmd)
{
	return syscall(SYS_membarrier, cmd, 0, 0);
}

static void register_process(void)
{
	int ok = membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;

	atomic_store_explicit(&sync_barrier_registered, ok, memory_order_relaxed);
}

static void init(void)
{
	register_process();
	/* Linux carries the registration over fork(), but nothing documents it: renew it. */
	pthread_atfork(NULL, NULL, register_process);
}

bool sync_barrier_init(void)
{
	pthread_once(&init_once, init);
	return atomic_load_explicit(&sync_barrier_registered, memory_order_relaxed) != 0;
}

void sync_barrier_heavy(void)
{
	/* Our own side needs the fence either way; membarrier() alone is not documented to give it. */
	atomic_thread_fence(memory_order_seq_cst);
	membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED);
	atomic_thread_fence(memory_order_seq_cst);
}
