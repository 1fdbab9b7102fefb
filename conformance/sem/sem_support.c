/*
 * Semaphore clause support: see sem_support.h.
 */
#define _GNU_SOURCE
#include "conformance/sem/sem_support.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/proc_state.h"
#include "conformance/harness/sys.h"

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
	/* POSIX leaves a new set's values indeterminate (semget(2) NOTES): set them. */
	unsigned short *zeros = calloc((size_t)nsems, sizeof *zeros);
	if (!zeros)
		BROKEN(t, "calloc of %d semaphore values", nsems);
	REQUIRE_OK(t, iut_semctl(t, id, 0, SETALL, (union ipcconf_semun){ .array = zeros }),
		   "semctl(SETALL zeros) of the new set");
	free(zeros);
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
	} else if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000L;
	}
	return ts;
}

int sem_sysv_op1(struct ipcconf_t *t, int id, unsigned short num, short op, short flags)
{
	struct sembuf b = { .sem_num = num, .sem_op = op, .sem_flg = flags };

	return iut_semop(t, id, &b, 1, NULL);
}

int sem_sysv_query(struct ipcconf_t *t, int id, int num, int cmd)
{
	int v = iut_semctl(t, id, num, cmd, (union ipcconf_semun){ .val = 0 });
	const char *what = cmd == GETNCNT ? "semctl(GETNCNT)"
			   : cmd == GETZCNT ? "semctl(GETZCNT)"
			   : cmd == GETPID  ? "semctl(GETPID)"
					    : "semctl";

	REQUIRE_OK(t, v, what);
	return v;
}

void sem_sysv_getall(struct ipcconf_t *t, int id, unsigned short *values, int n)
{
	for (int i = 0; i < n; i++)
		values[i] = 0xffff; /* no value a set may hold: an unwritten slot shows */
	REQUIRE_OK(t, iut_semctl(t, id, 0, GETALL, (union ipcconf_semun){ .array = values }),
		   "semctl(GETALL)");
}

#define EXPECT_ALL_MAX 16

void sem_sysv_expect_all(struct ipcconf_t *t, int id, const unsigned short *want, int n,
			 const char *when)
{
	unsigned short got[EXPECT_ALL_MAX];

	if (n < 1 || n > EXPECT_ALL_MAX)
		BROKEN(t, "sem_sysv_expect_all: %d semaphores (at most %d)", n, EXPECT_ALL_MAX);
	sem_sysv_getall(t, id, got, n);
	for (int i = 0; i < n; i++)
		CHECK(t, got[i] == want[i], "semaphore %d %s: GETALL gives %u, expected %u", i, when,
		      got[i], want[i]);
}

void *sem_posix_create(struct ipcconf_t *t, enum sem_kind kind, unsigned value, const char **name)
{
	if (kind == SEM_KIND_NAMED)
		return sem_named_create(t, "sem", value, name);
	if (name)
		*name = NULL;
	return sem_unnamed_create(t, 1, value);
}

void *sem_named_open(struct ipcconf_t *t, const char *name)
{
	void *sem = NULL;

	REQUIRE_OK(t, iut_sem_open(t, name, 0, 0, 0, &sem), "sem_open(name, 0) of the existing semaphore");
	REQUIRE(t, sem != NULL, "sem_open(name, 0) succeeded but gave no semaphore");
	return sem;
}

static void returned_after(struct ipcconf_t *t, const struct ipcconf_blocked *b, const char *after)
{
	char r[32];

	FAIL(t, "%s returned %s after %s: that must not release it", b->what,
	     ipcconf_result_name(atomic_load(&t->page->blocked[b->slot].result), r), after);
	ipcconf_exit(t);
}

void sem_still_blocked(struct ipcconf_t *t, struct ipcconf_blocked *const *b, unsigned n,
		       const char *after)
{
	int64_t until = ipcconf_now_ns() +
			(int64_t)(IPCCONF_BLOCK_GRACE_MS * 1e6 * t->page->timeout_mul);

	/* One grace period for all: wait on each "returned" word in turn until it ends. */
	for (unsigned i = 0; i < n; i++) {
		_Atomic uint32_t *returned = &t->page->blocked[b[i]->slot].returned;
		while (!atomic_load(returned) && ipcconf_now_ns() < until)
			ipcconf_futex_wait(returned, 0, until);
		if (atomic_load(returned))
			returned_after(t, b[i], after);
	}
	for (unsigned i = 0; i < n; i++) {
		int64_t backoff = 20 * 1000;
		for (;;) {
			char st = ipcconf_proc_state(b[i]->pid);
			if (st == 0)
				SKIP(t, "blocking cannot be observed here: /proc/%d/stat is unreadable",
				     (int)b[i]->pid);
			if (ipcconf_block_returned_yet(t, b[i]))
				returned_after(t, b[i], after);
			if (st == 'S')
				break;
			if (ipcconf_now_ns() >= t->page->deadline_ns) {
				FAIL(t, "timeout: %s is not asleep again after %s (state %c)", b[i]->what,
				     after, st);
				ipcconf_exit(t);
			}
			ipcconf_sys_pause_ns(backoff, t->page->deadline_ns);
			if (backoff < 2 * 1000 * 1000)
				backoff *= 2;
		}
		ipcconf_checked(t);
	}
}

double sem_ms_since(int64_t start_ns)
{
	return (double)(ipcconf_now_ns() - start_ns) / 1e6;
}

void sem_need_root(struct ipcconf_t *t)
{
	if (getuid() != 0 || geteuid() != 0)
		SKIP(t, "needs root, to make a helper of another user (uid %d here)", (int)geteuid());
}

void sem_become_other_user(struct ipcconf_t *t)
{
	sem_need_root(t);
	STEP(t, "helper: becoming uid/gid %d", SEM_OTHER_UID);
	if (setgroups(0, NULL) != 0 || setresgid(SEM_OTHER_UID, SEM_OTHER_UID, SEM_OTHER_UID) != 0 ||
	    setresuid(SEM_OTHER_UID, SEM_OTHER_UID, SEM_OTHER_UID) != 0)
		SKIP(t, "cannot become the user nobody (%d): %s", SEM_OTHER_UID, strerror(errno));
	static const int bypass[] = { CAP_IPC_OWNER, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_SYS_ADMIN };
	for (size_t i = 0; i < sizeof bypass / sizeof bypass[0]; i++)
		if (ipcconf_has_cap(t, bypass[i]))
			SKIP(t, "the helper kept capability %d, which bypasses permission checks, after giving up root",
			     bypass[i]);
}

void sem_join_helper(struct ipcconf_t *t, pid_t helper, const char *who)
{
	ipcconf_join(t, helper, who);
	if (atomic_load(&t->page->outcome) == IPCCONF_SKIP)
		ipcconf_exit(t);
}
