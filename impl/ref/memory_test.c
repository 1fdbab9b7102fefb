/*
 * Unit tests of ref's shared memory and semaphores (shmem_sysv.h,
 * sem_sysv.h, sem.h): what the conformance clauses do not reach.  Tests
 * that state a Linux rule run against `os` first (the kernel proves the
 * expectation), then `ref` and `ref-small`; tests of ref's own machinery
 * (its files in /dev/shm, a header broken by a peer, a lock holder or
 * last attacher that died) run against ref only.  No test sleeps:
 * children are awaited with waitpid() and pipes.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"
#include "impl/ref/sem.h"
#include "impl/ref/sem_sysv.h"
#include "impl/ref/shmem_sysv.h"
#include "impl/ref/sysv_registry.h"

static const struct ipcconf_iut *iut;
static bool is_ref;

/* A key no System V object has, in the kernel or in ref. */
static key_t fresh_key(void)
{
	key_t k = 0;

	for (;;) {
		if (getrandom(&k, sizeof k, 0) != sizeof k)
			abort();
		if (k != IPC_PRIVATE && shmget(k, 0, 0) < 0 && errno == ENOENT &&
		    semget(k, 0, 0) < 0 && errno == ENOENT &&
		    iut->shm->get(iut, k, 0, 0) == -ENOENT &&
		    iut->sem->get(iut, k, 0, 0) == -ENOENT)
			return k;
	}
}

static bool shm_file_exists(char tag, int id)
{
	char leaf[SYSV_LEAF_LEN], path[128];
	struct stat st;

	sysv_leaf(SHMSEG_PREFIX, tag, id, leaf, sizeof leaf);
	snprintf(path, sizeof path, "/dev/shm/%s", leaf);
	return lstat(path, &st) == 0;
}

/* Runs fn in a child and returns its exit status (0: it passed its own checks). */
static int in_child(int (*fn)(void *), void *arg)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * An object made by a child (fn returns its id): this process has not
 * mapped it, so its later children read the header afresh, not from a
 * cache they inherited.
 */
static int made_elsewhere(int (*fn)(void))
{
	int fds[2], id = -1, st;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int made = fn();

		_exit(write(fds[1], &made, sizeof made) == sizeof made ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid || read(fds[0], &id, sizeof id) != sizeof id)
		id = -1;
	close(fds[0]);
	close(fds[1]);
	return id;
}

/* ---- System V shared memory ---- */

static unsigned long nattch(int id)
{
	struct shmid_ds ds;

	memset(&ds, 0, sizeof ds);
	CU_ASSERT_EQUAL_FATAL(iut->shm->control(iut, id, IPC_STAT, &ds), 0);
	return (unsigned long)ds.shm_nattch;
}

