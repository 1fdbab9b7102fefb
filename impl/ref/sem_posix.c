/*
 * POSIX semaphores over futexes (sem.h struct ref_psem): sem_init(3) in
 * the caller's memory, sem_open(3) of a named one, and the operations
 * both kinds share.
 *
 * WAITING.  A wait takes the semaphore by compare-and-swap of the value
 * (never below 0, so getvalue never reads a negative value) and, at 0,
 * sleeps on the value word (sync_waiter.h, through qcore's timed wait):
 * the sleeper raises `sleepers` and reads the value again before it
 * sleeps, the poster raises the value and then reads `sleepers`, all
 * sequentially consistent, so either the poster sees the sleeper and
 * wakes one, or the sleeper sees the post and does not sleep.  A wait
 * that leaves without taking anything (timeout, signal) while the value
 * is positive and others sleep passes a wake-up on, in case the one it
 * leaves was meant for it.
 *
 * NAMES.  A named semaphore "/name" is the file "ipcconf-ref-sem-name"
 * in /dev/shm holding one struct ref_psem, made unnamed, set up and then
 * linked under its name (shm_obj.h), so nobody ever opens one half made;
 * its file mode is the mode given (less the umask), which the kernel
 * checks when another process opens it read-write (EACCES).  A process
 * maps each named semaphore once, however often it opens it (sem_open
 * gives the same address again, as glibc's does), and unmaps it at the
 * last sem_close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/posix_name.h"
#include "impl/ref/qcore.h"
#include "impl/ref/sem.h"
#include "impl/ref/shm_obj.h"
#include "impl/sync/sync_futex.h"

#define SEMP_PREFIX "ipcconf-ref-sem-"
#define SEMP_FILE_SIZE 64 /* one struct ref_psem, padded */

_Static_assert(sizeof(struct ref_psem) <= SEMP_FILE_SIZE, "a named semaphore outgrew its file");

/* ---- the operations of both kinds ---- */

/* The semaphore at sem, if it is one: NULL for memory sem_init never set up. */
static struct ref_psem *psem(void *sem)
{
	struct ref_psem *s = sem;

	if (s == NULL || ((uintptr_t)s % _Alignof(struct ref_psem)) != 0 ||
	    atomic_load_explicit(&s->magic, memory_order_acquire) != REF_PSEM_MAGIC)
		return NULL;
	return s;
}

/* Takes one: 0, -EAGAIN at 0, -EINVAL for a value no semaphore can hold (broken memory). */
static int take(struct ref_psem *s)
{
	uint32_t v = atomic_load(&s->value);

	for (;;) {
		if (v > (uint32_t)SEM_VALUE_MAX)
			return -EINVAL;
		if (v == 0)
			return -EAGAIN;
		if (atomic_compare_exchange_weak(&s->value, &v, v - 1))
			return 0;
	}
}

int ref_sem_trywait(ref_sem_iut_t *self, void *sem)
{
	struct ref_psem *s = psem(sem);

	(void)self;
	return s == NULL ? -EINVAL : take(s);
}

int ref_sem_wait(ref_sem_iut_t *self, void *sem, const struct timespec *abs_timeout)
{
	struct ref_psem *s = psem(sem);
	struct ref_qcore_wait qw = { .abs = abs_timeout };
	int r;

	(void)self;
	if (s == NULL)
		return -EINVAL;
	r = take(s);
	/* POSIX: the time need not be checked when the semaphore can be taken at once. */
	if (r != -EAGAIN)
		return r;
	if (abs_timeout != NULL &&
	    (abs_timeout->tv_nsec < 0 || abs_timeout->tv_nsec >= 1000000000L))
		return -EINVAL;
	for (;;) {
		int w = ref_qcore_wait(&qw, &s->value, 0, &s->sleepers);

		r = take(s);
		if (r != -EAGAIN)
			break;
		if (w == -ETIMEDOUT) {
			r = -ETIMEDOUT;
			break;
		}
		/* sem_wait(3) is never restarted after a handler (signal(7)). */
		if (w == -EINTR || w == -ERESTART) {
			r = -EINTR;
			break;
		}
	}
	ref_qcore_wait_end(&qw);
	if (r != 0 && atomic_load(&s->value) != 0 && atomic_load(&s->sleepers) != 0)
		sync_futex_wake(&s->value, 1);
	return r;
}

