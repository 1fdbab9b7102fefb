/*
 * Shared memory clauses: sizes.  A POSIX object starts empty and is sized
 * by ftruncate, which zero-fills what it adds; a mapping reaching whole
 * pages past the object's end faults there with SIGBUS (seed:S4).  A
 * System V segment's size is fixed at creation within the system's
 * SHMMIN and SHMMAX, and a later shmget may not ask for more.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/shm/shm_support.h"

/*
 * shm_open(3): "A new shared memory object initially has zero length--the
 * size of the object can be set using ftruncate(2).  The newly allocated
 * bytes of a shared memory object are automatically initialized to 0."
 * ftruncate(2): "If the file previously was shorter, it is extended, and
 * the extended part reads as null bytes".  POSIX.1-2017 XSH ftruncate():
 * "If fildes refers to a shared memory object, ftruncate() shall set the
 * size of the shared memory object to length"; XSH mmap(): "The system
 * shall always zero-fill any partial page at the end of an object."
 * seed:M1.  Checked here: a new object's size is 0; truncated to a page
 * its size is a page and it reads as zeros; with pattern 13 written over
 * that page it is truncated to 3 pages + 17 bytes: the size is exactly
 * that, and a new 4-page mapping shows pattern 13 in the first page and
 * zeros from there to the end of the 4th page.
 */
CLAUSE(shm_truncate_grows_with_zeros,
       .id = "shm.truncate.grows_with_zeros",
       .title = "a new object is empty, and ftruncate grows it with bytes that read as zero",
       .cites = "seed:M1; POSIX.1-2017 XSH ftruncate(), shm_open(), mmap(); shm_open(3); ftruncate(2)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	size_t page = shm_page(t);
	size_t grown = 3 * page + 17;
	const char *name = ipcconf_posix_name(t, "grow");
	int h = iut_shm_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	REQUIRE_OK(t, h, "shm_open(O_RDWR | O_CREAT | O_EXCL, 0600)");

	CHECK_EQ(t, shm_size_of(t, h), 0, "the size of a new object");
	REQUIRE_EQ(t, iut_shm_truncate(t, h, (off_t)page), 0, "ftruncate to one page");
	CHECK_EQ(t, shm_size_of(t, h), (long long)page, "the size after ftruncate to one page");
	unsigned char *one = shm_map_shared(t, h, page);
	shm_expect_zero(t, one, 0, page, "the first page, just allocated");
	shm_fill(one, page, 13);

	REQUIRE_EQ(t, iut_shm_truncate(t, h, (off_t)grown), 0, "ftruncate to 3 pages + 17 bytes");
	CHECK_EQ(t, shm_size_of(t, h), (long long)grown, "the size after ftruncate to 3 pages + 17 bytes");
	unsigned char *all = shm_map_shared(t, h, 4 * page);
	shm_expect_pattern(t, all, page, 13, "the first page after the object grew");
	shm_expect_zero(t, all + page, page, 3 * page, "the bytes the growth added, and the rest of their last page");
}

/*
 * ftruncate(2): "If the file previously was larger than this size, the
 * extra data is lost.  If the file previously was shorter, it is
 * extended, and the extended part reads as null bytes".  POSIX.1-2017 XSH
 * ftruncate(): for a shared memory object, "whole pages beyond the new
 * end shall be discarded".  seed:M1.  Checked here: an object of 2 pages
 * holding pattern 14, kept mapped, is shrunk to half a page + 3 bytes and
 * grown back to 2 pages: the first half page + 3 bytes keep pattern 14,
 * everything after reads as zero -- through a new mapping and through
 * the one kept across both calls.
 */
