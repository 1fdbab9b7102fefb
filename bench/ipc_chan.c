/* Helpers shared by ipc_bench's transports (ipc_chan.h). */
#define _GNU_SOURCE
#include "bench/ipc_chan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "impl/sync/sync_alive.h"

int ipc_peer_gone(const struct chan *c)
{
	return sync_process_alive(c->peer_pid) ? 0 : -EPIPE;
}

struct timespec ipc_deadline(clockid_t clock, int ms)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

int ipc_write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	for (size_t done = 0; done < n;) {
		ssize_t k = write(fd, p + done, n - done);

		if (k < 0 && errno != EINTR)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (k > 0)
			done += (size_t)k;
	}
	return 0;
}

int ipc_read_exact(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;

	for (size_t got = 0; got < n;) {
		ssize_t k = read(fd, p + got, n - got);

		if (k == 0)
			return -EPIPE;
		if (k < 0 && errno != EINTR)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (k > 0)
			got += (size_t)k;
	}
	return 0;
}

long ipc_sysctl(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v = dflt;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

int ipc_pipe_size(int fd)
{
	int size = fcntl(fd, F_SETPIPE_SZ, (int)bench_buf);

	/* Beyond pipe-max-size the kernel wants CAP_SYS_RESOURCE. */
	if (size < 0 && errno == EPERM)
		size = fcntl(fd, F_SETPIPE_SZ, (int)ipc_sysctl("/proc/sys/fs/pipe-max-size", 65536));
	return size < 0 ? -errno : size;
}
