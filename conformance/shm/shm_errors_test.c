/*
 * Shared memory clauses: errors.  Exclusive creation of what exists
 * (EEXIST), opening or finding what does not (ENOENT), a writable shared
 * mapping of a read-only handle (EACCES), shmdt of what is not attached
 * (EINVAL), a name that is too long -- each refused, and refused without
 * touching the object there is (seed:M3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * POSIX.1-2017 XSH shm_open() ERRORS: "[EEXIST] O_CREAT and O_EXCL are
 * set and the named shared memory object already exists."  shm_open(3):
 * "The check for the existence of the object, and its creation if it does
 * not exist, are performed atomically."  seed:M3.  Checked here: on the
 * name of an object of a page holding pattern 16, shm_open with O_RDWR |
 * O_CREAT | O_EXCL and with O_RDONLY | O_CREAT | O_EXCL | O_TRUNC fails
 * with -EEXIST; the object keeps its size and its bytes.
 */
CLAUSE(shm_open_excl_existing_eexist,
       .id = "shm.open.excl_existing_eexist",
       .title = "shm_open with O_CREAT | O_EXCL of an existing name fails with -EEXIST, the object untouched",
       .cites = "seed:M3; POSIX.1-2017 XSH shm_open() ERRORS [EEXIST]; shm_open(3)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "excl", len, &name);
	unsigned char *p = shm_map_shared(t, h, len);
	shm_fill(p, len, 16);

	CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST);
	CHECK_FAILS(t, iut_shm_open(t, name, O_RDONLY | O_CREAT | O_EXCL | O_TRUNC, 0600), -EEXIST);
	CHECK_EQ(t, shm_size_of(t, h), (long long)len, "the object's size after the refused opens");
	shm_expect_pattern(t, p, len, 16, "the object's bytes after the refused opens");
}

/*
 * POSIX.1-2017 XSH shmget() ERRORS: "[EEXIST] A shared memory identifier
 * exists for the argument key but (shmflg & IPC_CREAT) && (shmflg &
 * IPC_EXCL) is non-zero."  shmget(2) [EEXIST].  seed:M3.  Checked here: on
 * the key of a segment of a page holding pattern 17, shmget with
 * IPC_CREAT | IPC_EXCL and mode 0600, mode 0666, and a smaller size each
 * fails with -EEXIST; shm_segsz and mode are unchanged and the bytes are
 * still there.
 */
CLAUSE(shm_get_excl_existing_eexist,
       .id = "shm.get.excl_existing_eexist",
       .title = "shmget with IPC_CREAT | IPC_EXCL of a key that has a segment fails with -EEXIST",
       .cites = "seed:M3; POSIX.1-2017 XSH shmget() ERRORS [EEXIST]; shmget(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key;
	size_t len = shm_page(t);
	int id = shm_sysv_create(t, len, &key);
	unsigned char *p = shm_attach(t, id);
	shm_fill(p, len, 17);

	CHECK_FAILS(t, iut_shmget(t, key, len, IPC_CREAT | IPC_EXCL | 0600), -EEXIST);
	CHECK_FAILS(t, iut_shmget(t, key, len, IPC_CREAT | IPC_EXCL | 0666), -EEXIST);
	CHECK_FAILS(t, iut_shmget(t, key, 1, IPC_CREAT | IPC_EXCL | 0600), -EEXIST);
	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	CHECK_EQ(t, ds.shm_segsz, len, "shm_segsz after the refused shmget calls");
	CHECK_EQ(t, ds.shm_perm.mode & 0777, 0600, "the segment's mode after the refused shmget calls");
	shm_expect_pattern(t, p, len, 17, "the segment's bytes after the refused shmget calls");
}

/*
 * POSIX.1-2017 XSH shm_open() ERRORS: "[ENOENT] O_CREAT is not set and the
 * named shared memory object does not exist."  shm_open(3) [ENOENT].
 * seed:M3.  Checked here: on a name no object has, shm_open O_RDWR,
 * O_RDONLY and O_RDWR | O_TRUNC fail with -ENOENT and create nothing
 * (O_RDWR is still -ENOENT afterwards).
 */
CLAUSE(shm_open_missing_enoent,
       .id = "shm.open.missing_enoent",
       .title = "shm_open without O_CREAT of a name with no object fails with -ENOENT",
       .cites = "seed:M3; POSIX.1-2017 XSH shm_open() ERRORS [ENOENT]; shm_open(3)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name = ipcconf_posix_name(t, "missing");

	CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR, 0600), -ENOENT);
	CHECK_FAILS(t, iut_shm_open(t, name, O_RDONLY, 0600), -ENOENT);
	CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR | O_TRUNC, 0600), -ENOENT);
	CHECK_FAILS(t, iut_shm_open(t, name, O_RDWR, 0600), -ENOENT);
}

