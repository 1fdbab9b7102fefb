/*
 * Unit tests of the `ref` implementation (ref_iut.h).
 *
 * Every test runs three times: against `os` first, where the kernel is the
 * oracle and proves the expectation right, then against `ref` and
 * `ref-small`.  Only the checks of ref's own machinery (its shm objects)
 * are skipped for `os`.
 *
 * No test sleeps: a peer is known to be blocked when /proc shows it asleep
 * (state S), children are awaited with waitpid(), and handlers are awaited
 * through the counter they bump.  Every FIFO made is unlinked, and for ref
 * the test checks that its shm object went with it.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"

static const struct ipcconf_iut *iut;
static char dir[PATH_MAX];

/* The operations, with `self` passed as the contract wants it: the entry function's pointer. */
static ssize_t io_read(int h, void *buf, size_t n) { return iut->stream->read(iut, h, buf, n); }
static ssize_t io_write(int h, const void *buf, size_t n) { return iut->stream->write(iut, h, buf, n); }
static long io_nread(int h) { return iut->stream->nread(iut, h); }
static int io_close(int h) { return iut->handle->close(iut, h); }
static int io_dup(int h) { return iut->handle->dup(iut, h); }
static int io_get_nonblock(int h) { return iut->handle->get_nonblock(iut, h); }
static int io_set_nonblock(int h, int on) { return iut->handle->set_nonblock(iut, h, on); }
static long long io_seek(int h, long long off, int whence) { return iut->pipe->seek(iut, h, off, whence); }
static long io_get_capacity(int h) { return iut->pipe->get_capacity(iut, h); }
static long io_set_capacity(int h, long bytes) { return iut->pipe->set_capacity(iut, h, bytes); }
static long io_pipe_buf(int h) { return iut->pipe->pipe_buf(iut, h); }
static int pipe_create(int e[2], int flags) { return iut->pipe->create(iut, e, flags); }
static int fifo_mkfifo(const char *path, mode_t mode) { return iut->fifo->mkfifo(iut, path, mode); }
static int fifo_open(const char *path, int flags) { return iut->fifo->open(iut, path, flags); }
static int fifo_unlink(const char *path) { return iut->fifo->unlink(iut, path); }

/* poll(2) of one handle: its revents (0 on timeout), or a negative errno. */
static int io_poll(int h, short events, int timeout_ms)
{
	struct ipcconf_poll_item it = { .handle = h, .events = events };
	int r = iut->handle->poll(iut, &it, 1, timeout_ms);

	return r < 0 ? r : it.revents;
}

static bool testing_ref(void)
{
	return strcmp(iut->name, "os") != 0;
}

static bool testing_small(void)
{
	return strcmp(iut->name, "ref-small") == 0;
}

/* ---- helpers ---- */

static void make_pipe(int e[2], int flags)
{
	CU_ASSERT_FATAL(pipe_create(e, flags) == 0);
}

static void close_both(int e[2])
{
	io_close(e[0]);
	io_close(e[1]);
}

/* A pipe's limits as each implementation has them (ref_iut.h). */
struct limits {
	long capacity; /* a new pipe's */
	long pipe_buf;
	long max;      /* pipe-max-size: set_capacity beyond it is EPERM */
};

static struct limits expected_limits(void)
{
	struct limits l = { 65536, 4096, 1 << 20 };
	FILE *f;

	if (testing_small())
		return (struct limits){ 4096, 512, 65536 };
	if (!testing_ref() && (f = fopen("/proc/sys/fs/pipe-max-size", "r")) != NULL) {
		if (fscanf(f, "%ld", &l.max) != 1)
			l.max = 1 << 20;
		fclose(f);
	}
	return l;
}

/* Loops over short reads: one read may return less than there is to come. */
static bool read_exact(int h, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = io_read(h, (char *)buf + got, n - got);

		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The scheduler state of a task: 'R', 'S', 'Z'...; '?' when gone. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* Waits (yielding, bounded) until the task sleeps in a blocking call. */
static bool await_asleep(pid_t pid, pid_t tid)
{
	int64_t deadline = now_ms() + 10000;

	while (now_ms() < deadline) {
		if (task_state(pid, tid) == 'S')
			return true;
		sched_yield();
	}
	return false;
}

/* A child that does `fn` and exits with its result (0: success). */
static pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	CU_ASSERT_FATAL(pid > 0);
	return pid;
}

static int exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A child that holds whatever it inherited until it is killed. */
static int hold_forever(void *arg)
{
	int *gate = arg; /* the read end of a real pipe nobody writes */
	char c;

	return (int)read(*gate, &c, 1);
}

struct holder {
	pid_t pid;
	int gate[2];
};

static void holder_start(struct holder *hd)
{
	CU_ASSERT_FATAL(pipe(hd->gate) == 0);
	hd->pid = spawn(hold_forever, &hd->gate[0]);
	close(hd->gate[0]);
}

static void holder_end(struct holder *hd)
{
	kill(hd->pid, SIGKILL);
	waitpid(hd->pid, NULL, 0);
	close(hd->gate[1]);
}

/* A thread that acts on something once the main thread is blocked. */
struct when_blocked {
	pid_t tid;          /* the thread to watch */
	pid_t kill_pid;     /* kill(kill_pid, SIGKILL), or ... */
	pthread_t signal_thread;
	int signal;         /* ... pthread_kill(signal_thread, signal) */
	bool saw_blocked;
	pthread_t self;
};