int ref_sem_post(ref_sem_iut_t *self, void *sem)
{
	struct ref_psem *s = psem(sem);
	uint32_t v;

	(void)self;
	if (s == NULL)
		return -EINVAL;
	v = atomic_load(&s->value);
	for (;;) {
		if (v > (uint32_t)SEM_VALUE_MAX)
			return -EINVAL;
		if (v == (uint32_t)SEM_VALUE_MAX)
			return -EOVERFLOW;
		if (atomic_compare_exchange_weak(&s->value, &v, v + 1))
			break;
	}
	if (atomic_load(&s->sleepers) != 0)
		sync_futex_wake(&s->value, 1);
	return 0;
}

int ref_sem_getvalue(ref_sem_iut_t *self, void *sem, int *value)
{
	struct ref_psem *s = psem(sem);
	uint32_t v;

	(void)self;
	if (s == NULL)
		return -EINVAL;
	v = atomic_load(&s->value);
	if (v > (uint32_t)SEM_VALUE_MAX)
		return -EINVAL;
	*value = (int)v;
	return 0;
}

/* ---- unnamed ---- */

int ref_sem_init(ref_sem_iut_t *self, void *sem, int pshared, unsigned value)
{
	struct ref_psem *s = sem;

	(void)self;
	(void)pshared; /* the futex is process-shared either way */
	if (s == NULL || ((uintptr_t)s % _Alignof(struct ref_psem)) != 0)
		return -EINVAL;
	if (value > (unsigned)SEM_VALUE_MAX)
		return -EINVAL;
	atomic_store(&s->value, value);
	atomic_store(&s->sleepers, 0);
	s->reserved = 0;
	atomic_store_explicit(&s->magic, REF_PSEM_MAGIC, memory_order_release);
	return 0;
}

int ref_sem_destroy(ref_sem_iut_t *self, void *sem)
{
	struct ref_psem *s = psem(sem);

	(void)self;
	if (s == NULL)
		return -EINVAL;
	atomic_store(&s->magic, 0);
	return 0;
}

/* ---- named ---- */

/* A named semaphore this process maps, with its sem_open count.  Guarded by ref_lock(). */
struct named {
	struct named *next;
	struct ref_psem *sem;
	dev_t dev;
	ino_t ino;
	unsigned opens;
};

static struct named *named_list;

