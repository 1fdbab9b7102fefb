/*
 * System V semaphore clauses: semctl (seed:M2).  The values are read and
 * set one at a time or all at once, within 0..SEMVMX; the counts of
 * waiting processes and the pid of the last semop are kept per
 * semaphore; IPC_RMID removes the set at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

static union ipcconf_semun array_arg(unsigned short *values)
{
	return (union ipcconf_semun){ .array = values };
}

/*
 * POSIX.1-2017 XSH semctl(): "GETVAL Return the value of semval", "SETVAL
 * Set the value of semval to arg.val", "GETALL Return semvals and place
 * them into the array pointed to by arg.array", "SETALL Set semvals
 * according to the array pointed to by arg.array"; semctl(2).  seed:M2
 * (the set is shared between processes).  Checked here on a set of
 * three: SETALL [1, 2, 3] reads back by GETALL and by GETVAL of each; a
 * helper reads the same by GETALL and sets semaphore 1 to 7 with SETVAL;
 * the clause then reads [1, 7, 3].
 */
CLAUSE(sem_control_values_set_and_read,
       .id = "sem.control.values_set_and_read",
       .title = "SETALL and SETVAL set what GETALL and GETVAL read, in every process",
       .cites = "seed:M2; POSIX.1-2017 XSH semctl() GETVAL, SETVAL, GETALL, SETALL; semctl(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 3, NULL);
	unsigned short set[] = { 1, 2, 3 };

	REQUIRE_OK(t, iut_semctl(t, id, 0, SETALL, array_arg(set)), "semctl(SETALL [1, 2, 3])");
	sem_sysv_expect_all(t, id, set, 3, "after SETALL [1, 2, 3]");
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t, sem_sysv_value(t, id, i), set[i], "GETVAL after SETALL [1, 2, 3]");

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sem_sysv_expect_all(t, id, set, 3, "read by GETALL in another process");
		sem_sysv_set(t, id, 1, 7);
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper reading and setting values");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 1, 7, 3 }, 3, "after the helper's SETVAL 7 on semaphore 1");
}

/*
 * POSIX.1-2017 XSH semctl() ERRORS: "[ERANGE] The argument cmd is equal
 * to SETVAL or SETALL and the value to which semval is to be set is
 * greater than the system-imposed maximum."  semctl(2): "ERANGE cmd is
 * SETALL or SETVAL and the value to which semval is to be set (for some
 * semaphore of the set) is less than 0 or greater than the implementation
 * limit SEMVMX" (32767 on Linux).  seed:M2.  Checked here on a set of two:
 * SETVAL 32767 succeeds; SETVAL 32768 and SETVAL -1 fail with -ERANGE and
 * leave 32767; SETALL [5, 32768] fails with -ERANGE and leaves both
 * semaphores as they were (semaphore 0 not set to 5).
 */
CLAUSE(sem_control_set_above_semvmx_erange,
       .id = "sem.control.set_above_semvmx_erange",
       .title = "SETVAL or SETALL outside 0..SEMVMX (32767) fails with -ERANGE and sets nothing",
       .cites = "seed:M2; POSIX.1-2017 XSH semctl() ERRORS [ERANGE]; semctl(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);

	CHECK_EQ(t, iut_semctl(t, id, 0, SETVAL, (union ipcconf_semun){ .val = SEM_VMX }), 0,
		 "semctl(SETVAL 32767)");
	CHECK_FAILS_UNCHANGED(t, iut_semctl(t, id, 0, SETVAL, (union ipcconf_semun){ .val = SEM_VMX + 1 }),
			      -ERANGE, sem_sysv_value(t, id, 0));
	CHECK_FAILS_UNCHANGED(t, iut_semctl(t, id, 0, SETVAL, (union ipcconf_semun){ .val = -1 }),
			      -ERANGE, sem_sysv_value(t, id, 0));
	/* 32768 does fit an unsigned short: only the limit can refuse it. */
	CHECK_FAILS(t, iut_semctl(t, id, 0, SETALL, array_arg((unsigned short[]){ 5, SEM_VMX + 1 })),
		    -ERANGE);
	sem_sysv_expect_all(t, id, (unsigned short[]){ SEM_VMX, 0 }, 2, "after the refused SETALL [5, 32768]");
}

