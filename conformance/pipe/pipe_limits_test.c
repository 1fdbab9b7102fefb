/*
 * Pipe clauses: limits and flags at the edges of pipe2(2), fcntl(2) and
 * ioctl(2): FIONREAD on the write end; a capacity above the system's
 * maximum (EPERM for an unprivileged caller) or beyond any size (EINVAL);
 * creation at the per-process descriptor limit (EMFILE); creation flags
 * that pipe2() refuses (EINVAL) or accepts (O_CLOEXEC).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/*
 * pipe(7): "The following ioctl(2) operation, which can be applied to a
 * file descriptor that refers to either end of a pipe, places a count of
 * the number of unread bytes in the pipe in the int buffer pointed to by
 * the final argument of the call: ioctl(fd, FIONREAD, &nbytes);".  Either
 * end: the count is of the pipe, not of a direction.  Checked here: after
 * writes of 5 and 7 bytes the write end reports 12, after a 4-byte read
 * 8, and after the rest is read 0 -- the same as the read end each time.
 */
CLAUSE(pipe_nread_write_end,
       .id = "pipe.nread.write_end",
       .title = "FIONREAD on the write end counts the unread bytes in the pipe, as on the read end",
       .cites = "pipe(7) ioctl FIONREAD",
       USES(STREAM, IPCCONF_STREAM_CAP_NREAD))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	CHECK_EQ(t, iut_nread(t, e[1]), 0, "nread of the write end of an empty pipe");
	REQUIRE_EQ(t, iut_write(t, e[1], "hello", 5), 5, "write of 5 bytes");
	REQUIRE_EQ(t, iut_write(t, e[1], "goodbye", 7), 7, "write of 7 bytes");
	STEP(t, "nread of both ends with 12 bytes unread");
	CHECK_EQ(t, iut_nread(t, e[1]), 12, "nread of the write end with 12 bytes unread");
	CHECK_EQ(t, iut_nread(t, e[0]), 12, "nread of the read end with 12 bytes unread");
	char buf[12];
	ipcconf_read_exact(t, e[0], buf, 4, "a 4-byte read");
	CHECK_EQ(t, iut_nread(t, e[1]), 8, "nread of the write end after 4 of 12 bytes were read");
	ipcconf_read_exact(t, e[0], buf, 8, "reading the other 8 bytes");
	CHECK_EQ(t, iut_nread(t, e[1]), 0, "nread of the write end after every byte was read");
}

/* /proc/sys/fs/pipe-max-size, or SKIP. */
static long pipe_max_size(struct ipcconf_t *t)
{
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");
	long v = -1;
	if (!f)
		SKIP(t, "/proc/sys/fs/pipe-max-size cannot be read (%s): the limit the rule names is unknown",
		     strerror(errno));
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	if (v <= 0)
		BROKEN(t, "/proc/sys/fs/pipe-max-size does not hold a size");
	return v;
}

/*
 * The body of pipe.set_capacity.above_max_eperm, in a process without
 * CAP_SYS_RESOURCE.
 */
static void above_max_unprivileged(struct ipcconf_t *t, long max)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long before = iut_get_capacity(t, e[1]);
	REQUIRE_OK(t, before, "get_capacity of a new pipe");
	const long asks[] = { max + 1, 2 * max };
	for (unsigned i = 0; i < 2; i++) {
		STEP(t, "set_capacity(%ld), pipe-max-size being %ld, without CAP_SYS_RESOURCE", asks[i], max);
		CHECK_FAILS_UNCHANGED(t, iut_set_capacity(t, e[1], asks[i]), -EPERM,
				      iut_get_capacity(t, e[1]));
	}
}

