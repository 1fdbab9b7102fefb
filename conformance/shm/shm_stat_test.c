/*
 * System V shared memory clauses: what IPC_STAT reports.  A new segment's
 * shmid_ds, and how shmat, shmdt, fork and exit change it: shm_nattch
 * counts the attaches there are, shm_lpid names the process of the last
 * shmat or shmdt (seed:M3 -- the system provides the region and its
 * bookkeeping, nothing more).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * The kernel stamps shm_atime, shm_dtime and shm_ctime with the seconds of
 * its last clock tick (ktime_get_real_seconds), which may still be the
 * previous second when clock_gettime(CLOCK_REALTIME) has passed a second
 * boundary.  So a window opens with the coarse clock (the tick's time, never
 * later than any stamp made after it) and closes with the precise one
 * (never earlier than a stamp made before it).
 */
static long long seconds_before(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (long long)ts.tv_sec;
}

static long long seconds_after(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec;
}

/* A time field stamped between `before` and `after` (whole seconds). */
static void check_stamp(struct ipcconf_t *t, long long got, long long before, long long after,
			const char *what)
{
	CHECK(t, got >= before && got <= after, "%s is %lld, expected the time of the call (between %lld and %lld)",
	      what, got, before, after);
}

/*
 * POSIX.1-2017 XSH shmget(): on creation "shm_perm.cuid, shm_perm.uid,
 * shm_perm.cgid, and shm_perm.gid shall be set equal to the effective
 * user ID and effective group ID, respectively, of the calling process";
 * "The low-order nine bits of shm_perm.mode are set equal to the
 * low-order nine bits of shmflg"; "The value of shm_segsz is set equal to
 * the value of size"; "The values of shm_lpid, shm_nattch, shm_atime, and
 * shm_dtime are set equal to 0"; "The value of shm_ctime is set equal to
 * the current time".  shmctl(2): shm_cpid is the "ID of the process that
 * created the shared memory segment"; __key is the "Key supplied to
 * shmget(2)".  seed:M3.  Checked here: a helper creates a segment of 3
 * pages + 5 bytes on a key and waits; the clause process (which neither
 * created nor attached it) reads IPC_STAT: shm_segsz 3 pages + 5,
 * shm_cpid the helper's pid, shm_lpid 0, shm_nattch 0, shm_atime 0,
 * shm_dtime 0, shm_ctime within the seconds around the creation, uid and
 * cuid its effective uid, gid and cgid its effective gid, mode & 0777
 * 0600, __key the key.
 */
