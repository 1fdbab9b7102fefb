/* Names of POSIX objects as files: see posix_name.h. */
#define _GNU_SOURCE
#include "impl/ref/posix_name.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/shm_obj.h"

/* 64-bit FNV-1a from a seed: two of them name an object whose name is too long. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

int ref_posix_leaf(const char *prefix, const char *name, char *leaf, size_t len)
{
	size_t n;

	if (name == NULL)
		return -EFAULT;
	while (*name == '/')
		name++;
	n = strlen(name);
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	if (n == 0 || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return -EINVAL;
	if (strlen(prefix) + n < REF_SHM_LEAF_MAX)
		snprintf(leaf, len, "%s%s", prefix, name);
	else
		snprintf(leaf, len, "%sh%016llx%016llx", prefix,
			 (unsigned long long)fnv1a(name, 0xcbf29ce484222325u),
			 (unsigned long long)fnv1a(name, 0x84222325cbf29ce4u));
	return 0;
}

mode_t ref_umask(void)
{
	char buf[4096];
	ssize_t n;
	mode_t m;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			char *p;

			buf[n] = '\0';
			p = strstr(buf, "\nUmask:");
			if (p != NULL)
				return (mode_t)strtoul(p + 7, NULL, 8) & 0777;
		}
	}
	/* Without /proc: read it by setting it (not atomic with other threads' umask calls). */
	m = umask(022);
	umask(m);
	return m;
}
