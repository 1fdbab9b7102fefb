/*
 * System V semaphore clauses: semop (seed:M2).  An operation list is done
 * all at once or not at all; a decrement below 0 or a wait for zero
 * sleeps, IPC_NOWAIT or a timeout turns the sleep into EAGAIN, IPC_RMID
 * and a caught signal end it; the limits SEMVMX, SEMOPM and the set's
 * size are enforced before anything changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/harness/clock.h"
#include "conformance/sem/sem_support.h"

/* A helper's semop on set `id`. */
struct op_call {
	int id;
	struct sembuf ops[4];
	size_t n;
};

static long long op_call(struct ipcconf_t *t, void *arg)
{
	struct op_call *c = arg;
	return iut_semop(t, c->id, c->ops, c->n, NULL);
}

static void set_all(struct ipcconf_t *t, int id, unsigned short *values)
{
	REQUIRE_OK(t, iut_semctl(t, id, 0, SETALL, (union ipcconf_semun){ .array = values }),
		   "semctl(SETALL)");
}

/*
 * POSIX.1-2017 XSH semop(): "The semop() function is used to perform
 * atomically an array of semaphore operations"; for sem_op < 0 with
 * semval below |sem_op| and no IPC_NOWAIT, it "shall increment the
 * semncnt ... and suspend execution of the calling thread until ... The
 * value of semval becomes greater than or equal to the absolute value of
 * sem_op".  semop(2): "The set of operations contained in sops is
 * performed in array order, and atomically, that is, the operations are
 * performed either as a complete unit, or not at all."  seed:M2.  Checked
 * here: a set of two at [1, 0]; a helper's semop [{0, -1}, {1, -1}] is
 * seen asleep and stays in the call for the grace period, while GETALL
 * read by the clause process shows [1, 0] (the first decrement, which
 * could proceed alone, was not applied); semop {1, +1} releases it with
 * 0, the set is then [0, 0], and GETPID of both semaphores is the helper.
 */
CLAUSE(sem_op_all_or_nothing_while_blocked,
       .id = "sem.op.all_or_nothing_while_blocked",
       .title = "a semop list blocked on a later element has applied none of the earlier ones",
       .cites = "seed:M2; POSIX.1-2017 XSH semop(); semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);
	set_all(t, id, (unsigned short[]){ 1, 0 });
	struct op_call c = { .id = id, .ops = { { 0, -1, 0 }, { 1, -1, 0 } }, .n = 2 };
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "semop [{0, -1}, {1, -1}] on [1, 0]", .call = op_call, .arg = &c });
	sem_sysv_expect_all(t, id, (unsigned short[]){ 1, 0 }, 2,
			    "while the list waits on semaphore 1");
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, sem_sysv_op1(t, id, 1, 1, 0), 0, "semop {1, +1}");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the released semop list");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 0, 0 }, 2, "after the list completed");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETPID), b.pid, "GETPID of semaphore 0 after the list");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETPID), b.pid, "GETPID of semaphore 1 after the list");
}

/*
 * POSIX.1-2017 XSH semop(): the array is performed "atomically"; ERRORS
 * "[EAGAIN] The operation would result in suspension of the calling
 * process but (sem_flg & IPC_NOWAIT) is non-zero"; "Upon successful
 * completion, the value of sempid for each semaphore specified in the
 * array ... shall be set to the process ID of the calling process" -- a
 * failed call sets nothing.  semop(2) ("performed either as a complete
 * unit, or not at all").  seed:M2.  Checked here, on a set of three at
 * [1, 0, 1] (GETPID of each read first): [{0, -1}, {1, -1}] and
 * [{0, +1}, {2, 0}], all with IPC_NOWAIT, fail with -EAGAIN and leave
 * [1, 0, 1] and every GETPID as it was; [{0, -1}, {2, -1}] with
 * IPC_NOWAIT then succeeds: [0, 0, 0], GETPID of 0 and 2 is this process,
 * of 1 unchanged.
 */
