/*
 * System V semaphore clauses: semget and permissions (seed:M2).  A set is
 * found by its key; IPC_CREAT | IPC_EXCL refuses an existing one, a
 * missing one without IPC_CREAT is ENOENT, sizes are checked against
 * SEMMSL and the existing set, and a set made 0600 is closed to other
 * users.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

/*
 * POSIX.1-2017 XSH semget() ERRORS: "[EINVAL] The value of nsems is
 * either less than or equal to 0 or greater than the system-imposed
 * limit"; semget(2): "EINVAL nsems is less than 0 or greater than the
 * limit on the number of semaphores per semaphore set (SEMMSL)", SEMMSL
 * being the first field of /proc/sys/kernel/sem (NOTES).  seed:M2.
 * Checked here on a key no set uses: semget with IPC_CREAT | IPC_EXCL |
 * 0600 and nsems SEMMSL + 1, 0 and -1 fails with -EINVAL each time, and
 * nothing was created (semget(key, 0, 0) fails with -ENOENT).  A SKIP when
 * SEMMSL cannot be read.
 */
CLAUSE(sem_get_nsems_out_of_range_einval,
       .id = "sem.get.nsems_out_of_range_einval",
       .title = "semget creating a set of more than SEMMSL, 0 or fewer semaphores fails with -EINVAL",
       .cites = "seed:M2; POSIX.1-2017 XSH semget() ERRORS [EINVAL]; semget(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	struct sem_limits l;

	sem_read_limits(&l);
	if (l.semmsl < 1)
		SKIP(t, "SEMMSL cannot be read from /proc/sys/kernel/sem");
	if (l.semmsl >= 0x7fffffff)
		SKIP(t, "SEMMSL is %ld: no nsems above it fits an int", l.semmsl);
	key_t key = ipcconf_sysv_key(t);
	STEP(t, "semget(key, SEMMSL + 1 = %ld, IPC_CREAT | IPC_EXCL | 0600)", l.semmsl + 1);
	CHECK_FAILS(t, iut_semget(t, key, (int)l.semmsl + 1, IPC_CREAT | IPC_EXCL | 0600), -EINVAL);
	CHECK_FAILS(t, iut_semget(t, key, 0, IPC_CREAT | IPC_EXCL | 0600), -EINVAL);
	CHECK_FAILS(t, iut_semget(t, key, -1, IPC_CREAT | IPC_EXCL | 0600), -EINVAL);
	CHECK_FAILS(t, iut_semget(t, key, 0, 0), -ENOENT);
}

/*
 * POSIX.1-2017 XSH semget() ERRORS: "[EINVAL] ... a semaphore identifier
 * exists for the argument key, but the number of semaphores in the set
 * associated with it is less than nsems and nsems is not equal to 0";
 * semget(2) ("A semaphore set corresponding to key already exists, but
 * nsems is larger than the number of semaphores in that set").  seed:M2.
 * Checked here with a set of three: semget(key, 4, 0) fails with -EINVAL;
 * semget(key, 3, 0), semget(key, 1, 0) and semget(key, 0, 0) return its
 * identifier.
 */
CLAUSE(sem_get_nsems_above_existing_einval,
       .id = "sem.get.nsems_above_existing_einval",
       .title = "semget of an existing set asking for more semaphores than it has fails with -EINVAL",
       .cites = "seed:M2; POSIX.1-2017 XSH semget() ERRORS [EINVAL]; semget(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	key_t key;
	int id = sem_sysv_create(t, 3, &key);

	CHECK_FAILS(t, iut_semget(t, key, 4, 0), -EINVAL);
	CHECK_EQ(t, iut_semget(t, key, 3, 0), id, "semget(key, 3, 0) of a set of three");
	CHECK_EQ(t, iut_semget(t, key, 1, 0), id, "semget(key, 1, 0) of a set of three");
	CHECK_EQ(t, iut_semget(t, key, 0, 0), id, "semget(key, 0, 0) of a set of three");
}

/*
 * POSIX.1-2017 XSH semget() ERRORS: "[EEXIST] A semaphore identifier
 * exists for the argument key but ((semflg & IPC_CREAT) && (semflg &
 * IPC_EXCL)) is non-zero"; without IPC_EXCL, semget "shall return the
 * semaphore identifier associated with key".  semget(2).  seed:M2.
 * Checked here with a set of two at [3, 4]: semget(key, 2, IPC_CREAT |
 * IPC_EXCL | 0600) fails with -EEXIST; semget(key, 2, IPC_CREAT | 0600)
 * returns the same identifier, in this process and in a helper; the set
 * still reads [3, 4].
 */
