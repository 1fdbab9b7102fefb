/*
 * POSIX semaphore clauses: waiting and posting (seed:M2).
 */
#define _GNU_SOURCE
#include <errno.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

static long long wait_call(struct ipcconf_t *t, void *arg)
{
	return iut_sem_wait(t, *(void **)arg, NULL);
}

/*
 * POSIX.1-2017 XSH sem_wait(): "If the semaphore value is currently zero,
 * then the calling thread shall not return from the call to sem_wait()
 * until it either locks the semaphore or the call is interrupted by a
 * signal"; sem_post(): "If the semaphore value resulting from this
 * operation is zero, then one of the threads blocked waiting for the
 * semaphore shall be allowed to return successfully from its call to
 * sem_wait()".  Checked here (block.h) on an unnamed process-shared
 * semaphore at 0: a helper's sem_wait is seen asleep and stays so for the
 * grace period; after the clause's sem_post it returns 0, and the value
 * is 0 again (the post was consumed by the wait, not kept).
 */
CLAUSE(sem_posix_wait_blocks_until_post,
       .id = "sem.posix.wait_blocks_until_post",
       .title = "sem_wait at 0 blocks until a sem_post from another process, which it consumes",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_wait(), sem_post(); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	void *sem = sem_unnamed_create(t, 1, 0);
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "sem_wait on a semaphore at 0", .call = wait_call, .arg = &sem });
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the woken sem_wait");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after one post and one wait");
}