static void *when_blocked_run(void *arg)
{
	struct when_blocked *wb = arg;

	wb->saw_blocked = await_asleep(getpid(), wb->tid);
	if (wb->kill_pid > 0)
		kill(wb->kill_pid, SIGKILL);
	else
		pthread_kill(wb->signal_thread, wb->signal);
	return NULL;
}

static void when_blocked_kill(struct when_blocked *wb, pid_t victim)
{
	*wb = (struct when_blocked){ .tid = gettid(), .kill_pid = victim };
	CU_ASSERT_FATAL(pthread_create(&wb->self, NULL, when_blocked_run, wb) == 0);
}

static void when_blocked_signal(struct when_blocked *wb, int sig)
{
	*wb = (struct when_blocked){ .tid = gettid(), .signal_thread = pthread_self(), .signal = sig };
	CU_ASSERT_FATAL(pthread_create(&wb->self, NULL, when_blocked_run, wb) == 0);
}

static void when_blocked_join(struct when_blocked *wb)
{
	pthread_join(wb->self, NULL);
	CU_ASSERT(wb->saw_blocked);
}

/*
 * ThreadSanitizer runs a signal handler late, when the interrupted call
 * returns; a read(2) the kernel restarts (SA_RESTART) never returns, and a
 * handler that ran at another time cannot be attributed.  The tests about
 * handlers interrupting calls are skipped under it.
 */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

static _Atomic int handled;

static void on_signal(int sig)
{
	atomic_fetch_add(&handled, 1);
}

static void catch_signal(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	atomic_store(&handled, 0);
}

static void block_signal(int sig, bool block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Takes a pending, blocked signal off the thread: true if it was there. */
static bool consume_pending(int sig)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, NULL, &zero) == sig;
}

static const char *fifo_path(const char *leaf)
{
	static char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	return path;
}

/*
 * ref names a FIFO's shm object after the node's identity: device, inode
 * and birth time (change time where the file system keeps no birth time),
 * "...-<major>.<minor>-<ino>-<sec>.<nsec>".  The key is taken while the
 * node exists; concurrent runs of this test cannot share it.
 */
static void shm_key(const char *path, char key[96])
{
	struct statx stx;
	struct statx_timestamp t;

	key[0] = '\0';
	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_CTIME | STATX_BTIME, &stx) != 0)
		return;
	t = (stx.stx_mask & STATX_BTIME) ? stx.stx_btime : stx.stx_ctime;
	snprintf(key, 96, "-%u.%u-%llu-%lld.%09u", stx.stx_dev_major, stx.stx_dev_minor,
		 (unsigned long long)stx.stx_ino, (long long)t.tv_sec, t.tv_nsec);
}

static int count_shm(const char *key, mode_t *mode)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	int n = 0;

	if (d == NULL || key[0] == '\0')
		return d ? (closedir(d), 0) : 0;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(e->d_name, "ipcconf-ref", 11) != 0 || strstr(e->d_name, key) == NULL)
			continue;
		n++;
		if (mode != NULL && fstatat(dirfd(d), e->d_name, &st, 0) == 0)
			*mode = st.st_mode & 07777;
	}
	closedir(d);
	return n;
}

/* After fifo.unlink: nothing of the node may remain in /dev/shm. */
static void assert_no_shm(const char *key)
{
	if (testing_ref())
		CU_ASSERT_EQUAL(count_shm(key, NULL), 0);
}

/* ---- pipes: single process ---- */

static void test_stream_order_and_short_reads(void)
{
	char buf[64];
	int e[2];

	make_pipe(e, 0);
	CU_ASSERT_EQUAL(io_write(e[1], "hello ", 6), 6);
	CU_ASSERT_EQUAL(io_write(e[1], "world", 5), 5);
	CU_ASSERT_EQUAL(io_nread(e[0]), 11);
	CU_ASSERT_EQUAL(io_read(e[0], buf, 3), 3);
	CU_ASSERT_EQUAL(memcmp(buf, "hel", 3), 0);
	CU_ASSERT_EQUAL(io_read(e[0], buf, sizeof(buf)), 8); /* short: what there is */
	CU_ASSERT_EQUAL(memcmp(buf, "lo world", 8), 0);
	CU_ASSERT_EQUAL(io_nread(e[0]), 0);                  /* read once, gone */
	CU_ASSERT_EQUAL(io_read(e[0], buf, 0), 0);
	CU_ASSERT_EQUAL(io_write(e[1], buf, 0), 0);
	close_both(e);
}

static void test_bad_handles(void)
{
	char c = 'x';
	int e[2];

	make_pipe(e, 0);
	CU_ASSERT_EQUAL(io_read(e[1], &c, 1), -EBADF);
	CU_ASSERT_EQUAL(io_read(e[1], &c, 0), -EBADF);
	CU_ASSERT_EQUAL(io_write(e[0], &c, 1), -EBADF);
	CU_ASSERT_EQUAL(io_seek(e[0], 0, SEEK_CUR), -ESPIPE);
	CU_ASSERT_EQUAL(io_seek(e[1], 10, SEEK_SET), -ESPIPE);
	CU_ASSERT_EQUAL(io_pipe_buf(e[0]), expected_limits().pipe_buf);
	CU_ASSERT_EQUAL(pipe_create(e, O_APPEND) , -EINVAL);
	close_both(e);
	CU_ASSERT_EQUAL(io_close(e[0]), -EBADF);
	CU_ASSERT_EQUAL(io_read(e[0], &c, 1), -EBADF);
	CU_ASSERT_EQUAL(io_write(e[1], &c, 1), -EBADF);
	CU_ASSERT_EQUAL(io_nread(e[1]), -EBADF);
	CU_ASSERT_EQUAL(io_seek(e[1], 0, SEEK_CUR), -EBADF);
	CU_ASSERT_EQUAL(io_poll(e[1], POLLOUT, 0), POLLNVAL);
	CU_ASSERT_EQUAL(io_dup(e[1]), -EBADF);
	CU_ASSERT_EQUAL(io_get_nonblock(e[1]), -EBADF);
}