CLAUSE(shm_truncate_shrink_then_grow_zeros,
       .id = "shm.truncate.shrink_then_grow_zeros",
       .title = "bytes cut off by shrinking an object read as zero when it grows again",
       .cites = "seed:M1; POSIX.1-2017 XSH ftruncate(); ftruncate(2); shm_open(3)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	size_t page = shm_page(t);
	size_t len = 2 * page, cut = page / 2 + 3;
	int h = shm_posix_create(t, "shrink", len, NULL);
	unsigned char *kept = shm_map_shared(t, h, len);
	shm_fill(kept, len, 14);

	REQUIRE_EQ(t, iut_shm_truncate(t, h, (off_t)cut), 0, "ftruncate down to half a page + 3 bytes");
	CHECK_EQ(t, shm_size_of(t, h), (long long)cut, "the size after shrinking");
	REQUIRE_EQ(t, iut_shm_truncate(t, h, (off_t)len), 0, "ftruncate back up to 2 pages");
	CHECK_EQ(t, shm_size_of(t, h), (long long)len, "the size after growing again");

	unsigned char *fresh = shm_map_shared(t, h, len);
	shm_expect_pattern(t, fresh, cut, 14, "the bytes the shrink kept, through a new mapping");
	shm_expect_zero(t, fresh + cut, cut, len - cut, "the bytes cut off and grown back, through a new mapping");
	shm_expect_pattern(t, kept, cut, 14, "the bytes the shrink kept, through the mapping kept across");
	shm_expect_zero(t, kept + cut, cut, len - cut, "the bytes cut off and grown back, through the mapping kept across");
}

/*
 * POSIX.1-2017 XSH mmap(): "The system shall always zero-fill any partial
 * page at the end of an object. ... References within the address range
 * starting at pa and continuing for len bytes to whole pages following
 * the end of an object shall result in delivery of a SIGBUS signal."  XSH
 * ftruncate(): "If the effect of ftruncate() is to decrease the size of a
 * memory mapped file or a shared memory object and whole pages beyond the
 * new end were previously mapped, then the whole pages beyond the new end
 * shall be discarded.  References to discarded pages shall result in the
 * generation of a SIGBUS signal."  seed:S4 (SIGBUS: a bad address).
 * Checked here, each access in a helper: an object of a page + 100 bytes
 * mapped for 3 pages: reading its last byte and the first byte after its
 * end (same page) completes, and the rest of that page reads as zero;
 * reading and writing the first byte of the 3rd page, and reading its
 * last byte, raise SIGBUS.  Then the object is shrunk to 100 bytes under
 * the mapping: reading byte 50 completes, reading the first byte of the
 * 2nd page raises SIGBUS.
 */
CLAUSE(shm_map_beyond_end_sigbus,
       .id = "shm.map.beyond_end_sigbus",
       .title = "access to whole mapped pages past the object's end raises SIGBUS; the partial page is zero",
       .cites = "seed:S4; seed:M1; POSIX.1-2017 XSH mmap(), ftruncate(); mmap(2) SIGBUS; signal(7)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	size_t page = shm_page(t);
	size_t size = page + 100;
	int h = shm_posix_create(t, "short", size, NULL);
	unsigned char *m = shm_map_shared(t, h, 3 * page);
	const struct {
		size_t offset;
		int write;
		int want;
		const char *what;
	} probes[] = {
		{ size - 1, 0, 0, "a read of the object's last byte" },
		{ size, 0, 0, "a read of the first byte past the end, in the object's last page" },
		{ 2 * page, 0, SIGBUS, "a read of the first byte of the first whole page past the end" },
		{ 2 * page, 1, SIGBUS, "a write to the first byte of the first whole page past the end" },
		{ 3 * page - 1, 0, SIGBUS, "a read of the last byte of the mapping" },
	};

	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		int sig = shm_access_signal(t, m + probes[i].offset, probes[i].write, 0x77);
		CHECK(t, sig == probes[i].want, "%s (offset %zu of an object of %zu bytes): expected %s, got %s",
		      probes[i].what, probes[i].offset, size, shm_signal_name(probes[i].want),
		      shm_signal_name(sig));
	}
	shm_expect_zero(t, m + size, size, 2 * page - size, "the partial page past the object's end");

	REQUIRE_EQ(t, iut_shm_truncate(t, h, 100), 0, "ftruncate to 100 bytes under the mapping");
	int sig = shm_access_signal(t, m + 50, 0, 0);
	CHECK(t, sig == 0, "a read of byte 50 of the shrunk object: expected %s, got %s", shm_signal_name(0),
	      shm_signal_name(sig));
	sig = shm_access_signal(t, m + page, 0, 0);
	CHECK(t, sig == SIGBUS, "a read of the first byte of a page the shrink discarded (offset %zu): expected SIGBUS, got %s",
	      page, shm_signal_name(sig));
}

