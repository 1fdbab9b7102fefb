/*
 * FIFO clauses: how mkfifo() and open() fail on a bad path.  Each errno
 * of the ERRORS sections is one row of a table (one clause id, one
 * citation, its own path); one body per function sets the path up and
 * checks the error.  (A missing parent or the empty path for mkfifo is
 * fifo.mkfifo.enoent, an existing name fifo.mkfifo.eexist, a missing path
 * for open fifo.open.enoent.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/fifo/fifo_support.h"
#include "conformance/harness/clause.h"

/* How a row's path is made. */
enum bad_path {
	NOT_DIR,          /* <dir>/file/f: a prefix component is a regular file */
	NAME_TOO_LONG,    /* <dir>/nnn...: a component longer than NAME_MAX */
	LOOP_PREFIX,      /* <dir>/loop_a/f: loop_a -> loop_b -> loop_a */
	LOOP_LAST,        /* <dir>/loop_a */
	SEARCH_DENIED,    /* <dir>/locked/f, locked mode 0, by an unprivileged helper */
	DANGLING_SYMLINK, /* <dir>/dangling -> nowhere */
};

struct path_error {
	enum bad_path path;
	int err;
	const char *what;
};

#define LONG_COMPONENT 300 /* > NAME_MAX (255) on every Linux file system */

static void make_file(struct ipcconf_t *t, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		BROKEN(t, "creating the regular file %s: %s", path, strerror(errno));
	close(fd);
}

static void make_symlink(struct ipcconf_t *t, const char *target, const char *path)
{
	if (symlink(target, path) != 0)
		BROKEN(t, "symlink(%s, %s): %s", target, path, strerror(errno));
}

/*
 * Builds the row's path; `fifo_inside` asks for a FIFO at <dir>/locked/f
 * for SEARCH_DENIED (an open row needs something there to be denied).
 */
static const char *bad_path(struct ipcconf_t *t, enum bad_path kind, int fifo_inside)
{
	static char long_path[4096];
	switch (kind) {
	case NOT_DIR:
		make_file(t, ipcconf_path(t, "file"));
		return ipcconf_path(t, "file/f");
	case NAME_TOO_LONG: {
		char leaf[LONG_COMPONENT + 1];
		memset(leaf, 'n', LONG_COMPONENT);
		leaf[LONG_COMPONENT] = 0;
		snprintf(long_path, sizeof long_path, "%s/%s", t->dir, leaf);
		return long_path;
	}
	case LOOP_PREFIX:
	case LOOP_LAST:
		make_symlink(t, "loop_b", ipcconf_path(t, "loop_a"));
		make_symlink(t, "loop_a", ipcconf_path(t, "loop_b"));
		return ipcconf_path(t, kind == LOOP_PREFIX ? "loop_a/f" : "loop_a");
	case SEARCH_DENIED: {
		const char *dir = ipcconf_path(t, "locked");
		if (mkdir(dir, 0700) != 0)
			BROKEN(t, "mkdir(%s): %s", dir, strerror(errno));
		const char *path = ipcconf_path(t, "locked/f");
		if (fifo_inside)
			REQUIRE_OK(t, iut_mkfifo(t, path, 0666), "mkfifo of locked/f");
		if (chmod(dir, 0) != 0)
			BROKEN(t, "chmod(%s, 0): %s", dir, strerror(errno));
		return path;
	}
	case DANGLING_SYMLINK:
		make_symlink(t, "nowhere", ipcconf_path(t, "dangling"));
		return ipcconf_path(t, "dangling");
	}
	BROKEN(t, "unknown path kind %d", (int)kind);
}

/*
 * In a helper: become a process that file permissions apply to.  Root
 * takes the unprivileged ids 65534 (setresuid(2) from uid 0 to nonzero ids
 * clears every capability); a user without CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH is one already.  SKIP when neither can be had.
 */
static void become_unprivileged(struct ipcconf_t *t)
{
	if (geteuid() == 0) {
		STEP(t, "helper: dropping root to uid/gid 65534");
		if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			SKIP(t, "running as root and cannot drop to an unprivileged uid (%s)", strerror(errno));
	}
	if (ipcconf_has_cap(t, CAP_DAC_OVERRIDE) || ipcconf_has_cap(t, CAP_DAC_READ_SEARCH))
		SKIP(t, "the caller bypasses file permissions (CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH) and cannot drop them");
}

