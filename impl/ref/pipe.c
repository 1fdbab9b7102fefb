/* Anonymous pipes: see pipe.h. */
#define _GNU_SOURCE
#include "impl/ref/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/pipe_end.h"

/* Where shm_open(3) keeps its objects, for O_TMPFILE and linkat(). */
#define SHM_DIR "/dev/shm"

static const struct ref_obj_ops pipe_ops = {
	.name = "pipe",
	.read = pipe_end_read,
	.write = pipe_end_write,
	.nread = pipe_end_nread,
	.poll_events = pipe_end_poll_events,
	.poll_word = pipe_end_poll_word,
	.get_capacity = pipe_end_get_capacity,
	.set_capacity = pipe_end_set_capacity,
	.pipe_buf = pipe_end_pipe_buf,
	.released = pipe_end_wake_peers,
	.destroy = pipe_obj_destroy,
};

/* An unnamed 0600 file of the region's size, or -1 where the system has none to give. */
static int region_file(void)
{
	int fd = open(SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	/* umask may have narrowed 0600; nobody else needs access, and we need all of it. */
	if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)REF_REGION_SIZE) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A fresh region, mapped and laid out: its file in *fd (-1: anonymous). */
static int region_new(const struct ref_variant *v, unsigned char **base, int *fd,
		      struct pipe_limits *limits, struct ring_adaptive *ring)
{
	void *p;
	int err;

	*fd = region_file();
	if (*fd >= 0)
		p = mmap(NULL, REF_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	else
		p = mmap(NULL, REF_REGION_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		if (*fd >= 0)
			close(*fd);
		return -ENFILE;
	}
	limits->default_capacity = v->default_capacity;
	limits->pipe_buf = v->pipe_buf;
	pipe_region_init(p, PIPE_REGION_PIPE, limits);
	err = pipe_region_attach(p, REF_REGION_SIZE, PIPE_REGION_PIPE, limits, ring);
	if (err < 0) {
		munmap(p, REF_REGION_SIZE);
		if (*fd >= 0)
			close(*fd);
		return err;
	}
	*base = p;
	return 0;
}

int ref_pipe_create(const struct ref_variant *v, int ends[2], int flags)
{
	bool nonblock = (flags & O_NONBLOCK) != 0;
	struct ref_ofd *rd = NULL, *wr = NULL;
	struct pipe_limits limits;
	struct pipe_obj *p;
	unsigned char *base;
	struct ring_adaptive ring;
	int err, fd;

	/* O_DIRECT (packet mode) too: ref does not declare IPCCONF_PIPE_CAP_PACKET. */
	if (flags & ~(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	ref_init_once();
	err = region_new(v, &base, &fd, &limits, &ring);
	if (err < 0)
		return err;
	p = malloc(sizeof(*p));
	if (p == NULL) {
		munmap(base, REF_REGION_SIZE);
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	pipe_obj_init(p, base, fd, &limits, &ring, REF_OBJ_PIPE, &pipe_ops);

	ref_lock();
	ref_obj_register_locked(&p->obj);
	err = ref_ofd_new_locked(&p->obj, 0, O_RDONLY, nonblock, &rd);
	if (err < 0) {
		ref_unlock();
		ref_obj_abandon(&p->obj);
		return err;
	}
	err = ref_ofd_new_locked(&p->obj, 0, O_WRONLY, nonblock, &wr);
	if (err == 0)
		err = ends[0] = ref_handle_install_locked(rd);
	if (err >= 0)
		err = ends[1] = ref_handle_install_locked(wr);
	ref_unlock();
	if (err >= 0)
		return 0;

	/* Undo: the last release unmaps the region. */
	if (wr != NULL)
		ref_ofd_abandon(wr);
	if (rd->handles > 0)
		ref_handle_close(ends[0]);
	else
		ref_ofd_abandon(rd);
	return err;
}

int ref_pipe_publish(struct ref_obj *obj, const char *prefix, char name[REF_PIPE_NAME_MAX])
{
	static _Atomic unsigned seq;
	char from[64], to[REF_PIPE_NAME_MAX + sizeof(SHM_DIR)];
	struct pipe_obj *p;
	uint64_t nonce = 0;

	if (obj->kind != REF_OBJ_PIPE)
		return -EINVAL;
	p = pipe_obj_of(obj);
	if (p->fd < 0)
		return -EOPNOTSUPP;
	/* Unique per run: the pid and a counter; unguessable: the random part. */
	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) != (ssize_t)sizeof(nonce))
		nonce ^= (uint64_t)(uintptr_t)&nonce ^ (uint64_t)time(NULL);
	snprintf(name, REF_PIPE_NAME_MAX, "%spipe-%d-%u-%016llx", prefix, (int)getpid(),
		 atomic_fetch_add(&seq, 1), (unsigned long long)nonce);
	snprintf(from, sizeof(from), "/proc/self/fd/%d", p->fd);
	snprintf(to, sizeof(to), "%s%s", SHM_DIR, name);
	if (linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) != 0)
		return -errno;
	return 0;
}

int ref_pipe_attach(const char *name, struct ref_obj **out)
{
	struct pipe_limits limits;
	struct pipe_obj *p;
	struct ring_adaptive ring;
	struct stat st;
	void *base;
	int err = 0;
	int fd;

	/* The name may come from a peer: only ever one of ours, never a path. */
	if (strncmp(name, "/ipcconf-", 9) != 0 || strchr(name + 1, '/') != NULL)
		return -EINVAL;
	fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The name has done its job: from now on the file lives as long as its holders. */
	shm_unlink(name);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != REF_REGION_SIZE) {
		close(fd);
		return -EPROTO;
	}
	base = mmap(NULL, REF_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	err = pipe_region_attach(base, REF_REGION_SIZE, PIPE_REGION_PIPE, &limits, &ring);
	p = err == 0 ? malloc(sizeof(*p)) : NULL;
	if (p == NULL) {
		munmap(base, REF_REGION_SIZE);
		close(fd);
		return err < 0 ? err : -ENOMEM;
	}
	pipe_obj_init(p, base, fd, &limits, &ring, REF_OBJ_PIPE, &pipe_ops);
	ref_init_once();
	ref_lock();
	ref_obj_register_locked(&p->obj);
	ref_unlock();
	*out = &p->obj;
	return 0;
}
