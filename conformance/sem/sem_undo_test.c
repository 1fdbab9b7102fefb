/*
 * System V semaphore clauses: SEM_UNDO (seed:M2).  An operation made with
 * SEM_UNDO is reversed when its process ends, by exit or by a kill, so a
 * lock held by a process that dies is given back; SETVAL clears what was
 * to be reversed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

/* Checkpoints between the clause and a helper holding adjustments. */
#define CP_APPLIED 0 /* the helper's SEM_UNDO operations are done */
#define CP_EXIT 1    /* the clause lets the helper exit */

/*
 * POSIX.1-2017 XSH semop(): "If sem_op is a negative integer and the
 * calling process has alter permission, ... if (sem_flg & SEM_UNDO) is
 * non-zero, the absolute value of sem_op shall be added to the semadj
 * value of the calling process for the specified semaphore" (and
 * subtracted for a positive sem_op); XSH _Exit() (Consequences of Process
 * Termination): "Each semaphore for which the calling process has set a
 * semadj value shall have the semadj value added to the semval of the
 * corresponding semaphore."  semop(2): "If an operation specifies
 * SEM_UNDO, it will be automatically undone when the process terminates."
 * seed:M2.  Checked here on a set at [3, 0]: a helper makes [{0, -2},
 * {1, +1}] with SEM_UNDO, reads [1, 1] itself, and exits: the set is back
 * at [3, 0].  The counter-example: a second helper makes the same list
 * without SEM_UNDO and exits: the set stays at [1, 1] (what restored the
 * first was the undo, not the exit).
 */
CLAUSE(sem_op_undo_restores_on_exit,
       .id = "sem.op.undo_restores_on_exit",
       .title = "operations made with SEM_UNDO are reversed when the process exits; others stay",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() SEM_UNDO, _Exit() Consequences of Process Termination; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV | IPCCONF_SEM_CAP_UNDO))
{
	int id = sem_sysv_create(t, 2, NULL);
	sem_sysv_set(t, id, 0, 3);

	for (int undo = 1; undo >= 0; undo--) {
		pid_t h = ipcconf_fork(t);
		if (h == 0) {
			short flag = undo ? SEM_UNDO : 0;
			struct sembuf list[] = { { 0, -2, flag }, { 1, 1, flag } };
			REQUIRE_EQ(t, iut_semop(t, id, list, 2, NULL), 0,
				   undo ? "semop [{0, -2}, {1, +1}] with SEM_UNDO" : "semop [{0, -2}, {1, +1}]");
			sem_sysv_expect_all(t, id, (unsigned short[]){ 1, 1 }, 2,
					    "in the helper after its operations");
			ipcconf_exit(t);
		}
		ipcconf_join(t, h, undo ? "the helper using SEM_UNDO" : "the helper without SEM_UNDO");
		sem_sysv_expect_all(t, id, (unsigned short[]){ undo ? 3 : 1, undo ? 0 : 1 }, 2,
				    undo ? "after the SEM_UNDO helper exited (reversed)"
					 : "after the helper without SEM_UNDO exited (kept)");
		if (undo)
			sem_sysv_set(t, id, 0, 3);
	}
}

/* The holder: takes the lock with SEM_UNDO, then sleeps in a semop nothing will release. */
static _Noreturn void holder(struct ipcconf_t *t, int id)
{
	STEP(t, "holder: semop {0, -1} with SEM_UNDO");
	REQUIRE_EQ(t, sem_sysv_op1(t, id, 0, -1, SEM_UNDO), 0, "the holder's semop {0, -1} SEM_UNDO");
	ipcconf_post(t, CP_APPLIED);
	STEP(t, "holder: asleep in semop {1, -1} until killed");
	(void)sem_sysv_op1(t, id, 1, -1, 0);
	FAIL(t, "the holder's semop {1, -1} at 0 returned although nothing posts semaphore 1");
	ipcconf_exit(t);
}

struct op_call {
	int id;
};

static long long take_lock(struct ipcconf_t *t, void *arg)
{
	struct op_call *c = arg;
	return sem_sysv_op1(t, c->id, 0, -1, 0);
}