static void test_nonblock_and_atomic_writes(void)
{
	static char big[3 * 65536];
	long cap;
	int e[2], d;

	make_pipe(e, O_NONBLOCK | O_CLOEXEC);
	CU_ASSERT_EQUAL(io_get_nonblock(e[0]), 1);
	CU_ASSERT_EQUAL(io_get_nonblock(e[1]), 1);
	CU_ASSERT_EQUAL(io_read(e[0], big, 10), -EAGAIN);
	d = io_dup(e[0]);
	CU_ASSERT(d >= 0);
	CU_ASSERT_EQUAL(io_set_nonblock(d, 0), 0);
	CU_ASSERT_EQUAL(io_get_nonblock(e[0]), 0); /* the flag belongs to the open description */
	CU_ASSERT_EQUAL(io_set_nonblock(e[0], 1), 0);
	CU_ASSERT_EQUAL(io_get_nonblock(d), 1);
	CU_ASSERT_EQUAL(io_close(d), 0);

	cap = io_get_capacity(e[1]);
	CU_ASSERT_EQUAL(cap, expected_limits().capacity);
	/* Larger than PIPE_BUF, non-blocking: what fits, then EAGAIN. */
	CU_ASSERT_EQUAL(io_write(e[1], big, sizeof(big)), cap);
	CU_ASSERT_EQUAL(io_write(e[1], big, 1), -EAGAIN);
	CU_ASSERT_EQUAL(io_poll(e[1], POLLOUT, 0), 0);
	/* A page's worth of room: an atomic write fits, a larger one does not. */
	CU_ASSERT(read_exact(e[0], big, 4096));
	CU_ASSERT_EQUAL(io_poll(e[1], POLLOUT, 0), POLLOUT);
	CU_ASSERT_EQUAL(io_write(e[1], big, 4096), 4096);
	CU_ASSERT(read_exact(e[0], big, 4096));
	CU_ASSERT_EQUAL(io_write(e[1], big, 4097), 4096);
	close_both(e);
}

/* What a forked child is handed: the pipe, and what to do with it. */
struct pipe_arg {
	int e[2];
	size_t len;
	int id;
};

static int child_sets_nonblock(void *arg)
{
	struct pipe_arg *a = arg;

	return io_set_nonblock(a->e[0], 1) == 0 ? 0 : 1;
}

/* A forked child shares the open description, so its status flags too. */
static void test_nonblock_shared_with_child(void)
{
	struct pipe_arg a;

	make_pipe(a.e, 0);
	CU_ASSERT_EQUAL(exit_code(spawn(child_sets_nonblock, &a)), 0);
	CU_ASSERT_EQUAL(io_get_nonblock(a.e[0]), 1);
	CU_ASSERT_EQUAL(io_get_nonblock(a.e[1]), 0);
	close_both(a.e);
}

static void test_capacity(void)
{
	long max = expected_limits().max;
	char buf[8192] = { 0 };
	int e[2];

	make_pipe(e, 0);
	CU_ASSERT_EQUAL(io_set_capacity(e[0], 0), 4096);
	CU_ASSERT_EQUAL(io_set_capacity(e[1], 5000), 8192);
	CU_ASSERT_EQUAL(io_get_capacity(e[0]), 8192);
	CU_ASSERT_EQUAL(io_set_capacity(e[1], max), max);
	CU_ASSERT_EQUAL(io_set_capacity(e[1], max + 1), -EPERM);
	CU_ASSERT_EQUAL(io_get_capacity(e[1]), max);
	CU_ASSERT_EQUAL(io_set_capacity(e[1], -1), -EINVAL);
	CU_ASSERT_EQUAL(io_write(e[1], buf, 6000), 6000);
	CU_ASSERT_EQUAL(io_set_capacity(e[1], 4096), -EBUSY);
	CU_ASSERT_EQUAL(io_set_capacity(e[1], 8192), 8192);
	CU_ASSERT_EQUAL(io_nread(e[0]), 6000);
	close_both(e);
}

