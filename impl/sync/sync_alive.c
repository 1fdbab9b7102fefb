/* Liveness of a task, through /proc or a cached pidfd (sync_alive.h). */
#define _GNU_SOURCE
#include "impl/sync/sync_alive.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* When /proc cannot answer, existence is the best we can still tell. */
static bool exists_by_kill(pid_t id)
{
	return kill(id, 0) == 0 || errno == EPERM;
}

/*
 * /proc/ID/stat is "pid (comm) S ...": comm may itself contain ") ", so
 * the state is the first field after the *last* ')'.
 */
static char state_of(const char *stat)
{
	const char *close = strrchr(stat, ')');

	if (close == NULL || close[1] != ' ')
		return '?';
	return close[2];
}

bool sync_task_alive(pid_t id)
{
	char path[48];
	char buf[512];
	ssize_t n;
	int fd;

	if (id <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return false;
		return exists_by_kill(id);
	}
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	int read_errno = errno;
	close(fd);
	if (n <= 0) {
		/* Reaped between open and read. */
		if (n < 0 && read_errno == ESRCH)
			return false;
		return exists_by_kill(id);
	}
	buf[n] = '\0';
	switch (state_of(buf)) {
	case 'Z':
	case 'X':
	case 'x':
		return false;
	default:
		return true;
	}
}

static struct {
	pid_t pid;
	int fd;
} pidfds[SYNC_PIDFD_CACHE];
static unsigned pidfd_victim;
static pthread_mutex_t pidfd_lock = PTHREAD_MUTEX_INITIALIZER;
/* The fork handlers below keep pidfd_lock consistent in a fork child. */
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static void register_fork_handlers(void);

static void forget_pidfd(unsigned i)
{
	close(pidfds[i].fd);
	pidfds[i].pid = 0;
}

/* The cached pidfd for pid, opening one (and evicting another) if needed. */
static int pidfd_for(pid_t pid)
{
	unsigned i;
	int fd;

	for (i = 0; i < SYNC_PIDFD_CACHE; i++)
		if (pidfds[i].pid == pid)
			return pidfds[i].fd;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < SYNC_PIDFD_CACHE && pidfds[i].pid != 0; i++)
		;
	if (i == SYNC_PIDFD_CACHE) {
		i = pidfd_victim++ % SYNC_PIDFD_CACHE;
		forget_pidfd(i);
	}
	pidfds[i].pid = pid;
	pidfds[i].fd = fd;
	return fd;
}

bool sync_process_alive(pid_t pid)
{
	struct pollfd p;
	bool alive;
	int r;

	if (pid <= 0)
		return false;
	pthread_once(&fork_once, register_fork_handlers);
	pthread_mutex_lock(&pidfd_lock);
	p.fd = pidfd_for(pid);
	if (p.fd < 0) {
		pthread_mutex_unlock(&pidfd_lock);
		if (p.fd == -ESRCH)
			return false;
		return sync_task_alive(pid); /* no pidfds here (or no descriptors left) */
	}
	p.events = POLLIN;
	do
		r = poll(&p, 1, 0);
	while (r < 0 && errno == EINTR);
	alive = r == 0;
	if (!alive) {
		/* Forget it: the pid may come back as another process. */
		for (unsigned i = 0; i < SYNC_PIDFD_CACHE; i++)
			if (pidfds[i].pid == pid)
				forget_pidfd(i);
	}
	pthread_mutex_unlock(&pidfd_lock);
	return alive;
}

/* A thread of the parent may be inside sync_process_alive() at fork(). */
static void lock_pidfds(void)
{
	pthread_mutex_lock(&pidfd_lock);
}

/* Both sides unlock; the pidfds stay valid in the child (inherited, same processes). */
static void unlock_pidfds(void)
{
	pthread_mutex_unlock(&pidfd_lock);
}

static void register_fork_handlers(void)
{
	pthread_atfork(lock_pidfds, unlock_pidfds, unlock_pidfds);
}
