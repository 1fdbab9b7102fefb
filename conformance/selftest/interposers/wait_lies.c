/*
 * wait_lies.c -- LD_PRELOAD shim: waitpid, wait, wait3, wait4 and waitid
 * return at once, claiming that a child exited with status 0, while the
 * child goes on running (and is never reaped by them).
 *
 * The pid claimed is the one asked for when it is positive; otherwise the
 * caller's last child made by fork() (the shim wraps fork, through
 * dlsym(RTLD_NEXT), only to remember it), or else any child the kernel lists
 * in /proc/self/task/TID/children.  With no child known at all they fail
 * with ECHILD, as the real functions would.  WNOHANG changes nothing: the
 * "exit" is always already there.  The wait functions themselves resolve
 * nothing from the real C library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static _Atomic pid_t last_child;

static pid_t (*real_fork)(void);

__attribute__((constructor)) static void resolve_fork(void)
{
	real_fork = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
}

pid_t fork(void)
{
	if (!real_fork)
		resolve_fork();
	if (!real_fork) {
		errno = ENOSYS;
		return -1;
	}
	pid_t pid = real_fork();
	if (pid > 0)
		atomic_store(&last_child, pid);
	else if (pid == 0)
		atomic_store(&last_child, 0); /* the child has no child yet */
	return pid;
}

/* The first child the kernel lists for the calling thread, or 0. */
static pid_t listed_child(void)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)syscall(SYS_gettid));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* The child to claim for a request about `pid` (as waitpid takes it), or 0. */
static pid_t claimed(pid_t pid)
{
	if (pid > 0)
		return pid;
	pid_t c = atomic_load(&last_child);
	return c > 0 ? c : listed_child();
}

/* "pid exited with status 0", or ECHILD when no child is known. */
static pid_t lie(pid_t pid, int *status, struct rusage *usage)
{
	pid_t c = claimed(pid);
	if (c <= 0) {
		errno = ECHILD;
		return -1;
	}
	if (status)
		*status = 0; /* WIFEXITED, WEXITSTATUS 0 */
	if (usage)
		memset(usage, 0, sizeof *usage);
	return c;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return lie(pid, status, NULL);
}

pid_t wait(int *status)
{
	return lie(-1, status, NULL);
}

pid_t wait3(int *status, int options, struct rusage *usage)
{
	return lie(-1, status, usage);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
	return lie(pid, status, usage);
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	pid_t c = claimed(idtype == P_PID ? (pid_t)id : -1);
	if (c <= 0) {
		errno = ECHILD;
		return -1;
	}
	if (info) {
		memset(info, 0, sizeof *info);
		info->si_signo = SIGCHLD;
		info->si_code = CLD_EXITED;
		info->si_pid = c;
		info->si_uid = getuid();
		info->si_status = 0;
	}
	return 0;
}