static void test_eof_and_hangup(void)
{
	char buf[8];
	int e[2];

	make_pipe(e, 0);
	CU_ASSERT_EQUAL(io_poll(e[0], POLLIN, 0), 0);
	CU_ASSERT_EQUAL(io_poll(e[1], POLLIN | POLLOUT, 0), POLLOUT);
	CU_ASSERT_EQUAL(io_write(e[1], "ab", 2), 2);
	CU_ASSERT_EQUAL(io_close(e[1]), 0);
	CU_ASSERT_EQUAL(io_poll(e[0], POLLIN, 0), POLLIN | POLLHUP);
	CU_ASSERT_EQUAL(io_read(e[0], buf, sizeof(buf)), 2); /* drained first */
	CU_ASSERT_EQUAL(io_poll(e[0], POLLIN, 0), POLLHUP);   /* no POLLIN once empty */
	CU_ASSERT_EQUAL(io_read(e[0], buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(io_close(e[0]), 0);
}

/* A dup keeps the end open: end-of-file waits for the last handle. */
static void test_dup_keeps_end_open(void)
{
	char buf[4];
	int e[2], w2;

	make_pipe(e, 0);
	w2 = io_dup(e[1]);
	CU_ASSERT_FATAL(w2 >= 0);
	CU_ASSERT_EQUAL(io_close(e[1]), 0);
	CU_ASSERT_EQUAL(io_poll(e[0], POLLIN, 0), 0);
	CU_ASSERT_EQUAL(io_write(w2, "ab", 2), 2);
	CU_ASSERT_EQUAL(io_close(w2), 0);
	CU_ASSERT_EQUAL(io_read(e[0], buf, sizeof(buf)), 2);
	CU_ASSERT_EQUAL(io_read(e[0], buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(io_close(e[0]), 0);
}

static void test_epipe_and_sigpipe(void)
{
	int e[2];

	block_signal(SIGPIPE, true);
	make_pipe(e, 0);
	CU_ASSERT_EQUAL(io_close(e[0]), 0);
	CU_ASSERT_EQUAL(io_poll(e[1], POLLOUT, 0), POLLOUT | POLLERR);
	CU_ASSERT_EQUAL(io_write(e[1], "x", 0), 0);
	CU_ASSERT_FALSE(consume_pending(SIGPIPE));
	CU_ASSERT_EQUAL(io_write(e[1], "x", 1), -EPIPE);
	CU_ASSERT_TRUE(consume_pending(SIGPIPE));
	CU_ASSERT_EQUAL(io_close(e[1]), 0);
	block_signal(SIGPIPE, false);
}

static void test_poll_timeout_is_bounded(void)
{
	int64_t start;
	int e[2];

	make_pipe(e, 0);
	start = now_ms();
	CU_ASSERT_EQUAL(io_poll(e[0], POLLIN, 60), 0);
	CU_ASSERT(now_ms() - start >= 55);
	close_both(e);
}

/* ---- pipes: several processes ---- */

static int child_writes_pattern(void *arg)
{
	struct pipe_arg *a = arg;
	char *buf = malloc(a->len);

	io_close(a->e[0]);
	for (size_t i = 0; i < a->len; i++)
		buf[i] = (char)(i * 13 + 5);
	return io_write(a->e[1], buf, a->len) == (ssize_t)a->len ? 0 : 1;
}

/* A child inherits the write end; one blocking write larger than the pipe arrives whole. */
static void test_fork_inherits_and_large_write(void)
{
	struct pipe_arg a = { .len = 300000 };
	char *buf = malloc(a.len);
	char c;
	pid_t pid;

	make_pipe(a.e, 0);
	pid = spawn(child_writes_pattern, &a);
	CU_ASSERT_EQUAL(io_close(a.e[1]), 0);
	CU_ASSERT(read_exact(a.e[0], buf, a.len));
	for (size_t i = 0; i < a.len; i++)
		if (buf[i] != (char)(i * 13 + 5)) {
			CU_FAIL("stream corrupted");
			break;
		}
	CU_ASSERT_EQUAL(exit_code(pid), 0);
	CU_ASSERT_EQUAL(io_read(a.e[0], &c, 1), 0);
	io_close(a.e[0]);
	free(buf);
}

static int child_writes_records(void *arg)
{
	struct pipe_arg *a = arg;
	char rec[4096];

	io_close(a->e[0]);
	memset(rec, 'A' + a->id, sizeof(rec));
	for (int i = 0; i < 64; i++)
		if (io_write(a->e[1], rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			return 1;
	return 0;
}

/* Writes of PIPE_BUF bytes from several processes never interleave. */
static void test_pipe_buf_writes_are_atomic(void)
{
	enum { WRITERS = 4 };
	struct pipe_arg a;
	pid_t pids[WRITERS];
	int counts[WRITERS] = { 0 };
	char rec[4096];

	make_pipe(a.e, 0);
	for (int i = 0; i < WRITERS; i++) {
		a.id = i;
		pids[i] = spawn(child_writes_records, &a);
	}
	io_close(a.e[1]);
	while (read_exact(a.e[0], rec, sizeof(rec))) {
		int id = rec[0] - 'A';

		CU_ASSERT_FATAL(id >= 0 && id < WRITERS);
		for (size_t i = 1; i < sizeof(rec); i++)
			CU_ASSERT_EQUAL_FATAL(rec[i], rec[0]);
		counts[id]++;
	}
	for (int i = 0; i < WRITERS; i++) {
		CU_ASSERT_EQUAL(exit_code(pids[i]), 0);
		CU_ASSERT_EQUAL(counts[i], 64);
	}
	io_close(a.e[0]);
}

static int child_writes_one_byte(void *arg)
{
	struct pipe_arg *a = arg;

	io_close(a->e[0]);
	return io_write(a->e[1], "x", 1) == 1 ? 0 : 1;
}

/* Many short-lived holders: the writer count follows every fork and exit. */
static void test_many_children_then_eof(void)
{
	enum { CHILDREN = 24 };
	struct pipe_arg a;
	pid_t pids[CHILDREN];
	char buf[64];
	size_t got = 0;
	ssize_t k;

	make_pipe(a.e, 0);
	for (int i = 0; i < CHILDREN; i++)
		pids[i] = spawn(child_writes_one_byte, &a);
	io_close(a.e[1]);
	while ((k = io_read(a.e[0], buf, sizeof(buf))) > 0)
		got += (size_t)k;
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT_EQUAL(got, CHILDREN);
	for (int i = 0; i < CHILDREN; i++)
		CU_ASSERT_EQUAL(exit_code(pids[i]), 0);
	io_close(a.e[0]);
}

/* A writer killed (a zombie, not yet reaped) while we block in read: end-of-file. */
static void test_blocked_reader_sees_killed_writer(void)
{
	struct when_blocked wb;
	struct holder hd;
	char c;
	int e[2];

	make_pipe(e, 0);
	holder_start(&hd);
	io_close(e[1]);
	when_blocked_kill(&wb, hd.pid);
	CU_ASSERT_EQUAL(io_read(e[0], &c, 1), 0);
	when_blocked_join(&wb);
	holder_end(&hd);
	io_close(e[0]);
}

/* A reader killed while we block in write: EPIPE and SIGPIPE. */
static void test_blocked_writer_sees_killed_reader(void)
{
	static char big[1 << 17];
	struct when_blocked wb;
	struct holder hd;
	long room;
	int e[2];

	block_signal(SIGPIPE, true);
	make_pipe(e, 0);
	holder_start(&hd);
	io_close(e[0]);
	when_blocked_kill(&wb, hd.pid);
	CU_ASSERT_EQUAL(io_write(e[1], big, 4096), 4096);
	/*
	 * The pipe fills, the rest waits for a reader that dies: the count
	 * written before that, or EPIPE when there was no room at all.
	 */
	room = io_get_capacity(e[1]) - 4096;
	CU_ASSERT_EQUAL(io_write(e[1], big, sizeof(big)), room > 0 ? room : -EPIPE);
	when_blocked_join(&wb);
	CU_ASSERT_TRUE(consume_pending(SIGPIPE));
	CU_ASSERT_EQUAL(io_write(e[1], big, 1), -EPIPE);
	CU_ASSERT_TRUE(consume_pending(SIGPIPE));
	holder_end(&hd);
	io_close(e[1]);
	block_signal(SIGPIPE, false);
}

static void test_signal_interrupts_blocked_read(void)
{
	struct when_blocked wb;
	char c;
	int e[2];

	if (UNDER_TSAN)
		return;

	catch_signal(SIGUSR1, 0);
	make_pipe(e, 0);
	when_blocked_signal(&wb, SIGUSR1);
	CU_ASSERT_EQUAL(io_read(e[0], &c, 1), -EINTR);
	when_blocked_join(&wb);
	CU_ASSERT_EQUAL(atomic_load(&handled), 1);
	close_both(e);
	signal(SIGUSR1, SIG_DFL);
}

static void test_signal_interrupts_blocked_write(void)
{
	static char big[1 << 17];
	struct when_blocked wb;
	int e[2];

	if (UNDER_TSAN)
		return;

	catch_signal(SIGUSR1, 0);
	make_pipe(e, O_NONBLOCK);
	CU_ASSERT(io_write(e[1], big, sizeof(big)) > 0); /* full */
	CU_ASSERT_EQUAL(io_set_nonblock(e[1], 0), 0);
	when_blocked_signal(&wb, SIGUSR1);
	CU_ASSERT_EQUAL(io_write(e[1], big, 1), -EINTR);
	when_blocked_join(&wb);
	close_both(e);
	signal(SIGUSR1, SIG_DFL);
}

/* poll(2) is never restarted: EINTR even when the handler has SA_RESTART. */
static void test_signal_interrupts_poll(void)
{
	struct when_blocked wb;
	int e[2];

	if (UNDER_TSAN)
		return;

	catch_signal(SIGUSR1, SA_RESTART);
	make_pipe(e, 0);
	when_blocked_signal(&wb, SIGUSR1);
	CU_ASSERT_EQUAL(io_poll(e[0], POLLIN, -1), -EINTR);
	when_blocked_join(&wb);
	close_both(e);
	signal(SIGUSR1, SIG_DFL);
}

struct late_writer {
	int w;
};

static void *write_after_handler(void *arg)
{
	struct late_writer *lw = arg;

	while (atomic_load(&handled) == 0)
		sched_yield();
	io_write(lw->w, "k", 1);
	return NULL;
}

/* With SA_RESTART a blocked read goes on after the handler, as the kernel restarts it. */
static void test_sa_restart_resumes_blocked_read(void)
{
	struct when_blocked wb;
	struct late_writer lw;
	pthread_t writer;
	char c = 0;
	int e[2];

	if (UNDER_TSAN)
		return;

	catch_signal(SIGUSR1, SA_RESTART);
	make_pipe(e, 0);
	lw.w = e[1];
	CU_ASSERT_FATAL(pthread_create(&writer, NULL, write_after_handler, &lw) == 0);
	when_blocked_signal(&wb, SIGUSR1);
	CU_ASSERT_EQUAL(io_read(e[0], &c, 1), 1);
	CU_ASSERT_EQUAL(c, 'k');
	when_blocked_join(&wb);
	pthread_join(writer, NULL);
	close_both(e);
	signal(SIGUSR1, SIG_DFL);
}

static void test_poll_wakes_on_data(void)
{
	struct pipe_arg a = { .len = 10 };
	pid_t pid;

	make_pipe(a.e, 0);
	pid = spawn(child_writes_pattern, &a);
	CU_ASSERT_EQUAL(io_poll(a.e[0], POLLIN, 10000) & POLLIN, POLLIN);
	CU_ASSERT_EQUAL(exit_code(pid), 0);
	close_both(a.e);
}

/* ---- FIFOs ---- */

static void test_fifo_nonblocking_opens(void)
{
	const char *path = fifo_path("nb");
	char buf[8], key[96];
	int r, w, rw;

	CU_ASSERT_EQUAL_FATAL(fifo_mkfifo(path, 0600), 0);
	shm_key(path, key);
	CU_ASSERT_EQUAL(fifo_mkfifo(path, 0600), -EEXIST);
	CU_ASSERT_EQUAL(fifo_open(path, O_WRONLY | O_NONBLOCK), -ENXIO);
	CU_ASSERT_EQUAL(fifo_open(path, O_ACCMODE), -EINVAL);
	r = fifo_open(path, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(r >= 0);
	CU_ASSERT_EQUAL(io_read(r, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(io_poll(r, POLLIN, 0), 0); /* no POLLHUP before any writer */
	w = fifo_open(path, O_WRONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(w >= 0);
	CU_ASSERT_EQUAL(io_write(w, "abc", 3), 3);
	CU_ASSERT_EQUAL(io_close(w), 0);
	CU_ASSERT_EQUAL(io_poll(r, POLLIN, 0), POLLIN | POLLHUP);
	CU_ASSERT_EQUAL(io_read(r, buf, sizeof(buf)), 3);
	CU_ASSERT_EQUAL(io_read(r, buf, sizeof(buf)), 0);
	rw = fifo_open(path, O_RDWR);
	CU_ASSERT_FATAL(rw >= 0);
	CU_ASSERT_EQUAL(io_seek(rw, 0, SEEK_SET), -ESPIPE);
	CU_ASSERT_EQUAL(io_write(rw, "xyz", 3), 3);
	CU_ASSERT_EQUAL(io_nread(r), 3);
	CU_ASSERT_EQUAL(io_close(rw), 0);
	CU_ASSERT_EQUAL(io_close(r), 0);
	/* Every holder closed: the data is discarded. */
	r = fifo_open(path, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_EQUAL(io_nread(r), 0);
	CU_ASSERT_EQUAL(io_close(r), 0);
	CU_ASSERT_EQUAL(fifo_unlink(path), 0);
	CU_ASSERT_EQUAL(fifo_unlink(path), -ENOENT);
	CU_ASSERT_EQUAL(fifo_open(path, O_RDONLY | O_NONBLOCK), -ENOENT);
	assert_no_shm(key);
}

/*
 * ref keeps the contents in a 0600 shm object that exists while the FIFO
 * is open: the first open makes it, the last close removes it.
 */
static void test_fifo_backing_object(void)
{
	const char *path = fifo_path("shm");
	mode_t mode = 0;
	char key[96];
	int r, w;

	if (!testing_ref())
		return;
	CU_ASSERT_EQUAL_FATAL(fifo_mkfifo(path, 0644), 0);
	shm_key(path, key);
	CU_ASSERT_EQUAL(count_shm(key, NULL), 0);
	r = fifo_open(path, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(r >= 0);
	CU_ASSERT_EQUAL(count_shm(key, &mode), 1);
	CU_ASSERT_EQUAL(mode, 0600);
	w = fifo_open(path, O_WRONLY | O_NONBLOCK);
	CU_ASSERT_EQUAL(count_shm(key, NULL), 1);
	CU_ASSERT_EQUAL(io_close(r), 0);
	CU_ASSERT_EQUAL(count_shm(key, NULL), 1);
	CU_ASSERT_EQUAL(io_close(w), 0);
	CU_ASSERT_EQUAL(count_shm(key, NULL), 0);
	CU_ASSERT_EQUAL(fifo_unlink(path), 0);
	assert_no_shm(key);
}

/* Real pipes: `ready` says the FIFO is open, `gate` nobody writes. */
struct fifo_holder {
	int ready[2], gate[2];
};

static int child_opens_fifo_and_holds(void *arg)
{
	struct fifo_holder *fh = arg;
	char c;

	if (fifo_open(fifo_path("dies"), O_RDWR) < 0)
		return 1;
	/* Tells the parent, then holds until killed. */
	if (write(fh->ready[1], "o", 1) != 1)
		return 2;
	return (int)read(fh->gate[0], &c, 1);
}

/* A last holder that dies leaves the object to the next open, which empties it, or to unlink. */
static void test_fifo_last_holder_dies(void)
{
	const char *path = fifo_path("dies");
	struct fifo_holder fh;
	char key[96], c;
	pid_t pid;
	int r;

	CU_ASSERT_EQUAL_FATAL(fifo_mkfifo(path, 0600), 0);
	shm_key(path, key);
	CU_ASSERT_FATAL(pipe(fh.ready) == 0 && pipe(fh.gate) == 0);
	pid = spawn(child_opens_fifo_and_holds, &fh);
	CU_ASSERT_EQUAL(read(fh.ready[0], &c, 1), 1);
	if (testing_ref())
		CU_ASSERT_EQUAL(count_shm(key, NULL), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < 2; i++) {
		close(fh.ready[i]);
		close(fh.gate[i]);
	}
	r = fifo_open(path, O_RDWR);
	CU_ASSERT_FATAL(r >= 0);
	CU_ASSERT_EQUAL(io_nread(r), 0);
	CU_ASSERT_EQUAL(io_write(r, "ab", 2), 2);
	CU_ASSERT_EQUAL(io_close(r), 0);
	CU_ASSERT_EQUAL(fifo_unlink(path), 0);
	assert_no_shm(key);
}

static int child_opens_and_writes(void *arg)
{
	const char *path = arg;
	int w = fifo_open(path, O_WRONLY);

	if (w < 0)
		return 1;
	return io_write(w, "ping", 4) == 4 && io_close(w) == 0 ? 0 : 2;
}

/* Two processes that share only the path: a blocking read-open waits for the writer. */
static void test_fifo_blocking_open_meets_writer(void)
{
	const char *path = fifo_path("meet");
	char buf[8], key[96];
	pid_t pid;
	int r;

	CU_ASSERT_EQUAL_FATAL(fifo_mkfifo(path, 0600), 0);
	shm_key(path, key);
	pid = spawn(child_opens_and_writes, (void *)path);
	r = fifo_open(path, O_RDONLY);
	CU_ASSERT_FATAL(r >= 0);
	CU_ASSERT(read_exact(r, buf, 4));
	CU_ASSERT_EQUAL(memcmp(buf, "ping", 4), 0);
	CU_ASSERT_EQUAL(io_read(r, buf, 1), 0);
	CU_ASSERT_EQUAL(exit_code(pid), 0);
	io_close(r);
	CU_ASSERT_EQUAL(fifo_unlink(path), 0);
	assert_no_shm(key);
}

static int child_opens_for_reading(void *arg)
{
	const char *path = arg;
	char c;
	int r = fifo_open(path, O_RDONLY);

	if (r < 0)
		return 1;
	return io_read(r, &c, 1) == 0 ? 0 : 2; /* the writer came and went */
}

/* A writer that opens and closes at once still releases a waiting reader. */
static void test_fifo_fleeting_writer_releases_reader(void)
{
	const char *path = fifo_path("fleeting");
	int64_t deadline = now_ms() + 10000;
	char key[96];
	pid_t pid;
	int w;

	CU_ASSERT_EQUAL_FATAL(fifo_mkfifo(path, 0600), 0);
	shm_key(path, key);
	pid = spawn(child_opens_for_reading, (void *)path);
	/* A reader blocked in open counts as a reader: the non-blocking open succeeds then. */
	while ((w = fifo_open(path, O_WRONLY | O_NONBLOCK)) == -ENXIO && now_ms() < deadline)
		sched_yield();
	CU_ASSERT(w >= 0);
	CU_ASSERT_EQUAL(io_close(w), 0);
	CU_ASSERT_EQUAL(exit_code(pid), 0);
	CU_ASSERT_EQUAL(fifo_unlink(path), 0);
	assert_no_shm(key);
}

static void test_fifo_blocked_open_is_interruptible(void)
{
	const char *path = fifo_path("intr");
	struct when_blocked wb;
	char key[96];

	if (UNDER_TSAN)
		return;

	catch_signal(SIGUSR1, 0);
	CU_ASSERT_EQUAL_FATAL(fifo_mkfifo(path, 0600), 0);
	shm_key(path, key);
	when_blocked_signal(&wb, SIGUSR1);
	CU_ASSERT_EQUAL(fifo_open(path, O_WRONLY), -EINTR);
	when_blocked_join(&wb);
	/* The abandoned open left no writer behind. */
	CU_ASSERT_EQUAL(fifo_open(path, O_WRONLY | O_NONBLOCK), -ENXIO);
	CU_ASSERT_EQUAL(fifo_unlink(path), 0);
	assert_no_shm(key);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- limits (ref-small has POSIX's least) ---- */

/* A read returns all that is there, up to what was asked: never less (POSIX read()). */
static void test_reads_take_all_available(void)
{
	static char buf[3000];
	int e[2];

	make_pipe(e, 0);
	CU_ASSERT_EQUAL(io_write(e[1], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	CU_ASSERT_EQUAL(io_read(e[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close_both(e);
}

/* PIPE_BUF is the implementation's own: a write of that many bytes is all or nothing. */
static void test_pipe_buf_write_is_all_or_nothing(void)
{
	static char buf[1 << 17];
	struct limits l = expected_limits();
	int e[2];

	make_pipe(e, O_NONBLOCK);
	CU_ASSERT_EQUAL_FATAL(io_pipe_buf(e[1]), l.pipe_buf);
	/* Room for one byte less than PIPE_BUF. */
	CU_ASSERT_EQUAL(io_write(e[1], buf, (size_t)(l.capacity - l.pipe_buf + 1)),
			l.capacity - l.pipe_buf + 1);
	CU_ASSERT_EQUAL(io_write(e[1], buf, (size_t)l.pipe_buf), -EAGAIN);
	CU_ASSERT_EQUAL(io_nread(e[0]), l.capacity - l.pipe_buf + 1);
	CU_ASSERT_EQUAL(io_write(e[1], buf, (size_t)l.pipe_buf - 1), l.pipe_buf - 1);
	CU_ASSERT_EQUAL(io_write(e[1], buf, 1), -EAGAIN);
	close_both(e);
}

/* O_DIRECT (packet mode) is accepted exactly when the pipe table declares it. */
static void test_packet_mode_only_when_declared(void)
{
	bool packet = (iut->pipe->head.caps & IPCCONF_PIPE_CAP_PACKET) != 0;
	int e[2];
	int r = pipe_create(e, O_DIRECT);

	CU_ASSERT_EQUAL(r, packet ? 0 : -EINVAL);
	if (r == 0)
		close_both(e);
	if (testing_ref())
		CU_ASSERT_FALSE(packet);
}

/* ---- poll over several handles ---- */

static void test_poll_several_items(void)
{
	struct ipcconf_poll_item it[4];
	int a[2], b[2], closed[2];

	make_pipe(a, 0);
	make_pipe(b, 0);
	make_pipe(closed, 0);
	close_both(closed);
	it[0] = (struct ipcconf_poll_item){ .handle = a[0], .events = POLLIN };
	it[1] = (struct ipcconf_poll_item){ .handle = b[0], .events = POLLIN };
	it[2] = (struct ipcconf_poll_item){ .handle = -1, .events = POLLIN };
	it[3] = (struct ipcconf_poll_item){ .handle = closed[0], .events = POLLIN };
	/* poll(2) ignores a negative handle and flags one that is not open. */
	CU_ASSERT_EQUAL(iut->handle->poll(iut, it, 4, 0), 1);
	CU_ASSERT_EQUAL(it[3].revents, POLLNVAL);
	CU_ASSERT_EQUAL(iut->handle->poll(iut, it, 3, 0), 0);
	CU_ASSERT_EQUAL(io_write(b[1], "x", 1), 1);
	CU_ASSERT_EQUAL(iut->handle->poll(iut, it, 3, 1000), 1);
	CU_ASSERT_EQUAL(it[0].revents, 0);
	CU_ASSERT_EQUAL(it[1].revents, POLLIN);
	CU_ASSERT_EQUAL(it[2].revents, 0);
	CU_ASSERT_EQUAL(io_close(a[1]), 0);
	CU_ASSERT_EQUAL(iut->handle->poll(iut, it, 2, -1), 2);
	CU_ASSERT_EQUAL(it[0].revents, POLLHUP);
	close_both(b);
	io_close(a[0]);
}

struct write_when_blocked {
	pid_t tid; /* the thread to wait for */
	int w;     /* then write a byte here */
	bool saw_blocked;
};

static void *write_when_blocked(void *arg)
{
	struct write_when_blocked *ww = arg;

	ww->saw_blocked = await_asleep(getpid(), ww->tid);
	io_write(ww->w, "x", 1);
	return NULL;
}

/* A write to any item ends the wait, not only to the first. */
static void test_poll_wakes_on_second_item(void)
{
	struct ipcconf_poll_item it[2];
	struct write_when_blocked ww;
	pthread_t writer;
	int a[2], b[2];

	make_pipe(a, 0);
	make_pipe(b, 0);
	ww = (struct write_when_blocked){ .tid = gettid(), .w = b[1] };
	CU_ASSERT_FATAL(pthread_create(&writer, NULL, write_when_blocked, &ww) == 0);
	it[0] = (struct ipcconf_poll_item){ .handle = a[0], .events = POLLIN };
	it[1] = (struct ipcconf_poll_item){ .handle = b[0], .events = POLLIN };
	CU_ASSERT_EQUAL(iut->handle->poll(iut, it, 2, 10000), 1);
	CU_ASSERT_EQUAL(it[1].revents, POLLIN);
	pthread_join(writer, NULL);
	CU_ASSERT(ww.saw_blocked);
	close_both(a);
	close_both(b);
}

/* ---- runner ---- */

static const struct ipcconf_iut *(*const entries[])(void) = {
	ipcconf_os_iut,
	ipcconf_ref_iut,
	ipcconf_ref_small_iut,
};
static int next_entry;

/* Suites run in registration order: each one selects the next implementation. */
static int select_next(void)
{
	iut = entries[next_entry++]();
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "stream order and short reads", test_stream_order_and_short_reads },
		{ "bad handles and wrong ends", test_bad_handles },
		{ "non-blocking and atomic writes", test_nonblock_and_atomic_writes },
		{ "O_NONBLOCK shared with a forked child", test_nonblock_shared_with_child },
		{ "capacity get/set", test_capacity },
		{ "end-of-file and POLLHUP", test_eof_and_hangup },
		{ "a dup keeps the end open", test_dup_keeps_end_open },
		{ "EPIPE and SIGPIPE", test_epipe_and_sigpipe },
		{ "poll timeout is bounded", test_poll_timeout_is_bounded },
		{ "fork inherits; large write arrives whole", test_fork_inherits_and_large_write },
		{ "PIPE_BUF writes are atomic across processes", test_pipe_buf_writes_are_atomic },
		{ "many children, then end-of-file", test_many_children_then_eof },
		{ "blocked reader sees a killed writer", test_blocked_reader_sees_killed_writer },
		{ "blocked writer sees a killed reader", test_blocked_writer_sees_killed_reader },
		{ "a caught signal interrupts a blocked read", test_signal_interrupts_blocked_read },
		{ "SA_RESTART resumes a blocked read", test_sa_restart_resumes_blocked_read },
		{ "a caught signal interrupts a blocked write", test_signal_interrupts_blocked_write },
		{ "a caught signal interrupts poll, SA_RESTART or not", test_signal_interrupts_poll },
		{ "poll wakes on data", test_poll_wakes_on_data },
		{ "FIFO non-blocking opens", test_fifo_nonblocking_opens },
		{ "FIFO backing object", test_fifo_backing_object },
		{ "FIFO whose last holder dies", test_fifo_last_holder_dies },
		{ "FIFO blocking open meets writer", test_fifo_blocking_open_meets_writer },
		{ "FIFO fleeting writer releases reader", test_fifo_fleeting_writer_releases_reader },
		{ "FIFO blocked open is interruptible", test_fifo_blocked_open_is_interruptible },
		{ "a read takes all that is available", test_reads_take_all_available },
		{ "a PIPE_BUF write is all or nothing", test_pipe_buf_write_is_all_or_nothing },
		{ "O_DIRECT only with the packet capability", test_packet_mode_only_when_declared },
		{ "poll over several handles", test_poll_several_items },
		{ "poll wakes on a later item", test_poll_wakes_on_second_item },
	};
	const char *tmp = getenv("TEST_TMPDIR");
	unsigned failures;

	snprintf(dir, sizeof(dir), "%s/ref_test.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 2;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t s = 0; s < sizeof(entries) / sizeof(entries[0]); s++) {
		CU_pSuite suite = CU_add_suite(entries[s]()->name, select_next, NULL);

		for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
			CU_add_test(suite, tests[i].name, tests[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	rmdir(dir);
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