CLAUSE(sem_op_all_or_nothing_nowait,
       .id = "sem.op.all_or_nothing_nowait",
       .title = "a semop list refused with -EAGAIN (IPC_NOWAIT) leaves every semaphore as it was",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() ERRORS [EAGAIN]; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 3, NULL);
	unsigned short start[] = { 1, 0, 1 };
	set_all(t, id, start);
	int pid_before[3];
	for (int i = 0; i < 3; i++)
		pid_before[i] = sem_sysv_query(t, id, i, GETPID);

	struct sembuf decrements[] = { { 0, -1, IPC_NOWAIT }, { 1, -1, IPC_NOWAIT } };
	STEP(t, "semop [{0, -1}, {1, -1}] IPC_NOWAIT on [1, 0, 1]");
	CHECK_FAILS(t, iut_semop(t, id, decrements, 2, NULL), -EAGAIN);
	sem_sysv_expect_all(t, id, start, 3, "after the refused [{0, -1}, {1, -1}]");

	struct sembuf add_then_zero[] = { { 0, 1, IPC_NOWAIT }, { 2, 0, IPC_NOWAIT } };
	STEP(t, "semop [{0, +1}, {2, 0}] IPC_NOWAIT on [1, 0, 1]");
	CHECK_FAILS(t, iut_semop(t, id, add_then_zero, 2, NULL), -EAGAIN);
	sem_sysv_expect_all(t, id, start, 3, "after the refused [{0, +1}, {2, 0}]");
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t, sem_sysv_query(t, id, i, GETPID), pid_before[i],
			 "GETPID after refused lists (unchanged)");

	struct sembuf both[] = { { 0, -1, IPC_NOWAIT }, { 2, -1, IPC_NOWAIT } };
	CHECK_EQ(t, iut_semop(t, id, both, 2, NULL), 0, "semop [{0, -1}, {2, -1}] IPC_NOWAIT");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 0, 0, 0 }, 3, "after [{0, -1}, {2, -1}]");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETPID), getpid(), "GETPID of semaphore 0");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETPID), pid_before[1], "GETPID of semaphore 1 (not operated on)");
	CHECK_EQ(t, sem_sysv_query(t, id, 2, GETPID), getpid(), "GETPID of semaphore 2");
}

/*
 * POSIX.1-2017 XSH semop(): for sem_op < 0, "If semval is less than the
 * absolute value of sem_op and (sem_flg & IPC_NOWAIT) is non-zero, semop()
 * shall return immediately"; for sem_op 0, "If semval is non-zero and
 * (sem_flg & IPC_NOWAIT) is non-zero, semop() shall return immediately";
 * ERRORS [EAGAIN].  semop(2).  seed:M2.  Checked here on a set at
 * [0, 1]: {0, -1}, {1, 0} and {1, -2}, each with IPC_NOWAIT, fail with
 * -EAGAIN; the set stays [0, 1], and GETNCNT of 0 and GETZCNT of 1 are 0
 * (nobody was left waiting); {1, -1} with IPC_NOWAIT, which can proceed,
 * returns 0 and leaves [0, 0].
 */
CLAUSE(sem_op_nowait_eagain,
       .id = "sem.op.nowait_eagain",
       .title = "semop with IPC_NOWAIT that would have to wait fails with -EAGAIN and waits for nothing",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() ERRORS [EAGAIN]; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);
	sem_sysv_set(t, id, 1, 1);

	STEP(t, "semop {0, -1} IPC_NOWAIT at 0");
	CHECK_FAILS(t, sem_sysv_op1(t, id, 0, -1, IPC_NOWAIT), -EAGAIN);
	STEP(t, "semop {1, 0} IPC_NOWAIT at 1");
	CHECK_FAILS(t, sem_sysv_op1(t, id, 1, 0, IPC_NOWAIT), -EAGAIN);
	STEP(t, "semop {1, -2} IPC_NOWAIT at 1");
	CHECK_FAILS(t, sem_sysv_op1(t, id, 1, -2, IPC_NOWAIT), -EAGAIN);
	sem_sysv_expect_all(t, id, (unsigned short[]){ 0, 1 }, 2, "after the refused operations");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETNCNT), 0, "GETNCNT after refused IPC_NOWAIT decrements");
	CHECK_EQ(t, sem_sysv_query(t, id, 1, GETZCNT), 0, "GETZCNT after a refused IPC_NOWAIT wait for zero");
	CHECK_EQ(t, sem_sysv_op1(t, id, 1, -1, IPC_NOWAIT), 0, "semop {1, -1} IPC_NOWAIT at 1");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 0, 0 }, 2, "after {1, -1}");
}

/*
 * POSIX.1-2017 XSH semop(): "If semval is non-zero and (sem_flg &
 * IPC_NOWAIT) is 0, semop() shall increment the semzcnt associated with
 * the specified semaphore and suspend execution of the calling thread
 * until one of the following occurs: The value of semval becomes 0, at
 * which time the value of semzcnt associated with the specified semaphore
 * shall be decremented."  semop(2): 'This is a "wait-for-zero" operation:
 * if semval is zero, the operation can immediately proceed.'
 * seed:M2.  Checked here: a semaphore at 2; a helper's semop {0, 0} is
 * seen asleep and stays so for the grace period, and GETZCNT is 1; a
 * decrement to 1 must not release it (it stays in the call for another
 * grace period and is seen asleep again); the decrement to 0 releases it
 * with 0, and GETZCNT is then 0.
 */