CLAUSE(shm_get_initial_stat,
       .id = "shm.get.initial_stat",
       .title = "IPC_STAT of a new segment: size asked, creator's pid, owner, mode, no attach yet",
       .cites = "seed:M3; POSIX.1-2017 XSH shmget(), shmctl() IPC_STAT, <sys/shm.h>; shmget(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key = ipcconf_sysv_key(t);
	size_t size = 3 * shm_page(t) + 5;
	long long before = seconds_before();

	pid_t creator = ipcconf_fork(t);
	if (creator == 0) {
		shm_sysv_create_keyed(t, key, size);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause's IPC_STAT");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's shmget(IPC_CREAT)");
	long long after = seconds_after();
	int id = iut_shmget(t, key, 0, 0);
	REQUIRE_OK(t, id, "shmget(key, 0, 0) of the helper's segment");
	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	ipcconf_post(t, 1);
	ipcconf_join(t, creator, "the creating helper");

	CHECK_EQ(t, ds.shm_segsz, size, "shm_segsz");
	CHECK_EQ(t, ds.shm_cpid, creator, "shm_cpid (the creating helper's pid)");
	CHECK_EQ(t, ds.shm_lpid, 0, "shm_lpid before any shmat");
	CHECK_EQ(t, ds.shm_nattch, 0, "shm_nattch before any shmat");
	CHECK_EQ(t, ds.shm_atime, 0, "shm_atime before any shmat");
	CHECK_EQ(t, ds.shm_dtime, 0, "shm_dtime before any shmdt");
	check_stamp(t, (long long)ds.shm_ctime, before, after, "shm_ctime");
	CHECK_EQ(t, ds.shm_perm.uid, geteuid(), "shm_perm.uid");
	CHECK_EQ(t, ds.shm_perm.cuid, geteuid(), "shm_perm.cuid");
	CHECK_EQ(t, ds.shm_perm.gid, getegid(), "shm_perm.gid");
	CHECK_EQ(t, ds.shm_perm.cgid, getegid(), "shm_perm.cgid");
	CHECK_EQ(t, ds.shm_perm.mode & 0777, 0600, "shm_perm.mode & 0777");
	CHECK_EQ(t, ds.shm_perm.__key, key, "shm_perm.__key");
}

/*
 * POSIX.1-2017 XSH shmat(): "Upon successful completion, shmat() shall
 * increment the value of shm_nattch in the data structure associated with
 * the shared memory ID of the attached shared memory segment and return
 * the segment's start address"; XSH <sys/shm.h>: shm_lpid is the
 * "Process ID of last shared memory operation", shm_atime the "Time of
 * last shmat()".  shmop(2): "shm_atime is set to the current time.
 * shm_lpid is set to the process-ID of the calling process.  shm_nattch
 * is incremented by one."
 * seed:M3.  Checked here: the clause process creates a segment (nattch 0,
 * lpid 0, atime 0); a helper attaches it and waits; IPC_STAT then gives
 * shm_nattch 1, shm_lpid the helper's pid, shm_atime within the seconds
 * around the attach, and shm_dtime still 0.
 */
CLAUSE(shm_attach_updates_stat,
       .id = "shm.attach.updates_stat",
       .title = "shmat counts one more attach, names the caller in shm_lpid and stamps shm_atime",
       .cites = "seed:M3; POSIX.1-2017 XSH shmat(), <sys/shm.h>; shmop(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	int id = shm_sysv_create(t, shm_page(t), NULL);
	long long before = seconds_before();

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		shm_attach(t, id);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause's IPC_STAT");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's shmat");
	long long after = seconds_after();
	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	ipcconf_post(t, 1);
	ipcconf_join(t, helper, "the attaching helper");

	CHECK_EQ(t, ds.shm_nattch, 1, "shm_nattch after one shmat");
	CHECK_EQ(t, ds.shm_lpid, helper, "shm_lpid after the helper's shmat (the helper's pid)");
	check_stamp(t, (long long)ds.shm_atime, before, after, "shm_atime after the helper's shmat");
	CHECK_EQ(t, ds.shm_dtime, 0, "shm_dtime before any shmdt");
}

/*
 * POSIX.1-2017 XSH shmdt(): "Upon successful completion, shmdt() shall
 * decrement the value of shm_nattch in the data structure associated with
 * the shared memory ID of the attached shared memory segment"; XSH
 * <sys/shm.h>: shm_lpid is the "Process ID of last shared memory
 * operation", shm_dtime the "Time of last shmdt()".  shmop(2): "shm_dtime
 * is set to the current time.  shm_lpid is set to the process-ID of the
 * calling process.  shm_nattch is decremented by one."  seed:M3.  Checked here: a helper attaches; then the clause
 * process attaches (so shm_lpid is the clause's pid, nattch 2); then the
 * helper detaches; IPC_STAT gives shm_nattch 1, shm_lpid the helper's pid
 * (only its shmdt can have put it there), and shm_dtime within the
 * seconds around the detach.
 */
CLAUSE(shm_detach_updates_stat,
       .id = "shm.detach.updates_stat",
       .title = "shmdt counts one attach less, names the caller in shm_lpid and stamps shm_dtime",
       .cites = "seed:M3; POSIX.1-2017 XSH shmdt(), <sys/shm.h>; shmop(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	int id = shm_sysv_create(t, shm_page(t), NULL);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		unsigned char *p = shm_attach(t, id);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause's own shmat");
		REQUIRE_EQ(t, iut_shmdt(t, p), 0, "helper: shmdt");
		ipcconf_post(t, 2);
		ipcconf_await(t, 3, 1, "the clause's IPC_STAT");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's shmat");
	shm_attach(t, id);
	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	REQUIRE(t, ds.shm_lpid == getpid() && ds.shm_nattch == 2,
		"before the helper's shmdt: shm_lpid %d and shm_nattch %llu, expected the clause's pid %d and 2 (shmat must set them: see shm.attach.updates_stat)",
		(int)ds.shm_lpid, (unsigned long long)ds.shm_nattch, (int)getpid());
	long long before = seconds_before();
	ipcconf_post(t, 1);
	ipcconf_await(t, 2, 1, "the helper's shmdt");
	long long after = seconds_after();
	shm_stat(t, id, &ds);
	ipcconf_post(t, 3);
	ipcconf_join(t, helper, "the detaching helper");

	CHECK_EQ(t, ds.shm_nattch, 1, "shm_nattch after the helper's shmdt");
	CHECK_EQ(t, ds.shm_lpid, helper, "shm_lpid after the helper's shmdt (the helper's pid)");
	check_stamp(t, (long long)ds.shm_dtime, before, after, "shm_dtime after the helper's shmdt");
}

/*
 * POSIX.1-2017 XSH <sys/shm.h>: shm_nattch is the "Number of current
 * attaches"; XSH shmat() increments it and shmdt() decrements it.
 * shmop(2): "The same segment may be attached as a read and as a
 * read-write one, and more than once, in the process's address space."
 * seed:M3.  Checked here, by IPC_STAT after each step: a new segment 0;
 * attached read-write by the clause 1; attached again SHM_RDONLY by the
 * clause 2; attached by a helper 3; the helper detaches 2; the clause
 * detaches its two attachments 1, then 0.
 */