CLAUSE(sem_get_excl_existing_eexist,
       .id = "sem.get.excl_existing_eexist",
       .title = "semget with IPC_CREAT | IPC_EXCL of a key that has a set fails with -EEXIST",
       .cites = "seed:M2; POSIX.1-2017 XSH semget() ERRORS [EEXIST]; semget(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	key_t key;
	int id = sem_sysv_create(t, 2, &key);
	unsigned short values[] = { 3, 4 };

	REQUIRE_OK(t, iut_semctl(t, id, 0, SETALL, (union ipcconf_semun){ .array = values }),
		   "semctl(SETALL [3, 4])");
	CHECK_FAILS(t, iut_semget(t, key, 2, IPC_CREAT | IPC_EXCL | 0600), -EEXIST);
	CHECK_EQ(t, iut_semget(t, key, 2, IPC_CREAT | 0600), id, "semget(key, 2, IPC_CREAT | 0600)");
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		CHECK_EQ(t, iut_semget(t, key, 2, IPC_CREAT | 0600), id,
			 "semget(key, 2, IPC_CREAT | 0600) in another process");
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the helper finding the set by key");
	sem_sysv_expect_all(t, id, values, 2, "after the semget calls");
}

/*
 * POSIX.1-2017 XSH semget() ERRORS: "[ENOENT] A semaphore identifier does
 * not exist for the argument key and (semflg & IPC_CREAT) is equal to 0."
 * semget(2).  seed:M2.  Checked here on a key no set uses: semget(key, 1,
 * 0600) fails with -ENOENT twice (the first created nothing), and
 * semget(key, 1, IPC_CREAT | IPC_EXCL | 0600) then succeeds.
 */
CLAUSE(sem_get_missing_enoent,
       .id = "sem.get.missing_enoent",
       .title = "semget without IPC_CREAT of a key with no set fails with -ENOENT and creates nothing",
       .cites = "seed:M2; POSIX.1-2017 XSH semget() ERRORS [ENOENT]; semget(2)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV))
{
	key_t key = ipcconf_sysv_key(t);

	CHECK_FAILS(t, iut_semget(t, key, 1, 0600), -ENOENT);
	CHECK_FAILS(t, iut_semget(t, key, 1, 0600), -ENOENT);
	int id = iut_semget(t, key, 1, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(t, id >= 0, "semget(key, 1, IPC_CREAT | IPC_EXCL | 0600) after the refused calls: expected a new set, got %d",
	      id);
}

/*
 * POSIX.1-2017 XSH semget() ERRORS: "[EACCES] A semaphore identifier
 * exists for key, but operation permission as specified by the low-order
 * 9 bits of semflg would not be granted"; semop() ERRORS "[EACCES]
 * Operation permission is denied to the calling process"; semctl()
 * ERRORS "[EACCES] Operation permission is denied to the calling
 * process"; XSH 2.7 XSI Interprocess Communication: read and alter
 * permission come from the mode bits for owner, group and others.  semget(2), semop(2), semctl(2), sysvipc(7).  seed:M2.  Checked
 * here, as root: a set made 0600 at [1]; a helper that became the user
 * nobody (no capability that bypasses IPC permissions left), knowing the
 * key and identifier, gets -EACCES from semget(key, 1, 0600), from semop
 * {0, -1} IPC_NOWAIT, from GETVAL and from SETVAL; the set still reads
 * [1].  A SKIP where no other user can be had.
 */
CLAUSE(sem_get_other_user_eacces,
       .id = "sem.get.other_user_eacces",
       .title = "another user can neither get, operate on nor read a set made with mode 0600 (-EACCES)",
       .cites = "seed:M2; POSIX.1-2017 XSH semget() ERRORS [EACCES], semop() [EACCES], semctl() [EACCES], 2.7 XSI Interprocess Communication; semget(2); semop(2); sysvipc(7)",
       USES(SEM, IPCCONF_SEM_CAP_SYSV | IPCCONF_SEM_CAP_CREDENTIALS))
{
	sem_need_root(t);
	key_t key;
	int id = sem_sysv_create(t, 1, &key);
	sem_sysv_set(t, id, 0, 1);

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sem_become_other_user(t);
		CHECK_FAILS(t, iut_semget(t, key, 1, 0600), -EACCES);
		CHECK_FAILS(t, sem_sysv_op1(t, id, 0, -1, IPC_NOWAIT), -EACCES);
		CHECK_FAILS(t, iut_semctl(t, id, 0, GETVAL, (union ipcconf_semun){ .val = 0 }), -EACCES);
		CHECK_FAILS(t, iut_semctl(t, id, 0, SETVAL, (union ipcconf_semun){ .val = 5 }), -EACCES);
		ipcconf_exit(t);
	}
	sem_join_helper(t, h, "the helper of another user");
	CHECK_EQ(t, sem_sysv_value(t, id, 0), 1, "the value after the refused calls");
}
