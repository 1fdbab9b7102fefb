/*
 * exec_probe.c -- re-executing this program to run a registered probe
 * against the same implementation (exec_probe.h).
 *
 * The channel is a descriptor the clause made; the exec'd image writes,
 * in order: a hello record as soon as main() starts (so the clause can
 * tell "this program was not re-executed as itself" from a failure later
 * on), a status record once the implementation is loaded and the probe
 * found, and then whatever the probe writes.
 */
#define _GNU_SOURCE
#include "conformance/harness/exec_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/page.h"

#define ENV_NAME "IPCCONF_EXEC_PROBE"
#define ENV_FD "IPCCONF_EXEC_PROBE_FD"
#define ENV_ARG "IPCCONF_EXEC_PROBE_ARG"
#define ENV_IMPL "IPCCONF_EXEC_PROBE_IMPL"

#define HELLO_MAGIC UINT32_C(0x50585049)  /* "IPXP" */
#define STATUS_MAGIC UINT32_C(0x53585049) /* "IPXS" */

struct probe_hello {
	uint32_t magic;
	int32_t pid;
};

struct probe_status {
	uint32_t magic;
	int32_t ok;        /* 1: loaded and found, the probe's answer follows */
	char why[240];     /* otherwise, why not */
};

/* Bounds of the probes' linker section (absent when no probe is linked in). */
extern const struct ipcconf_exec_probe_desc *const __start_ipcconf_exec_probes[]
	__attribute__((weak));
extern const struct ipcconf_exec_probe_desc *const __stop_ipcconf_exec_probes[]
	__attribute__((weak));

static char impl_spec[PATH_MAX];

void ipcconf_exec_probe_set_impl(const char *spec)
{
	/*
	 * A plug-in named by a relative path must still be found by an image
	 * exec'd elsewhere: resolve it now, as the loader would read it.
	 */
	char resolved[PATH_MAX];
	if ((strchr(spec, '/') || strstr(spec, ".so")) && realpath(spec, resolved))
		spec = resolved;
	snprintf(impl_spec, sizeof impl_spec, "%s", spec);
}

int ipcconf_exec_probe_write(int out_fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(out_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the exec'd side ---- */

static const struct ipcconf_exec_probe_desc *find_probe(const char *name)
{
	const struct ipcconf_exec_probe_desc *const *p = __start_ipcconf_exec_probes;
	size_t n = p ? (size_t)(__stop_ipcconf_exec_probes - p) : 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] && !strcmp(p[i]->name, name))
			return p[i];
	return NULL;
}

static char *take_env(const char *var)
{
	const char *v = getenv(var);
	char *copy = v ? strdup(v) : NULL;
	unsetenv(var);
	return copy;
}

void ipcconf_exec_probe_main(ipcconf_exec_probe_loader load)
{
	if (!getenv(ENV_NAME))
		return;
	char *name = take_env(ENV_NAME), *fd_text = take_env(ENV_FD);
	char *arg = take_env(ENV_ARG), *spec = take_env(ENV_IMPL);
	char *end = NULL;
	long fd = fd_text ? strtol(fd_text, &end, 10) : -1;
	if (!name || !end || *end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0) {
		fprintf(stderr, "ipcconf: %s is set but %s names no open descriptor\n", ENV_NAME,
			ENV_FD);
		_exit(125);
	}
	int out = (int)fd;
	/* Nothing else of this image needs it: a probe's own children must not hold it. */
	fcntl(out, F_SETFD, FD_CLOEXEC);
	struct probe_hello hello = { HELLO_MAGIC, (int32_t)getpid() };
	if (ipcconf_exec_probe_write(out, &hello, sizeof hello) < 0)
		_exit(125);

	struct probe_status st = { .magic = STATUS_MAGIC };
	const struct ipcconf_exec_probe_desc *probe = find_probe(name);
	const struct ipcconf_iut *self = NULL, *iut = NULL;
	if (!probe)
		snprintf(st.why, sizeof st.why, "no probe named '%s' in this program", name);
	else if (!spec || !*spec)
		snprintf(st.why, sizeof st.why, "no implementation spec in the environment (%s)",
			 ENV_IMPL);
	else if (load(spec, &self, &iut, st.why, sizeof st.why) < 0)
		; /* `why` says it */
	else
		st.ok = 1;
	if (ipcconf_exec_probe_write(out, &st, sizeof st) < 0 || !st.ok)
		_exit(125);
	probe->fn(self, iut, out, arg ? arg : "");
	_exit(0);
}

