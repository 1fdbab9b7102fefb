/*
 * Shared memory clauses: lifetimes.  shm_unlink removes a POSIX object's
 * name at once while its mappings live on; IPC_RMID marks a System V
 * segment, which lives until its last detach and is then gone
 * (seed:M1, M3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * POSIX.1-2017 XSH shm_unlink(): "The shm_unlink() function shall remove
 * the name of the shared memory object ... reuse of the name shall
 * subsequently cause shm_open() to behave as if no shared memory object
 * of this name exists (that is, shm_open() will fail if O_CREAT is not
 * set, or will create a new shared memory object if O_CREAT is set)."
 * shm_open(3): "a new, distinct object is created"; a new object
 * "initially has zero length".  seed:M3.  Checked here: an object of a
 * page holding pattern 6 stays mapped; after shm_unlink (0), shm_open of
 * the name O_RDWR and O_RDONLY fail with -ENOENT; shm_open with O_CREAT |
 * O_EXCL succeeds (the name is free), its size is 0, and once sized to a
 * page it reads as zeros; writing pattern 7 into it leaves the old
 * mapping's pattern 6 alone (two distinct objects).
 */
CLAUSE(shm_unlink_removes_name,
       .id = "shm.unlink.removes_name",
       .title = "after shm_unlink the name opens nothing, and O_CREAT makes a new, empty object",
       .cites = "seed:M3; POSIX.1-2017 XSH shm_unlink(), shm_open(); shm_open(3); shm_overview(7)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "unlinked", len, &name);
	unsigned char *old = shm_map_shared(t, h, len);
	shm_fill(old, len, 6);

	REQUIRE_EQ(t, iut_shm_unlink(t, name), 0, "shm_unlink of the existing name");
	CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR, 0), -ENOENT);
	CHECK_FAILS(t, iut_shm_open(t, name, O_RDONLY, 0), -ENOENT);

	int h2 = iut_shm_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	REQUIRE_OK(t, h2, "shm_open(O_RDWR | O_CREAT | O_EXCL) of the unlinked name");
	CHECK_EQ(t, shm_size_of(t, h2), 0, "the size of the object created anew on the name");
	REQUIRE_OK(t, iut_shm_truncate(t, h2, (off_t)len), "ftruncate of the new object to a page");
	unsigned char *fresh = shm_map_shared(t, h2, len);
	shm_expect_zero(t, fresh, 0, len, "the new object on the unlinked name");
	shm_fill(fresh, len, 7);
	shm_expect_pattern(t, old, len, 6, "the unlinked object's mapping after the new object was written");
}

/*
 * POSIX.1-2017 XSH shm_unlink(): "If one or more references to the shared
 * memory object exist when the object is unlinked, the name shall be
 * removed before shm_unlink() returns, but the removal of the memory
 * object contents shall be postponed until all open and map references to
 * the shared memory object have been removed."  shm_open(3): it
 * "deallocates and destroys the contents" only "once all processes have
 * unmapped the object".  seed:M1.  Checked here: the clause process and a
 * helper each map the object (the helper opens the name itself); the
 * clause unlinks it, then writes pattern 8, which the helper reads; the
 * helper writes pattern 9, which the clause reads after the helper ended;
 * and the clause's handle, still open, reports the page size and maps
 * anew onto pattern 9.
 */
CLAUSE(shm_unlink_mappings_stay_shared,
       .id = "shm.unlink.mappings_stay_shared",
       .title = "after shm_unlink existing mappings and handles still reach one shared object",
       .cites = "seed:M1; POSIX.1-2017 XSH shm_unlink(); shm_open(3); shm_overview(7)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "kept", len, &name);
	unsigned char *mine = shm_map_shared(t, h, len);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		int hh = iut_shm_open(t, name, O_RDWR, 0);
		REQUIRE_OK(t, hh, "helper: shm_open(O_RDWR) before the unlink");
		unsigned char *theirs = shm_map_shared(t, hh, len);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause's unlink and its bytes");
		shm_expect_pattern(t, theirs, len, 8, "helper: the clause's bytes written after the unlink");
		shm_fill(theirs, len, 9);
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's mapping");
	REQUIRE_EQ(t, iut_shm_unlink(t, name), 0, "shm_unlink while both processes map the object");
	shm_fill(mine, len, 8);
	ipcconf_post(t, 1);
	ipcconf_join(t, helper, "the helper");
	shm_expect_pattern(t, mine, len, 9, "the helper's bytes written after the unlink");
	CHECK_EQ(t, shm_size_of(t, h), (long long)len, "the size through the handle still open after the unlink");
	unsigned char *again = shm_map_shared(t, h, len);
	shm_expect_pattern(t, again, len, 9, "a new mapping of the handle still open after the unlink");
}

