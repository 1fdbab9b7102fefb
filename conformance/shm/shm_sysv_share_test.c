/*
 * System V shared memory clauses: one segment, attached by several
 * processes, is one region of memory (seed:M1, M4): what one writes the
 * others read, across fork and after the creator is gone; a read-only
 * attach reads the same memory but cannot write it; and the segment is
 * whole pages although shm_segsz keeps the size asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * POSIX.1-2017 XSH shmat(): "The shmat() function attaches the shared
 * memory segment associated with the shared memory identifier specified
 * by shmid to the address space of the calling process"; shmget():
 * returns "the shared memory identifier associated with key".
 * shmop(2); sysvipc(7).  seed:M1, seed:M4.  Checked here: the clause
 * process creates a page-sized segment and attaches it; a helper finds
 * the segment by key itself (shmget(key, 0, 0): it must be the clause's
 * id), attaches it itself (not an attachment inherited across fork),
 * writes pattern 1 and posts; the clause reads pattern 1 through its own
 * attachment, writes pattern 2, and the helper reads pattern 2.  An
 * shmat that gives each process a private copy fails both directions.
 */
CLAUSE(shm_sysv_write_visible_to_other_process,
       .id = "shm.sysv.write_visible_to_other_process",
       .title = "bytes written through one process's attachment of a segment are read through another's",
       .cites = "seed:M1; seed:M4; POSIX.1-2017 XSH shmget(), shmat(); shmop(2); sysvipc(7)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key;
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, &key);
	unsigned char *mine = shm_attach(t, id);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		/* Drop the inherited attachment: the helper's must be its own. */
		REQUIRE_OK(t, iut_shmdt(t, mine), "helper: shmdt of the inherited attachment");
		int hid = iut_shmget(t, key, 0, 0);
		REQUIRE_OK(t, hid, "helper: shmget(key, 0, 0) of the existing segment");
		CHECK_EQ(t, hid, id, "helper: the id shmget found for the key");
		unsigned char *theirs = shm_attach(t, hid);
		shm_fill(theirs, len, 1);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause process's reply in the segment");
		shm_expect_pattern(t, theirs, len, 2, "helper: the clause process's bytes");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's bytes in the segment");
	shm_expect_pattern(t, mine, len, 1, "the helper's bytes, read through the clause's attachment");
	shm_fill(mine, len, 2);
	ipcconf_post(t, 1);
	ipcconf_join(t, helper, "the helper");
}

/*
 * sysvipc(7) and shmctl(2) IPC_RMID: a segment exists until it is
 * removed (and then until its last detach); POSIX.1-2017 XSH shmget()
 * returns the identifier "associated with key" to any caller; shmop(2)
 * NOTES: exit detaches, it does not remove.  seed:M1, seed:M3.  Checked
 * here: a helper creates the segment by key, attaches, writes pattern 4,
 * detaches and exits; the clause process then finds the segment with
 * shmget(key, 0, 0), attaches it and reads pattern 4.  On Linux with
 * /proc/sys/kernel/shm_rmid_forced set to 1 (proc(5)) a segment nobody is
 * attached to is destroyed: the clause is then a SKIP, when it finds no
 * segment.
 */
CLAUSE(shm_sysv_outlives_creator,
       .id = "shm.sysv.outlives_creator",
       .title = "a segment and its bytes outlive the process that created, wrote and detached it",
       .cites = "seed:M1; seed:M3; POSIX.1-2017 XSH shmget(); shmctl(2) IPC_RMID; shmop(2); sysvipc(7); proc(5) shm_rmid_forced",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key = ipcconf_sysv_key(t);
	size_t len = shm_page(t);

	pid_t creator = ipcconf_fork(t);
	if (creator == 0) {
		int id = shm_sysv_create_keyed(t, key, len);
		unsigned char *p = shm_attach(t, id);
		shm_fill(p, len, 4);
		REQUIRE_OK(t, iut_shmdt(t, p), "creator: shmdt");
		ipcconf_exit(t);
	}
	shm_join_helper(t, creator, "the creating helper");

	int id = iut_shmget(t, key, 0, 0);
	if (id == -ENOENT && shm_sysctl("shm_rmid_forced") == 1)
		SKIP(t, "kernel.shm_rmid_forced is 1 here: a segment with no attachment is destroyed when its creator exits (proc(5))");
	REQUIRE_OK(t, id, "shmget(key, 0, 0) after the creator exited");
	unsigned char *p = shm_attach(t, id);
	shm_expect_pattern(t, p, len, 4, "the creator's bytes, read after it exited");
}

/*
 * POSIX.1-2017 XSH fork(): "Any shared memory segments attached to the
 * parent process shall be attached to the child process."  shmop(2)
 * NOTES: "After a fork(2), the child inherits the attached shared memory
 * segments."  seed:M1, seed:M4.  Checked here: the clause process
 * attaches a segment and writes pattern 1, then forks; the child reads
 * pattern 1 through the inherited attachment and writes pattern 2; the
 * parent reads pattern 2, writes pattern 3, and the child reads pattern
 * 3.  An attachment that fork made private fails both directions.
 */