/* Runs `check` on the row's path, in an unprivileged helper for SEARCH_DENIED. */
static void on_bad_path(struct ipcconf_t *t, const struct path_error *e, int fifo_inside,
			void (*check)(struct ipcconf_t *t, const struct path_error *e, const char *path))
{
	const char *path = bad_path(t, e->path, fifo_inside);
	if (e->path != SEARCH_DENIED) {
		check(t, e, path);
		return;
	}
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		become_unprivileged(t);
		check(t, e, path);
		ipcconf_exit(t);
	}
	ipcconf_join(t, helper, "the unprivileged helper");
	/* Give the owner its directory back, so that the clause's names can be removed. */
	chmod(ipcconf_path(t, "locked"), 0700);
}

static void check_mkfifo(struct ipcconf_t *t, const struct path_error *e, const char *path)
{
	STEP(t, "%s", e->what);
	CHECK_EQ(t, iut_mkfifo(t, path, 0600), -e->err, e->what);
}

static void check_open(struct ipcconf_t *t, const struct path_error *e, const char *path)
{
	STEP(t, "%s", e->what);
	/* O_NONBLOCK: an open that wrongly succeeds must not wait for a partner. */
	int h = iut_fifo_open(t, path, O_RDONLY | O_NONBLOCK);
	CHECK_EQ(t, h, -e->err, e->what);
	if (h >= 0)
		iut_close(t, h);
}

static const struct ipcconf_clause fifo_mkfifo_error[] = {
	ROW(.id = "fifo.mkfifo.error_enotdir",
	    .title = "mkfifo under a path whose prefix names a regular file fails with -ENOTDIR",
	    .cites = "POSIX.1-2017 XSH mkfifo() ERRORS [ENOTDIR]; mkfifo(3)",
	    .arg = &(const struct path_error){ NOT_DIR, ENOTDIR,
					       "mkfifo(\"<dir>/file/f\"), file a regular file" }),
	ROW(.id = "fifo.mkfifo.error_enametoolong",
	    .title = "mkfifo of a name longer than NAME_MAX fails with -ENAMETOOLONG",
	    .cites = "POSIX.1-2017 XSH mkfifo() ERRORS [ENAMETOOLONG]; mkfifo(3)",
	    .arg = &(const struct path_error){ NAME_TOO_LONG, ENAMETOOLONG,
					       "mkfifo of a 300-byte name (NAME_MAX 255)" }),
	ROW(.id = "fifo.mkfifo.error_eloop",
	    .title = "mkfifo under a loop of symbolic links fails with -ELOOP",
	    .cites = "POSIX.1-2017 XSH mkfifo() ERRORS [ELOOP]; mkfifo(3)",
	    .arg = &(const struct path_error){ LOOP_PREFIX, ELOOP,
					       "mkfifo(\"<dir>/loop_a/f\"), loop_a -> loop_b -> loop_a" }),
	ROW(.id = "fifo.mkfifo.error_eacces",
	    .title = "mkfifo by an unprivileged process under a directory it may not search fails with -EACCES",
	    .cites = "POSIX.1-2017 XSH mkfifo() ERRORS [EACCES]; mkfifo(3); path_resolution(7)",
	    .needs = IPCCONF_CAP_FORK_INHERIT,
	    .arg = &(const struct path_error){ SEARCH_DENIED, EACCES,
					       "mkfifo(\"<dir>/locked/f\") by an unprivileged process, locked mode 0" }),
};

/*
 * POSIX.1-2017 XSH mkfifo(), ERRORS: "[ENOTDIR] A component of the path
 * prefix names an existing file that is neither a directory nor a
 * symbolic link to a directory."  "[ENAMETOOLONG] The length of a
 * component of a pathname is longer than {NAME_MAX}."  "[ELOOP] A loop
 * exists in symbolic links encountered during resolution of the path
 * argument."  "[EACCES] A component of the path prefix denies search
 * permission, or write permission is denied on the parent directory of the
 * FIFO to be created."  mkfifo(3) lists the same.  Permissions bind only a
 * process without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH
 * (path_resolution(7)), so the EACCES row runs in a helper that dropped
 * root (or SKIPs saying it cannot).
 */