CLAUSE(shm_control_nattch_counts_attaches,
       .id = "shm.control.nattch_counts_attaches",
       .title = "shm_nattch counts every shmat and shmdt, two attaches in one process included",
       .cites = "seed:M3; POSIX.1-2017 XSH <sys/shm.h>, shmat(), shmdt(); shmop(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	int id = shm_sysv_create(t, shm_page(t), NULL);

	CHECK_EQ(t, shm_nattch(t, id), 0, "shm_nattch of a new segment");
	unsigned char *a = shm_attach(t, id);
	CHECK_EQ(t, shm_nattch(t, id), 1, "shm_nattch after the clause's first shmat");
	unsigned char *b = shm_attach_flags(t, id, SHM_RDONLY);
	CHECK_EQ(t, shm_nattch(t, id), 2, "shm_nattch after the clause's second (SHM_RDONLY) shmat");

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		/* Inherited attachments count too (another clause): leave them first. */
		REQUIRE_OK(t, iut_shmdt(t, a), "helper: shmdt of an inherited attachment");
		REQUIRE_OK(t, iut_shmdt(t, b), "helper: shmdt of an inherited attachment");
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause's count before the helper attaches");
		unsigned char *p = shm_attach(t, id);
		ipcconf_post(t, 2);
		ipcconf_await(t, 3, 1, "the clause's count after the helper attached");
		REQUIRE_EQ(t, iut_shmdt(t, p), 0, "helper: shmdt");
		ipcconf_post(t, 4);
		ipcconf_await(t, 5, 1, "the clause's count after the helper detached");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper without attachments");
	CHECK_EQ(t, shm_nattch(t, id), 2, "shm_nattch with the clause's two attachments");
	ipcconf_post(t, 1);
	ipcconf_await(t, 2, 1, "the helper's shmat");
	CHECK_EQ(t, shm_nattch(t, id), 3, "shm_nattch after the helper's shmat");
	ipcconf_post(t, 3);
	ipcconf_await(t, 4, 1, "the helper's shmdt");
	CHECK_EQ(t, shm_nattch(t, id), 2, "shm_nattch after the helper's shmdt");
	ipcconf_post(t, 5);
	ipcconf_join(t, helper, "the helper");

	REQUIRE_EQ(t, iut_shmdt(t, a), 0, "shmdt of the clause's read-write attachment");
	CHECK_EQ(t, shm_nattch(t, id), 1, "shm_nattch after the clause's first shmdt");
	REQUIRE_EQ(t, iut_shmdt(t, b), 0, "shmdt of the clause's read-only attachment");
	CHECK_EQ(t, shm_nattch(t, id), 0, "shm_nattch after the clause's second shmdt");
}

/*
 * POSIX.1-2017 XSH fork(): "Any shared memory segments attached to the
 * parent process shall be attached to the child process"; XSH _Exit()
 * (Consequences of Process Termination): "Each attached shared-memory
 * segment is detached and the value of shm_nattch (see shmget()) in the
 * data structure associated with its shared memory ID shall be
 * decremented by 1."  shmop(2) NOTES: after fork the child inherits the
 * attachments; "Upon _exit(2), all attached shared memory segments are
 * detached from the process."  seed:M3.  Checked here: the clause
 * attaches (nattch 1); a forked child sees nattch 2 by its own IPC_STAT,
 * and so does the parent; the child exits without shmdt: nattch 1; a
 * second child is killed by SIGKILL while attached: nattch 2 while it
 * lives, 1 once it is reaped.
 */
CLAUSE(shm_control_nattch_fork_and_exit,
       .id = "shm.control.nattch_fork_and_exit",
       .title = "fork adds an attach to shm_nattch; exit and death by SIGKILL take it away",
       .cites = "seed:M3; POSIX.1-2017 XSH fork(), _Exit() Consequences of Process Termination, shmget(); shmop(2) NOTES",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	int id = shm_sysv_create(t, shm_page(t), NULL);
	shm_attach(t, id);
	CHECK_EQ(t, shm_nattch(t, id), 1, "shm_nattch after the clause's shmat");

	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		CHECK_EQ(t, shm_nattch(t, id), 2, "child: shm_nattch with the inherited attachment");
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the parent's count");
		ipcconf_exit(t); /* no shmdt: exit must detach */
	}
	ipcconf_await(t, 0, 1, "the child's count");
	CHECK_EQ(t, shm_nattch(t, id), 2, "shm_nattch with a forked child alive");
	ipcconf_post(t, 1);
	ipcconf_join(t, child, "the child that exits attached");
	CHECK_EQ(t, shm_nattch(t, id), 1, "shm_nattch after the child exited without shmdt");

	pid_t doomed = ipcconf_fork(t);
	if (doomed == 0) {
		ipcconf_post(t, 2);
		/* Never posted: this child waits to be killed. */
		ipcconf_await(t, 15, 1, "SIGKILL from the clause (never posted)");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 2, 1, "the second child running");
	CHECK_EQ(t, shm_nattch(t, id), 2, "shm_nattch with the second child alive");
	ipcconf_kill(t, doomed, SIGKILL);
	int status = 0;
	REQUIRE(t, ipcconf_wait(t, doomed, &status), "the killed child was not reaped");
	REQUIRE(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		"the second child ended with status %#x, not by SIGKILL", status);
	CHECK_EQ(t, shm_nattch(t, id), 1, "shm_nattch after the second child was killed");
}