/*
 * POSIX.1-2017 XSH shm_open(): "O_TRUNC If the shared memory object
 * exists, and it is successfully opened O_RDWR, the object shall be
 * truncated to zero length and the mode and owner shall be unchanged by
 * this function call."  shm_open(3) O_TRUNC.  seed:M1.  Checked here: an
 * object of a page holding pattern 15 is opened again O_RDWR | O_TRUNC:
 * the size through the new handle and through the first is 0; grown back
 * to a page through the new handle, it reads as zeros through a new
 * mapping (the old bytes are gone).
 */
CLAUSE(shm_open_trunc_empties,
       .id = "shm.open.trunc_empties",
       .title = "shm_open of an existing object with O_RDWR | O_TRUNC empties it",
       .cites = "seed:M1; POSIX.1-2017 XSH shm_open() O_TRUNC; shm_open(3)",
       USES(SHM, IPCCONF_SHM_CAP_POSIX))
{
	const char *name;
	size_t len = shm_page(t);
	int h = shm_posix_create(t, "trunc", len, &name);
	unsigned char *p = shm_map_shared(t, h, len);
	shm_fill(p, len, 15);
	REQUIRE_OK(t, iut_shm_unmap(t, p, len), "munmap before the truncating open");

	int h2 = iut_shm_open(t, name, O_RDWR | O_TRUNC, 0);
	REQUIRE_OK(t, h2, "shm_open(O_RDWR | O_TRUNC) of the existing object");
	CHECK_EQ(t, shm_size_of(t, h2), 0, "the size through the truncating handle");
	CHECK_EQ(t, shm_size_of(t, h), 0, "the size through the first handle");
	REQUIRE_EQ(t, iut_shm_truncate(t, h2, (off_t)len), 0, "ftruncate back to a page");
	unsigned char *q = shm_map_shared(t, h, len);
	shm_expect_zero(t, q, 0, len, "the object grown back after O_TRUNC");
}

/*
 * POSIX.1-2017 XSH shmget() ERRORS: "[EINVAL] No shared memory segment is
 * to be created and a shared memory segment exists for key but the size
 * of the segment associated with it is less than size and size is not
 * 0."  shmget(2) [EINVAL]: "A segment for the given key exists, but size
 * is greater than the size of that segment."  seed:M3.  The size compared
 * is the one the segment was made with (shm_segsz), not its pages.
 * Checked here: a segment made with 100 bytes is found by shmget with
 * sizes 100, 50 and 0 (its id); shmget with 101 bytes, with a page, and
 * with IPC_CREAT and 101 bytes fails with -EINVAL, and shm_segsz is
 * still 100.
 */
CLAUSE(shm_get_larger_than_existing_einval,
       .id = "shm.get.larger_than_existing_einval",
       .title = "shmget of an existing key with a size above the segment's fails with -EINVAL",
       .cites = "seed:M3; POSIX.1-2017 XSH shmget() ERRORS [EINVAL]; shmget(2)",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	struct shm_limits l;

	shm_read_limits(&l);
	if (l.have_shmmin && l.shmmin > 100)
		SKIP(t, "shmmin is %llu here: a 100-byte segment cannot be made", l.shmmin);
	key_t key;
	int id = shm_sysv_create(t, 100, &key);

	CHECK_EQ(t, iut_shmget(t, key, 100, 0600), id, "shmget(key, 100, 0600) of the 100-byte segment");
	CHECK_EQ(t, iut_shmget(t, key, 50, 0600), id, "shmget(key, 50, 0600) of the 100-byte segment");
	CHECK_EQ(t, iut_shmget(t, key, 0, 0600), id, "shmget(key, 0, 0600) of the 100-byte segment");
	CHECK_FAILS(t, iut_shmget(t, key, 101, 0600), -EINVAL);
	CHECK_FAILS(t, iut_shmget(t, key, shm_page(t), 0600), -EINVAL);
	CHECK_FAILS(t, iut_shmget(t, key, 101, IPC_CREAT | 0600), -EINVAL);
	struct shmid_ds ds;
	shm_stat(t, id, &ds);
	CHECK_EQ(t, ds.shm_segsz, 100, "shm_segsz after the refused shmget calls");
}