CLAUSE(sem_op_wait_for_zero_blocks_until_zero,
       .id = "sem.op.wait_for_zero_blocks_until_zero",
       .title = "semop with sem_op 0 blocks while the value is non-zero and returns when it reaches 0",
       .cites = "seed:M2; POSIX.1-2017 XSH semop(); semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 1, NULL);
	sem_sysv_set(t, id, 0, 2);
	struct op_call c = { .id = id, .ops = { { 0, 0, 0 } }, .n = 1 };
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "semop {0, 0} on a semaphore at 2", .call = op_call, .arg = &c });
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETZCNT), 1, "GETZCNT with one process waiting for zero");
	REQUIRE_EQ(t, sem_sysv_op1(t, id, 0, -1, 0), 0, "semop {0, -1} from 2 to 1");
	sem_still_blocked(t, (struct ipcconf_blocked *[]){ &b }, 1, "the value went from 2 to 1 (not 0)");
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, sem_sysv_op1(t, id, 0, -1, 0), 0, "semop {0, -1} from 1 to 0");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the wait for zero, released at 0");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETZCNT), 0, "GETZCNT after the waiter returned");
}

/*
 * POSIX.1-2017 XSH semop(): a suspended caller resumes when "The semid for
 * which the calling thread is awaiting action is removed from the system.
 * When this occurs, errno shall be set to [EIDRM] and -1 shall be
 * returned" -- for a decrement and for a wait for zero alike.  semop(2)
 * ERRORS "EIDRM The semaphore set was removed"; semctl(2) IPC_RMID
 * "awakening all processes blocked in semop(2) calls on the set".
 * seed:M2.  Checked here: on a set at [0, 1], one helper is asleep in
 * semop {0, -1} and another in semop {1, 0}; semctl(IPC_RMID) releases
 * both with -EIDRM.
 */
CLAUSE(sem_op_rmid_wakes_eidrm,
       .id = "sem.op.rmid_wakes_eidrm",
       .title = "IPC_RMID wakes every process waiting in semop on the set with -EIDRM",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() [EIDRM], semctl() IPC_RMID; semop(2); semctl(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);
	sem_sysv_set(t, id, 1, 1);
	struct op_call dec = { .id = id, .ops = { { 0, -1, 0 } }, .n = 1 };
	struct op_call zero = { .id = id, .ops = { { 1, 0, 0 } }, .n = 1 };
	struct ipcconf_blocked b[2];

	ipcconf_block_begin(t, &b[0], &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "semop {0, -1} at 0", .call = op_call, .arg = &dec });
	ipcconf_block_begin(t, &b[1], &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "semop {1, 0} at 1", .call = op_call, .arg = &zero });
	for (int i = 0; i < 2; i++)
		ipcconf_block_release(t, &b[i]);
	CHECK_EQ(t, iut_semctl(t, id, 0, IPC_RMID, (union ipcconf_semun){ .val = 0 }), 0,
		 "semctl(IPC_RMID) under two waiters");
	CHECK_EQ(t, ipcconf_block_end(t, &b[0]), -EIDRM, "the waiting decrement when the set was removed");
	CHECK_EQ(t, ipcconf_block_end(t, &b[1]), -EIDRM, "the waiting wait-for-zero when the set was removed");
}

/*
 * POSIX.1-2017 XSH semop() ERRORS: "[ERANGE] An operation would cause a
 * semval to overflow the system-imposed limit"; semop(2): "ERANGE For
 * some operation sem_op+semval is greater than SEMVMX, the implementation
 * dependent maximum value for semval" (32767 on Linux); the list is
 * performed "as a complete unit, or not at all".  seed:M2.  Checked here:
 * at 32767 (SEMVMX), semop {0, +1} fails with -ERANGE and the value stays;
 * on [32000, 0], the list [{1, +1}, {0, +768}] fails with -ERANGE and
 * leaves both (the first element is not applied); {0, +767} reaching
 * exactly 32767 succeeds.
 */
