/*
 * selftest_objects_test.c -- the names the harness hands out, and its
 * promise to remove every object made under them: after a clause that
 * ends normally, and after one the watchdog kills.
 *
 * Each clause makes one object of every kind under its harness name, mode
 * 0600, keeps them open, and lists them in "$IPCCONF_SELFTEST_OUT/<slug>
 * .objects" (plain stdio, not a check: the list is for the script, which
 * looks for the objects after the run and compares the names across
 * runs).  The clause process inherits the environment, so the variable
 * reaches it; without it the list is not written and the clauses still
 * check what they can.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conformance/harness/clause.h"

#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* The permission bits of `path`, or -errno. */
static long mode_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	return (long)(st.st_mode & 07777);
}

/* A 0700 directory is what makes the names in it private. */
static void check_private_dir(struct ipcconf_t *t, const char *what, const char *path)
{
	long m = mode_of(path);
	CHECK(t, m == 0700, "%s %s: mode %#lo, expected 0700", what, path, m);
}

static void dir_of(char *out, size_t size, const char *path)
{
	char copy[512];
	snprintf(copy, sizeof copy, "%s", path);
	snprintf(out, size, "%s", dirname(copy));
}

static void make_objects(struct ipcconf_t *t, const char *slug)
{
	STEP(t, "making one object of every kind");
	key_t kq = ipcconf_sysv_key(t), km = ipcconf_sysv_key(t), ks = ipcconf_sysv_key(t);
	CHECK(t, kq != km && km != ks && kq != ks, "three System V keys, not distinct: %#x %#x %#x",
	      (unsigned)kq, (unsigned)km, (unsigned)ks);

	int q = msgget(kq, IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE(t, q >= 0, "msgget(%#x, IPC_CREAT|IPC_EXCL|0600): %s", (unsigned)kq, strerror(errno));
	int m = shmget(km, 4096, IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE(t, m >= 0, "shmget(%#x, IPC_CREAT|IPC_EXCL|0600): %s", (unsigned)km, strerror(errno));
	REQUIRE(t, shmat(m, NULL, 0) != (void *)-1, "shmat: %s", strerror(errno));
	int s = semget(ks, 1, IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE(t, s >= 0, "semget(%#x, IPC_CREAT|IPC_EXCL|0600): %s", (unsigned)ks, strerror(errno));

	const char *shm = ipcconf_posix_name(t, "shm");
	int shmfd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, 0600);
	REQUIRE(t, shmfd >= 0, "shm_open(%s, O_CREAT|O_EXCL, 0600): %s", shm, strerror(errno));
	const char *mq = ipcconf_posix_name(t, "mq");
	mqd_t mqd = mq_open(mq, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	REQUIRE(t, mqd != (mqd_t)-1, "mq_open(%s, O_CREAT|O_EXCL, 0600): %s", mq, strerror(errno));
	const char *sem = ipcconf_posix_name(t, "sem");
	sem_t *semp = sem_open(sem, O_CREAT | O_EXCL, 0600, 0);
	REQUIRE(t, semp != SEM_FAILED, "sem_open(%s, O_CREAT|O_EXCL, 0600): %s", sem, strerror(errno));

	/* Must fit sun_path even when $TEST_TMPDIR (and so t->dir) is long. */
	const char *sock = ipcconf_socket_path(t, "sock");
	CHECK(t, strlen(sock) <= SUN_PATH_MAX, "socket path of %zu bytes (at most %zu fit): %s",
	      strlen(sock), SUN_PATH_MAX, sock);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	REQUIRE(t, sfd >= 0, "socket(AF_UNIX): %s", strerror(errno));
	REQUIRE(t, bind(sfd, (struct sockaddr *)&sa, sizeof sa) == 0, "bind(%s): %s", sock,
		strerror(errno));
	REQUIRE(t, listen(sfd, 1) == 0, "listen(%s): %s", sock, strerror(errno));

	const char *fifo = ipcconf_path(t, "fifo");
	REQUIRE(t, mkfifo(fifo, 0600) == 0, "mkfifo(%s, 0600): %s", fifo, strerror(errno));
	REQUIRE(t, open(fifo, O_RDONLY | O_NONBLOCK) >= 0, "open(%s): %s", fifo, strerror(errno));

	/* The directories the names live in are private. */
	char rundir[512], sockdir[512];
	dir_of(rundir, sizeof rundir, t->dir);
	dir_of(sockdir, sizeof sockdir, sock);
	check_private_dir(t, "the clause directory", t->dir);
	check_private_dir(t, "the run directory", rundir);
	check_private_dir(t, "the socket directory", sockdir);

	const char *out = getenv("IPCCONF_SELFTEST_OUT");
	if (!out || !*out)
		return;
	char path[512];
	snprintf(path, sizeof path, "%s/%s.objects", out, slug);
	FILE *f = fopen(path, "we");
	if (!f)
		BROKEN(t, "cannot write the object list %s: %s", path, strerror(errno));
	/* System V keys as ipcs prints them. */
	fprintf(f, "msg_key 0x%08x\nshm_key 0x%08x\nsem_key 0x%08x\n", (unsigned)kq,
		(unsigned)km, (unsigned)ks);
	fprintf(f, "posix_shm %s\nposix_mq %s\nposix_sem %s\n", shm, mq, sem);
	fprintf(f, "socket %s\nfifo %s\n", sock, fifo);
	fprintf(f, "clause_dir %s\nrun_dir %s\nsocket_dir %s\n", t->dir, rundir, sockdir);
	if (fclose(f) != 0)
		BROKEN(t, "cannot write the object list %s: %s", path, strerror(errno));
}

CLAUSE(selftest_objects_ended,
       .id = "selftest.objects.ended",
       .title = "every named object a clause made is removed after it ends",
       .cites = "ipcconf harness: clause.h (names); objects.c; cleanup.c",
       .timeout_ms = 1000)
{
	make_objects(t, "ended");
}

CLAUSE(selftest_objects_killed,
       .id = "selftest.objects.killed",
       .title = "every named object a clause made is removed after the watchdog kills it",
       .cites = "ipcconf harness: clause.h (names); objects.c; cleanup.c; runner.c",
       .timeout_ms = 300)
{
	make_objects(t, "killed");
	/* A helper hangs too: the whole group is killed, and each step named. */
	if (ipcconf_fork(t) == 0) {
		STEP(t, "helper: hanging with the objects open");
		for (;;)
			pause();
	}
	STEP(t, "hanging with the objects open until the watchdog kills the clause");
	for (;;)
		pause();
}