/*
 * POSIX.1-2017 XSH _Exit() (Consequences of Process Termination): the
 * semadj values of a terminating process are added to the semvals --
 * whatever ends it; XSH semop() SEM_UNDO; semop(2): "it will be
 * automatically undone when the process terminates".  seed:M2: a lock
 * held by a process that dies is given back, and a process waiting for
 * it goes on.  Checked here on a set at [1, 0]: a holder takes semaphore
 * 0 with SEM_UNDO (GETVAL 0) and sleeps in a semop on semaphore 1; a
 * second helper is asleep in semop {0, -1}; the holder is killed with
 * SIGKILL (and reaped: killed by SIGKILL); the waiting helper then
 * returns 0 (it got the lock back from the dead holder), semaphore 0 ends
 * at 0 (taken by it) and GETNCNT of semaphore 1 is 0 (the dead holder
 * waits no more).
 */
CLAUSE(sem_op_undo_restores_on_kill,
       .id = "sem.op.undo_restores_on_kill",
       .title = "a lock taken with SEM_UNDO by a process killed with SIGKILL is given back to a waiter",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() SEM_UNDO, _Exit() Consequences of Process Termination; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV | IPCCONF_SEM_CAP_UNDO))
{
	int id = sem_sysv_create(t, 2, NULL);
	sem_sysv_set(t, id, 0, 1);

	pid_t h = ipcconf_fork(t);
	if (h == 0)
		holder(t, id);
	ipcconf_await(t, CP_APPLIED, 1, "the holder took the lock");
	CHECK_EQ(t, sem_sysv_value(t, id, 0), 0, "the lock's value while the holder has it");

	struct op_call c = { .id = id };
	struct ipcconf_blocked b;
	/* That a decrement at 0 blocks is sem.op.all_or_nothing_while_blocked's rule: no grace here. */
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "semop {0, -1} on the lock the holder has",
		.call = take_lock, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "killing the holder %d with SIGKILL", (int)h);
	ipcconf_kill(t, h, SIGKILL);
	int status = 0;
	REQUIRE(t, ipcconf_wait(t, h, &status), "the killed holder was not reaped before the deadline");
	REQUIRE(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		"the holder ended with status %#x, not by SIGKILL", status);
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the waiter's semop, after the holder was killed");
	CHECK_EQ(t, sem_sysv_value(t, id, 0), 0, "the lock's value (given back, then taken by the waiter)");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETNCNT), 0, "GETNCNT of semaphore 1 after its waiter was killed");
}

/*
 * POSIX.1-2017 XSH semctl() SETVAL: "When this command is successfully
 * executed, the semadj value corresponding to the specified semaphore in
 * all processes is cleared."  semctl(2) SETVAL: "Undo entries (see
 * semop(2)) are cleared for altered semaphores in all processes."
 * seed:M2.  Checked here on a
 * set at [2, 2]: a helper makes [{0, -1}, {1, -1}] with SEM_UNDO and
 * stays; the clause sets semaphore 0 to 5 with SETVAL; the helper exits:
 * semaphore 0 stays 5 (its adjustment was cleared) while semaphore 1 is
 * back at 2 (its adjustment, untouched by SETVAL of another semaphore,
 * was applied).
 */
CLAUSE(sem_control_setval_clears_undo,
       .id = "sem.control.setval_clears_undo",
       .title = "SETVAL clears every process's SEM_UNDO adjustment for that semaphore, and only that one",
       .cites = "seed:M2; POSIX.1-2017 XSH semctl() SETVAL, semop() SEM_UNDO; semctl(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV | IPCCONF_SEM_CAP_UNDO))
{
	int id = sem_sysv_create(t, 2, NULL);
	REQUIRE_OK(t, iut_semctl(t, id, 0, SETALL, (union ipcconf_semun){ .array = (unsigned short[]){ 2, 2 } }),
		   "semctl(SETALL [2, 2])");

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		struct sembuf list[] = { { 0, -1, SEM_UNDO }, { 1, -1, SEM_UNDO } };
		REQUIRE_EQ(t, iut_semop(t, id, list, 2, NULL), 0, "semop [{0, -1}, {1, -1}] with SEM_UNDO");
		ipcconf_post(t, CP_APPLIED);
		ipcconf_await(t, CP_EXIT, 1, "the clause's SETVAL");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_APPLIED, 1, "the helper's SEM_UNDO operations");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 1, 1 }, 2, "after the helper's operations");
	sem_sysv_set(t, id, 0, 5);
	ipcconf_post(t, CP_EXIT);
	ipcconf_join(t, h, "the helper holding SEM_UNDO adjustments");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 5, 2 }, 2,
			    "after the helper exited (semaphore 0's adjustment cleared by SETVAL)");
}
