/*
 * runner.c -- one clause, one process group, one watchdog.
 *
 * The runner forks the clause process into a new process group, waits for
 * it with a deadline (SIGCHLD through sigtimedwait, so nothing here goes
 * through the implementation under test), then kills the whole group,
 * reaps every process (the runner is a child subreaper, so orphaned
 * helpers come back to it), reads the shared page, and removes every name
 * the clause left in its directory.
 */
#define _GNU_SOURCE
#include "conformance/harness/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

volatile int ipcconf_current_group;

#define GRACE_NS (500LL * 1000 * 1000)
#define REAP_BOUND_NS (5LL * 1000 * 1000 * 1000)

void ipcconf_runner_init(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	/* The runner writes reports to pipes it does not own; EPIPE is handled. */
	signal(SIGPIPE, SIG_IGN);
	/* Orphaned helpers are re-parented to us, so we can reap them (and
	 * under `runsc do`, where we are PID 1's child, nothing piles up). */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static void append(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *dst, size_t size, const char *fmt, ...)
{
	size_t len = strlen(dst);
	if (len + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + len, size - len, fmt, ap);
	va_end(ap);
}

/* Waits up to `deadline` for `pid` to end; reaps any other child meanwhile. */
static int wait_for(pid_t pid, int *status, int64_t deadline)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		int st;
		pid_t r;
		while ((r = waitpid(-1, &st, WNOHANG)) > 0)
			if (r == pid) {
				*status = st;
				return 1;
			}
		int64_t left = deadline - ipcconf_now_ns();
		if (left <= 0)
			return 0;
		struct timespec ts = ipcconf_ns_to_timespec(left);
		sigtimedwait(&chld, NULL, &ts);
	}
}

/* SIGKILLs every direct child (orphans adopted as subreaper included). */
static void kill_children(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	int pid;
	while (fscanf(f, "%d", &pid) == 1) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	fclose(f);
}

/* Reaps every child; returns the number still alive at the bound. */
static int reap_all(int64_t deadline)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		int st;
		pid_t r;
		while ((r = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (r < 0 && errno == ECHILD)
			return 0;
		int64_t left = deadline - ipcconf_now_ns();
		if (left <= 0)
			return 1;
		kill_children();
		struct timespec ts = ipcconf_ns_to_timespec(left);
		sigtimedwait(&chld, NULL, &ts);
	}
}

static void reset_signals_for_clause(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t only_chld;
	sigemptyset(&only_chld);
	/* Kept blocked: ipcconf_wait() collects children with sigtimedwait(). */
	sigaddset(&only_chld, SIGCHLD);
	sigprocmask(SIG_SETMASK, &only_chld, NULL);
}

static _Noreturn void clause_process(const struct ipcconf_run_config *cfg,
				     const struct ipcconf_clause *c,
				     struct ipcconf_page *page, const char *dir, pid_t runner)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != runner)
		_exit(120); /* the runner died before we could notice */
	reset_signals_for_clause();
	struct ipcconf_t t = {
		.iut = cfg->iut,
		.stream = cfg->iut->stream,
		.pipe = cfg->iut->pipe,
		.fifo = cfg->iut->fifo,
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
		append(dst, size, "\n  pid %d was at: %s", (int)pid, page->steps[i].text);
	}
}

/* Removes everything under `dir`, then `dir`. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char path[512];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			struct stat st;
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(path);
			else
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/*
 * FIFOs are removed through the IUT's fifo.unlink first, so that an
 * implementation can drop what it keeps outside the file system.  That
 * call runs in a child under a bound: a crashing or hanging unlink is the
 * implementation's failure to report, not the runner's.
 */
static void unlink_fifos_through_iut(const struct ipcconf_run_config *cfg, const char *dir,
				     struct ipcconf_result *out)
{
	if (!cfg->iut->fifo || !cfg->iut->fifo->unlink)
		return;
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		setpgid(0, 0);
		reset_signals_for_clause();
		DIR *d = opendir(dir);
		if (!d)
			_exit(0);
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			char path[512];
			struct stat st;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (lstat(path, &st) == 0 && S_ISFIFO(st.st_mode))
				cfg->iut->fifo->unlink(path);
		}
		_exit(0);
	}
	setpgid(pid, pid);
	int st = 0;
	int64_t bound = (int64_t)(2e9 * cfg->timeout_mul);
	if (!wait_for(pid, &st, ipcconf_now_ns() + bound)) {
		append(out->detail, sizeof out->detail,
		       "%swarning: the implementation's fifo.unlink did not return during cleanup",
		       out->detail[0] ? "\n" : "");
	} else if (WIFSIGNALED(st)) {
		append(out->detail, sizeof out->detail,
		       "%swarning: the implementation's fifo.unlink crashed (%s) during cleanup",
		       out->detail[0] ? "\n" : "", sigabbrev_np(WTERMSIG(st)));
	}
	kill(-pid, SIGKILL);
	reap_all(ipcconf_now_ns() + REAP_BOUND_NS);
}

