/*
 * Shared memory clauses: another user.  An object or segment made with
 * mode 0600 by one user is closed to every other user without a
 * privilege that bypasses the check: opening, finding with permission
 * bits, attaching and IPC_STAT are refused with EACCES (seed:M3, M4 --
 * the region is shared with those the mode admits, not with anyone).
 * These clauses need root, to make a helper that is the user nobody; a
 * SKIP says so where that cannot be had.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * POSIX.1-2017 XSH shm_open() ERRORS: "[EACCES] The shared memory object
 * exists and the permissions specified by oflag are denied, or the shared
 * memory object does not exist and permission to create the shared memory
 * object is denied, or O_TRUNC is specified and write permission is
 * denied."  shm_open(3) [EACCES].  seed:M3, seed:M4.  Checked here: root
 * creates an object of a page with mode 0600 and writes pattern 20; a
 * helper that became the user nobody can create and size an object of
 * its own (else a SKIP: the refusal below would not be about the mode),
 * gets -EACCES from shm_open of root's name with O_RDONLY, O_RDWR and
 * O_RDWR | O_TRUNC, and reopens its own; afterwards root's object still
 * has its size and bytes.
 */
CLAUSE(shm_open_other_user_eacces,
       .id = "shm.open.other_user_eacces",
       .title = "another user's shm_open of a 0600 object fails with -EACCES",
       .cites = "seed:M3; seed:M4; POSIX.1-2017 XSH shm_open() ERRORS [EACCES]; shm_open(3)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX | IPCCONF_SHM_CAP_CREDENTIALS))
{
	shm_need_root(t);
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "roots", len, &name);
	unsigned char *p = shm_map_shared(t, h, len);
	shm_fill(p, len, 20);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		shm_become_other_user(t);
		/*
		 * First the control: where this user may create no object at
		 * all (a /dev/shm others cannot write, as in some chroots and
		 * sandboxes), an EACCES for root's object would not be about
		 * its mode.
		 */
		const char *own = ipcconf_posix_name(t, "nobodys");
		int mine = iut_shm_open(t, own, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (mine == -EACCES)
			SKIP(t, "the user nobody may create no shared memory object here (-EACCES for a new "
				"name: is /dev/shm writable by others?), so an EACCES for root's object "
				"would not show its mode at work");
		REQUIRE_OK(t, mine, "the other user's shm_open(O_CREAT | O_EXCL) of a new name");
		REQUIRE_OK(t, iut_shm_truncate(t, mine, (off_t)len), "ftruncate of the other user's object");
		CHECK_FAILS(t, iut_shm_open(t, name, O_RDONLY, 0), -EACCES);
		CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR, 0), -EACCES);
		CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR | O_TRUNC, 0), -EACCES);
		int again = iut_shm_open(t, own, O_RDWR, 0);
		CHECK(t, again >= 0, "the other user's shm_open(O_RDWR) of its own 0600 object: expected success, got %d",
		      again);
		ipcconf_exit(t);
	}
	shm_join_helper(t, helper, "the helper of another user");
	CHECK_EQ(t, shm_size_of(t, h), (long long)len, "root's object's size after the other user's attempts");
	shm_expect_pattern(t, p, len, 20, "root's object's bytes after the other user's attempts");
}

/*
 * POSIX.1-2017 XSH shmget() ERRORS: "[EACCES] A shared memory identifier
 * exists for key but operation permission as specified by the low-order
 * nine bits of shmflg would not be granted"; XSH 2.7 (XSI Interprocess
 * Communication): permission is by the mode bits of the owner, group or
 * others class the caller is in.  shmget(2) [EACCES].  seed:M3, seed:M4.
 * Checked here: root's segment of mode 0600 on a key; a helper that
 * became the user nobody, and can make a segment of its own (else a SKIP:
 * the refusal would not be about the mode), gets -EACCES from shmget(key,
 * 0, 0600) and shmget(key, 0, 0400); shmget(key, 0, 0), which asks for no
 * permission, returns the segment's id.
 */