/*
 * POSIX.1-2017 XSH shm_unlink() ERRORS: "[ENOENT] The named shared memory
 * object does not exist."  shm_open(3) [ENOENT]: "An attempt was to made
 * to shm_unlink() a name that does not exist."  seed:M3.  Checked here:
 * shm_unlink of a name never created fails with -ENOENT; an object is
 * created and unlinked (0), and a second shm_unlink of its name fails
 * with -ENOENT.
 */
CLAUSE(shm_unlink_missing_enoent,
       .id = "shm.unlink.missing_enoent",
       .title = "shm_unlink of a name with no object, or already unlinked, fails with -ENOENT",
       .cites = "seed:M3; POSIX.1-2017 XSH shm_unlink() ERRORS [ENOENT]; shm_open(3)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *never = ipcconf_posix_name(t, "never");
	CHECK_FAILS(t, iut_shm_unlink(t, never), -ENOENT);

	const char *name;
	shm_posix_create(t, "twice", shm_page(t), &name);
	CHECK_EQ(t, iut_shm_unlink(t, name), 0, "the first shm_unlink");
	CHECK_FAILS(t, iut_shm_unlink(t, name), -ENOENT);
}

/*
 * POSIX.1-2017 XSH shmget() ERRORS: "[ENOENT] A shared memory identifier
 * does not exist for the argument key and (shmflg & IPC_CREAT) is 0."
 * shmget(2) [ENOENT].  seed:M3.  Checked here: on a key no segment has,
 * shmget(key, a page, 0600) and shmget(key, 0, 0) fail with -ENOENT, and
 * create nothing (the second call, made after the first, still fails).
 */
CLAUSE(shm_get_missing_enoent,
       .id = "shm.get.missing_enoent",
       .title = "shmget without IPC_CREAT of a key with no segment fails with -ENOENT",
       .cites = "seed:M3; POSIX.1-2017 XSH shmget() ERRORS [ENOENT]; shmget(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	key_t key = ipcconf_sysv_key(t);

	CHECK_FAILS(t, iut_shmget(t, key, shm_page(t), 0600), -ENOENT);
	CHECK_FAILS(t, iut_shmget(t, key, 0, 0), -ENOENT);
}

/*
 * POSIX.1-2017 XSH mmap() ERRORS: "[EACCES] The fildes argument is not
 * open for read, regardless of the protection specified, or fildes is
 * not open for write and PROT_WRITE was specified for a MAP_SHARED type
 * mapping."  mmap(): PROT_WRITE needs a descriptor open for writing
 * "unless MAP_PRIVATE is specified".  shm_open(3) O_RDONLY: such an
 * object "can be mmap(2)ed only for read (PROT_READ) access".  seed:M3.
 * Checked here: an object of a page holding pattern 18 is opened again
 * O_RDONLY; mmap of that handle PROT_READ | PROT_WRITE, MAP_SHARED fails
 * with -EACCES, while PROT_READ, MAP_SHARED succeeds and reads pattern
 * 18, and PROT_READ | PROT_WRITE, MAP_PRIVATE succeeds too (the refusal
 * is for shared writing only).
 */
CLAUSE(shm_map_rdonly_handle_shared_write_eacces,
       .id = "shm.map.rdonly_handle_shared_write_eacces",
       .title = "a writable MAP_SHARED mapping of an O_RDONLY handle fails with -EACCES",
       .cites = "seed:M3; POSIX.1-2017 XSH mmap() ERRORS [EACCES]; shm_open(3) O_RDONLY; mmap(2)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "rdonly", len, &name);
	unsigned char *p = shm_map_shared(t, h, len);
	shm_fill(p, len, 18);
	int ro = iut_shm_open(t, name, O_RDONLY, 0);
	REQUIRE_OK(t, ro, "shm_open(O_RDONLY) of the existing object");

	void *v = NULL;
	CHECK_FAILS(t, iut_shm_map(t, ro, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &v), -EACCES);
	v = NULL;
	int r = iut_shm_map(t, ro, len, PROT_READ, MAP_SHARED, 0, &v);
	CHECK_EQ(t, r, 0, "mmap(PROT_READ, MAP_SHARED) of the O_RDONLY handle");
	if (r == 0 && v)
		shm_expect_pattern(t, v, len, 18, "the object through a read-only shared mapping");
	v = NULL;
	CHECK_EQ(t, iut_shm_map(t, ro, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, &v), 0,
		 "mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE) of the O_RDONLY handle");
}