struct op_call {
	int id;
	struct sembuf op;
};

static long long op_call(struct ipcconf_t *t, void *arg)
{
	struct op_call *c = arg;
	return iut_semop(t, c->id, &c->op, 1, NULL);
}

/*
 * POSIX.1-2017 XSH semctl(): "GETNCNT Return the value of semncnt",
 * "GETZCNT Return the value of semzcnt"; <sys/sem.h>: semncnt is the
 * "Number of processes waiting for semval to become greater than current
 * value", semzcnt the "Number of processes waiting for semval to become
 * 0"; XSH semop() increments them when it suspends a caller and
 * decrements them when it resumes.  semctl(2).  seed:M2.  Checked here
 * on a set at [0, 1]: two helpers asleep in semop {0, -1} and one in
 * semop {1, 0}: GETNCNT of 0 is 2, GETZCNT of 1 is 1, GETZCNT of 0 and
 * GETNCNT of 1 are 0; SETVAL 2 on semaphore 0 and SETVAL 0 on 1 release
 * all three with 0, and every count is then 0.
 */
CLAUSE(sem_control_ncnt_zcnt_count_waiters,
       .id = "sem.control.ncnt_zcnt_count_waiters",
       .title = "GETNCNT and GETZCNT count the processes waiting to decrement and waiting for zero",
       .cites = "seed:M2; POSIX.1-2017 XSH semctl() GETNCNT, GETZCNT, semop(), <sys/sem.h>; semctl(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);
	sem_sysv_set(t, id, 1, 1);
	struct op_call dec = { .id = id, .op = { 0, -1, 0 } };
	struct op_call zero = { .id = id, .op = { 1, 0, 0 } };
	struct ipcconf_blocked b[3];

	/* That these calls block is the rule of sem.op.*; here only the counts are judged. */
	for (int i = 0; i < 2; i++)
		ipcconf_block_begin(t, &b[i], &(struct ipcconf_blocking_call){
			.no_grace = 1, .what = "semop {0, -1} at 0", .call = op_call, .arg = &dec });
	ipcconf_block_begin(t, &b[2], &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "semop {1, 0} at 1", .call = op_call, .arg = &zero });
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETNCNT), 2, "GETNCNT of semaphore 0 with two decrements waiting");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETZCNT), 1, "GETZCNT of semaphore 1 with one wait for zero");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETZCNT), 0, "GETZCNT of semaphore 0 (nobody waits for its zero)");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETNCNT), 0, "GETNCNT of semaphore 1 (nobody waits to decrement it)");
	for (int i = 0; i < 3; i++)
		ipcconf_block_release(t, &b[i]);
	sem_sysv_set(t, id, 0, 2);
	sem_sysv_set(t, id, 1, 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t, ipcconf_block_end(t, &b[i]), 0, "a released semop");
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(t, sem_sysv_query(t, id, i, GETNCNT), 0, "GETNCNT after every waiter returned");
		CHECK_EQ(t, sem_sysv_query(t, id, i, GETZCNT), 0, "GETZCNT after every waiter returned");
	}
}

/*
 * POSIX.1-2017 XSH semctl(): "GETPID Return the value of sempid"; XSH
 * semop(): "Upon successful completion, the value of sempid for each
 * semaphore specified in the array pointed to by sops shall be set to the
 * process ID of the calling process."  semctl(2) GETPID: "This is the
 * PID of the process that last performed an operation on that semaphore";
 * its NOTES (The sempid value): Linux also updates it for SETVAL, SETALL
 * and SEM_UNDO adjustments, which this clause therefore never makes
 * between two readings.  seed:M2.  Checked here on a set of two (GETPID
 * of 1 read first): a helper's semop {0, +1} makes GETPID of 0 the helper's pid;
 * the clause's semop {0, -1} makes it the clause's; a second helper's
 * refused semop {0, -1} IPC_NOWAIT (-EAGAIN) leaves it the clause's; and
 * GETPID of semaphore 1, never operated on, is unchanged throughout.
 */
