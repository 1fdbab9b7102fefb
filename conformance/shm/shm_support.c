/*
 * Shared memory clause support: see shm_support.h.
 */
#define _GNU_SOURCE
#include "conformance/shm/shm_support.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long long read_proc_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

void shm_read_limits(struct shm_limits *l)
{
	l->shmmax = read_proc_number("/proc/sys/kernel/shmmax");
	l->shmall = read_proc_number("/proc/sys/kernel/shmall");
	l->shmmin = 1; /* shmget(2): SHMMIN is 1 byte on Linux, with no /proc file */
	l->page = sysconf(_SC_PAGESIZE);
}

size_t shm_page(struct ipcconf_t *t)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		BROKEN(t, "sysconf(_SC_PAGESIZE) gave %ld", page);
	return (size_t)page;
}

int shm_posix_create(struct ipcconf_t *t, const char *leaf, size_t size, const char **name)
{
	const char *n = ipcconf_posix_name(t, leaf);
	int h = iut_shm_open(t, n, O_RDWR | O_CREAT | O_EXCL, 0600);

	REQUIRE_OK(t, h, "shm_open(O_RDWR | O_CREAT | O_EXCL, 0600)");
	REQUIRE_OK(t, iut_shm_truncate(t, h, (off_t)size), "ftruncate of the new object");
	if (name)
		*name = n;
	return h;
}

void *shm_map_shared(struct ipcconf_t *t, int h, size_t len)
{
	void *p = NULL;

	REQUIRE_OK(t, iut_shm_map(t, h, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &p),
		   "mmap(PROT_READ | PROT_WRITE, MAP_SHARED)");
	REQUIRE(t, p != NULL, "mmap succeeded but gave no address");
	return p;
}

int shm_sysv_create(struct ipcconf_t *t, size_t size, key_t *key)
{
	key_t k = ipcconf_sysv_key(t);
	int id = iut_shmget(t, k, size, IPC_CREAT | IPC_EXCL | 0600);

	REQUIRE_OK(t, id, "shmget(IPC_CREAT | IPC_EXCL | 0600)");
	if (key)
		*key = k;
	return id;
}

void *shm_attach(struct ipcconf_t *t, int id)
{
	void *p = NULL;

	REQUIRE_OK(t, iut_shmat(t, id, 0, &p), "shmat(id, NULL, 0)");
	REQUIRE(t, p != NULL, "shmat succeeded but gave no address");
	return p;
}

void shm_stat(struct ipcconf_t *t, int id, struct shmid_ds *ds)
{
	REQUIRE_OK(t, iut_shmctl(t, id, IPC_STAT, ds), "shmctl(IPC_STAT)");
}

int shm_access_signal(struct ipcconf_t *t, volatile unsigned char *addr, int write,
		      unsigned char value)
{
	int status = 0;
	pid_t h = ipcconf_fork(t);

	if (h == 0) {
		/* The fault, if any, is the helper's death: default actions in every helper. */
		ipcconf_default_action(t, SIGBUS);
		ipcconf_default_action(t, SIGSEGV);
		/* No core file: the death is the expected outcome, not a crash to inspect. */
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
		if (write)
			*addr = value;
		else
			(void)*addr;
		ipcconf_exit(t);
	}
	REQUIRE(t, ipcconf_wait(t, h, &status), "the helper accessing %p did not end",
		(void *)addr);
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	REQUIRE(t, WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the helper accessing %p ended with status %#x", (void *)addr, status);
	return 0;
}