CLAUSE(sem_op_above_semvmx_erange,
       .id = "sem.op.above_semvmx_erange",
       .title = "semop that would take a value above SEMVMX (32767) fails with -ERANGE and changes nothing",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() ERRORS [ERANGE]; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);

	sem_sysv_set(t, id, 0, SEM_VMX);
	CHECK_FAILS_UNCHANGED(t, sem_sysv_op1(t, id, 0, 1, IPC_NOWAIT), -ERANGE,
			      sem_sysv_value(t, id, 0));
	sem_sysv_set(t, id, 0, SEM_VMX - 767);
	struct sembuf list[] = { { 1, 1, IPC_NOWAIT }, { 0, 768, IPC_NOWAIT } };
	CHECK_FAILS(t, iut_semop(t, id, list, 2, NULL), -ERANGE);
	sem_sysv_expect_all(t, id, (unsigned short[]){ SEM_VMX - 767, 0 }, 2,
			    "after the refused [{1, +1}, {0, +768}]");
	CHECK_EQ(t, sem_sysv_op1(t, id, 0, 767, IPC_NOWAIT), 0, "semop {0, +767} reaching SEMVMX");
	CHECK_EQ(t, sem_sysv_value(t, id, 0), SEM_VMX, "the value at SEMVMX");
}

#define TIMEOUT_MS 20

/*
 * semop(2): semtimedop() "behaves identically to semop() except that in
 * those cases where the calling thread would sleep, the duration of that
 * sleep is limited by the amount of elapsed time specified by the
 * timespec structure"; ERRORS "EAGAIN An operation could not proceed
 * immediately and either IPC_NOWAIT was specified in sem_flg or the time
 * limit specified in timeout expired."  (Linux only: POSIX has no
 * semtimedop.)  seed:M2.  Checked here: semtimedop {0, -1} on a
 * semaphore at 0 with a 20 ms timeout returns -EAGAIN no sooner than
 * 20 ms after the call (CLOCK_MONOTONIC), the value stays 0 and GETNCNT is
 * 0 afterwards (the caller no longer waits).
 */
CLAUSE(sem_op_timedop_eagain_after_timeout,
       .id = "sem.op.timedop_eagain_after_timeout",
       .title = "semtimedop that must wait fails with -EAGAIN once its timeout has elapsed, not before",
       .cites = "seed:M2; semop(2) semtimedop() ERRORS [EAGAIN]",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 1, NULL);
	struct sembuf dec = { 0, -1, 0 };
	struct timespec timeout = { 0, TIMEOUT_MS * 1000000L };

	STEP(t, "semtimedop {0, -1} at 0 with a %d ms timeout", TIMEOUT_MS);
	int64_t start = ipcconf_now_ns();
	CHECK_EQ(t, iut_semop(t, id, &dec, 1, &timeout), -EAGAIN, "semtimedop at 0");
	double ms = sem_ms_since(start);
	CHECK(t, ms >= TIMEOUT_MS, "semtimedop with a %d ms timeout returned after %.3f ms", TIMEOUT_MS, ms);
	CHECK_EQ(t, sem_sysv_value(t, id, 0), 0, "the value after the timed-out semtimedop");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETNCNT), 0, "GETNCNT after the timed-out semtimedop");
}

/* More operations than this in one call is a clause too large to run. */
#define SEMOPM_CAP 4096

/*
 * POSIX.1-2017 XSH semop() ERRORS: "[E2BIG] The value of nsops is greater
 * than the system-imposed maximum."  semop(2): "E2BIG The argument nsops
 * is greater than SEMOPM, the maximum number of operations allowed per
 * system call"; its NOTES: SEMOPM "can be read ... via the third field of
 * /proc/sys/kernel/sem".  seed:M2.  Checked here: with SEMOPM read from
 * /proc, semop with SEMOPM + 1 operations {0, +1} fails with -E2BIG and
 * the value stays 0; with exactly SEMOPM of them it succeeds and the
 * value is SEMOPM.  A SKIP when the limit cannot be read, or exceeds 4096
 * (or SEMVMX).
 */