CLAUSE(sem_control_getpid_last_semop,
       .id = "sem.control.getpid_last_semop",
       .title = "GETPID gives the process of the last successful semop on that semaphore",
       .cites = "seed:M2; POSIX.1-2017 XSH semctl() GETPID, semop(); semctl(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);
	int untouched = sem_sysv_query(t, id, 1, GETPID);

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		REQUIRE_EQ(t, sem_sysv_op1(t, id, 0, 1, 0), 0, "the helper's semop {0, +1}");
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper making semop {0, +1}");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETPID), h, "GETPID after the helper's semop");
	REQUIRE_EQ(t, sem_sysv_op1(t, id, 0, -1, 0), 0, "the clause's semop {0, -1}");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETPID), getpid(), "GETPID after the clause's semop");

	pid_t refused = ipcconf_fork(t);
	if (refused == 0) {
		CHECK_FAILS(t, sem_sysv_op1(t, id, 0, -1, IPC_NOWAIT), -EAGAIN);
		ipcconf_exit(t);
	}
	ipcconf_join(t, refused, "the helper whose semop is refused");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETPID), getpid(), "GETPID after another process's refused semop");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETPID), untouched, "GETPID of the semaphore never operated on");
}

/*
 * POSIX.1-2017 XSH semctl() IPC_RMID: "Remove the semaphore identifier
 * specified by semid from the system and destroy the set of semaphores
 * and semid_ds data structure associated with it"; semctl(2): "IPC_RMID
 * Immediately remove the semaphore set"; semget() ERRORS [ENOENT] for a
 * key with no set.  Afterwards the identifier names nothing: semop(2) and
 * semctl(2) give EINVAL ("invalid semid") or EIDRM ("removed"), either
 * allowed here.  seed:M2.  Checked here: a set at [4] is removed; semop,
 * GETVAL and SETVAL on its identifier fail with -EINVAL or -EIDRM;
 * semget(key, 0, 0) fails with -ENOENT; and semget(key, 1, IPC_CREAT |
 * IPC_EXCL) then makes a new set (the key is free again).
 */
CLAUSE(sem_control_rmid_removes,
       .id = "sem.control.rmid_removes",
       .title = "after IPC_RMID the identifier names no set and the key has none",
       .cites = "seed:M2; POSIX.1-2017 XSH semctl() IPC_RMID, semget() [ENOENT]; semctl(2); semget(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	key_t key;
	int id = sem_sysv_create(t, 1, &key);
	sem_sysv_set(t, id, 0, 4);

	REQUIRE_EQ(t, iut_semctl(t, id, 0, IPC_RMID, (union ipcconf_semun){ .val = 0 }), 0,
		   "semctl(IPC_RMID)");
	long long r[3] = {
		sem_sysv_op1(t, id, 0, 1, IPC_NOWAIT),
		iut_semctl(t, id, 0, GETVAL, (union ipcconf_semun){ .val = 0 }),
		iut_semctl(t, id, 0, SETVAL, (union ipcconf_semun){ .val = 1 }),
	};
	static const char *const what[] = { "semop", "GETVAL", "SETVAL" };
	for (int i = 0; i < 3; i++) {
		char b[32];
		CHECK(t, r[i] == -EINVAL || r[i] == -EIDRM,
		      "%s on the removed identifier: expected -EINVAL or -EIDRM, got %s", what[i],
		      ipcconf_result_name(r[i], b));
	}
	CHECK_FAILS(t, iut_semget(t, key, 0, 0), -ENOENT);
	int again = iut_semget(t, key, 1, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(t, again >= 0, "semget(key, 1, IPC_CREAT | IPC_EXCL | 0600) after IPC_RMID: expected a new set, got %d",
	      again);
}
