/*
 * Unit tests of ref's sockets (socket.h) where the conformance clauses do
 * not look: the shm names a killed listener and its pending connections
 * leave are swept by the next bind, and a backlog record written by a
 * hostile peer is refused, not followed.  ref only; no test sleeps
 * (children are awaited with waitpid()).
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/ref/ref_iut.h"
#include "impl/ref/socket.h"
#include "impl/ring/ring_record.h"

static const struct ipcconf_iut *iut;
static char dir[64];

static socklen_t addr_of(const char *leaf, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, leaf);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

static int listener(const char *leaf, struct sockaddr_un *sa, socklen_t *len)
{
	int l = iut->socket->open(iut, AF_UNIX, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(l >= 0);
	*len = addr_of(leaf, sa);
	CU_ASSERT_FATAL(iut->socket->bind(iut, l, (struct sockaddr *)sa, *len) == 0);
	CU_ASSERT_FATAL(iut->socket->listen(iut, l, 4) == 0);
	return l;
}

/*
 * Whether the bound socket at `path` still has its shm name: the name is
 * made from the node (socket.h, "<prefix>sockfile-<dev>-<ino>-<nsec>").
 * Only this test's own names are looked at: other runs, in parallel, have
 * names of their own in /dev/shm.
 */
static bool bound_name_exists(const char *path)
{
	char name[128];
	struct stat st;

	CU_ASSERT_FATAL(lstat(path, &st) == 0);
	snprintf(name, sizeof(name), "/dev/shm/ipcconf-ref-sockfile-%llx-%llx-%08lx",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		 (unsigned long)st.st_mtim.tv_nsec);
	return access(name, F_OK) == 0;
}

