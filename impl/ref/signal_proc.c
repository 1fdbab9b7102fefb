/*
 * What /proc says of a process, for the signal model (signal_model.h):
 * its state, parent, group and start time from /proc/PID/stat, and the
 * list of processes from /proc itself.  Raw system calls and a stack
 * buffer only, since kill() runs in signal handlers.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "impl/ref/signal_model.h"

/* "/proc/" followed by pid (0: "self") and "/stat", into buf. */
static void stat_path(char *buf, size_t size, pid_t pid)
{
	static const char pre[] = "/proc/", post[] = "/stat";
	char digits[16];
	size_t n = 0, len = 0;

	if (pid == 0) {
		memcpy(digits, "self", 4);
		n = 4;
	} else {
		char rev[16];
		unsigned long v = (unsigned long)pid;

		do {
			rev[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0 && n < sizeof(rev));
		for (size_t k = 0; k < n; k++)
			digits[k] = rev[n - 1 - k];
	}
	if (sizeof(pre) - 1 + n + sizeof(post) > size) {
		buf[0] = '\0';
		return;
	}
	memcpy(buf, pre, sizeof(pre) - 1);
	len = sizeof(pre) - 1;
	memcpy(buf + len, digits, n);
	len += n;
	memcpy(buf + len, post, sizeof(post));
}

/* The decimal number at *p (leading '-' allowed), advancing past it. */
static long long number(const char **p, const char *end)
{
	long long v = 0;
	bool neg = false;

	if (*p < end && **p == '-') {
		neg = true;
		(*p)++;
	}
	while (*p < end && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return neg ? -v : v;
}

int sigm_proc_stat(pid_t pid, struct sigm_stat *st)
{
	char path[48], buf[1024];
	const char *p, *end;
	ssize_t n;
	int fd, field;

	stat_path(path, sizeof(path), pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -ESRCH; /* reaped between open and read */
	end = buf + n;
	/* comm may hold ") ": the fields start after the last ')'. */
	p = NULL;
	for (const char *q = buf; q < end; q++)
		if (*q == ')')
			p = q;
	if (p == NULL || end - p < 3)
		return -EIO;
	p += 2;
	st->state = *p;
	/* Field 3 is the state; ppid 4, pgrp 5, starttime 22. */
	for (field = 3; field < 22 && p < end; field++) {
		while (p < end && *p != ' ')
			p++;
		if (p < end)
			p++;
		if (field + 1 == 4)
			st->ppid = (pid_t)number(&p, end);
		else if (field + 1 == 5)
			st->pgrp = (pid_t)number(&p, end);
		else if (field + 1 == 22)
			st->start = (uint64_t)number(&p, end);
	}
	return field == 22 ? 0 : -EIO;
}

bool sigm_proc_dead(pid_t pid, uint64_t start)
{
	struct sigm_stat st;
	int r = sigm_proc_stat(pid, &st);

	if (r == -ESRCH)
		return true;
	if (r < 0) /* no /proc: existence is all that can be told */
		return kill(pid, 0) != 0 && errno == ESRCH;
	/* start 0: registered without /proc, so only liveness can tell. */
	return (start != 0 && st.start != start) || st.state == 'Z' || st.state == 'X' ||
	       st.state == 'x';
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int sigm_proc_each(void (*fn)(pid_t pid, void *ctx), void *ctx)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			const char *name = d->d_name;
			long long v = 0;

			off += d->d_reclen;
			if (d->d_reclen == 0)
				break;
			if (*name < '1' || *name > '9')
				continue;
			for (; *name >= '0' && *name <= '9' && v < INT32_MAX; name++)
				v = v * 10 + (*name - '0');
			if (*name == '\0' && v > 0 && v <= INT32_MAX)
				fn((pid_t)v, ctx);
		}
	}
	close(fd);
	return 0;
}