CLAUSE(shm_attach_inherited_by_fork,
       .id = "shm.attach.inherited_by_fork",
       .title = "a segment attached before fork is the same memory in parent and child",
       .cites = "seed:M1; seed:M4; POSIX.1-2017 XSH fork(), shmat(); shmop(2) NOTES",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, NULL);
	unsigned char *p = shm_attach(t, id);
	shm_fill(p, len, 1);

	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		shm_expect_pattern(t, p, len, 1, "child: the parent's bytes written before fork");
		shm_fill(p, len, 2);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the parent's reply in the inherited attachment");
		shm_expect_pattern(t, p, len, 3, "child: the parent's bytes written after fork");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the child's bytes in the inherited attachment");
	shm_expect_pattern(t, p, len, 2, "parent: the child's bytes written after fork");
	shm_fill(p, len, 3);
	ipcconf_post(t, 1);
	ipcconf_join(t, child, "the child");
}

/*
 * POSIX.1-2017 XSH shmat(): with SHM_RDONLY in shmflg (and read
 * permission) the segment is attached for reading only.  shmop(2)
 * SHM_RDONLY: "Attach the segment for read-only access."  XSH mmap()
 * (Memory Protection): the implementation "shall not permit a write to
 * succeed where PROT_WRITE has not been set"; the kernel reports such a
 * write as SIGSEGV (seed:S4:
 * SIGSEGV, a bad address; signal(7)).  seed:M1.  Checked here: a segment
 * attached read-write holds pattern 5; a second, SHM_RDONLY attach in the
 * same process reads pattern 5 (the same memory: a byte changed through
 * the read-write attach afterwards is seen through the read-only one); a
 * one-byte write through the read-only attach, in a helper, kills it
 * with SIGSEGV; the byte is unchanged.
 */
CLAUSE(shm_attach_rdonly_reads_not_writes,
       .id = "shm.attach.rdonly_reads_not_writes",
       .title = "an SHM_RDONLY attach reads the segment, and a write through it raises SIGSEGV",
       .cites = "seed:M1; seed:S4; POSIX.1-2017 XSH shmat() SHM_RDONLY, mmap(); shmop(2); signal(7)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, NULL);
	unsigned char *rw = shm_attach(t, id);
	shm_fill(rw, len, 5);
	volatile unsigned char *ro = shm_attach_flags(t, id, SHM_RDONLY);

	shm_expect_pattern(t, ro, len, 5, "the bytes read through the SHM_RDONLY attach");
	rw[0] = 0xee;
	CHECK_EQ(t, ro[0], 0xee, "a byte written through the read-write attach, read through the read-only one");
	int sig = shm_access_signal(t, ro + 1, 1, 0xab);
	CHECK(t, sig == SIGSEGV, "a write through the SHM_RDONLY attach: expected SIGSEGV, got %s",
	      shm_signal_name(sig));
	CHECK_EQ(t, rw[1], shm_pattern_byte(1, 5), "the byte the refused write aimed at");
}

/*
 * shmget(2): "A new shared memory segment, with size equal to the value of
 * size rounded up to a multiple of PAGE_SIZE, is created", its contents
 * "initialized to zero values", and "shm_segsz is set to the value of
 * size"; POSIX.1-2017 XSH shmget(): "The value of shm_segsz is set equal
 * to the value of size."  shmctl(2) shm_segsz.  seed:M1.  Checked here: a
 * segment of 100 bytes reports shm_segsz 100 by IPC_STAT; through its
 * attachment the rest of the first page is there: a write at the page's
 * last byte in a helper (which inherited the attachment) completes
 * without a signal and is seen by the clause process, and bytes 100 up
 * to that last byte read as zero.  (Where shmmin is above 100, a SKIP.)
 */
CLAUSE(shm_get_size_rounded_up_to_pages,
       .id = "shm.get.size_rounded_up_to_pages",
       .title = "a segment occupies whole pages, while shm_segsz reports the size requested",
       .cites = "seed:M1; POSIX.1-2017 XSH shmget(), shmctl(); shmget(2); shmctl(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	const size_t asked = 100;
	size_t page = shm_page(t);
	struct shm_limits l;

	shm_read_limits(&l);
	if (l.have_shmmin && l.shmmin > asked)
		SKIP(t, "shmmin is %llu here: a %zu-byte segment cannot be made", l.shmmin, asked);
	int id = shm_sysv_create(t, asked, NULL);
	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	CHECK_EQ(t, ds.shm_segsz, asked, "shm_segsz of a segment created with size 100");

	unsigned char *p = shm_attach(t, id);
	int sig = shm_access_signal(t, p + page - 1, 1, 0x5a);
	REQUIRE(t, sig == 0, "a write at the last byte of the segment's first page (offset %zu): expected no signal, got %s",
		page - 1, shm_signal_name(sig));
	CHECK_EQ(t, p[page - 1], 0x5a, "the byte a helper wrote at the page's last offset, read by the clause");
	shm_expect_zero(t, p + asked, asked, page - 1 - asked, "the rest of the first page of a new segment");
}