/* Pending connections in /dev/shm queued on the listener whose path is `path`. */
static int pending_names_for(const char *path)
{
	char listener[128];
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	struct stat st;
	int n = 0;

	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_FATAL(lstat(path, &st) == 0);
	snprintf(listener, sizeof(listener), "/ipcconf-ref-sockfile-%llx-%llx-%08lx",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		 (unsigned long)st.st_mtim.tv_nsec);
	while ((e = readdir(d)) != NULL) {
		struct sock_conn_shared sh;
		int fd;

		if (strncmp(e->d_name, "ipcconf-ref-sock-", 17) != 0)
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (pread(fd, &sh, sizeof(sh), 0) == (ssize_t)sizeof(sh) &&
		    strncmp(sh.listener, listener, sizeof(sh.listener)) == 0)
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}

/*
 * A listener killed with a connection pending (its connector killed too)
 * closes nothing: both names stay until the next bind sweeps them.  (The
 * sweep judges only sockets of its own pid namespace: other namespaces'
 * holders are pids it cannot judge, socket.h.)
 */
static void test_killed_names_swept(void)
{
	struct sockaddr_un sa, sb;
	socklen_t len, lb;
	int ready[2], st;
	char c;
	pid_t pid;
	int l, x;

	CU_ASSERT_FATAL(pipe(ready) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int s;

		l = listener("killed", &sa, &len);
		s = iut->socket->open(iut, AF_UNIX, SOCK_STREAM, 0);
		if (s < 0 || iut->socket->connect(iut, s, (struct sockaddr *)&sa, len) != 0)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	CU_ASSERT_FATAL(read(ready[0], &c, 1) == 1);
	close(ready[0]);
	len = addr_of("killed", &sa);
	CU_ASSERT(bound_name_exists(sa.sun_path));
	CU_ASSERT_EQUAL(pending_names_for(sa.sun_path), 1);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	/* Any bind sweeps: the node is still there, but nobody holds the socket. */
	x = listener("sweeper", &sb, &lb);
	CU_ASSERT_FALSE(bound_name_exists(sa.sun_path));
	CU_ASSERT_EQUAL(pending_names_for(sa.sun_path), 0);
	CU_ASSERT_TRUE(bound_name_exists(sb.sun_path)); /* the sweeper's own stays */
	l = iut->socket->open(iut, AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL(iut->socket->connect(iut, l, (struct sockaddr *)&sa, len), -ECONNREFUSED);
	iut->handle->close(iut, l);
	iut->handle->close(iut, x);
	unlink(sa.sun_path);
	unlink(sb.sun_path);
}

/*
 * A backlog record that names something other than a connection of ours
 * (a path, a name of no object) is skipped by accept; the real connection
 * queued after it is accepted.
 */
static void test_hostile_backlog_record(void)
{
	static const char *bad[] = { "/etc/passwd", "/ipcconf-ref-sock-nothing", "../x" };
	char name[SOCK_BOUND_NAME_MAX];
	struct sockaddr_un sa;
	struct sock_map m;
	struct ring r;
	socklen_t len;
	int l = listener("hostile", &sa, &len);
	int c, a;

	CU_ASSERT_FATAL(sock_bound_open(sa.sun_path, SOCK_STREAM, &m, &r, name) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rec[SOCK_NAME_MAX] = { 0 };

		strncpy(rec, bad[i], sizeof(rec) - 1);
		CU_ASSERT_EQUAL(ring_record_try_push(&r, rec, sizeof(rec)), (ssize_t)sizeof(rec));
	}
	/* Not NUL-terminated, and too short: refused as corrupt. */
	{
		char rec[SOCK_NAME_MAX];

		memset(rec, 'A', sizeof(rec));
		CU_ASSERT_EQUAL(ring_record_try_push(&r, rec, sizeof(rec)), (ssize_t)sizeof(rec));
		CU_ASSERT_EQUAL(ring_record_try_push(&r, rec, 3), 3);
	}
	iut->handle->set_nonblock(iut, l, 1);
	CU_ASSERT_EQUAL(iut->socket->accept(iut, l, NULL, NULL, 0), -EAGAIN);
	c = iut->socket->open(iut, AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL(iut->socket->connect(iut, c, (struct sockaddr *)&sa, len), 0);
	a = iut->socket->accept(iut, l, NULL, NULL, 0);
	CU_ASSERT(a >= 0);
	CU_ASSERT_EQUAL(iut->socket->send(iut, c, "ok", 2, 0, NULL, 0), 2);
	{
		char got[2];

		CU_ASSERT_EQUAL(iut->socket->recv(iut, a, got, 2, 0, NULL, NULL), 2);
		CU_ASSERT_EQUAL(memcmp(got, "ok", 2), 0);
	}
	sock_map_drop(&m);
	iut->handle->close(iut, a);
	iut->handle->close(iut, c);
	iut->handle->close(iut, l);
	unlink(sa.sun_path);
}

/* MSG_PEEK on a record ring (socket_ring.c) returns the record and leaves it; FIONREAD sums payloads. */
static void test_record_peek(void)
{
	int e[2];
	char got[8];

	CU_ASSERT_FATAL(iut->socket->pair(iut, AF_UNIX, SOCK_SEQPACKET, 0, e) == 0);
	CU_ASSERT_EQUAL(iut->socket->send(iut, e[0], "abcdef", 6, 0, NULL, 0), 6);
	CU_ASSERT_EQUAL(iut->socket->send(iut, e[0], "", 0, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(iut->socket->send(iut, e[0], "xy", 2, 0, NULL, 0), 2);
	CU_ASSERT_EQUAL(iut->stream->nread(iut, e[1]), 8);
	CU_ASSERT_EQUAL(iut->socket->recv(iut, e[1], got, 3, MSG_PEEK | MSG_TRUNC, NULL, NULL), 6);
	CU_ASSERT_EQUAL(iut->socket->recv(iut, e[1], got, 8, MSG_PEEK, NULL, NULL), 6);
	CU_ASSERT_EQUAL(iut->socket->recv(iut, e[1], got, 8, 0, NULL, NULL), 6);
	CU_ASSERT_EQUAL(memcmp(got, "abcdef", 6), 0);
	CU_ASSERT_EQUAL(iut->socket->recv(iut, e[1], got, 8, MSG_PEEK, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iut->socket->recv(iut, e[1], got, 8, 0, NULL, NULL), 0);
	CU_ASSERT_EQUAL(iut->socket->recv(iut, e[1], got, 8, 0, NULL, NULL), 2);
	iut->handle->close(iut, e[0]);
	iut->handle->close(iut, e[1]);
}

/* Every node a test left (a failed assertion ends a test before its unlink), then the directory. */
static void remove_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

int main(void)
{
	const char *base = getenv("TEST_TMPDIR");
	unsigned failures;

	/* sun_path is short: a directory of our own under /tmp when TEST_TMPDIR is long. */
	snprintf(dir, sizeof(dir), "%s/sockXXXXXX",
		 base != NULL && strlen(base) < 40 ? base : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	iut = ipcconf_ref_iut();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("ref sockets", NULL, NULL);
	CU_add_test(suite, "killed_names_swept", test_killed_names_swept);
	CU_add_test(suite, "hostile_backlog_record", test_hostile_backlog_record);
	CU_add_test(suite, "record_peek", test_record_peek);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	remove_dir();
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