CLAUSE_TABLE(fifo_mkfifo_error)
{
	on_bad_path(t, t->clause->arg, 0, check_mkfifo);
}

static const struct ipcconf_clause fifo_open_error[] = {
	ROW(.id = "fifo.open.error_enotdir",
	    .title = "open of a path whose prefix names a regular file fails with -ENOTDIR",
	    .cites = "POSIX.1-2017 XSH open() ERRORS [ENOTDIR]; open(2)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
	    .arg = &(const struct path_error){ NOT_DIR, ENOTDIR,
					       "open(\"<dir>/file/f\", O_RDONLY|O_NONBLOCK), file a regular file" }),
	ROW(.id = "fifo.open.error_enametoolong",
	    .title = "open of a name longer than NAME_MAX fails with -ENAMETOOLONG",
	    .cites = "POSIX.1-2017 XSH open() ERRORS [ENAMETOOLONG]; open(2)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
	    .arg = &(const struct path_error){ NAME_TOO_LONG, ENAMETOOLONG,
					       "open of a 300-byte name (NAME_MAX 255), O_RDONLY|O_NONBLOCK" }),
	ROW(.id = "fifo.open.error_eloop",
	    .title = "open of a loop of symbolic links fails with -ELOOP",
	    .cites = "POSIX.1-2017 XSH open() ERRORS [ELOOP]; open(2)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
	    .arg = &(const struct path_error){ LOOP_LAST, ELOOP,
					       "open(\"<dir>/loop_a\", O_RDONLY|O_NONBLOCK), loop_a -> loop_b -> loop_a" }),
	ROW(.id = "fifo.open.error_eacces",
	    .title = "open by an unprivileged process of a FIFO in a directory it may not search fails with -EACCES",
	    .cites = "POSIX.1-2017 XSH open() ERRORS [EACCES]; open(2); path_resolution(7)",
	    .needs = IPCCONF_CAP_FORK_INHERIT,
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
	    .arg = &(const struct path_error){ SEARCH_DENIED, EACCES,
					       "open(\"<dir>/locked/f\", O_RDONLY|O_NONBLOCK) by an unprivileged process, locked mode 0" }),
	ROW(.id = "fifo.open.error_enoent_dangling_symlink",
	    .title = "open of a dangling symbolic link fails with -ENOENT and creates nothing",
	    .cites = "POSIX.1-2017 XSH open() ERRORS [ENOENT]; open(2)",
	    USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK),
	    .arg = &(const struct path_error){ DANGLING_SYMLINK, ENOENT,
					       "open(\"<dir>/dangling\", O_RDONLY|O_NONBLOCK), dangling -> nowhere" }),
};

/*
 * POSIX.1-2017 XSH open(), ERRORS: "[ENOTDIR] A component of the path
 * prefix names an existing file that is neither a directory nor a
 * symbolic link to a directory"; "[ENAMETOOLONG] The length of a component
 * of a pathname is longer than {NAME_MAX}"; "[ELOOP] A loop exists in
 * symbolic links encountered during resolution of the path argument";
 * "[EACCES] Search permission is denied on a component of the path
 * prefix"; "[ENOENT] O_CREAT is not set and a component of path does not
 * name an existing file" -- the target of a dangling link is such a
 * component (open(2): "or is a dangling symbolic link").  Every open is
 * O_RDONLY|O_NONBLOCK, so one that wrongly succeeds cannot hang.
 */
CLAUSE_TABLE(fifo_open_error)
{
	const struct path_error *e = t->clause->arg;
	on_bad_path(t, e, 1, check_open);
	if (e->path == DANGLING_SYMLINK) {
		struct stat st;
		CHECK(t, lstat(ipcconf_path(t, "nowhere"), &st) != 0 && errno == ENOENT,
		      "the dangling link's target exists after the failed open (open must not create it)");
	}
}