CLAUSE(sem_op_nsops_above_semopm_e2big,
       .id = "sem.op.nsops_above_semopm_e2big",
       .title = "semop with more than SEMOPM operations fails with -E2BIG and applies none",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() ERRORS [E2BIG]; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	struct sem_limits l;

	sem_read_limits(&l);
	if (l.semopm < 1)
		SKIP(t, "SEMOPM cannot be read from /proc/sys/kernel/sem");
	if (l.semopm > SEMOPM_CAP || l.semopm > SEM_VMX)
		SKIP(t, "SEMOPM is %ld: more operations than this clause makes (%d)", l.semopm, SEMOPM_CAP);
	int id = sem_sysv_create(t, 1, NULL);
	size_t n = (size_t)l.semopm + 1;
	struct sembuf *ops = calloc(n, sizeof *ops);
	if (!ops)
		BROKEN(t, "calloc of %zu operations", n);
	for (size_t i = 0; i < n; i++)
		ops[i] = (struct sembuf){ 0, 1, IPC_NOWAIT };
	CHECK_FAILS_UNCHANGED(t, iut_semop(t, id, ops, n, NULL), -E2BIG, sem_sysv_value(t, id, 0));
	CHECK_EQ(t, iut_semop(t, id, ops, n - 1, NULL), 0, "semop with exactly SEMOPM operations");
	CHECK_EQ(t, sem_sysv_value(t, id, 0), l.semopm, "the value after SEMOPM increments");
	free(ops);
}

/*
 * POSIX.1-2017 XSH semop() ERRORS: "[EFBIG] The value of sem_num is
 * greater than or equal to the number of semaphores in the set associated
 * with semid."  semop(2) [EFBIG].  seed:M2.  Checked here on a set of
 * two: {2, +1} and {65535, +1} fail with -EFBIG; the list [{0, +1},
 * {2, +1}] fails with -EFBIG and leaves semaphore 0 at 0; {1, +1} (the
 * last valid number) succeeds.
 */
CLAUSE(sem_op_sem_num_out_of_range_efbig,
       .id = "sem.op.sem_num_out_of_range_efbig",
       .title = "semop naming a semaphore beyond the set fails with -EFBIG and applies none",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() ERRORS [EFBIG]; semop(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 2, NULL);
	struct sembuf list[] = { { 0, 1, IPC_NOWAIT }, { 2, 1, IPC_NOWAIT } };

	CHECK_FAILS(t, sem_sysv_op1(t, id, 2, 1, IPC_NOWAIT), -EFBIG);
	CHECK_FAILS(t, sem_sysv_op1(t, id, 65535, 1, IPC_NOWAIT), -EFBIG);
	CHECK_FAILS(t, iut_semop(t, id, list, 2, NULL), -EFBIG);
	sem_sysv_expect_all(t, id, (unsigned short[]){ 0, 0 }, 2, "after the refused operations");
	CHECK_EQ(t, sem_sysv_op1(t, id, 1, 1, IPC_NOWAIT), 0, "semop {1, +1}");
	sem_sysv_expect_all(t, id, (unsigned short[]){ 0, 1 }, 2, "after {1, +1}");
}

static void catch_usr1(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	ipcconf_catch(t, SIGUSR1, 0);
}

static void handled_once(struct ipcconf_t *t, void *arg, long long result)
{
	(void)arg;
	(void)result;
	CHECK_EQ(t, ipcconf_caught(SIGUSR1), 1, "SIGUSR1 caught by the waiting process");
}

/*
 * POSIX.1-2017 XSH semop(): the suspended caller resumes when it
 * "receives a signal that is to be caught.  When this occurs, the value
 * of semncnt associated with the specified semaphore shall be
 * decremented, and the calling thread shall resume execution in the
 * manner prescribed in sigaction()"; ERRORS "[EINTR] The semop() function
 * was interrupted by a signal."  signal(7): semop(2) is never restarted
 * (SA_RESTART or not).  seed:M2.  Checked here: a helper that catches
 * SIGUSR1 without SA_RESTART is asleep in semop {0, -1} at 0; SIGUSR1 runs
 * its handler once and semop returns -EINTR; the value is still 0 and
 * GETNCNT is 0.
 */
CLAUSE(sem_op_eintr,
       .id = "sem.op.eintr",
       .title = "a semop asleep fails with -EINTR when a signal is caught",
       .cites = "seed:M2; POSIX.1-2017 XSH semop() ERRORS [EINTR], sigaction(); semop(2); signal(7)",
       .needs = IPCCONF_CAP_EINTR,
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	int id = sem_sysv_create(t, 1, NULL);
	struct op_call c = { .id = id, .ops = { { 0, -1, 0 } }, .n = 1 };
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "semop {0, -1} at 0 with SIGUSR1 caught",
		.prepare = catch_usr1, .call = op_call, .then = handled_once, .arg = &c });
	ipcconf_block_release(t, &b);
	ipcconf_kill(t, b.pid, SIGUSR1);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR, "the semop interrupted by a caught SIGUSR1");
	CHECK_EQ(t, sem_sysv_value(t, id, 0), 0, "the value after the interrupted semop");
	CHECK_EQ(t, sem_sysv_query(t, id, 0, GETNCNT), 0, "GETNCNT after the interrupted semop");
}
