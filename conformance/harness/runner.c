/*
 * runner.c -- one clause, one process group, one watchdog.
 *
 * The runner forks the clause process into a new process group, waits for
 * it with a deadline (a pidfd, through sys.h: nothing here goes through
 * the implementation under test or the C library's signal and wait
 * functions), then kills the whole group, reaps every process (the runner
 * is a child subreaper, so orphaned helpers come back to it), reads the
 * shared page, and removes every object the clause left.
 */
#define _GNU_SOURCE
#include "conformance/harness/runner.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/mechanism.h"
#include "conformance/harness/registry.h"
#include "conformance/harness/sys.h"

volatile int ipcconf_current_group;

#define GRACE_NS (500LL * 1000 * 1000)
#define REAP_BOUND_NS (5LL * 1000 * 1000 * 1000)

void ipcconf_runner_init(void)
{
	/* The runner writes reports to pipes it does not own; EPIPE is handled. */
	ipcconf_sys_sigaction(SIGPIPE, SIG_IGN, 0, 0);
	/* Orphaned helpers are re-parented to us, so we can reap them (and
	 * under `runsc do`, where we are PID 1's child, nothing piles up). */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

void ipcconf_append(char *dst, size_t size, const char *fmt, ...)
{
	size_t len = strlen(dst);
	if (len + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + len, size - len, fmt, ap);
	va_end(ap);
}

#define MAX_WATCHED 64

/*
 * SIGKILLs every direct child (orphans adopted as subreaper included) and
 * its group; opens a pidfd for each, so the caller can wait for them to end.
 * Returns how many pidfds it opened (none where pidfd_open is missing).
 */
static int kill_children(struct pollfd *fds, int max)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int pid, n = 0;
	while (fscanf(f, "%d", &pid) == 1) {
		ipcconf_sys_kill(-pid, SIGKILL);
		ipcconf_sys_kill(pid, SIGKILL);
		int fd = n < max ? ipcconf_sys_pidfd_open(pid) : -1;
		if (fd >= 0)
			fds[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	fclose(f);
	return n;
}

int ipcconf_kill_and_reap_all(int64_t deadline_ns)
{
	int64_t backoff_ns = 20 * 1000;
	for (;;) {
		int st;
		pid_t r;
		while ((r = ipcconf_sys_reap_any(&st)) > 0)
			;
		if (r == -ECHILD)
			return 0;
		if (ipcconf_now_ns() >= deadline_ns)
			return 1;
		struct pollfd fds[MAX_WATCHED];
		int n = kill_children(fds, MAX_WATCHED);
		if (n > 0) {
			/* Wait for any of them to end (SIGKILLed processes end within moments). */
			int64_t left = deadline_ns - ipcconf_now_ns();
			poll(fds, (nfds_t)n, left > 0 ? (int)(left / 1000000) + 1 : 0);
			for (int i = 0; i < n; i++)
				close(fds[i].fd);
		} else {
			ipcconf_sys_pause_ns(backoff_ns, deadline_ns);
			if (backoff_ns < 2 * 1000 * 1000)
				backoff_ns *= 2;
		}
	}
}

static _Noreturn void clause_process(const struct ipcconf_run_config *cfg,
				     const struct ipcconf_clause *c,
				     struct ipcconf_page *page, const char *dir, pid_t runner)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != runner)
		_exit(120); /* the runner died before we could notice */
	ipcconf_sys_reset_signals();
	struct ipcconf_t t = {
		.self = cfg->impl->self,
		.iut = cfg->impl->iut,
		.clause = c,
		.dir = dir,
		.page = page,
	};
	STEP(&t, "starting");
	c->body(&t);
	_exit(0);
}

static void describe_steps(const struct ipcconf_page *page, char *dst, size_t size)
{
	for (int i = 0; i < IPCCONF_MAX_STEPS; i++) {
		pid_t pid = atomic_load(&page->steps[i].pid);
		if (pid == 0)
			continue;
		ipcconf_append(dst, size, "\n  pid %d was at: %s", (int)pid, page->steps[i].text);
	}
}

static void broken(struct ipcconf_result *out, const char *what)
{
	out->outcome = IPCCONF_BROKEN;
	snprintf(out->detail, sizeof out->detail, "broken: %s: %s", what, strerror(errno));
}