/*
 * shmctl(2) IPC_RMID: "Mark the segment to be destroyed.  The segment will
 * actually be destroyed only after the last process detaches it ... If a
 * segment has been marked for destruction, then the (nonstandard)
 * SHM_DEST flag of the shm_perm.mode field in the associated data
 * structure retrieved by IPC_STAT will be set."  Linux (ipc/shm.c,
 * do_shm_rmid) also makes the marked segment's key IPC_PRIVATE, so the key
 * finds nothing: shmget(2) [ENOENT] "No segment exists for the given key".
 * seed:M3.  Checked here: a segment attached by the clause holds pattern
 * 10; after IPC_RMID (0), IPC_STAT still succeeds with SHM_DEST set in
 * shm_perm.mode, the permission bits 0600 kept, shm_perm.__key
 * IPC_PRIVATE and shm_nattch 1; shmget(key, 0, 0) fails with -ENOENT;
 * the attachment still reads pattern 10; and IPC_CREAT | IPC_EXCL on the
 * key makes a new segment with another id whose memory is zero.
 */
CLAUSE(shm_control_rmid_marks_dest,
       .id = "shm.control.rmid_marks_dest",
       .title = "IPC_RMID of an attached segment sets SHM_DEST and frees its key, the memory stays",
       .cites = "seed:M3; shmctl(2) IPC_RMID, SHM_DEST; shmget(2) [ENOENT]; Linux ipc/shm.c do_shm_rmid",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key;
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, &key);
	unsigned char *p = shm_attach(t, id);
	shm_fill(p, len, 10);

	REQUIRE_EQ(t, iut_shmctl(t, id, IPC_RMID, NULL), 0, "shmctl(IPC_RMID) of the attached segment");
	struct shmid_ds ds;
	memset(&ds, 0, sizeof ds);
	REQUIRE_EQ(t, iut_shmctl(t, id, IPC_STAT, &ds), 0, "IPC_STAT of the marked, still attached segment");
	CHECK(t, ds.shm_perm.mode & SHM_DEST, "shm_perm.mode %#o after IPC_RMID: SHM_DEST (%#o) is not set",
	      (unsigned)ds.shm_perm.mode, (unsigned)SHM_DEST);
	CHECK_EQ(t, ds.shm_perm.mode & 0777, 0600, "the permission bits of the marked segment");
	CHECK_EQ(t, ds.shm_perm.__key, IPC_PRIVATE, "shm_perm.__key of the marked segment");
	CHECK_EQ(t, ds.shm_nattch, 1, "shm_nattch of the marked segment");
	CHECK_FAILS(t, iut_shmget(t, key, 0, 0), -ENOENT);
	shm_expect_pattern(t, p, len, 10, "the attachment of the marked segment");

	int again = iut_shmget(t, key, len, IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE_OK(t, again, "shmget(key, IPC_CREAT | IPC_EXCL | 0600) after IPC_RMID");
	CHECK(t, again != id, "the segment made anew on the key has the marked segment's id %d", id);
	unsigned char *q = shm_attach(t, again);
	shm_expect_zero(t, q, 0, len, "the segment made anew on the key");
}

/*
 * shmctl(2) IPC_RMID: "The segment will actually be destroyed only after
 * the last process detaches it (i.e., when the shm_nattch member ... is
 * zero)."  shmop(2) shmdt(): shm_nattch "is decremented by one.  If it
 * becomes 0 and the segment is marked for deletion, the segment is
 * deleted."  POSIX.1-2017 XSH shmctl() IPC_RMID.  seed:M1, seed:M3.
 * Checked here: the clause process and a helper both attach; the clause
 * removes the segment (IPC_RMID), writes pattern 11 and detaches; IPC_STAT
 * still works and counts 1 attach; the helper reads pattern 11 through its
 * attachment and detaches; then the identifier names nothing: IPC_STAT
 * fails with -EINVAL or -EIDRM.
 */
