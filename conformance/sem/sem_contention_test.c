/*
 * POSIX semaphore clause: no lost wake-up under contention (seed:M2).
 * Posts and waits from several processes at once, many of the waits
 * asleep when a post comes: every post must be taken by exactly one wait,
 * none lost and none counted twice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>

#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

#define WAITERS 3
#define POSTERS 3
#define ROUNDS 300 /* waits per waiter, posts per poster */

/* Checkpoint: the start gate, opened once every helper exists. */
#define CP_GO 0

/* In memory the suite maps (never through the implementation): what the helpers did. */
struct tally {
	_Atomic unsigned waits; /* sem_wait calls that returned 0 */
	_Atomic unsigned posts; /* sem_post calls that returned 0 */
};

static void *helper_sem(struct ipcconf_t *t, void *sem, const char *name)
{
	return name ? sem_named_open(t, name) : sem;
}

static _Noreturn void waiter(struct ipcconf_t *t, void *sem, const char *name, struct tally *n)
{
	void *mine = helper_sem(t, sem, name);

	ipcconf_await(t, CP_GO, 1, "the start gate");
	STEP(t, "waiter: %d sem_wait calls", ROUNDS);
	for (int i = 0; i < ROUNDS; i++) {
		char b[32];
		int r = iut_sem_wait(t, mine, NULL);
		REQUIRE(t, r == 0, "sem_wait number %d of a waiter returned %s, expected 0", i + 1,
			ipcconf_result_name(r, b));
		atomic_fetch_add(&n->waits, 1);
	}
	ipcconf_exit(t);
}

static _Noreturn void poster(struct ipcconf_t *t, void *sem, const char *name, struct tally *n)
{
	void *mine = helper_sem(t, sem, name);

	ipcconf_await(t, CP_GO, 1, "the start gate");
	STEP(t, "poster: %d sem_post calls", ROUNDS);
	for (int i = 0; i < ROUNDS; i++) {
		char b[32];
		int r = iut_sem_post(t, mine);
		REQUIRE(t, r == 0, "sem_post number %d of a poster returned %s, expected 0", i + 1,
			ipcconf_result_name(r, b));
		atomic_fetch_add(&n->posts, 1);
	}
	ipcconf_exit(t);
}

/*
 * POSIX.1-2017 XSH sem_post(): "If the value of the semaphore resulting
 * from this operation is zero, then one of the threads blocked waiting
 * for the semaphore shall be allowed to return successfully from its call
 * to sem_wait()", otherwise "the semaphore value is simply incremented";
 * sem_wait() returns only once it "locks the semaphore"; sem_init() with
 * pshared: "any process that can access the semaphore sem can use sem".
 * sem_overview(7).  seed:M2: processes synchronise through it.  Checked
 * here, for an unnamed process-shared semaphore and for a named one (each
 * helper opening it by name), starting at 0: three waiter processes each
 * make 300 sem_wait calls while three poster processes each make 300
 * sem_post calls, all released together; every helper finishes within
 * the clause's bound (no post was lost: a lost one leaves a waiter asleep
 * for good), the waits counted in suite memory are exactly 900 = the
 * posts, the value is then 0 and sem_trywait fails with -EAGAIN (no post
 * was counted twice).
 */
static const struct ipcconf_clause sem_posix_no_lost_wakeup[] = {
	ROW(.id = "sem.posix.no_lost_wakeup_unnamed",
	    .title = "N posts from several processes release exactly N waits in several others (unnamed)",
	    .cites = "seed:M2; POSIX.1-2017 XSH sem_post(), sem_wait(), sem_init(); sem_overview(7)",
	    USES(SEM, IPCCONF_SEM_CAP_UNNAMED),
	    .arg = &(const enum sem_kind){ SEM_KIND_UNNAMED }),
	ROW(.id = "sem.posix.no_lost_wakeup_named",
	    .title = "N posts from several processes release exactly N waits in several others (named)",
	    .cites = "seed:M2; POSIX.1-2017 XSH sem_post(), sem_wait(), sem_open(); sem_overview(7)",
	    USES(SEM, IPCCONF_SEM_CAP_NAMED),
	    .arg = &(const enum sem_kind){ SEM_KIND_NAMED }),
};

CLAUSE_TABLE(sem_posix_no_lost_wakeup)
{
	const char *name;
	void *sem = sem_posix_create(t, *(const enum sem_kind *)t->clause->arg, 0, &name);
	struct tally *n = sem_shared_memory(t, sizeof *n);
	pid_t w[WAITERS], p[POSTERS];

	for (int i = 0; i < WAITERS; i++)
		if ((w[i] = ipcconf_fork(t)) == 0)
			waiter(t, sem, name, n);
	for (int i = 0; i < POSTERS; i++)
		if ((p[i] = ipcconf_fork(t)) == 0)
			poster(t, sem, name, n);
	STEP(t, "opening the start gate for %d waiters and %d posters", WAITERS, POSTERS);
	ipcconf_post(t, CP_GO);
	for (int i = 0; i < POSTERS; i++)
		ipcconf_join(t, p[i], "a poster");
	for (int i = 0; i < WAITERS; i++)
		ipcconf_join(t, w[i], "a waiter (asleep for good: a post was lost)");
	CHECK_EQ(t, atomic_load(&n->posts), POSTERS * ROUNDS, "sem_post calls that returned 0");
	CHECK_EQ(t, atomic_load(&n->waits), WAITERS * ROUNDS, "sem_wait calls that returned 0");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after as many waits as posts");
	CHECK_FAILS(t, iut_sem_trywait(t, sem), -EAGAIN);
}
