/* Names of ref's System V segments and semaphore sets: see sysv_registry.h. */
#define _GNU_SOURCE
#include "impl/ref/sysv_registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sysv_leaf(const char *prefix, char tag, int id, char *leaf, size_t len)
{
	snprintf(leaf, len, "%s%c%d", prefix, tag, id);
}

static void path_of(const char *leaf, char *path, size_t len)
{
	snprintf(path, len, REF_SHM_DIR "/%s", leaf);
}

static void key_path(const char *prefix, int32_t key, char *path, size_t len)
{
	char leaf[SYSV_LEAF_LEN];

	snprintf(leaf, sizeof leaf, "%sk%08x", prefix, (unsigned)key);
	path_of(leaf, path, len);
}

/* The live id a link target names: >= 0, or -1 when the target is not one of ours. */
static int id_of_target(const char *prefix, const char *target)
{
	size_t plen = strlen(prefix);
	char *end;
	long v;

	if (strncmp(target, prefix, plen) != 0 || target[plen] != SYSV_TAG_LIVE)
		return -1;
	errno = 0;
	v = strtol(target + plen + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == target + plen + 1 || v < 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

/* The key's link and the id it names: 0, -ENOENT, -ENOSPC (not ours), or -errno. */
static int read_key_link(const char *prefix, int32_t key, char *target, size_t len, int *id)
{
	char path[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];
	ssize_t n;

	key_path(prefix, key, path, sizeof path);
	n = readlink(path, target, len - 1);
	if (n < 0)
		return errno == EINVAL ? -ENOSPC : -errno;
	target[n] = '\0';
	*id = id_of_target(prefix, target);
	return *id < 0 ? -ENOSPC : 0;
}

int sysv_key_id(const char *prefix, int32_t key)
{
	char target[SYSV_LEAF_LEN * 2], again[SYSV_LEAF_LEN * 2];
	char path[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];
	struct stat st;
	int id, id2, err = read_key_link(prefix, key, target, sizeof target, &id);

	if (err != 0)
		return err;
	path_of(target, path, sizeof path);
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return id;
	/* Dangling: a removal killed between its two unlinks.  Remove it if it is still so. */
	if (read_key_link(prefix, key, again, sizeof again, &id2) == 0 &&
	    strcmp(again, target) == 0) {
		key_path(prefix, key, path, sizeof path);
		unlink(path);
	}
	return -ENOENT;
}

int sysv_publish(const char *prefix, int32_t key, struct shm_obj_new *n, mode_t file_mode,
		 void (*stamp)(void *base, int id))
{
	char leaf[SYSV_LEAF_LEN];
	int id = -1, err = -ENOSPC;

	for (int tries = 0; tries < 64; tries++) {
		id = (int)(ref_random64() & INT_MAX);
		if (id == 0)
			continue;
		stamp(n->base, id);
		sysv_leaf(prefix, SYSV_TAG_LIVE, id, leaf, sizeof leaf);
		err = ref_shm_obj_publish(n, leaf, file_mode);
		if (err != -EEXIST)
			break;
		err = -ENOSPC; /* 64 ids in use in a row: as good as a full table */
	}
	if (err != 0)
		return err;
	if (key != 0) {
		char path[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];

		key_path(prefix, key, path, sizeof path);
		if (symlink(leaf, path) != 0) {
			err = -errno;
			ref_shm_obj_unlink(leaf);
			return err;
		}
	}
	return id;
}

void sysv_unlink_key(const char *prefix, int32_t key, int id)
{
	char target[SYSV_LEAF_LEN * 2], path[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];
	int named;

	if (key == 0 || read_key_link(prefix, key, target, sizeof target, &named) != 0 ||
	    named != id)
		return;
	key_path(prefix, key, path, sizeof path);
	unlink(path);
}

int sysv_unlink_id(const char *prefix, char tag, int id)
{
	char leaf[SYSV_LEAF_LEN];

	sysv_leaf(prefix, tag, id, leaf, sizeof leaf);
	return ref_shm_obj_unlink(leaf);
}

int sysv_rename_id(const char *prefix, int id, char from, char to)
{
	char a[SYSV_LEAF_LEN], b[SYSV_LEAF_LEN];
	char pa[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN], pb[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];

	sysv_leaf(prefix, from, id, a, sizeof a);
	sysv_leaf(prefix, to, id, b, sizeof b);
	path_of(a, pa, sizeof pa);
	path_of(b, pb, sizeof pb);
	return rename(pa, pb) != 0 ? -errno : 0;
}

int sysv_open_id(const char *prefix, const char *tags, int id, struct stat *st)
{
	char leaf[SYSV_LEAF_LEN], path[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];
	int err = -ENOENT;

	for (const char *t = tags; *t != '\0'; t++) {
		int fd;

		sysv_leaf(prefix, *t, id, leaf, sizeof leaf);
		path_of(leaf, path, sizeof path);
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return errno == ELOOP ? -EPROTO : -errno;
		}
		if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
			close(fd);
			return -EPROTO;
		}
		return fd;
	}
	return err;
}

int sysv_file_perms(const char *prefix, const char *tags, int id, int flag)
{
	char leaf[SYSV_LEAF_LEN], path[sizeof(REF_SHM_DIR) + SYSV_LEAF_LEN];

	for (const char *t = tags; *t != '\0'; t++) {
		struct stat st;
		struct ref_ipc_perm p;

		sysv_leaf(prefix, *t, id, leaf, sizeof leaf);
		path_of(leaf, path, sizeof path);
		if (lstat(path, &st) != 0)
			continue;
		p = (struct ref_ipc_perm){ .uid = st.st_uid, .cuid = st.st_uid, .gid = st.st_gid,
					   .cgid = st.st_gid, .mode = st.st_mode & 0777 };
		return ref_ipc_perms(&p, flag & 0777);
	}
	return -EACCES;
}

void sysv_each(const char *prefix, char tag, void (*fn)(int id, void *ctx), void *ctx)
{
	size_t plen = strlen(prefix);
	int *ids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(REF_SHM_DIR);

	if (d == NULL)
		return;
	/* A snapshot first: fn may remove names, which readdir() need not survive. */
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v;

		if (strncmp(e->d_name, prefix, plen) != 0 || e->d_name[plen] != tag)
			continue;
		errno = 0;
		v = strtol(e->d_name + plen + 1, &end, 10);
		if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
			continue;
		if (n == cap) {
			size_t grown = cap ? cap * 2 : 16;
			int *more = realloc(ids, grown * sizeof(*ids));

			if (more == NULL)
				break;
			ids = more;
			cap = grown;
		}
		ids[n++] = (int)v;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		fn(ids[i], ctx);
	free(ids);
}
