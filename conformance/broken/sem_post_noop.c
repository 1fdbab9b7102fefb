/*
 * Broken: sem_post reports success and does nothing (XSH sem_post():
 * "shall unlock the semaphore ... by performing a semaphore unlock
 * operation").
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static int post_noop(const struct ipcconf_iut *self, void *sem)
{
	(void)self;
	(void)sem;
	return 0;
}

const struct ipcconf_iut *broken_sem_post_noop_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sem-post-noop", "sem_post returns 0 and leaves the semaphore as it was");
	b.sem.post = post_noop;
	return &b.iut;
}
