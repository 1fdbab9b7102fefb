/*
 * FIFO clauses: mkfifo() and what the name in the file system is
 * (seed:F1, F4).
 *
 * The node is inspected with the system's own lstat(2): whatever an
 * implementation keeps elsewhere, the name it promises lives in the real
 * file system, where any process can reach it (seed:F1).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

/* lstat(2) of `path`: 0 or -errno, as the IUT reports errors. */
static int lstat_of(const char *path, struct stat *st)
{
	return lstat(path, st) < 0 ? -errno : 0;
}

/*
 * Checks that `path` is a FIFO whose permission bits are mode & ~mask and
 * whose owner is this process's effective user.
 */
static void check_fifo_node(struct ipcconf_t *t, const char *path, mode_t mode,
			    mode_t mask, const char *what)
{
	struct stat st;
	int r = lstat_of(path, &st);
	CHECK_EQ(t, r, 0, "lstat(2) of the new FIFO's path");
	if (r < 0)
		return;
	CHECK(t, S_ISFIFO(st.st_mode),
	      "%s: lstat(2) file type: expected a FIFO (S_IFIFO), got mode 0%o", what,
	      (unsigned)st.st_mode);
	mode_t want = mode & ~mask & 07777;
	CHECK(t, (st.st_mode & 07777) == want,
	      "%s: permission bits: expected 0%03o (mode 0%03o & ~umask 0%03o), got 0%03o",
	      what, (unsigned)want, (unsigned)mode, (unsigned)mask,
	      (unsigned)(st.st_mode & 07777));
	CHECK_EQ(t, st.st_uid, geteuid(), "owner (st_uid) of the new FIFO vs geteuid()");
}

/*
 * POSIX.1-2017 XSH mkfifo(), DESCRIPTION: "The mkfifo() function shall
 * create a new FIFO special file named by the pathname pointed to by path.
 * The file permission bits of the new FIFO shall be initialized from mode.
 * The file permission bits of the mode argument shall be modified by the
 * process' file creation mask."  "The FIFO's user ID shall be set to the
 * process' effective user ID."
 *
 * Two creations under two umasks: one catches an implementation that
 * ignores the umask, the other one that ignores `mode`.
 */
CLAUSE(fifo_mkfifo_creates_node,
       .id = "fifo.mkfifo.creates_node",
       .title = "mkfifo creates a FIFO node at the path, with mode & ~umask as its permissions",
       .cites = "seed:F1, seed:F4; POSIX.1-2017 XSH mkfifo(); fifo(7)")
{
	const char *a = ipcconf_path(t, "a");
	const char *b = ipcconf_path(t, "b");

	STEP(t, "mkfifo(a, 0666) under umask 027");
	umask(027);
	CHECK_EQ(t, iut_mkfifo(t, a, 0666), 0, "mkfifo(a, 0666) under umask 027");
	check_fifo_node(t, a, 0666, 027, "mkfifo(a, 0666) under umask 027");

	STEP(t, "mkfifo(b, 0604) under umask 0");
	umask(0);
	CHECK_EQ(t, iut_mkfifo(t, b, 0604), 0, "mkfifo(b, 0604) under umask 0");
	check_fifo_node(t, b, 0604, 0, "mkfifo(b, 0604) under umask 0");
}

/*
 * POSIX.1-2017 XSH mkfifo(), ERRORS: "[EEXIST] The named file already
 * exists."  DESCRIPTION: "If path names a symbolic link, mkfifo() shall fail
 * and set errno to [EEXIST]."
 *
 * Three kinds of existing name: a FIFO, a regular file (which must be left
 * as it was, contents included), and a dangling symbolic link (which must
 * not be followed: its target must not appear).
 */
CLAUSE(fifo_mkfifo_eexist,
       .id = "fifo.mkfifo.eexist",
       .title = "mkfifo of an existing name (FIFO, file, dangling symlink) fails with EEXIST and changes nothing",
       .cites = "seed:F4; POSIX.1-2017 XSH mkfifo() ERRORS, DESCRIPTION")
{
	const char *fifo = ipcconf_path(t, "fifo");
	const char *file = ipcconf_path(t, "file");
	const char *link = ipcconf_path(t, "link");
	const char *target = ipcconf_path(t, "target");

	STEP(t, "an existing FIFO");
	REQUIRE_OK(t, iut_mkfifo(t, fifo, 0600), "first mkfifo");
	CHECK_EQ(t, iut_mkfifo(t, fifo, 0600), -EEXIST, "second mkfifo of the same path");
	struct stat st;
	CHECK(t, lstat_of(fifo, &st) == 0 && S_ISFIFO(st.st_mode),
	      "after the refused mkfifo the first FIFO must still be there");

	STEP(t, "an existing regular file");
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "keep", 4) != 4)
		BROKEN(t, "creating a regular file at %s: %s", file, strerror(errno));
	close(fd);
	CHECK_EQ(t, iut_mkfifo(t, file, 0600), -EEXIST, "mkfifo over a regular file");
	CHECK(t, lstat_of(file, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4,
	      "the regular file must be left as it was (regular, 4 bytes)");

	STEP(t, "a dangling symbolic link");
	if (symlink(target, link) < 0)
		BROKEN(t, "symlink(%s, %s): %s", target, link, strerror(errno));
	CHECK_EQ(t, iut_mkfifo(t, link, 0600), -EEXIST, "mkfifo of a dangling symbolic link");
	CHECK_EQ(t, lstat_of(target, &st), -ENOENT,
		 "lstat of the link's target (mkfifo must not follow the link)");
}

