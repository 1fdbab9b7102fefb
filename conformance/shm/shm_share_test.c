/*
 * POSIX shared memory clauses: what one process writes through its
 * MAP_SHARED mapping, another reads through its own -- an unrelated
 * process, a forked child, a process that comes after the writer is gone
 * (seed:M1, M4); and the counter-example, MAP_PRIVATE, which shares
 * nothing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * POSIX.1-2017 XSH mmap(): "If MAP_SHARED is specified, write references
 * shall change the underlying object"; shm_open(): the object "can be
 * used by unrelated processes"; shm_overview(7).  seed:M1: the processes
 * exchange data by reading and writing the shared region; seed:M4: the
 * address spaces are separate, so the region needs a system call.
 * Checked here: a helper opens the object by name and maps it itself
 * (its own mapping, not one inherited across fork), writes a pattern and
 * posts a checkpoint; the clause process, through its mapping made
 * before, reads exactly that pattern, then writes another that the helper
 * reads back.
 */
struct share_arg {
	const char *name;
	size_t len;
};

CLAUSE(shm_posix_write_visible_to_other_process,
       .id = "shm.posix.write_visible_to_other_process",
       .title = "bytes written through one process's MAP_SHARED mapping are read through another's",
       .cites = "seed:M1; seed:M4; POSIX.1-2017 XSH shm_open(), mmap(); shm_overview(7)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "share", len, &name);
	unsigned char *mine = shm_map_shared(t, h, len);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		int hh = iut_shm_open(t, name, O_RDWR, 0);
		REQUIRE_OK(t, hh, "shm_open(O_RDWR) of the existing name in the helper");
		unsigned char *theirs = shm_map_shared(t, hh, len);
		for (size_t i = 0; i < len; i++)
			theirs[i] = (unsigned char)(i * 7 + 1);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause process's reply in the shared object");
		for (size_t i = 0; i < len; i++)
			if (theirs[i] != (unsigned char)(255 - i % 256)) {
				CHECK_EQ(t, theirs[i], (unsigned char)(255 - i % 256),
					 "a byte the clause process wrote, read in the helper");
				break;
			}
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's pattern in the shared object");
	unsigned char want[64];
	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (unsigned char)(i * 7 + 1);
	CHECK_MEM(t, mine, want, sizeof want);
	int same = 1;
	for (size_t i = 0; i < len && same; i++)
		same = mine[i] == (unsigned char)(i * 7 + 1);
	CHECK(t, same, "every byte of the helper's page is seen through the clause's mapping");
	for (size_t i = 0; i < len; i++)
		mine[i] = (unsigned char)(255 - i % 256);
	ipcconf_post(t, 1);
	ipcconf_join(t, helper, "the helper");
}

/*
 * POSIX.1-2017 XSH shm_open(): "When a shared memory object is created,
 * the state of the shared memory object, including all data associated
 * with the shared memory object, persists until the shared memory object
 * is unlinked and all other references are gone."  shm_overview(7): POSIX
 * shared memory objects have kernel persistence.  seed:M1 (the region is
 * where the data is exchanged), seed:M3 (the system only provides the
 * region).  Checked here: a helper creates the object by name, sizes it to
 * a page, writes a pattern through its own MAP_SHARED mapping, unmaps,
 * closes and exits; only then does the clause process (which never saw
 * the object) open the name, find the size the creator set, map it and
 * read the creator's pattern whole.
 */
CLAUSE(shm_posix_outlives_creator,
       .id = "shm.posix.outlives_creator",
       .title = "a POSIX object and its bytes outlive the process that created and wrote it",
       .cites = "seed:M1; seed:M3; POSIX.1-2017 XSH shm_open(); shm_overview(7)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name = ipcconf_posix_name(t, "left");
	size_t len = shm_page(t);

	pid_t creator = ipcconf_fork(t);
	if (creator == 0) {
		int h = shm_posix_create_named(t, name, len);
		unsigned char *p = shm_map_shared(t, h, len);
		shm_fill(p, len, 3);
		REQUIRE_OK(t, iut_shm_unmap(t, p, len), "creator: munmap");
		REQUIRE_OK(t, iut_close(t, h), "creator: close");
		ipcconf_exit(t);
	}
	shm_join_helper(t, creator, "the creating helper");

	int h = iut_shm_open(t, name, O_RDWR, 0);
	REQUIRE_OK(t, h, "shm_open(O_RDWR) of the name after its creator exited");
	CHECK_EQ(t, shm_size_of(t, h), (long long)len, "the object's size after its creator exited");
	unsigned char *p = shm_map_shared(t, h, len);
	shm_expect_pattern(t, p, len, 3, "the creator's bytes, read after it exited");
}