CLAUSE(shm_control_rmid_lives_until_last_detach,
       .id = "shm.control.rmid_lives_until_last_detach",
       .title = "a removed segment stays usable for those attached, and is gone after the last detach",
       .cites = "seed:M1; seed:M3; POSIX.1-2017 XSH shmctl() IPC_RMID, shmdt(); shmctl(2); shmop(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, NULL);
	unsigned char *mine = shm_attach(t, id);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		REQUIRE_OK(t, iut_shmdt(t, mine), "helper: shmdt of the inherited attachment");
		unsigned char *theirs = shm_attach(t, id);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause's IPC_RMID, bytes and detach");
		shm_expect_pattern(t, theirs, len, 11,
				   "helper: bytes written after IPC_RMID, read after the writer detached");
		REQUIRE_EQ(t, iut_shmdt(t, theirs), 0, "helper: the last shmdt");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's own attachment");
	REQUIRE_EQ(t, iut_shmctl(t, id, IPC_RMID, NULL), 0, "shmctl(IPC_RMID) with two attachments");
	shm_fill(mine, len, 11);
	REQUIRE_EQ(t, iut_shmdt(t, mine), 0, "the clause's shmdt after IPC_RMID");
	struct shmid_ds ds;
	memset(&ds, 0, sizeof ds);
	CHECK_EQ(t, iut_shmctl(t, id, IPC_STAT, &ds), 0, "IPC_STAT of the removed segment one process still attaches");
	CHECK_EQ(t, ds.shm_nattch, 1, "shm_nattch of the removed segment with the helper still attached");
	ipcconf_post(t, 1);
	ipcconf_join(t, helper, "the helper holding the last attachment");

	char b[32];
	long long r = iut_shmctl(t, id, IPC_STAT, &ds);
	CHECK(t, shm_gone(r), "IPC_STAT after the last detach of a removed segment: expected -EINVAL or -EIDRM, got %s",
	      ipcconf_result_name(r, b));
}

/*
 * POSIX.1-2017 XSH shmat() ERRORS: "[EINVAL] The value of shmid is not a
 * valid shared memory identifier"; shmop(2) ERRORS: "EIDRM shmid points
 * to a removed identifier", "EINVAL Invalid shmid value"; shmctl(2)
 * IPC_RMID of a segment nobody attaches destroys it.  seed:M3.  Checked
 * here: a segment no process attaches is removed (IPC_RMID, 0); shmat of
 * its id, read-write and SHM_RDONLY, fails with -EINVAL or -EIDRM, as
 * does IPC_STAT; shmget(key, 0, 0) fails with -ENOENT.
 */
CLAUSE(shm_attach_removed_id_fails,
       .id = "shm.attach.removed_id_fails",
       .title = "shmat of a removed, unattached segment's id fails with -EINVAL or -EIDRM",
       .cites = "seed:M3; POSIX.1-2017 XSH shmat() ERRORS [EINVAL], shmctl() IPC_RMID; shmop(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key;
	int id = shm_sysv_create(t, shm_page(t), &key);

	REQUIRE_EQ(t, iut_shmctl(t, id, IPC_RMID, NULL), 0, "shmctl(IPC_RMID) of an unattached segment");
	void *p = NULL;
	char b[32];
	long long r = iut_shmat(t, id, 0, &p);
	CHECK(t, shm_gone(r), "shmat(removed id, 0): expected -EINVAL or -EIDRM, got %s", ipcconf_result_name(r, b));
	r = iut_shmat(t, id, SHM_RDONLY, &p);
	CHECK(t, shm_gone(r), "shmat(removed id, SHM_RDONLY): expected -EINVAL or -EIDRM, got %s",
	      ipcconf_result_name(r, b));
	struct shmid_ds ds;
	r = iut_shmctl(t, id, IPC_STAT, &ds);
	CHECK(t, shm_gone(r), "IPC_STAT of the removed id: expected -EINVAL or -EIDRM, got %s",
	      ipcconf_result_name(r, b));
	CHECK_FAILS(t, iut_shmget(t, key, 0, 0), -ENOENT);
}
