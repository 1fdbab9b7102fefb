/*
 * Broken: sem_wait waits for a positive value but then leaves it as it
 * was (XSH sem_wait(): "shall lock the semaphore ... by performing a
 * semaphore lock operation", which decrements it).
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static int wait_keep(const struct ipcconf_iut *self, void *sem, const struct timespec *abs_timeout)
{
	(void)self;
	int r = OS->sem->wait(OS, sem, abs_timeout);
	if (r == 0)
		OS->sem->post(OS, sem);
	return r;
}

const struct ipcconf_iut *broken_sem_wait_no_decrement_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sem-wait-no-decrement",
		       "sem_wait returns once the value is positive but does not decrement it");
	b.sem.wait = wait_keep;
	return &b.iut;
}