/*
 * POSIX.1-2017 XSH fork(): "Memory mappings created in the parent shall
 * be retained in the child process."  XSH mmap(): "If MAP_SHARED is
 * specified, write references shall change the underlying object."
 * seed:M1; seed:M4 (related processes share memory only through such a
 * region).  Checked here: the clause process maps a page MAP_SHARED and
 * writes pattern 1, then forks; the child, through the inherited mapping
 * (it maps nothing itself), reads pattern 1 and writes pattern 2; the
 * parent reads pattern 2 through its own mapping, writes pattern 3, and
 * the child reads pattern 3.  A mapping that fork made private (copy on
 * write) fails both directions.
 */
CLAUSE(shm_map_shared_inherited_by_fork,
       .id = "shm.map.shared_inherited_by_fork",
       .title = "a MAP_SHARED mapping inherited across fork stays shared between parent and child",
       .cites = "seed:M1; seed:M4; POSIX.1-2017 XSH fork(), mmap() MAP_SHARED; mmap(2); fork(2)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "fork", len, NULL);
	unsigned char *p = shm_map_shared(t, h, len);
	shm_fill(p, len, 1);

	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		shm_expect_pattern(t, p, len, 1, "child: the parent's bytes written before fork");
		shm_fill(p, len, 2);
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the parent's reply in the inherited mapping");
		shm_expect_pattern(t, p, len, 3, "child: the parent's bytes written after fork");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the child's bytes in the inherited mapping");
	shm_expect_pattern(t, p, len, 2, "parent: the child's bytes written after fork");
	shm_fill(p, len, 3);
	ipcconf_post(t, 1);
	ipcconf_join(t, child, "the child");
}

/*
 * POSIX.1-2017 XSH mmap(): "If MAP_PRIVATE is specified, modifications to
 * the mapped data by the calling process shall be visible only to the
 * calling process and shall not change the underlying object."  mmap(2)
 * MAP_PRIVATE: "Updates to the mapping are not visible to other processes
 * mapping the same file, and are not carried through to the underlying
 * file."  seed:M1, seed:M4: sharing is what MAP_SHARED asks for, not what
 * any mapping gives -- this is the counter-example.  Checked here: the
 * clause process writes pattern 1 through a MAP_SHARED mapping; a helper
 * opens the name and maps it MAP_PRIVATE read-write, reads pattern 1
 * there, writes pattern 2 and reads pattern 2 back (its own writes are
 * visible to itself); the clause's shared mapping still reads pattern 1,
 * and so does a new shared mapping of the object (it is unchanged).
 * Whether later writes to the object show through the private mapping is
 * unspecified, and not checked.
 */
CLAUSE(shm_map_private_not_shared,
       .id = "shm.map.private_not_shared",
       .title = "writes through a MAP_PRIVATE mapping are not seen by others and leave the object unchanged",
       .cites = "seed:M1; seed:M4; POSIX.1-2017 XSH mmap() MAP_PRIVATE; mmap(2)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "private", len, &name);
	unsigned char *mine = shm_map_shared(t, h, len);
	shm_fill(mine, len, 1);

	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		int hh = iut_shm_open(t, name, O_RDWR, 0);
		REQUIRE_OK(t, hh, "helper: shm_open(O_RDWR) of the existing name");
		void *v = NULL;
		REQUIRE_OK(t, iut_shm_map(t, hh, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, &v),
			   "helper: mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE)");
		unsigned char *priv = v;
		shm_expect_pattern(t, priv, len, 1, "helper: the object's bytes through a new private mapping");
		shm_fill(priv, len, 2);
		shm_expect_pattern(t, priv, len, 2, "helper: its own writes, read back through the private mapping");
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the clause process's checks");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the helper's writes through its private mapping");
	shm_expect_pattern(t, mine, len, 1,
			   "the clause's shared mapping after another process wrote its private mapping");
	unsigned char *again = shm_map_shared(t, h, len);
	shm_expect_pattern(t, again, len, 1, "a new shared mapping of the object (the object must be unchanged)");
	ipcconf_post(t, 1);
	ipcconf_join(t, helper, "the helper with the private mapping");
}