/* A child attaches and is killed: it stops counting, and the segment keeps working. */
static void test_shm_killed_attacher(void)
{
	int fds[2], st, id = iut->shm->get(iut, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	pid_t pid;
	char c;

	CU_ASSERT_FATAL(id >= 0);
	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		void *a = NULL, *b = NULL;

		if (iut->shm->attach(iut, id, 0, &a) != 0 ||
		    iut->shm->attach(iut, id, SHM_RDONLY, &b) != 0)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
	CU_ASSERT_EQUAL(nattch(id), 2);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT_EQUAL(nattch(id), 0);
	close(fds[0]);
	close(fds[1]);
	CU_ASSERT_EQUAL(iut->shm->control(iut, id, IPC_RMID, NULL), 0);
}

/* IPC_RMID while another process is attached, which is then killed: nothing is left. */
static void test_shm_removed_then_last_attacher_killed(void)
{
	int fds[2], st, id;
	key_t key = fresh_key();
	pid_t pid;
	char c;

	id = iut->shm->get(iut, key, 8192, IPC_CREAT | IPC_EXCL | 0600);
	CU_ASSERT_FATAL(id >= 0);
	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		void *a = NULL;

		if (iut->shm->attach(iut, id, 0, &a) != 0)
			_exit(1);
		memset(a, 0x5a, 8192);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
	CU_ASSERT_EQUAL(iut->shm->control(iut, id, IPC_RMID, NULL), 0);
	/* The key is free at once; the id still names the attached segment. */
	CU_ASSERT_EQUAL(iut->shm->get(iut, key, 0, 0), -ENOENT);
	CU_ASSERT_EQUAL(nattch(id), 1);
	if (is_ref) {
		CU_ASSERT(!shm_file_exists(SYSV_TAG_LIVE, id));
		CU_ASSERT(shm_file_exists(SYSV_TAG_REMOVED, id));
	}
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	close(fds[0]);
	close(fds[1]);
	/* Any shmget destroys it now (ref's sweep; the kernel at the exit). */
	CU_ASSERT_EQUAL(iut->shm->get(iut, key, 0, 0), -ENOENT);
	if (is_ref)
		CU_ASSERT(!shm_file_exists(SYSV_TAG_REMOVED, id));
	{
		struct shmid_ds ds;
		int r = iut->shm->control(iut, id, IPC_STAT, &ds);

		CU_ASSERT(r == -EINVAL || r == -EIDRM);
	}
}

/* shmdt needs the exact start address of an attachment; a detach in a child leaves the parent's. */
static void test_shm_detach_in_child_only(void)
{
	int id = iut->shm->get(iut, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	unsigned char *p = NULL;
	int st;
	pid_t pid;

	CU_ASSERT_FATAL(id >= 0);
	CU_ASSERT_EQUAL_FATAL(iut->shm->attach(iut, id, 0, (void **)&p), 0);
	CU_ASSERT_EQUAL(iut->shm->detach(iut, p + 1), -EINVAL);
	pid = fork();
	if (pid == 0)
		_exit(iut->shm->detach(iut, p) == 0 && iut->shm->detach(iut, p) == -EINVAL ? 0 : 1);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	p[0] = 7; /* still attached here */
	CU_ASSERT_EQUAL(nattch(id), 1);
	CU_ASSERT_EQUAL(iut->shm->detach(iut, p), 0);
	CU_ASSERT_EQUAL(iut->shm->control(iut, id, IPC_RMID, NULL), 0);
}

/* Unknown commands and a NULL buffer are refused before anything is looked up. */
static void test_shm_control_arguments(void)
{
	int id = iut->shm->get(iut, IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	CU_ASSERT_FATAL(id >= 0);
	CU_ASSERT_EQUAL(iut->shm->control(iut, id, 12345, NULL), -EINVAL);
	CU_ASSERT_EQUAL(iut->shm->control(iut, -1, IPC_RMID, NULL), -EINVAL);
	CU_ASSERT_EQUAL(iut->shm->get(iut, IPC_PRIVATE, 0, IPC_CREAT | 0600), -EINVAL);
	CU_ASSERT_EQUAL(iut->shm->control(iut, id, IPC_RMID, NULL), 0);
}

static int private_segment(void)
{
	return iut->shm->get(iut, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
}

static int probe_segment(void *arg)
{
	int id = *(int *)arg;
	void *p = NULL;

	/* A fresh process: nothing cached, the header is read and checked anew. */
	return iut->shm->attach(iut, id, 0, &p) == -EINVAL ? 0 : 1;
}

/* A header broken by a peer (magic, size, a short file): the id names nothing to a new mapper. */
static void test_ref_shm_hostile_header(void)
{
	char leaf[SYSV_LEAF_LEN], path[128];
	struct shmseg_shared *sh;
	size_t hdr = shmseg_hdr_size();
	int fd, id = made_elsewhere(private_segment);

	CU_ASSERT_FATAL(id > 0);
	sysv_leaf(SHMSEG_PREFIX, SYSV_TAG_LIVE, id, leaf, sizeof leaf);
	snprintf(path, sizeof path, "/dev/shm/%s", leaf);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	sh = mmap(NULL, hdr, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CU_ASSERT_FATAL(sh != MAP_FAILED);

	atomic_store(&sh->magic, 0);
	CU_ASSERT_EQUAL(in_child(probe_segment, &id), 0);
	atomic_store(&sh->magic, SHMSEG_MAGIC);
	sh->segsz = (uint64_t)1 << 40; /* beyond the file */
	CU_ASSERT_EQUAL(in_child(probe_segment, &id), 0);
	sh->segsz = 0;
	CU_ASSERT_EQUAL(in_child(probe_segment, &id), 0);
	sh->segsz = 4096;
	CU_ASSERT_EQUAL(ftruncate(fd, (off_t)hdr), 0);
	CU_ASSERT_EQUAL(in_child(probe_segment, &id), 0);
	CU_ASSERT_EQUAL(ftruncate(fd, (off_t)hdr + 4096), 0);
	/* Counts and modes a peer scribbled: read as they are, never trusted as sizes. */
	sh->st.mode = 0xffffffffu;
	memset(&sh->attached, 0xff, sizeof sh->attached);
	{
		struct shmid_ds ds;

		CU_ASSERT_EQUAL(iut->shm->control(iut, id, IPC_STAT, &ds), 0);
		CU_ASSERT_EQUAL(ds.shm_perm.mode & ~0777u & ~(unsigned)SHM_DEST, 0);
	}
	munmap(sh, hdr);
	close(fd);
	CU_ASSERT_EQUAL(iut->shm->control(iut, id, IPC_RMID, NULL), 0);
	CU_ASSERT(!shm_file_exists(SYSV_TAG_LIVE, id));
	CU_ASSERT(!shm_file_exists(SYSV_TAG_REMOVED, id));
}

/* ---- POSIX shared memory ---- */

/* "name" and "/name" are one object (glibc's reading); the longest name still works. */
static void test_shm_posix_names(void)
{
	char name[NAME_MAX + 2], bare[64];
	int h, h2;

	snprintf(bare, sizeof bare, "mt-shm-%d", (int)getpid());
	h = iut->shm->open(iut, bare, O_RDWR | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(h >= 0);
	snprintf(name, sizeof name, "/%s", bare);
	CU_ASSERT_EQUAL(iut->shm->open(iut, name, O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST);
	CU_ASSERT_EQUAL(iut->shm->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, h), 0);

	name[0] = '/';
	snprintf(name + 1, sizeof name - 1, "mt-long-%d-", (int)getpid());
	memset(name + strlen(name), 'n', sizeof name - 1 - strlen(name));
	name[NAME_MAX + 1] = '\0';
	h = iut->shm->open(iut, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT_EQUAL(iut->shm->truncate(iut, h, 4096), 0);
	h2 = iut->shm->open(iut, name, O_RDONLY, 0);
	CU_ASSERT_FATAL(h2 >= 0);
	{
		off_t size = -1;

		CU_ASSERT_EQUAL(iut->shm->size(iut, h2, &size), 0);
		CU_ASSERT_EQUAL(size, 4096);
		/* A read-only handle cannot be truncated (ftruncate(2): not open for writing). */
		CU_ASSERT_EQUAL(iut->shm->truncate(iut, h2, 0), -EINVAL);
	}
	CU_ASSERT_EQUAL(iut->shm->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->shm->open(iut, name, O_RDONLY, 0), -ENOENT);
	CU_ASSERT_EQUAL(iut->handle->close(iut, h2), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, h), 0);
	CU_ASSERT_EQUAL(iut->shm->open(iut, "/", O_RDONLY, 0), -EINVAL);
}

/* read(2), write(2) and FIONREAD of an object's handle work on the object, at its offset. */
static void test_shm_posix_stream(void)
{
	char name[64], buf[8];
	unsigned char *p = NULL;
	int h;

	snprintf(name, sizeof name, "/mt-stream-%d", (int)getpid());
	h = iut->shm->open(iut, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT_EQUAL(iut->shm->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->stream->write(iut, h, "hello", 5), 5);
	CU_ASSERT_EQUAL(iut->stream->nread(iut, h), 0);
	CU_ASSERT_EQUAL(iut->stream->read(iut, h, buf, sizeof buf), 0);
	CU_ASSERT_EQUAL_FATAL(iut->shm->map(iut, h, 5, PROT_READ, MAP_SHARED, 0, (void **)&p), 0);
	CU_ASSERT(memcmp(p, "hello", 5) == 0);
	CU_ASSERT_EQUAL(iut->shm->unmap(iut, p, 5), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, h), 0);
}

/* A handle dup()ed and one inherited by fork reach the same object; close is per handle. */
static void test_ref_shm_posix_handles(void)
{
	char name[64];
	unsigned char *p = NULL;
	int h, d, st;
	pid_t pid;

	snprintf(name, sizeof name, "/mt-handles-%d", (int)getpid());
	h = iut->shm->open(iut, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT_EQUAL(iut->shm->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->shm->truncate(iut, h, 4096), 0);
	d = iut->handle->dup(iut, h);
	CU_ASSERT_FATAL(d >= 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, h), 0);
	pid = fork();
	if (pid == 0) {
		void *q = NULL;

		if (iut->shm->map(iut, d, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &q) != 0)
			_exit(1);
		((unsigned char *)q)[10] = 42;
		_exit(iut->handle->close(iut, d) == 0 ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT_EQUAL_FATAL(iut->shm->map(iut, d, 4096, PROT_READ, MAP_SHARED, 0, (void **)&p),
			      0);
	CU_ASSERT_EQUAL(p[10], 42);
	CU_ASSERT_EQUAL(iut->shm->unmap(iut, p, 4096), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, d), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, d), -EBADF);
	CU_ASSERT_EQUAL(iut->shm->truncate(iut, d, 0), -EBADF);
}

/* ---- POSIX semaphores ---- */

/* One process opening a name twice gets one semaphore, closed once per open. */
static void test_sem_named_twice(void)
{
	char name[64];
	void *a = NULL, *b = NULL;
	int v = -1;

	snprintf(name, sizeof name, "/mt-sem-%d", (int)getpid());
	CU_ASSERT_EQUAL_FATAL(iut->sem->open(iut, name, O_CREAT | O_EXCL, 0600, 3, &a), 0);
	CU_ASSERT_EQUAL_FATAL(iut->sem->open(iut, name, 0, 0, 0, &b), 0);
	CU_ASSERT_PTR_EQUAL(a, b);
	CU_ASSERT_EQUAL(iut->sem->unlink(iut, name), 0);
	CU_ASSERT_EQUAL(iut->sem->close(iut, a), 0);
	CU_ASSERT_EQUAL(iut->sem->trywait(iut, b), 0);
	CU_ASSERT_EQUAL(iut->sem->getvalue(iut, b, &v), 0);
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_EQUAL(iut->sem->close(iut, b), 0);
	CU_ASSERT_EQUAL(iut->sem->open(iut, name, O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1u, &a),
			-EINVAL);
	CU_ASSERT_EQUAL(iut->sem->unlink(iut, name), -ENOENT);
}

/* Memory sem_init never set up, or sem_destroy took down, is no semaphore (ref: EINVAL). */
static void test_ref_sem_not_a_semaphore(void)
{
	struct ref_psem s;
	int v;

	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL(iut->sem->post(iut, &s), -EINVAL);
	CU_ASSERT_EQUAL(iut->sem->init(iut, &s, 0, 1), 0);
	CU_ASSERT_EQUAL(iut->sem->trywait(iut, &s), 0);
	/* A value no semaphore can hold, as a broken peer might leave it. */
	atomic_store(&s.value, 0x80000000u);
	CU_ASSERT_EQUAL(iut->sem->getvalue(iut, &s, &v), -EINVAL);
	CU_ASSERT_EQUAL(iut->sem->wait(iut, &s, NULL), -EINVAL);
	CU_ASSERT_EQUAL(iut->sem->post(iut, &s), -EINVAL);
	atomic_store(&s.value, 0);
	CU_ASSERT_EQUAL(iut->sem->destroy(iut, &s), 0);
	CU_ASSERT_EQUAL(iut->sem->trywait(iut, &s), -EINVAL);
	CU_ASSERT_EQUAL(iut->sem->init(iut, &s, 1, (unsigned)SEM_VALUE_MAX + 1u), -EINVAL);
}

/* ---- System V semaphores ---- */

static int set_new(int nsems)
{
	int id = iut->sem->get(iut, IPC_PRIVATE, nsems, IPC_CREAT | 0600);

	CU_ASSERT_FATAL(id >= 0);
	return id;
}

static int val(int id, int num)
{
	return iut->sem->control(iut, id, num, GETVAL, (union ipcconf_semun){ .val = 0 });
}

static void setval(int id, int num, int v)
{
	union ipcconf_semun arg = { .val = v };

	CU_ASSERT_EQUAL(iut->sem->control(iut, id, num, SETVAL, arg), 0);
}

static void rm_set(int id)
{
	union ipcconf_semun none = { .val = 0 };

	CU_ASSERT_EQUAL(iut->sem->control(iut, id, 0, IPC_RMID, none), 0);
}

static int op1(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = { num, op, flg };

	return iut->sem->op(iut, id, &b, 1, NULL);
}

struct undo_arg {
	int id;
	int fd; /* written once the operations are done */
};

static int undo_then_wait(void *p)
{
	struct undo_arg *a = p;

	if (op1(a->id, 0, -1, SEM_UNDO) != 0)
		return 1;
	if (write(a->fd, "x", 1) != 1)
		return 1;
	for (;;)
		pause();
}

/* Linux exit_sem(): an adjustment applied to a value that moved meanwhile is kept within SEMVMX. */
static void test_sem_undo_clamped(void)
{
	int fds[2], st, id = set_new(1);
	struct undo_arg a = { .id = id };
	char c;
	pid_t pid;

	setval(id, 0, SEM_VMX);
	CU_ASSERT_FATAL(pipe(fds) == 0);
	a.fd = fds[1];
	pid = fork();
	if (pid == 0)
		_exit(undo_then_wait(&a));
	CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
	CU_ASSERT_EQUAL(val(id, 0), SEM_VMX - 1);
	CU_ASSERT_EQUAL(op1(id, 0, 1, 0), 0);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT_EQUAL(val(id, 0), SEM_VMX);
	CU_ASSERT_EQUAL(iut->sem->control(iut, id, 0, GETPID, (union ipcconf_semun){ .val = 0 }),
			pid);
	close(fds[0]);
	close(fds[1]);
	rm_set(id);
}

static int undo_range(void *p)
{
	int id = *(int *)p;

	/* The adjustment may reach SEMAEM (32767) and no further. */
	if (op1(id, 0, -SEM_VMX, SEM_UNDO) != 0)
		return 1;
	if (op1(id, 0, 1, 0) != 0)
		return 2;
	if (op1(id, 0, -1, SEM_UNDO) != -ERANGE)
		return 3;
	return val(id, 0) == 1 ? 0 : 4;
}

static void test_sem_undo_range(void)
{
	int id = set_new(1);

	setval(id, 0, SEM_VMX);
	CU_ASSERT_EQUAL(in_child(undo_range, &id), 0);
	/* The child's exit gave its 32767 back. */
	CU_ASSERT_EQUAL(val(id, 0), SEM_VMX);
	rm_set(id);
}

/* A zero timeout: EAGAIN at once when the list must wait; an operation that can proceed does. */
static void test_sem_timedop_zero(void)
{
	int id = set_new(2);
	struct sembuf dec = { 0, -1, 0 };
	struct timespec zero = { 0, 0 }, bad = { 0, 1000000000L };

	CU_ASSERT_EQUAL(iut->sem->op(iut, id, &dec, 1, &zero), -EAGAIN);
	CU_ASSERT_EQUAL(iut->sem->op(iut, id, &dec, 1, &bad), -EINVAL);
	CU_ASSERT_EQUAL(iut->sem->op(iut, id, &dec, 0, NULL), -EINVAL);
	setval(id, 0, 1);
	CU_ASSERT_EQUAL(iut->sem->op(iut, id, &dec, 1, &zero), 0);
	/* A list naming one semaphore twice runs on the running value. */
	{
		struct sembuf twice[] = { { 1, 2, 0 }, { 1, -1, 0 }, { 1, -1, 0 }, { 1, 0, 0 } };

		CU_ASSERT_EQUAL(iut->sem->op(iut, id, twice, 4, &zero), 0);
		CU_ASSERT_EQUAL(val(id, 1), 0);
	}
	rm_set(id);
}

/* A fork child has no adjustments of its parent's (Linux: not inherited). */
static int child_exits(void *p)
{
	(void)p;
	return 0;
}

static void test_sem_undo_not_inherited(void)
{
	int id = set_new(1);

	setval(id, 0, 2);
	CU_ASSERT_EQUAL(op1(id, 0, -1, SEM_UNDO), 0);
	CU_ASSERT_EQUAL(in_child(child_exits, NULL), 0);
	CU_ASSERT_EQUAL(val(id, 0), 1);
	rm_set(id);
}

/* ref's set file, mapped as a peer would. */
static struct semset_shared *map_set(int id, size_t *size)
{
	char leaf[SYSV_LEAF_LEN], path[128];
	struct stat st;
	void *p;
	int fd;

	sysv_leaf(SEMSET_PREFIX, SYSV_TAG_LIVE, id, leaf, sizeof leaf);
	snprintf(path, sizeof path, "/dev/shm/%s", leaf);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(fstat(fd, &st) == 0);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	*size = (size_t)st.st_size;
	return p;
}

static int private_set(void)
{
	return iut->sem->get(iut, IPC_PRIVATE, 2, IPC_CREAT | 0600);
}

static int probe_set(void *arg)
{
	/* A fresh process: the header is read and checked anew. */
	return val(*(int *)arg, 0) == -EINVAL ? 0 : 1;
}

/* A set broken by a peer: errors, never an access outside the set. */
static void test_ref_sem_hostile_set(void)
{
	int id = made_elsewhere(private_set);
	struct semset_layout lay;
	struct semset_shared *sh;
	struct semset_sem *sems;
	struct semset_waiter *w;
	struct semset_undo *u;
	unsigned short all[2];
	union ipcconf_semun arr = { .array = all };
	size_t size;

	CU_ASSERT_FATAL(id > 0);
	sh = map_set(id, &size);
	semset_layout(2, &lay);
	CU_ASSERT_EQUAL_FATAL(size, lay.total);

	/* A header that cannot be: the id names nothing to a new mapper. */
	sh->nsems = 1000;
	CU_ASSERT_EQUAL(in_child(probe_set, &id), 0);
	sh->nsems = 0;
	CU_ASSERT_EQUAL(in_child(probe_set, &id), 0);
	sh->nsems = 2;
	atomic_store(&sh->magic, 0);
	CU_ASSERT_EQUAL(in_child(probe_set, &id), 0);
	atomic_store(&sh->magic, SEMSET_MAGIC);

	sems = (struct semset_sem *)((unsigned char *)sh + lay.sems_off);
	w = (struct semset_waiter *)((unsigned char *)sh + lay.waiters_off);
	u = (struct semset_undo *)((unsigned char *)sh + lay.undo_off);

	/* A value no set can hold: the calls that read it fail, SETVAL repairs it. */
	sems[1].val = -5;
	CU_ASSERT_EQUAL(val(id, 1), -EUCLEAN);
	CU_ASSERT_EQUAL(iut->sem->control(iut, id, 0, GETALL, arr),
			-EUCLEAN);
	CU_ASSERT_EQUAL(op1(id, 1, 1, IPC_NOWAIT), -EUCLEAN);
	setval(id, 1, 3);
	CU_ASSERT_EQUAL(val(id, 1), 3);

	/* Records of waiters that cannot be: not counted, and overwritten by real ones. */
	w[0] = (struct semset_waiter){ .pid = 1, .num = 60000, .zero = 0, .used = 1 };
	w[1] = (struct semset_waiter){ .pid = -4, .num = 0, .zero = 0, .used = 1 };
	w[2] = (struct semset_waiter){ .pid = (int32_t)getpid(), .num = 0, .used = 7 };
	CU_ASSERT_EQUAL(iut->sem->control(iut, id, 0, GETNCNT, (union ipcconf_semun){ .val = 0 }),
			0);

	/* An undo slot of a process that never lived: applied (clamped) and freed. */
	u->pid = INT32_MAX;
	u->start = 1;
	u->adj[1] = -32768;
	u->used = 1;
	CU_ASSERT_EQUAL(val(id, 1), 0);
	CU_ASSERT_EQUAL(u->used, 0u);
	munmap(sh, size);
	rm_set(id);
}

static int exit_at_once(void *p)
{
	(void)p;
	return 0;
}

/* A set lock left held by a process that died (inside it): the next call takes it over. */
static void test_ref_sem_dead_lock_holder(void)
{
	int id = set_new(1), st;
	struct semset_shared *sh;
	size_t size;
	pid_t pid;

	sh = map_set(id, &size);
	pid = fork();
	if (pid == 0)
		_exit(exit_at_once(NULL));
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	atomic_store(&sh->lock, (uint32_t)pid);
	atomic_store(&sh->dirty, 1);
	setval(id, 0, 4);
	CU_ASSERT_EQUAL(val(id, 0), 4);
	CU_ASSERT_EQUAL(atomic_load(&sh->lock), 0u);
	munmap(sh, size);
	rm_set(id);
}

/* IPC_RMID removes the set's names at once: nothing of it is left in /dev/shm. */
static void test_ref_sem_rmid_names(void)
{
	key_t key = fresh_key();
	int id = iut->sem->get(iut, key, 1, IPC_CREAT | IPC_EXCL | 0600);
	char leaf[SYSV_LEAF_LEN], path[128];
	struct stat st;

	CU_ASSERT_FATAL(id >= 0);
	CU_ASSERT_EQUAL(sysv_key_id(SEMSET_PREFIX, key), id);
	rm_set(id);
	sysv_leaf(SEMSET_PREFIX, SYSV_TAG_LIVE, id, leaf, sizeof leaf);
	snprintf(path, sizeof path, "/dev/shm/%s", leaf);
	CU_ASSERT_NOT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_EQUAL(sysv_key_id(SEMSET_PREFIX, key), -ENOENT);
}

static const struct {
	const struct ipcconf_iut *(*entry)(void);
	bool ref;
} impls[] = {
	{ ipcconf_os_iut, false },
	{ ipcconf_ref_iut, true },
	{ ipcconf_ref_small_iut, true },
};
static size_t next_impl;

/* Each suite's initialiser: the suites run in order, one per implementation. */
static int select_next(void)
{
	iut = impls[next_impl].entry();
	is_ref = impls[next_impl].ref;
	next_impl++;
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
		bool ref_only;
	} tests[] = {
		{ "shm: a killed attacher stops counting", test_shm_killed_attacher, false },
		{ "shm: removed, then its last attacher killed",
		  test_shm_removed_then_last_attacher_killed, false },
		{ "shm: a detach in a child leaves the parent's", test_shm_detach_in_child_only,
		  false },
		{ "shm: control's arguments", test_shm_control_arguments, false },
		{ "shm: POSIX names", test_shm_posix_names, false },
		{ "shm: read and write of a POSIX object", test_shm_posix_stream, false },
		{ "sem: a name opened twice", test_sem_named_twice, false },
		{ "sem: adjustments kept within SEMVMX", test_sem_undo_clamped, false },
		{ "sem: the adjustment's range", test_sem_undo_range, false },
		{ "sem: semtimedop with a zero timeout", test_sem_timedop_zero, false },
		{ "sem: adjustments are not inherited", test_sem_undo_not_inherited, false },
		{ "ref: shm header broken by a peer", test_ref_shm_hostile_header, true },
		{ "ref: POSIX shm handles", test_ref_shm_posix_handles, true },
		{ "ref: memory that is no semaphore", test_ref_sem_not_a_semaphore, true },
		{ "ref: a set broken by a peer", test_ref_sem_hostile_set, true },
		{ "ref: a dead holder of the set lock", test_ref_sem_dead_lock_holder, true },
		{ "ref: IPC_RMID removes the set's names", test_ref_sem_rmid_names, true },
	};
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t s = 0; s < sizeof(impls) / sizeof(impls[0]); s++) {
		CU_pSuite suite = CU_add_suite(impls[s].entry()->name, select_next, NULL);

		for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
			if (impls[s].ref || !tests[i].ref_only)
				CU_add_test(suite, tests[i].name, tests[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
