/*
 * Liveness of a task, as seen through /proc, and the cached thread id.
 */
#define _GNU_SOURCE
#include "impl/ring/task_alive.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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

bool ring_task_alive(pid_t id)
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

static __thread pid_t cached_tid;
static pthread_once_t tid_once = PTHREAD_ONCE_INIT;

/* Runs in the fork child, on the one thread it has: its id is new. */
static void forget_tid(void)
{
	cached_tid = 0;
}

static void register_forget(void)
{
	pthread_atfork(NULL, NULL, forget_tid);
}

pid_t ring_self_tid(void)
{
	if (cached_tid == 0) {
		pthread_once(&tid_once, register_forget);
		cached_tid = gettid();
	}
	return cached_tid;
}
