/* Named shm objects and IPC permissions for ref's queues: see shm_obj.h. */
#define _GNU_SOURCE
#include "impl/ref/shm_obj.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void leaf_path(char *path, size_t len, const char *leaf)
{
	snprintf(path, len, "%s/%s", REF_SHM_DIR, leaf);
}

uint64_t ref_random64(void)
{
	static _Atomic uint64_t counter;
	uint64_t v = 0;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
		return v;
	/* No entropy to be had: unique per process and call is what matters. */
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	v = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)ts.tv_sec ^
	    (uint64_t)getpid() << 32 ^ atomic_fetch_add(&counter, 1) * 0xbf58476d1ce4e5b9u;
	return v;
}

/* A temporary name for the fallback: unique per process and call. */
static int tmp_file(struct shm_obj_new *n)
{
	char path[sizeof(REF_SHM_DIR) + sizeof(n->tmp_leaf)];

	snprintf(n->tmp_leaf, sizeof(n->tmp_leaf), "ipcconf-ref-tmp-%d-%016llx", (int)getpid(),
		 (unsigned long long)ref_random64());
	leaf_path(path, sizeof path, n->tmp_leaf);
	return open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

int ref_shm_obj_create(size_t size, struct shm_obj_new *n)
{
	int err = 0;

	n->tmp_leaf[0] = '\0';
	n->base = MAP_FAILED;
	n->size = size;
	n->fd = open(REF_SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (n->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		n->fd = tmp_file(n);
	if (n->fd < 0)
		return -errno;
	/* umask may have narrowed 0600: we need all of it until the object is published. */
	if (fchmod(n->fd, 0600) != 0 || ftruncate(n->fd, (off_t)size) != 0)
		err = -errno;
	if (err == 0) {
		n->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, n->fd, 0);
		if (n->base == MAP_FAILED)
			err = -errno;
	}
	if (err != 0)
		ref_shm_obj_discard(n);
	return err;
}

int ref_shm_obj_publish(struct shm_obj_new *n, const char *leaf, mode_t file_mode)
{
	char to[sizeof(REF_SHM_DIR) + REF_SHM_LEAF_MAX];
	int r;

	if (strlen(leaf) >= REF_SHM_LEAF_MAX || strchr(leaf, '/') != NULL)
		return -ENAMETOOLONG;
	if (fchmod(n->fd, file_mode) != 0)
		return -errno;
	leaf_path(to, sizeof to, leaf);
	if (n->tmp_leaf[0] != '\0') {
		char from[sizeof(REF_SHM_DIR) + sizeof(n->tmp_leaf)];

		leaf_path(from, sizeof from, n->tmp_leaf);
		r = link(from, to);
		if (r == 0) {
			unlink(from);
			n->tmp_leaf[0] = '\0';
		}
	} else {
		char from[64];

		snprintf(from, sizeof from, "/proc/self/fd/%d", n->fd);
		r = linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
	}
	return r != 0 ? -errno : 0;
}

void ref_shm_obj_discard(struct shm_obj_new *n)
{
	if (n->base != MAP_FAILED && n->base != NULL)
		munmap(n->base, n->size);
	n->base = MAP_FAILED;
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	if (n->tmp_leaf[0] != '\0')
		ref_shm_obj_unlink(n->tmp_leaf);
	n->tmp_leaf[0] = '\0';
}

int ref_shm_obj_open(const char *leaf, size_t min_size, size_t max_size, int *fd, void **base,
		 size_t *size)
{
	char path[sizeof(REF_SHM_DIR) + REF_SHM_LEAF_MAX];
	struct stat st;
	void *p;
	int f, err;

	if (strlen(leaf) >= REF_SHM_LEAF_MAX || strchr(leaf, '/') != NULL)
		return -ENAMETOOLONG;
	leaf_path(path, sizeof path, leaf);
	f = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0)
		return -errno;
	if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size < min_size || (uint64_t)st.st_size > max_size) {
		close(f);
		return -EPROTO;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		close(f);
		return err;
	}
	*fd = f;
	*base = p;
	*size = (size_t)st.st_size;
	return 0;
}

int ref_shm_obj_unlink(const char *leaf)
{
	char path[sizeof(REF_SHM_DIR) + REF_SHM_LEAF_MAX];

	if (strlen(leaf) >= REF_SHM_LEAF_MAX || strchr(leaf, '/') != NULL)
		return -ENAMETOOLONG;
	leaf_path(path, sizeof path, leaf);
	return unlink(path) != 0 ? -errno : 0;
}

mode_t ref_shm_obj_file_mode(mode_t ipc_mode)
{
	mode_t m = 0600;

	for (int shift = 0; shift <= 6; shift += 3)
		if (ipc_mode & (06u << shift))
			m |= 06u << shift;
	return m;
}

bool ref_capable(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof d);
	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[cap / 32].effective >> (cap % 32)) & 1u;
}

bool ref_in_group(gid_t gid)
{
	gid_t small[64], *groups = small;
	bool in = getegid() == gid;
	int n;

	if (in)
		return true;
	n = getgroups(0, NULL);
	if (n <= 0)
		return false;
	if (n > 64) {
		groups = malloc((size_t)n * sizeof(*groups));
		if (groups == NULL)
			return false;
	}
	n = getgroups(n, groups);
	for (int i = 0; i < n && !in; i++)
		in = groups[i] == gid;
	if (groups != small)
		free(groups);
	return in;
}

int ref_ipc_perms(const struct ref_ipc_perm *p, int flag)
{
	uid_t euid = geteuid();
	int requested = (flag >> 6 | flag >> 3 | flag) & 07;
	int granted = (int)p->mode;

	if (requested == 0)
		return 0;
	if (euid == p->cuid || euid == p->uid)
		granted >>= 6;
	else if (ref_in_group(p->cgid) || ref_in_group(p->gid))
		granted >>= 3;
	if ((requested & ~granted & 07) && !ref_capable(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

bool ref_ipc_owner(const struct ref_ipc_perm *p)
{
	uid_t euid = geteuid();

	return euid == p->uid || euid == p->cuid || ref_capable(CAP_SYS_ADMIN);
}

long ref_sysctl(const char *path, long fallback)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fallback;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return fallback;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v < 0)
		return fallback;
	return v;
}