/*
 * fcntl(2), F_SETPIPE_SZ: "Attempts by an unprivileged process to set the
 * pipe capacity above the limit in /proc/sys/fs/pipe-max-size yield the
 * error EPERM; a privileged process (CAP_SYS_RESOURCE) can override the
 * limit."  pipe(7), /proc/sys/fs/pipe-max-size: "The maximum size (in
 * bytes) of individual pipes that can be set by users without the
 * CAP_SYS_RESOURCE capability."  The rule is about the caller's
 * privilege, so the clause judges it for an unprivileged caller: where
 * the clause process has CAP_SYS_RESOURCE (root, usually), a helper drops
 * it first (capset(2)) and asks there.  Checked: set_capacity to
 * pipe-max-size + 1 and to twice pipe-max-size both fail with -EPERM and
 * leave the capacity as it was.  (An implementation may play a system
 * with a lower maximum, as ref-small does; a size above the real
 * system's maximum is above its maximum too.  What a privileged caller
 * may get is the implementation's to choose, and is not judged.)
 */
CLAUSE(pipe_set_capacity_above_max_eperm,
       .id = "pipe.set_capacity.above_max_eperm",
       .title = "set_capacity above /proc/sys/fs/pipe-max-size fails with -EPERM for a caller without CAP_SYS_RESOURCE",
       .cites = "fcntl(2) F_SETPIPE_SZ; pipe(7) /proc/sys/fs/pipe-max-size",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(PIPE, IPCCONF_PIPE_CAP_CAPACITY_SET))
{
	long max = pipe_max_size(t);
	if (max > (1L << 29))
		SKIP(t, "pipe-max-size is %ld: twice it is beyond any pipe size, a different rule (EINVAL)", max);
	if (!ipcconf_has_cap(t, CAP_SYS_RESOURCE)) {
		above_max_unprivileged(t, max);
		return;
	}
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		STEP(t, "helper: dropping CAP_SYS_RESOURCE");
		if (ipcconf_drop_cap(CAP_SYS_RESOURCE) != 0)
			SKIP(t, "the caller has CAP_SYS_RESOURCE and cannot drop it (capset: %s): the rule is for unprivileged callers",
			     strerror(errno));
		if (ipcconf_has_cap(t, CAP_SYS_RESOURCE))
			BROKEN(t, "CAP_SYS_RESOURCE is still effective after capset dropped it");
		above_max_unprivileged(t, max);
		ipcconf_exit(t);
	}
	ipcconf_join(t, helper, "the helper without CAP_SYS_RESOURCE");
}

/*
 * fcntl(2), F_SETPIPE_SZ: the capacity is set "to be at least arg bytes",
 * and "the allocation is the next higher power-of-two page-size multiple
 * of the requested size"; the argument is an int.  A size above 2^31
 * bytes has no such multiple that an int can carry, and Linux refuses it
 * with EINVAL for every caller, privileged or not (fs/pipe.c:
 * round_pipe_size() returns 0 above 1U << 31, and pipe_set_size() then
 * fails with -EINVAL) -- before any privilege check, so this is not EPERM.
 * Checked here: 2^31 + 1 bytes, and -1 (4 GiB - 1 as the unsigned int the
 * kernel reads), both fail with -EINVAL and leave the capacity unchanged.
 */
CLAUSE(pipe_set_capacity_absurd_size_einval,
       .id = "pipe.set_capacity.absurd_size_einval",
       .title = "set_capacity of a size beyond any pipe (2^31 + 1 bytes, or -1) fails with -EINVAL and changes nothing",
       .cites = "fcntl(2) F_SETPIPE_SZ, ERRORS [EINVAL]; Linux fs/pipe.c round_pipe_size()",
       USES(PIPE, IPCCONF_PIPE_CAP_CAPACITY_SET))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	REQUIRE_OK(t, iut_get_capacity(t, e[1]), "get_capacity of a new pipe");
	STEP(t, "set_capacity(2^31 + 1)");
	CHECK_FAILS_UNCHANGED(t, iut_set_capacity(t, e[1], (1L << 31) + 1), -EINVAL,
			      iut_get_capacity(t, e[1]));
	STEP(t, "set_capacity(-1)");
	CHECK_FAILS_UNCHANGED(t, iut_set_capacity(t, e[0], -1), -EINVAL,
			      iut_get_capacity(t, e[0]));
}

/* The descriptors open in this process (from /proc/self/fd): the count, and the highest. */
static int open_fds(struct ipcconf_t *t, int *highest)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		SKIP(t, "/proc/self/fd cannot be read (%s): the descriptors in use are unknown", strerror(errno));
	int self = dirfd(d), n = 0;
	struct dirent *de;
	*highest = -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd == self)
			continue;
		n++;
		if (fd > *highest)
			*highest = fd;
	}
	closedir(d);
	return n;
}

