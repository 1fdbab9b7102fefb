/*
 * Broken: end-of-file reaches one process per pipe: the first process to
 * read 0 from a pipe or FIFO gets it (as often as it likes); a read in any
 * other process that would return 0 sleeps for good instead, as if the
 * last writer's close had woken one sleeper and lost the others (breaks
 * seed:P10 for every reader).
 *
 * Who was first is kept in memory shared by every process of the run: a
 * MAP_SHARED anonymous table made when the suite calls the entry function,
 * which it does once, before it forks anything.  A pipe is known by its
 * inode and change time (a FIFO node made later under a reused inode
 * number has another change time).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

#define CLAIMS 4096

struct claim {
	uint64_t dev, ino, ctime_ns;
	int32_t pid;
};

struct claims {
	int lock;
	unsigned n;
	struct claim c[CLAIMS];
};

static struct claims *claims;

/* 1: this process may see end-of-file on `h`; 0: another process saw it first. */
static int claim_eof(int h)
{
	struct stat st;
	if (!claims || fstat(h, &st) != 0)
		return 1;
	struct claim me = { (uint64_t)st.st_dev, (uint64_t)st.st_ino,
			    (uint64_t)st.st_ctim.tv_sec * 1000000000u + (uint64_t)st.st_ctim.tv_nsec,
			    (int32_t)getpid() };
	while (__atomic_exchange_n(&claims->lock, 1, __ATOMIC_ACQUIRE))
		;
	int mine = 1;
	unsigned i;
	for (i = 0; i < claims->n; i++)
		if (claims->c[i].dev == me.dev && claims->c[i].ino == me.ino &&
		    claims->c[i].ctime_ns == me.ctime_ns)
			break;
	if (i < claims->n)
		mine = claims->c[i].pid == me.pid;
	else if (claims->n < CLAIMS)
		claims->c[claims->n++] = me;
	__atomic_store_n(&claims->lock, 0, __ATOMIC_RELEASE);
	return mine;
}

static ssize_t read_eof_once(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	ssize_t n = OS->stream->read(OS, h, buf, len);
	if (n == 0 && len > 0 && !claim_eof(h))
		for (;;)
			pause();
	return n;
}

const struct ipcconf_iut *broken_eof_wakes_one_iut(void)
{
	static struct broken_iut b;
	if (!claims) {
		void *p = mmap(NULL, sizeof *claims, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		claims = p == MAP_FAILED ? NULL : p;
	}
	broken_from_os(&b, "broken-eof-wakes-one", "end-of-file reaches only one process per pipe");
	b.stream.read = read_eof_once;
	return &b.iut;
}
