/* A core dump kept inside the clause's private directory (signal_core.h). */
#define _GNU_SOURCE
#include "conformance/signal/signal_core.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* A dump of a forked ipcconf fits comfortably; the hard limit must allow at least CORE_MIN. */
#define CORE_WANT ((rlim_t)64 << 20)
#define CORE_MIN ((rlim_t)16 << 20)

/*
 * Whether a dump would land in the dumping process's working directory:
 * core_pattern a plain relative name (it may hold %-specifiers but no
 * '/'), not a pipe.  Anywhere else would write outside the clause's
 * private directory: SKIP.
 */
static void require_local_core_pattern(struct ipcconf_t *t)
{
	char pat[256];
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SKIP(t, "cannot read /proc/sys/kernel/core_pattern (%s): where a core would go is unknown",
		     strerror(errno));
	ssize_t len = read(fd, pat, sizeof pat - 1);
	close(fd);
	if (len < 0)
		SKIP(t, "cannot read /proc/sys/kernel/core_pattern: %s", strerror(errno));
	pat[len] = '\0';
	pat[strcspn(pat, "\n")] = '\0';
	if (!pat[0] || pat[0] == '|' || strchr(pat, '/'))
		SKIP(t, "core_pattern \"%s\" sends core dumps elsewhere than the process's working "
			"directory; the clause writes none outside its own directory", pat);
}

static rlim_t core_limit_or_skip(struct ipcconf_t *t)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_CORE, &rl) < 0)
		BROKEN(t, "getrlimit(RLIMIT_CORE): %s", strerror(errno));
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < CORE_MIN)
		SKIP(t, "the hard RLIMIT_CORE (%llu bytes) is too small for a core dump",
		     (unsigned long long)rl.rlim_max);
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
		SKIP(t, "this process is not dumpable (PR_GET_DUMPABLE): no core can be written");
	return rl.rlim_max == RLIM_INFINITY || rl.rlim_max > CORE_WANT ? CORE_WANT : rl.rlim_max;
}

const char *sig_core_dir(struct ipcconf_t *t, rlim_t *limit)
{
	require_local_core_pattern(t);
	*limit = core_limit_or_skip(t);
	const char *dir = ipcconf_path(t, "core");
	if (mkdir(dir, 0700) < 0)
		BROKEN(t, "mkdir(%s): %s", dir, strerror(errno));
	return dir;
}

void sig_allow_core_in(struct ipcconf_t *t, const char *dir, rlim_t limit)
{
	struct rlimit rl;
	if (chdir(dir) < 0)
		BROKEN(t, "chdir(%s): %s", dir, strerror(errno));
	if (getrlimit(RLIMIT_CORE, &rl) < 0)
		BROKEN(t, "getrlimit(RLIMIT_CORE): %s", strerror(errno));
	rl.rlim_cur = limit;
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		BROKEN(t, "setrlimit(RLIMIT_CORE, %llu): %s", (unsigned long long)limit,
		       strerror(errno));
}