static void missing_caps(const struct ipcconf_run_config *cfg, const struct ipcconf_clause *c,
			 char *dst, size_t size)
{
	uint64_t missing = c->needs & ~cfg->iut->caps;
	dst[0] = '\0';
	for (int bit = 0; bit < 64; bit++) {
		uint64_t cap = UINT64_C(1) << bit;
		if (!(missing & cap))
			continue;
		const char *name = ipcconf_cap_name(cap);
		if (name)
			append(dst, size, "%s%s", dst[0] ? ", " : "", name);
		else
			append(dst, size, "%sbit %d", dst[0] ? ", " : "", bit);
	}
}

void ipcconf_run_clause(const struct ipcconf_run_config *cfg,
			const struct ipcconf_clause *c, unsigned index,
			struct ipcconf_result *out)
{
	memset(out, 0, sizeof *out);
	out->clause = c;
	int64_t start = ipcconf_now_ns();

	char missing[256];
	missing_caps(cfg, c, missing, sizeof missing);
	if (missing[0]) {
		out->outcome = IPCCONF_SKIP;
		snprintf(out->detail, sizeof out->detail,
			 "skip: the implementation does not provide %s", missing);
		return;
	}

	struct ipcconf_page *page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		out->outcome = IPCCONF_BROKEN;
		snprintf(out->detail, sizeof out->detail, "broken: mmap: %s", strerror(errno));
		return;
	}
	char dir[256];
	snprintf(dir, sizeof dir, "%s/c%u", cfg->rundir, index);
	if (mkdir(dir, 0700) < 0) {
		out->outcome = IPCCONF_BROKEN;
		snprintf(out->detail, sizeof out->detail, "broken: mkdir %s: %s", dir, strerror(errno));
		munmap(page, sizeof *page);
		return;
	}

	unsigned timeout_ms = c->timeout_ms ? c->timeout_ms : IPCCONF_DEFAULT_TIMEOUT_MS;
	page->timeout_ns = (int64_t)((double)timeout_ms * 1e6 * cfg->timeout_mul);
	page->deadline_ns = start + page->timeout_ns;
	int64_t watchdog = page->deadline_ns + (int64_t)((double)GRACE_NS * cfg->timeout_mul);

	fflush(NULL); /* a child must not flush our buffered output again */
	pid_t runner = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		out->outcome = IPCCONF_BROKEN;
		snprintf(out->detail, sizeof out->detail, "broken: fork: %s", strerror(errno));
		remove_tree(dir);
		munmap(page, sizeof *page);
		return;
	}
	if (pid == 0)
		clause_process(cfg, c, page, dir, runner);
	setpgid(pid, pid); /* also here: the group must exist before we may kill it */
	ipcconf_current_group = pid;

	int status = 0;
	int ended = wait_for(pid, &status, watchdog);
	kill(-pid, SIGKILL);
	if (!ended)
		kill(pid, SIGKILL);
	int survivors = reap_all(ipcconf_now_ns() + REAP_BOUND_NS);
	ipcconf_current_group = 0;

	/* Only now, with every process gone, is the page stable. */
	enum ipcconf_outcome o = (enum ipcconf_outcome)atomic_load(&page->outcome);
	unsigned n = atomic_load(&page->nmessages);
	for (unsigned i = 0; i < n && i < IPCCONF_MAX_MESSAGES; i++)
		append(out->detail, sizeof out->detail, "%s%.*s", i ? "\n" : "",
		       IPCCONF_MESSAGE_LEN, page->messages[i]);
	if (n > IPCCONF_MAX_MESSAGES)
		append(out->detail, sizeof out->detail, "\n(%u more messages)",
		       n - IPCCONF_MAX_MESSAGES);
	const char *sep = out->detail[0] ? "\n" : "";
	if (!ended) {
		o = IPCCONF_FAIL;
		append(out->detail, sizeof out->detail,
		       "%sfail: timeout: the clause did not finish within %.0f ms (timeout-mul %.2g); killed",
		       sep, (double)timeout_ms * cfg->timeout_mul, cfg->timeout_mul);
		describe_steps(page, out->detail, sizeof out->detail);
	} else if (WIFSIGNALED(status)) {
		o = IPCCONF_FAIL;
		const char *sig = sigabbrev_np(WTERMSIG(status));
		append(out->detail, sizeof out->detail,
		       "%sfail: the clause process was killed by SIG%s", sep, sig ? sig : "?");
		describe_steps(page, out->detail, sizeof out->detail);
	} else if (WEXITSTATUS(status) != 0) {
		if (o < IPCCONF_BROKEN)
			o = IPCCONF_BROKEN;
		append(out->detail, sizeof out->detail,
		       "%sbroken: the clause process exited with status %d", sep,
		       WEXITSTATUS(status));
	}
	if (survivors) {
		if (o < IPCCONF_BROKEN)
			o = IPCCONF_BROKEN;
		append(out->detail, sizeof out->detail,
		       "%sbroken: processes of the clause survived SIGKILL",
		       out->detail[0] ? "\n" : "");
	}
	out->outcome = o;
	snprintf(out->note, sizeof out->note, "%.*s", IPCCONF_MESSAGE_LEN - 1, page->note);

	unlink_fifos_through_iut(cfg, dir, out);
	remove_tree(dir);
	munmap(page, sizeof *page);
	out->elapsed_ns = ipcconf_now_ns() - start;
}