/*
 * POSIX.1-2017 XSH shmget() ERRORS: "[EINVAL] A shared memory segment is
 * to be created and the value of size is less than the system-imposed
 * minimum or greater than the system-imposed maximum."  shmget(2)
 * [EINVAL] "size is less than SHMMIN"; shmctl(2) IPC_INFO gives shmmin.
 * seed:M3.  Checked here: shmmin read from the system (IPC_INFO; a SKIP
 * where it cannot be read -- Linux has no /proc file for it -- or where
 * it is 0 and nothing is below it).  shmget(IPC_CREAT |
 * IPC_EXCL) of shmmin - 1 bytes on a free key fails with -EINVAL and
 * creates nothing (shmget(key, 0, 0) is -ENOENT); of shmmin bytes it
 * succeeds with shm_segsz shmmin.
 */
CLAUSE(shm_get_size_below_shmmin_einval,
       .id = "shm.get.size_below_shmmin_einval",
       .title = "shmget creating a segment smaller than SHMMIN fails with -EINVAL",
       .cites = "seed:M3; POSIX.1-2017 XSH shmget() ERRORS [EINVAL]; shmget(2) SHMMIN; shmctl(2) IPC_INFO",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	struct shm_limits l;

	shm_read_limits(&l);
	if (!l.have_shmmin)
		SKIP(t, "shmmin cannot be read here (shmctl(IPC_INFO) refused; Linux has no /proc file for it)");
	unsigned long long shmmin = l.shmmin;
	STEP(t, "shmmin %llu (%s)", shmmin, l.source);
	if (shmmin == 0)
		SKIP(t, "shmmin is 0 here: no size is below it");
	if (shmmin > (64ull << 20))
		SKIP(t, "shmmin is %llu here: too large a segment for this clause", shmmin);
	key_t key = ipcconf_sysv_key(t);
	CHECK_FAILS(t, iut_shmget(t, key, (size_t)(shmmin - 1), IPC_CREAT | IPC_EXCL | 0600), -EINVAL);
	CHECK_FAILS(t, iut_shmget(t, key, 0, 0), -ENOENT);
	int id = iut_shmget(t, key, (size_t)shmmin, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(t, id >= 0, "shmget(IPC_CREAT | IPC_EXCL) of shmmin = %llu bytes: expected success, got %d",
	      shmmin, id);
	if (id >= 0) {
		struct shmid_ds ds;
		shm_stat(t, id, &ds);
		CHECK_EQ(t, ds.shm_segsz, shmmin, "shm_segsz of a segment of shmmin bytes");
	}
}

/*
 * POSIX.1-2017 XSH shmget() ERRORS: "[EINVAL] A shared memory segment is
 * to be created and the value of size is less than the system-imposed
 * minimum or greater than the system-imposed maximum."  shmget(2)
 * [EINVAL] "greater than SHMMAX"; SHMMAX "can be read ... via
 * /proc/sys/kernel/shmmax", by default ULONG_MAX - 2^24, which still
 * leaves sizes above it.  seed:M3.  Checked here: shmmax read from the
 * system (IPC_INFO, else /proc; a SKIP where neither says, or where it is
 * SIZE_MAX and nothing is above it); shmget(IPC_CREAT | IPC_EXCL) of
 * shmmax + 1 bytes on a free key fails with -EINVAL (not -ENOMEM or
 * -ENOSPC: the size itself is refused) and creates nothing.
 */
CLAUSE(shm_get_size_above_shmmax_einval,
       .id = "shm.get.size_above_shmmax_einval",
       .title = "shmget creating a segment larger than SHMMAX fails with -EINVAL",
       .cites = "seed:M3; POSIX.1-2017 XSH shmget() ERRORS [EINVAL]; shmget(2) SHMMAX; shmctl(2) IPC_INFO; proc(5) shmmax",
       USES(SHM, IPCCONF_SHM_CAP_SYSV))
{
	struct shm_limits l;

	shm_read_limits(&l);
	if (!l.have_shmmax)
		SKIP(t, "shmmax cannot be read here (neither IPC_INFO nor /proc/sys/kernel/shmmax)");
	if (l.shmmax >= SIZE_MAX)
		SKIP(t, "shmmax is %llu here: no size_t is above it", l.shmmax);
	STEP(t, "shmmax %llu (%s)", l.shmmax, l.source);
	key_t key = ipcconf_sysv_key(t);
	CHECK_FAILS(t, iut_shmget(t, key, (size_t)l.shmmax + 1, IPC_CREAT | IPC_EXCL | 0600), -EINVAL);
	CHECK_FAILS(t, iut_shmget(t, key, 0, 0), -ENOENT);
}
