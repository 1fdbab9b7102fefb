/*
 * Shared memory clause support: see shm_support.h.
 */
#define _GNU_SOURCE
#include "conformance/shm/shm_support.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/page.h"

/* shmmax and shmall default to ULONG_MAX - 2^24 (shmget(2)): read unsigned. */
static int read_proc_unsigned(const char *name, unsigned long long *v)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int ok = fscanf(f, "%llu", v) == 1;
	fclose(f);
	return ok;
}

long long shm_sysctl(const char *name)
{
	unsigned long long v;

	if (!read_proc_unsigned(name, &v))
		return -1;
	return v > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)v;
}

void shm_read_limits(struct shm_limits *l)
{
	struct shminfo info;

	memset(l, 0, sizeof *l);
	l->page = sysconf(_SC_PAGESIZE);
	/*
	 * IPC_INFO (shmctl(2), Linux) gives all three at once, shmmin
	 * included, which has no /proc file.  The system's limits, so the C
	 * library's shmctl (which knows the structure's layout on every
	 * architecture), never the implementation under test.
	 */
	memset(&info, 0, sizeof info);
	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&info) >= 0) {
		l->shmmax = info.shmmax;
		l->shmmin = info.shmmin;
		l->shmall = info.shmall;
		l->have_shmmax = l->have_shmmin = l->have_shmall = 1;
		l->source = "IPC_INFO";
		return;
	}
	l->source = "/proc/sys/kernel";
	l->have_shmmax = read_proc_unsigned("shmmax", &l->shmmax);
	l->have_shmall = read_proc_unsigned("shmall", &l->shmall);
}

size_t shm_page(struct ipcconf_t *t)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		BROKEN(t, "sysconf(_SC_PAGESIZE) gave %ld", page);
	return (size_t)page;
}

int shm_posix_create_named(struct ipcconf_t *t, const char *name, size_t size)
{
	int h = iut_shm_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600);

	REQUIRE_OK(t, h, "shm_open(O_RDWR | O_CREAT | O_EXCL, 0600)");
	REQUIRE_OK(t, iut_shm_truncate(t, h, (off_t)size), "ftruncate of the new object");
	return h;
}

int shm_posix_create(struct ipcconf_t *t, const char *leaf, size_t size, const char **name)
{
	const char *n = ipcconf_posix_name(t, leaf);
	int h = shm_posix_create_named(t, n, size);

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

long long shm_size_of(struct ipcconf_t *t, int h)
{
	off_t size = -1;

	REQUIRE_OK(t, iut_shm_size(t, h, &size), "fstat (the object's size)");
	return (long long)size;
}

int shm_sysv_create_keyed(struct ipcconf_t *t, key_t key, size_t size)
{
	int id = iut_shmget(t, key, size, IPC_CREAT | IPC_EXCL | 0600);

	REQUIRE_OK(t, id, "shmget(new key, IPC_CREAT | IPC_EXCL | 0600)");
	return id;
}

int shm_sysv_create(struct ipcconf_t *t, size_t size, key_t *key)
{
	key_t k = ipcconf_sysv_key(t);
	int id = shm_sysv_create_keyed(t, k, size);

	if (key)
		*key = k;
	return id;
}

void *shm_attach_flags(struct ipcconf_t *t, int id, int flags)
{
	void *p = NULL;

	REQUIRE_OK(t, iut_shmat(t, id, flags, &p),
		   flags & SHM_RDONLY ? "shmat(id, NULL, SHM_RDONLY)" : "shmat(id, NULL, 0)");
	REQUIRE(t, p != NULL, "shmat succeeded but gave no address");
	return p;
}

void *shm_attach(struct ipcconf_t *t, int id)
{
	return shm_attach_flags(t, id, 0);
}

void shm_stat(struct ipcconf_t *t, int id, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof *ds);
	REQUIRE_OK(t, iut_shmctl(t, id, IPC_STAT, ds), "shmctl(IPC_STAT)");
}