/* The verdict from how the clause process ended and what the page says. */
static void judge(const struct ipcconf_run_config *cfg, const struct ipcconf_clause *c,
		  const struct ipcconf_page *page, int ended, int status, int survivors,
		  unsigned timeout_ms, struct ipcconf_result *out)
{
	enum ipcconf_outcome o = (enum ipcconf_outcome)atomic_load(&page->outcome);
	unsigned n = atomic_load(&page->nmessages);
	for (unsigned i = 0; i < n && i < IPCCONF_MAX_MESSAGES; i++)
		ipcconf_append(out->detail, sizeof out->detail, "%s%.*s", i ? "\n" : "",
			       IPCCONF_MESSAGE_LEN, page->messages[i]);
	if (n > IPCCONF_MAX_MESSAGES)
		ipcconf_append(out->detail, sizeof out->detail, "\n(%u more messages)",
			       n - IPCCONF_MAX_MESSAGES);
	const char *sep = out->detail[0] ? "\n" : "";
	if (!ended) {
		o = IPCCONF_FAIL;
		ipcconf_append(out->detail, sizeof out->detail,
			       "%sfail: timeout: the clause did not finish within %.0f ms (timeout-mul %.2g); killed",
			       sep, (double)timeout_ms * cfg->timeout_mul, cfg->timeout_mul);
		describe_steps(page, out->detail, sizeof out->detail);
	} else if (WIFSIGNALED(status)) {
		o = IPCCONF_FAIL;
		const char *sig = sigabbrev_np(WTERMSIG(status));
		ipcconf_append(out->detail, sizeof out->detail,
			       "%sfail: the clause process was killed by SIG%s", sep, sig ? sig : "?");
		describe_steps(page, out->detail, sizeof out->detail);
	} else if (WEXITSTATUS(status) != 0) {
		if (o < IPCCONF_BROKEN)
			o = IPCCONF_BROKEN;
		ipcconf_append(out->detail, sizeof out->detail,
			       "%sbroken: the clause process exited with status %d", sep,
			       WEXITSTATUS(status));
	} else if (o == IPCCONF_PASS && !c->internal && atomic_load(&page->nchecks) == 0) {
		o = IPCCONF_BROKEN;
		ipcconf_append(out->detail, sizeof out->detail,
			       "%sbroken: the clause ran no check", sep);
	}
	if (survivors) {
		if (o < IPCCONF_BROKEN)
			o = IPCCONF_BROKEN;
		ipcconf_append(out->detail, sizeof out->detail,
			       "%sbroken: processes of the clause survived SIGKILL",
			       out->detail[0] ? "\n" : "");
	}
	out->outcome = o;
}

void ipcconf_run_clause(const struct ipcconf_run_config *cfg,
			const struct ipcconf_clause *c, unsigned index,
			struct ipcconf_result *out)
{
	memset(out, 0, sizeof *out);
	out->clause = c;
	int64_t start = ipcconf_now_ns();

	char mech_name[32];
	const struct ipcconf_mechanism *mech =
		ipcconf_find_mechanism(ipcconf_clause_mechanism(c, mech_name, sizeof mech_name));
	const char *not_judged = mech && mech->not_judged ? mech->not_judged(cfg->impl->iut) : NULL;
	if (not_judged) {
		out->outcome = IPCCONF_SKIP;
		snprintf(out->detail, sizeof out->detail, "skip: %s", not_judged);
		return;
	}

	char missing[512];
	ipcconf_missing_needs(cfg->impl, c, missing, sizeof missing);
	if (missing[0]) {
		out->outcome = IPCCONF_SKIP;
		snprintf(out->detail, sizeof out->detail,
			 "skip: the implementation does not provide %s", missing);
		return;
	}

	struct ipcconf_page *page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		broken(out, "mmap");
		return;
	}
	char dir[512];
	snprintf(dir, sizeof dir, "%s/c%u", cfg->rundir, index);
	if (mkdir(dir, 0700) < 0) {
		broken(out, "mkdir of the clause directory");
		munmap(page, sizeof *page);
		return;
	}

	unsigned timeout_ms = c->timeout_ms ? c->timeout_ms : IPCCONF_DEFAULT_TIMEOUT_MS;
	page->timeout_ns = (int64_t)((double)timeout_ms * 1e6 * cfg->timeout_mul);
	page->deadline_ns = start + page->timeout_ns;
	page->timeout_mul = cfg->timeout_mul;
	page->clause_index = index;
	snprintf(page->run_tag, sizeof page->run_tag, "%s", cfg->run_tag);
	snprintf(page->socket_dir, sizeof page->socket_dir, "%s",
		 cfg->socket_dir ? cfg->socket_dir : "");
	int64_t watchdog = page->deadline_ns + (int64_t)((double)GRACE_NS * cfg->timeout_mul);

	fflush(NULL); /* a child must not flush our buffered output again */
	pid_t runner = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		broken(out, "fork");
		rmdir(dir);
		munmap(page, sizeof *page);
		return;
	}
	if (pid == 0)
		clause_process(cfg, c, page, dir, runner);
	setpgid(pid, pid); /* also here: the group must exist before we may kill it */
	ipcconf_current_group = pid;

	int status = 0;
	int ended = ipcconf_sys_wait_child(pid, &status, watchdog) == 1;
	ipcconf_sys_kill(-pid, SIGKILL);
	if (!ended)
		ipcconf_sys_kill(pid, SIGKILL);
	int survivors = ipcconf_kill_and_reap_all(ipcconf_now_ns() + REAP_BOUND_NS);
	ipcconf_current_group = 0;

	/* Only now, with every process gone, is the page stable. */
	judge(cfg, c, page, ended, status, survivors, timeout_ms, out);
	snprintf(out->note, sizeof out->note, "%.*s", IPCCONF_MESSAGE_LEN - 1, page->note);

	ipcconf_cleanup_objects(cfg, page, dir, out);
	munmap(page, sizeof *page);
	out->elapsed_ns = ipcconf_now_ns() - start;
}
