/*
 * The seed's point (seed:M1-M3) as clauses: processes that share a region
 * must synchronise their access, and a semaphore does it.  Several
 * processes each increment a counter in memory they all map, one
 * increment at a time inside a critical section the semaphore guards;
 * the count must come out exact.  Only the synchronised run is judged: an
 * unguarded run may or may not lose updates, so it proves nothing either
 * way and is not made.
 */
#define _GNU_SOURCE
#include <stdatomic.h>

#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

#define WORKERS 4
#define INCREMENTS 500 /* per worker */

/* Checkpoint: the start gate, opened once every worker exists. */
#define CP_GO 0

/* In memory the suite maps, shared by the clause process and its workers. */
struct counter {
	volatile long count;    /* read and written back unguarded: the semaphore must guard it */
	_Atomic int inside;     /* workers inside the critical section now */
	_Atomic int overlaps;   /* entries that found another worker inside */
};

/* One increment as a separate load and store, the update a race would lose. */
static void critical_section(struct counter *c)
{
	if (atomic_fetch_add(&c->inside, 1) != 0)
		atomic_fetch_add(&c->overlaps, 1);
	long v = c->count;
	c->count = v + 1;
	atomic_fetch_sub(&c->inside, 1);
}

/* How a worker takes and gives back the guard, for either kind of semaphore. */
struct guard {
	void *posix;  /* POSIX: the unnamed semaphore; NULL for System V */
	int sysv_id;
};

static int guard_take(struct ipcconf_t *t, const struct guard *g)
{
	return g->posix ? iut_sem_wait(t, g->posix, NULL) : sem_sysv_op1(t, g->sysv_id, 0, -1, 0);
}

static int guard_give(struct ipcconf_t *t, const struct guard *g)
{
	return g->posix ? iut_sem_post(t, g->posix) : sem_sysv_op1(t, g->sysv_id, 0, 1, 0);
}

static _Noreturn void worker(struct ipcconf_t *t, const struct guard *g, struct counter *c)
{
	ipcconf_await(t, CP_GO, 1, "the start gate");
	STEP(t, "worker: %d guarded increments", INCREMENTS);
	for (int i = 0; i < INCREMENTS; i++) {
		char b[32];
		int r = guard_take(t, g);
		REQUIRE(t, r == 0, "taking the semaphore (increment %d) returned %s", i + 1,
			ipcconf_result_name(r, b));
		critical_section(c);
		r = guard_give(t, g);
		REQUIRE(t, r == 0, "giving the semaphore back (increment %d) returned %s", i + 1,
			ipcconf_result_name(r, b));
	}
	ipcconf_exit(t);
}

/* Runs the workers under `g`; checks the count and that no two were ever inside together. */
static void run_workers(struct ipcconf_t *t, const struct guard *g)
{
	struct counter *c = sem_shared_memory(t, sizeof *c);
	pid_t w[WORKERS];

	for (int i = 0; i < WORKERS; i++)
		if ((w[i] = ipcconf_fork(t)) == 0)
			worker(t, g, c);
	STEP(t, "opening the start gate for %d workers", WORKERS);
	ipcconf_post(t, CP_GO);
	for (int i = 0; i < WORKERS; i++)
		ipcconf_join(t, w[i], "a worker");
	CHECK_EQ(t, c->count, (long)WORKERS * INCREMENTS, "the guarded counter");
	CHECK_EQ(t, atomic_load(&c->overlaps), 0,
		 "entries into the critical section while another worker was inside");
}

/*
 * seed:M1 (processes share a region and exchange data through it), M2
 * ("access must be synchronized; semaphores are the usual tool, used
 * together with shared memory"), M3 (the processes arrange the exchange
 * themselves).  POSIX.1-2017 XSH sem_wait(): it "shall lock the
 * semaphore", and at 0 does not return until it can; sem_post() unlocks
 * it; sem_init() with pshared: usable by every process that can access
 * it.  sem_overview(7).  Checked here: an unnamed process-shared
 * semaphore at 1 guards a counter in memory the suite maps; four worker
 * processes each make 500 increments as wait, load, store, post; the
 * counter ends at exactly 2000, no worker ever entered while another was
 * inside, and the semaphore is back at 1.
 */
CLAUSE(sem_mutex_posix_counter_exact,
       .id = "sem.mutex.posix_counter_exact",
       .title = "a POSIX semaphore used as a lock makes concurrent increments of a shared counter exact",
       .cites = "seed:M1; seed:M2; seed:M3; POSIX.1-2017 XSH sem_wait(), sem_post(), sem_init(); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_UNNAMED))
{
	struct guard g = { .posix = sem_unnamed_create(t, 1, 1) };

	run_workers(t, &g);
	CHECK_EQ(t, sem_value(t, g.posix), 1, "the lock's value after every worker gave it back");
}

/*
 * seed:M1, M2, M3 as above.  POSIX.1-2017 XSH semop(): sem_op -1 on a
 * semaphore at 0 suspends the caller "until ... the value of semval
 * becomes greater than or equal to the absolute value of sem_op", and
 * the operations are performed "atomically"; semop(2).  Checked here: a
 * System V set of one semaphore, SETVAL 1, guards a counter in memory the
 * suite maps; four worker processes each make 500 increments as semop -1,
 * load, store, semop +1; the counter ends at exactly 2000, no worker ever
 * entered while another was inside, and GETVAL is back at 1.
 */
CLAUSE(sem_mutex_sysv_counter_exact,
       .id = "sem.mutex.sysv_counter_exact",
       .title = "a System V semaphore used as a lock makes concurrent increments of a shared counter exact",
       .cites = "seed:M1; seed:M2; seed:M3; POSIX.1-2017 XSH semop(), semctl() SETVAL; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	struct guard g = { .sysv_id = sem_sysv_create(t, 1, NULL) };

	sem_sysv_set(t, g.sysv_id, 0, 1);
	run_workers(t, &g);
	CHECK_EQ(t, sem_sysv_value(t, g.sysv_id, 0), 1, "the lock's GETVAL after every worker gave it back");
}