/* Maps an opened semaphore file (closing fd) and checks it: 0, -EINVAL, or -errno. */
static int map_file(int fd, struct ref_psem **out, struct stat *st)
{
	void *p;
	int err = 0;

	if (fstat(fd, st) != 0)
		err = -errno;
	else if (!S_ISREG(st->st_mode) || st->st_size != SEMP_FILE_SIZE)
		err = -EINVAL; /* a file under our name that is no semaphore of ours */
	if (err == 0) {
		p = mmap(NULL, SEMP_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			err = -errno;
		else if (psem(p) == NULL) {
			munmap(p, SEMP_FILE_SIZE);
			err = -EINVAL;
		} else {
			*out = p;
		}
	}
	close(fd);
	return err;
}

static int open_existing(const char *leaf, struct ref_psem **out, struct stat *st)
{
	char path[sizeof(REF_SHM_DIR) + REF_SHM_LEAF_MAX];
	int fd;

	snprintf(path, sizeof path, REF_SHM_DIR "/%s", leaf);
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	return map_file(fd, out, st);
}

/* Makes, sets up and names a new semaphore: 0, -EEXIST when the name was taken meanwhile. */
static int create(const char *leaf, mode_t mode, unsigned value, struct ref_psem **out,
		  struct stat *st)
{
	struct shm_obj_new n;
	struct ref_psem *s;
	int err = ref_shm_obj_create(SEMP_FILE_SIZE, &n);

	if (err != 0)
		return err;
	s = n.base;
	atomic_store(&s->value, value);
	atomic_store(&s->sleepers, 0);
	atomic_store_explicit(&s->magic, REF_PSEM_MAGIC, memory_order_release);
	err = ref_shm_obj_publish(&n, leaf, mode & ~ref_umask() & 0777);
	if (err == 0 && fstat(n.fd, st) != 0)
		err = -errno;
	if (err != 0) {
		ref_shm_obj_discard(&n);
		return err;
	}
	close(n.fd); /* the mapping is all a semaphore needs */
	*out = s;
	return 0;
}

/* The process's address for a semaphore just mapped: the one it has, if it has it already. */
static int install(struct ref_psem *s, const struct stat *st, void **out)
{
	struct named *have = NULL, *add = malloc(sizeof(*add));

	ref_lock();
	for (struct named *n = named_list; n != NULL; n = n->next)
		if (n->dev == st->st_dev && n->ino == st->st_ino)
			have = n;
	if (have != NULL) {
		have->opens++;
		*out = have->sem;
	} else if (add != NULL) {
		*add = (struct named){ .next = named_list, .sem = s, .dev = st->st_dev,
				       .ino = st->st_ino, .opens = 1 };
		named_list = add;
		*out = s;
	}
	ref_unlock();
	if (have != NULL || add == NULL) {
		free(add);
		munmap(s, SEMP_FILE_SIZE);
	}
	return have != NULL || add != NULL ? 0 : -ENOMEM;
}

int ref_sem_open(ref_sem_iut_t *self, const char *name, int flags, mode_t mode, unsigned value,
		 void **sem)
{
	char leaf[REF_SHM_LEAF_MAX];
	bool excl = (flags & O_CREAT) && (flags & O_EXCL);
	struct ref_psem *s = NULL;
	struct stat st;
	int err;

	(void)self;
	err = ref_posix_leaf(SEMP_PREFIX, name, leaf, sizeof leaf);
	if (err != 0)
		return err;
	if (sem == NULL)
		return -EFAULT;
	ref_init_once();
	for (int tries = 0; tries < 16; tries++) {
		/* With O_EXCL only creation will do, as glibc's sem_open: EEXIST before EACCES. */
		if (!excl) {
			err = open_existing(leaf, &s, &st);
			if (err == 0)
				return install(s, &st, sem);
			if (err != -ENOENT || !(flags & O_CREAT))
				return err;
		}
		if (value > (unsigned)SEM_VALUE_MAX)
			return -EINVAL;
		err = create(leaf, mode, value, &s, &st);
		if (err == 0)
			return install(s, &st, sem);
		if (err != -EEXIST || excl)
			return err;
		/* Made by another process meanwhile: open that one. */
	}
	return err;
}

int ref_sem_close(ref_sem_iut_t *self, void *sem)
{
	struct named *gone = NULL;
	bool found = false;

	(void)self;
	ref_lock();
	for (struct named **pp = &named_list; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->sem != sem)
			continue;
		found = true;
		if (--(*pp)->opens == 0) {
			gone = *pp;
			*pp = gone->next;
		}
		break;
	}
	ref_unlock();
	if (gone != NULL) {
		munmap(gone->sem, SEMP_FILE_SIZE);
		free(gone);
	}
	return found ? 0 : -EINVAL;
}

int ref_sem_unlink(ref_sem_iut_t *self, const char *name)
{
	char leaf[REF_SHM_LEAF_MAX];
	int err;

	(void)self;
	err = ref_posix_leaf(SEMP_PREFIX, name, leaf, sizeof leaf);
	if (err != 0)
		return err;
	err = ref_shm_obj_unlink(leaf);
	/* The sticky /dev/shm refuses another user's name with EPERM; sem_unlink(3) says EACCES. */
	return err == -EPERM ? -EACCES : err;
}