CLAUSE(shm_get_other_user_eacces,
       .id = "shm.get.other_user_eacces",
       .title = "another user's shmget asking for read or write of a 0600 segment fails with -EACCES",
       .cites = "seed:M3; seed:M4; POSIX.1-2017 XSH shmget() ERRORS [EACCES], XSH 2.7 XSI Interprocess Communication; shmget(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV | IPCCONF_SHM_CAP_CREDENTIALS))
{
	shm_need_root(t);
	key_t key, own_key = ipcconf_sysv_key(t);
	int id = shm_sysv_create(t, shm_page(t), &key);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		shm_become_other_user(t);
		/*
		 * The control first: where this user may make no segment at all
		 * (an implementation whose store it cannot write here), an
		 * EACCES for root's segment would not be about its mode.
		 */
		int mine = iut_shmget(t, own_key, shm_page(t), IPC_CREAT | IPC_EXCL | 0600);
		if (mine == -EACCES)
			SKIP(t, "the user nobody may make no segment of its own here (-EACCES), so an "
				"EACCES for root's segment would not show its mode at work");
		REQUIRE_OK(t, mine, "the other user's shmget(IPC_CREAT | IPC_EXCL) of a segment of its own");
		CHECK_FAILS(t, iut_shmget(t, key, 0, 0600), -EACCES);
		CHECK_FAILS(t, iut_shmget(t, key, 0, 0400), -EACCES);
		CHECK_EQ(t, iut_shmget(t, key, 0, 0), id, "the other user's shmget(key, 0, 0), asking for no permission");
		ipcconf_exit(t);
	}
	shm_join_helper(t, helper, "the helper of another user");
}

/*
 * POSIX.1-2017 XSH shmat() ERRORS: "[EACCES] Operation permission is
 * denied to the calling process"; shmop(2) SHM_RDONLY: "The process must
 * have read permission for the segment.  If this flag is not specified,
 * the segment is attached for read and write access, and the process
 * must have read and write permission"; XSH shmctl() IPC_SET sets
 * shm_perm.mode.  seed:M3, seed:M4.  Checked here: root's segment of mode
 * 0600 holding pattern 21; a helper that became the user nobody gets
 * -EACCES from shmat read-write and SHM_RDONLY; root then sets the mode to
 * 0604 (IPC_SET): the helper's SHM_RDONLY attach succeeds and reads
 * pattern 21, its read-write attach still fails with -EACCES.
 */
CLAUSE(shm_attach_other_user_eacces,
       .id = "shm.attach.other_user_eacces",
       .title = "another user's shmat needs the mode's read (SHM_RDONLY) or read and write permission",
       .cites = "seed:M3; seed:M4; POSIX.1-2017 XSH shmat() ERRORS [EACCES], shmctl() IPC_SET; shmop(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV | IPCCONF_SHM_CAP_CREDENTIALS))
{
	shm_need_root(t);
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, NULL);
	unsigned char *p = shm_attach(t, id);
	shm_fill(p, len, 21);

	pid_t before = ipcconf_fork(t);
	if (before == 0) {
		shm_become_other_user(t);
		void *v = NULL;
		CHECK_FAILS(t, iut_shmat(t, id, 0, &v), -EACCES);
		CHECK_FAILS(t, iut_shmat(t, id, SHM_RDONLY, &v), -EACCES);
		ipcconf_exit(t);
	}
	shm_join_helper(t, before, "the helper of another user, at mode 0600");

	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	ds.shm_perm.mode = 0604;
	REQUIRE_EQ(t, iut_shmctl(t, id, IPC_SET, &ds), 0, "shmctl(IPC_SET) of mode 0604");
	pid_t after = ipcconf_fork(t);
	if (after == 0) {
		shm_become_other_user(t);
		void *v = NULL;
		int r = iut_shmat(t, id, SHM_RDONLY, &v);
		CHECK_EQ(t, r, 0, "the other user's SHM_RDONLY shmat with mode 0604");
		if (r == 0 && v)
			shm_expect_pattern(t, v, len, 21, "root's bytes through the other user's read-only attach");
		CHECK_FAILS(t, iut_shmat(t, id, 0, &v), -EACCES);
		ipcconf_exit(t);
	}
	shm_join_helper(t, after, "the helper of another user, at mode 0604");
}

/*
 * POSIX.1-2017 XSH shmctl() ERRORS: "[EACCES] The argument cmd is equal
 * to IPC_STAT and the calling process does not have read permission on
 * the shared memory segment."  shmctl(2) [EACCES].  seed:M3.  Checked
 * here: root's segment of mode 0600; a helper that became the user nobody
 * gets -EACCES from IPC_STAT; root's own IPC_STAT of it succeeds.
 */
CLAUSE(shm_control_stat_other_user_eacces,
       .id = "shm.control.stat_other_user_eacces",
       .title = "another user's IPC_STAT of a 0600 segment fails with -EACCES",
       .cites = "seed:M3; POSIX.1-2017 XSH shmctl() ERRORS [EACCES]; shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV | IPCCONF_SHM_CAP_CREDENTIALS))
{
	shm_need_root(t);
	int id = shm_sysv_create(t, shm_page(t), NULL);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		shm_become_other_user(t);
		struct shmid_ds ds;
		CHECK_FAILS(t, iut_shmctl(t, id, IPC_STAT, &ds), -EACCES);
		ipcconf_exit(t);
	}
	shm_join_helper(t, helper, "the helper of another user");
	struct shmid_ds ds;
	CHECK_EQ(t, iut_shmctl(t, id, IPC_STAT, &ds), 0, "the owner's IPC_STAT of the same segment");
}
