/*
 * Broken: sem_wait on a semaphore at zero naps 30 ms and then returns 0
 * without taking anything: "nap and proceed" (XSH sem_wait(): "the
 * calling thread shall not return ... until it either locks the semaphore
 * or the call is interrupted by a signal").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "conformance/broken/wrap.h"

static int wait_nap(const struct ipcconf_iut *self, void *sem, const struct timespec *abs_timeout)
{
	(void)self;
	int r = OS->sem->trywait(OS, sem);
	if (r != -EAGAIN)
		return r;
	nanosleep(&(struct timespec){ 0, 30 * 1000 * 1000 }, NULL);
	(void)abs_timeout;
	return 0;
}

const struct ipcconf_iut *broken_sem_wait_nap_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sem-wait-nap",
		       "sem_wait at zero sleeps 30 ms and returns 0 without locking");
	b.sem.wait = wait_nap;
	return &b.iut;
}
