/*
 * Shared memory clauses: what one process writes through its mapping,
 * another reads through its own (seed:M1, M4).
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