/*
 * POSIX.1-2017 XSH shmdt() ERRORS: "[EINVAL] The value of shmaddr is not
 * the data segment start address of a shared memory segment."  shmop(2)
 * shmdt() [EINVAL]: "There is no shared memory segment attached at
 * shmaddr; or, shmaddr is not aligned on a page boundary."  seed:M3.
 * Checked here: with a 2-page segment attached at A, shmdt(A + 1 page)
 * (inside it, not its start) fails with -EINVAL and leaves it attached
 * (shm_nattch 1, its bytes still read); shmdt of a page-aligned address in
 * the clause's own heap (no segment there) fails with -EINVAL; shmdt(A)
 * succeeds; a second shmdt(A) fails with -EINVAL.
 */
CLAUSE(shm_detach_not_attached_einval,
       .id = "shm.detach.not_attached_einval",
       .title = "shmdt of an address where no segment starts fails with -EINVAL",
       .cites = "seed:M3; POSIX.1-2017 XSH shmdt() ERRORS [EINVAL]; shmop(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	size_t page = shm_page(t);
	int id = shm_sysv_create(t, 2 * page, NULL);
	unsigned char *a = shm_attach(t, id);
	shm_fill(a, 2 * page, 19);

	CHECK_FAILS(t, iut_shmdt(t, a + page), -EINVAL);
	CHECK_EQ(t, shm_nattch(t, id), 1, "shm_nattch after the refused shmdt inside the segment");
	shm_expect_pattern(t, a, 2 * page, 19, "the segment after the refused shmdt inside it");

	void *heap = aligned_alloc(page, page);
	if (!heap)
		BROKEN(t, "aligned_alloc of a page");
	CHECK_FAILS(t, iut_shmdt(t, heap), -EINVAL);
	free(heap);

	CHECK_EQ(t, iut_shmdt(t, a), 0, "shmdt of the segment's start address");
	CHECK_FAILS(t, iut_shmdt(t, a), -EINVAL);
}

/*
 * shm_open(3) ERRORS: "ENAMETOOLONG The length of name exceeds PATH_MAX."
 * POSIX.1-2017 XSH shm_open() lists [ENAMETOOLONG] for a name beyond
 * {_XOPEN_PATH_MAX}, and [EINVAL] "The shm_open() operation is not
 * supported for the given name."  glibc (2.36 here) checks the name in a
 * buffer of its own and gives EINVAL for one this long, not the manual's
 * ENAMETOOLONG: either error is accepted as the refusal, nothing else.
 * seed:M3.  Checked here: a name of "/" and PATH_MAX letters (PATH_MAX + 1
 * bytes) is refused by shm_open with O_RDWR | O_CREAT | O_EXCL, and by
 * shm_open with O_RDONLY, each with -ENAMETOOLONG or -EINVAL.  Not
 * checked: shm_unlink of that name (glibc gives ENOENT -- "the named
 * object does not exist", which is true too -- and POSIX only "may" fail
 * with ENAMETOOLONG), and names without a leading slash or with a slash
 * inside, whose meaning POSIX leaves implementation-defined (glibc opens
 * "name" as "/name").
 */
CLAUSE(shm_open_name_too_long_refused,
       .id = "shm.open.name_too_long_refused",
       .title = "shm_open of a name longer than PATH_MAX is refused with -ENAMETOOLONG or -EINVAL",
       .cites = "seed:M3; POSIX.1-2017 XSH shm_open() ERRORS [ENAMETOOLONG], [EINVAL]; shm_open(3) ERRORS",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	char *name = malloc(PATH_MAX + 2);
	if (!name)
		BROKEN(t, "malloc of a %d-byte name", PATH_MAX + 2);
	name[0] = '/';
	memset(name + 1, 'n', PATH_MAX);
	name[PATH_MAX + 1] = '\0';

	char b[32];
	long long r = iut_shm_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (r >= 0)
		iut_shm_unlink(t, name); /* created against the rule: leave nothing behind */
	CHECK(t, r == -ENAMETOOLONG || r == -EINVAL,
	      "shm_open(O_RDWR | O_CREAT | O_EXCL) of a %d-byte name: expected -ENAMETOOLONG or -EINVAL, got %s",
	      PATH_MAX + 1, ipcconf_result_name(r, b));
	r = iut_shm_open(t, name, O_RDONLY, 0);
	CHECK(t, r == -ENAMETOOLONG || r == -EINVAL,
	      "shm_open(O_RDONLY) of a %d-byte name: expected -ENAMETOOLONG or -EINVAL, got %s",
	      PATH_MAX + 1, ipcconf_result_name(r, b));
	free(name);
}
