/*
 * Semaphore clause support: see sem_support.h.
 */
#define _GNU_SOURCE
#include "conformance/sem/sem_support.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

void sem_read_limits(struct sem_limits *l)
{
	FILE *f = fopen("/proc/sys/kernel/sem", "r");

	l->semmsl = l->semmns = l->semopm = l->semmni = -1;
	if (!f)
		return;
	if (fscanf(f, "%ld %ld %ld %ld", &l->semmsl, &l->semmns, &l->semopm, &l->semmni) != 4)
		l->semmsl = l->semmns = l->semopm = l->semmni = -1;
	fclose(f);
}

void *sem_named_create(struct ipcconf_t *t, const char *leaf, unsigned value, const char **name)
{
	const char *n = ipcconf_posix_name(t, leaf);
	void *sem = NULL;

	REQUIRE_OK(t, iut_sem_open(t, n, O_CREAT | O_EXCL, 0600, value, &sem),
		   "sem_open(O_CREAT | O_EXCL, 0600)");
	REQUIRE(t, sem != NULL, "sem_open succeeded but gave no semaphore");
	if (name)
		*name = n;
	return sem;
}

void *sem_shared_memory(struct ipcconf_t *t, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		BROKEN(t, "mmap of %zu shared bytes failed", size);
	return p;
}

/* Each slot: the table's size rounded up to its alignment (at least 1). */
static size_t slot_size(struct ipcconf_t *t)
{
	size_t size = t->iut->sem->unnamed_size, align = t->iut->sem->unnamed_align;

	if (size == 0 || align == 0 || (align & (align - 1)) != 0 || align > 4096)
		BROKEN(t, "the sem table's unnamed_size %zu / unnamed_align %zu are unusable", size,
		       align);
	return (size + align - 1) & ~(align - 1);
}

void *sem_unnamed_create(struct ipcconf_t *t, unsigned count, unsigned value)
{
	size_t slot = slot_size(t);
	unsigned char *base = sem_shared_memory(t, slot * count);

	for (unsigned i = 0; i < count; i++)
		REQUIRE_OK(t, iut_sem_init(t, base + i * slot, 1, value), "sem_init(pshared 1)");
	return base;
}

void *sem_unnamed_at(struct ipcconf_t *t, void *first, unsigned i)
{
	return (unsigned char *)first + (size_t)i * slot_size(t);
}

int sem_sysv_create(struct ipcconf_t *t, int nsems, key_t *key)
{
	key_t k = ipcconf_sysv_key(t);
	int id = iut_semget(t, k, nsems, IPC_CREAT | IPC_EXCL | 0600);

	REQUIRE_OK(t, id, "semget(IPC_CREAT | IPC_EXCL | 0600)");
	if (key)
		*key = k;
	return id;
}

int sem_sysv_value(struct ipcconf_t *t, int id, int num)
{
	int v = iut_semctl(t, id, num, GETVAL, (union ipcconf_semun){ .val = 0 });

	REQUIRE_OK(t, v, "semctl(GETVAL)");
	return v;
}

void sem_sysv_set(struct ipcconf_t *t, int id, int num, int value)
{
	REQUIRE_OK(t, iut_semctl(t, id, num, SETVAL, (union ipcconf_semun){ .val = value }),
		   "semctl(SETVAL)");
}

int sem_value(struct ipcconf_t *t, void *sem)
{
	int v = -1;

	REQUIRE_OK(t, iut_sem_getvalue(t, sem, &v), "sem_getvalue");
	return v;
}

struct timespec sem_deadline_in(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}