/*
 * POSIX.1-2017 XSH mkfifo(), ERRORS: "[ENOENT] A component of the path
 * prefix of path does not name an existing file or path is an empty
 * string."  mkfifo() creates the last component only: a missing parent
 * directory is an error, not something to create.
 */
CLAUSE(fifo_mkfifo_enoent,
       .id = "fifo.mkfifo.enoent",
       .title = "mkfifo fails with ENOENT when the parent directory is missing or the path is empty",
       .cites = "seed:F1; POSIX.1-2017 XSH mkfifo() ERRORS")
{
	const char *dir = ipcconf_path(t, "missing");
	const char *path = ipcconf_path(t, "missing/f");
	struct stat st;

	STEP(t, "mkfifo under a missing directory");
	CHECK_EQ(t, iut_mkfifo(t, path, 0600), -ENOENT, "mkfifo(\"<dir>/missing/f\")");
	CHECK_EQ(t, lstat_of(dir, &st), -ENOENT,
		 "lstat of the missing parent after mkfifo (it must not be created)");

	STEP(t, "mkfifo of the empty path");
	CHECK_EQ(t, iut_mkfifo(t, "", 0600), -ENOENT, "mkfifo(\"\")");
}

/* Counts the entries of the clause directory; names one that is not "f". */
static int count_entries(struct ipcconf_t *t, char *one, size_t size)
{
	DIR *d = opendir(t->dir);
	if (!d)
		BROKEN(t, "opendir(%s): %s", t->dir, strerror(errno));
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (strcmp(e->d_name, "f") != 0)
			snprintf(one, size, "%s", e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * fifo(7): "When processes are exchanging data via the FIFO, the kernel
 * passes all data internally without writing it to the filesystem.  Thus,
 * the FIFO special file has no contents on the filesystem; the filesystem
 * entry merely serves as a reference point".  seed:F4: the name lives in
 * the file system, the contents in memory.  (POSIX leaves st_size of a FIFO
 * unspecified; Linux reports 0, and so must anything that keeps the
 * contents out of the file system.)
 *
 * With 512 bytes (_POSIX_PIPE_BUF) buffered, the node still has size 0 and no
 * blocks, and the clause's private directory holds the one name and
 * nothing else: an implementation that keeps the bytes in the node, or in
 * a file beside it, is caught.
 */
CLAUSE(fifo_mkfifo_contents_not_in_file_system,
       .id = "fifo.mkfifo.contents_not_in_file_system",
       .title = "buffered FIFO data is not in the file system: the node keeps size 0 and no file appears beside it",
       .cites = "seed:F4; fifo(7) DESCRIPTION; POSIX.1-2017 XBD <sys/stat.h> st_size")
{
	const char *path = ipcconf_make_fifo(t, "f");
	STEP(t, "open O_RDWR (seed:F6) and buffer 512 bytes");
	int h = iut_fifo_open(t, path, O_RDWR);
	REQUIRE_OK(t, h, "open O_RDWR");
	/*
	 * 512 bytes, _POSIX_PIPE_BUF: an empty FIFO holds at least PIPE_BUF
	 * bytes, and PIPE_BUF is at least that, whatever the implementation.
	 */
	char out[512], in[512];
	size_t len = sizeof out;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)('a' + i % 26);
	ipcconf_write_all(t, h, out, len, "write of 512 bytes");

	STEP(t, "stat the node with data buffered");
	struct stat st;
	REQUIRE_EQ(t, lstat_of(path, &st), 0, "lstat(2) of the FIFO with data buffered");
	CHECK(t, S_ISFIFO(st.st_mode), "the node must still be a FIFO, got mode 0%o",
	      (unsigned)st.st_mode);
	CHECK_EQ(t, st.st_size, 0, "st_size of the node with data buffered (contents live in memory)");
	CHECK_EQ(t, st.st_blocks, 0, "st_blocks of the node with data buffered");
	char other[256] = "";
	int n = count_entries(t, other, sizeof other);
	CHECK(t, n == 1, "the FIFO's directory must hold only its name \"f\", found %d entries (e.g. \"%s\")",
	      n, other);

	STEP(t, "read the data back");
	ipcconf_read_exact(t, h, in, len, "reading the buffered data back");
	CHECK_MEM(t, in, out, len, "the buffered data, read back");
}