long long shm_nattch(struct ipcconf_t *t, int id)
{
	struct shmid_ds ds;

	shm_stat(t, id, &ds);
	return (long long)ds.shm_nattch;
}

void shm_fill(volatile unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = shm_pattern_byte(i, seed);
}

int shm_expect_pattern_at(struct ipcconf_t *t, const volatile unsigned char *p, size_t base_offset,
			  size_t len, unsigned seed, const char *what)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char got = p[i]; /* read once: the peer may be writing */
		unsigned char want = shm_pattern_byte(base_offset + i, seed);
		if (got != want) {
			FAIL(t, "%s: byte at offset %zu is %#04x, expected %#04x (pattern %u)%s", what,
			     base_offset + i, got, want, seed,
			     got == 0 ? ": it reads as zero-filled memory" : "");
			return 0;
		}
	}
	ipcconf_checked(t);
	return 1;
}

int shm_expect_pattern(struct ipcconf_t *t, const volatile unsigned char *p, size_t len,
		       unsigned seed, const char *what)
{
	return shm_expect_pattern_at(t, p, 0, len, seed, what);
}

int shm_expect_zero(struct ipcconf_t *t, const volatile unsigned char *p, size_t base_offset,
		    size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char got = p[i];
		if (got != 0) {
			FAIL(t, "%s: byte at offset %zu is %#04x, expected 0", what, base_offset + i,
			     got);
			return 0;
		}
	}
	ipcconf_checked(t);
	return 1;
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

const char *shm_signal_name(int sig)
{
	if (sig == 0)
		return "no signal (the access completed)";
	const char *abbrev = sigabbrev_np(sig);
	return abbrev ? abbrev : "an unknown signal";
}

void shm_join_helper(struct ipcconf_t *t, pid_t helper, const char *who)
{
	ipcconf_join(t, helper, who);
	if (atomic_load(&t->page->outcome) != IPCCONF_PASS)
		ipcconf_exit(t);
}

void shm_need_root(struct ipcconf_t *t)
{
	if (getuid() != 0 || geteuid() != 0)
		SKIP(t, "needs root, to make a helper of another user (uid %d here)", (int)geteuid());
}

/* Whether this process's user namespace maps `uid` (user_namespaces(7): /proc/self/uid_map). */
static int uid_mapped(unsigned long uid)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long inside, outside, count;
	int mapped = 0;

	if (!f)
		return 1; /* no user namespaces here: every uid is the kernel's own */
	while (!mapped && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		mapped = uid >= inside && uid - inside < count;
	fclose(f);
	return mapped;
}

void shm_become_other_user(struct ipcconf_t *t)
{
	static const struct {
		int cap;
		const char *name;
	} bypass[] = {
		{ CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE" },
		{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH" },
		{ CAP_FOWNER, "CAP_FOWNER" },
		{ CAP_IPC_OWNER, "CAP_IPC_OWNER" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	};

	if (geteuid() != 0)
		SKIP(t, "needs root, to make a helper of another user (uid %d here)", (int)geteuid());
	if (!uid_mapped(SHM_OTHER_UID))
		SKIP(t, "this user namespace maps no uid %d (/proc/self/uid_map), as in a sandbox: no other user can be made",
		     SHM_OTHER_UID);
	STEP(t, "helper: dropping root to uid/gid %d", SHM_OTHER_UID);
	if (setgroups(0, NULL) != 0 ||
	    setresgid(SHM_OTHER_UID, SHM_OTHER_UID, SHM_OTHER_UID) != 0 ||
	    setresuid(SHM_OTHER_UID, SHM_OTHER_UID, SHM_OTHER_UID) != 0)
		SKIP(t, "cannot become the user nobody (%d) here: %s", SHM_OTHER_UID,
		     strerror(errno));
	for (size_t i = 0; i < sizeof bypass / sizeof bypass[0]; i++)
		if (ipcconf_has_cap(t, bypass[i].cap))
			SKIP(t, "the helper kept %s, which bypasses the permission check, after giving up root",
			     bypass[i].name);
}