#define EMFILE_ROOM 8 /* descriptors left free above the highest open one */

/*
 * pipe(2), ERRORS: "EMFILE The per-process limit on the number of open
 * file descriptors has been reached."  POSIX.1-2017 XSH pipe() [EMFILE]:
 * "All, or all but one, of the file descriptors available to the process
 * are currently open."  getrlimit(2), RLIMIT_NOFILE: "a value one greater
 * than the maximum file descriptor number that can be opened by this
 * process. Attempts (open(2), pipe(2), dup(2), etc.) to exceed this limit
 * yield the error EMFILE."
 *
 * What an implementation must do: its handles stand for open descriptors
 * (iut.h: a handle is for `os` a file descriptor, and behaves as one), so
 * the process's RLIMIT_NOFILE bounds them: with the limit lowered, pipe
 * creation must stop with -EMFILE -- not succeed without bound, and not
 * fail with another error -- before the process holds more handles than
 * the limit allows; and closing a pipe makes room again.  Whether an
 * implementation's handles share one numbering with the kernel's own
 * descriptors (`os`: they are the same) or have a numbering of their own
 * (a user-space implementation) is its choice: the rule bounds the
 * handles, not the numbering.
 * Checked here: the clause process lowers its soft RLIMIT_NOFILE to 8
 * above its highest open descriptor (L), creates pipes until one fails (at
 * most L + 8 tries), expects -EMFILE after at most L/2 pipes, then closes
 * one pipe and creates again.
 */