/* ---- the helper's side ---- */

extern char **environ;

_Noreturn void ipcconf_exec_probe(struct ipcconf_t *t, const char *name, int out_fd,
				  const char *arg)
{
	if (!impl_spec[0])
		BROKEN(t, "exec probe %s: this program's main() recorded no implementation spec",
		       name);
	int fl = fcntl(out_fd, F_GETFD);
	if (fl < 0 || fcntl(out_fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		BROKEN(t, "exec probe %s: descriptor %d: %s", name, out_fd, strerror(errno));

	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **envp = calloc(n + 5, sizeof *envp);
	char fd_text[16];
	snprintf(fd_text, sizeof fd_text, "%d", out_fd);
	const char *vars[4][2] = {
		{ ENV_NAME, name }, { ENV_FD, fd_text }, { ENV_ARG, arg ? arg : "" },
		{ ENV_IMPL, impl_spec },
	};
	if (!envp)
		BROKEN(t, "exec probe %s: out of memory", name);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], ENV_NAME, strlen(ENV_NAME)) != 0)
			envp[k++] = environ[i];
	for (size_t i = 0; i < 4; i++)
		if (asprintf(&envp[k++], "%s=%s", vars[i][0], vars[i][1]) < 0)
			BROKEN(t, "exec probe %s: out of memory", name);
	envp[k] = NULL;

	STEP(t, "exec'ing this program (/proc/self/exe) for probe %s", name);
	char *argv[] = { (char *)"ipcconf-exec-probe", NULL };
	execve("/proc/self/exe", argv, envp);
	int e = errno;
	if (e == ENOENT || e == EACCES || e == ENOEXEC || e == EPERM || e == ENOTDIR)
		SKIP(t, "this program cannot re-execute itself here: execve(/proc/self/exe): %s",
		     strerror(e));
	BROKEN(t, "exec probe %s: execve(/proc/self/exe): %s", name, strerror(e));
}

/*
 * Reads up to `len` bytes, bounded by the clause deadline: the count read
 * (less than `len` only at end of file).  A timeout is a FAIL: the exec'd
 * image hangs in the implementation.
 */
static size_t read_bounded(struct ipcconf_t *t, int fd, void *buf, size_t len, const char *what)
{
	size_t got = 0;
	while (got < len) {
		int64_t left = t->page->deadline_ns - ipcconf_now_ns();
		if (left <= 0) {
			FAIL(t, "timeout: %s: the exec'd image wrote %zu of %zu bytes and then nothing",
			     what, got, len);
			ipcconf_exit(t);
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)((left + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			BROKEN(t, "%s: poll: %s", what, strerror(errno));
		if (r <= 0)
			continue;
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			BROKEN(t, "%s: read: %s", what, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

void ipcconf_exec_probe_read(struct ipcconf_t *t, int fd, void *buf, size_t len,
			     const char *what)
{
	struct probe_hello hello;
	if (read_bounded(t, fd, &hello, sizeof hello, what) != sizeof hello ||
	    hello.magic != HELLO_MAGIC)
		SKIP(t, "%s: the re-executed /proc/self/exe never announced itself as this program "
			"(here it may not name this program, as under an emulator that does not "
			"translate it)", what);
	struct probe_status st;
	if (read_bounded(t, fd, &st, sizeof st, what) != sizeof st || st.magic != STATUS_MAGIC)
		BROKEN(t, "%s: the re-executed program ended before loading the implementation", what);
	if (!st.ok)
		BROKEN(t, "%s: the re-executed program could not run the probe: %.*s", what,
		       (int)sizeof st.why, st.why);
	size_t got = read_bounded(t, fd, buf, len, what);
	if (got != len) {
		FAIL(t, "%s: the probe in the exec'd image ended after %zu of %zu bytes "
			"(it died inside the implementation?)", what, got, len);
		ipcconf_exit(t);
	}
}