CLAUSE(pipe_create_emfile,
       .id = "pipe.create.emfile",
       .title = "at the per-process descriptor limit (RLIMIT_NOFILE) pipe creation fails with -EMFILE; a close makes room",
       .cites = "pipe(2) ERRORS [EMFILE]; POSIX.1-2017 XSH pipe() ERRORS [EMFILE]; getrlimit(2) RLIMIT_NOFILE")
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		BROKEN(t, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	int highest;
	int nopen = open_fds(t, &highest);
	rlim_t want = (rlim_t)highest + 1 + EMFILE_ROOM;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		SKIP(t, "the hard RLIMIT_NOFILE (%llu) leaves no room for the clause's limit",
		     (unsigned long long)rl.rlim_max);
	int limit = (int)want, tries = limit + 8;
	rl.rlim_cur = want;
	STEP(t, "lowering RLIMIT_NOFILE to %d (%d descriptors open)", limit, nopen);
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		BROKEN(t, "setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)want, strerror(errno));

	int (*ends)[2] = calloc((size_t)tries, sizeof *ends);
	if (!ends)
		BROKEN(t, "calloc of %d pipes' ends failed", tries);
	int made = 0, r = 0;
	STEP(t, "creating pipes until creation fails");
	while (made < tries && (r = iut_pipe(t, ends[made], 0)) >= 0)
		made++;
	CHECK(t, made < tries,
	      "%d pipes (%d handles) were created under RLIMIT_NOFILE %d: the limit was not applied",
	      made, 2 * made, limit);
	if (made < tries) {
		CHECK_EQ(t, r, -EMFILE, "pipe create at the RLIMIT_NOFILE limit");
		CHECK(t, 2 * made <= limit,
		      "%d pipes (%d handles) were created under RLIMIT_NOFILE %d: the limit was exceeded",
		      made, 2 * made, limit);
	}
	if (made > 0 && made < tries) {
		STEP(t, "closing one pipe, then creating again");
		made--;
		REQUIRE_OK(t, iut_close(t, ends[made][0]), "close of a read end");
		REQUIRE_OK(t, iut_close(t, ends[made][1]), "close of a write end");
		int again[2];
		CHECK_EQ(t, iut_pipe(t, again, 0), 0, "pipe create after a pipe was closed below the limit");
	}
	free(ends);
}

/*
 * pipe(2), ERRORS: "EINVAL (pipe2()) Invalid value in flags."  iut.h,
 * create: "`flags` is 0 or a combination of O_NONBLOCK, O_CLOEXEC and
 * (with IPCCONF_PIPE_CAP_PACKET) O_DIRECT; anything else gives -EINVAL."
 * Checked here: O_APPEND, O_RDWR, O_CREAT and a bit no open flag uses
 * (0x40000000) are each refused with -EINVAL, as is O_DIRECT where packet
 * mode is not declared.
 */
CLAUSE(pipe_create_invalid_flags_einval,
       .id = "pipe.create.invalid_flags_einval",
       .title = "pipe creation with a flag other than O_NONBLOCK, O_CLOEXEC (and O_DIRECT) fails with -EINVAL",
       .cites = "pipe(2) pipe2() ERRORS [EINVAL]")
{
	static const struct {
		int flags;
		const char *what;
	} bad[] = {
		{ O_APPEND, "pipe create with O_APPEND" },
		{ O_RDWR, "pipe create with O_RDWR" },
		{ O_CREAT, "pipe create with O_CREAT" },
		{ 0x40000000, "pipe create with flag bit 0x40000000" },
		{ O_NONBLOCK | O_APPEND, "pipe create with O_NONBLOCK | O_APPEND" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int e[2];
		STEP(t, "%s", bad[i].what);
		CHECK_EQ(t, iut_pipe(t, e, bad[i].flags), -EINVAL, bad[i].what);
	}
	if (!(t->iut->pipe->head.caps & IPCCONF_PIPE_CAP_PACKET)) {
		int e[2];
		STEP(t, "pipe create with O_DIRECT, packet mode not declared");
		CHECK_EQ(t, iut_pipe(t, e, O_DIRECT), -EINVAL,
			 "pipe create with O_DIRECT by an implementation without packet mode");
	}
}

/*
 * pipe(2), pipe2(): "O_CLOEXEC Set the close-on-exec (FD_CLOEXEC) flag on
 * the two new file descriptors."  iut.h lists O_CLOEXEC among the flags
 * create() accepts.  Close-on-exec itself cannot be seen through the
 * interface (it has no exec), so the clause checks what it can: the flag
 * is accepted, alone and with O_NONBLOCK, and the pipe made works -- a
 * byte passes, and with O_NONBLOCK both ends are nonblocking.
 */
CLAUSE(pipe_create_cloexec_accepted,
       .id = "pipe.create.cloexec_accepted",
       .title = "pipe creation accepts O_CLOEXEC, alone and with O_NONBLOCK, and the pipe works",
       .cites = "pipe(2) pipe2() O_CLOEXEC",
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	STEP(t, "pipe create with O_CLOEXEC");
	REQUIRE_EQ(t, iut_pipe(t, e, O_CLOEXEC), 0, "pipe create with O_CLOEXEC");
	REQUIRE_EQ(t, iut_write(t, e[1], "c", 1), 1, "write into the O_CLOEXEC pipe");
	char c = 0;
	ipcconf_read_exact(t, e[0], &c, 1, "read from the O_CLOEXEC pipe");
	CHECK_EQ(t, c, 'c', "the byte through the O_CLOEXEC pipe");
	CHECK_EQ(t, iut_get_nonblock(t, e[0]), 0, "O_NONBLOCK of the read end (created with O_CLOEXEC only)");

	STEP(t, "pipe create with O_CLOEXEC | O_NONBLOCK");
	int n[2];
	REQUIRE_EQ(t, iut_pipe(t, n, O_CLOEXEC | O_NONBLOCK), 0, "pipe create with O_CLOEXEC | O_NONBLOCK");
	CHECK_EQ(t, iut_get_nonblock(t, n[0]), 1, "O_NONBLOCK of the read end (O_CLOEXEC | O_NONBLOCK)");
	CHECK_EQ(t, iut_get_nonblock(t, n[1]), 1, "O_NONBLOCK of the write end (O_CLOEXEC | O_NONBLOCK)");
	CHECK_EQ(t, iut_read(t, n[0], &c, 1), -EAGAIN, "read of the empty O_CLOEXEC | O_NONBLOCK pipe");
}
