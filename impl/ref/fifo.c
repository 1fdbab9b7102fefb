/*
 * Named pipes: a FIFO node for the name, a POSIX shm object for the
 * contents (fifo.h), and Linux's fifo_open() rules for opening.
 */
#define _GNU_SOURCE
#include "impl/ref/fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/fifo_name.h"
#include "impl/ref/handles.h"
#include "impl/ref/holders.h"
#include "impl/ref/ofd_flags.h"
#include "impl/ref/pipe_end.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_waiter.h"

/* A FIFO: a pipe object that knows the name of its shm object. */
struct fifo_obj {
	struct pipe_obj pipe; /* first: pipe_obj_destroy() frees the whole */
	char shm_name[FIFO_NAME_MAX];
};

static void fifo_released(struct ref_obj *obj);

static const struct ref_obj_ops fifo_ops = {
	.name = "fifo",
	.read = pipe_end_read,
	.write = pipe_end_write,
	.nread = pipe_end_nread,
	.poll_events = pipe_end_poll_events,
	.poll_word = pipe_end_poll_word,
	.get_capacity = pipe_end_get_capacity,
	.set_capacity = pipe_end_set_capacity,
	.pipe_buf = pipe_end_pipe_buf,
	.released = fifo_released,
	.destroy = pipe_obj_destroy,
};

static int lock_fd(int fd)
{
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/*
 * Opens (oflag O_CREAT, perhaps O_EXCL) and maps the backing object.
 * Exactly one process lays out a new object: whoever first finds it empty
 * while holding the flock, which the kernel drops if that process dies.
 */
static int store_map(const struct ref_variant *v, const char *name, int oflag, void **base,
		     bool *created)
{
	struct stat st;
	void *p = MAP_FAILED;
	int err = 0;
	int fd = shm_open(name, oflag | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	*created = false;
	err = lock_fd(fd);
	if (err == 0 && fstat(fd, &st) != 0)
		err = -errno;
	if (err == 0 && st.st_size == 0) {
		/* umask may have narrowed 0600; nobody else needs access, and we need all of it. */
		if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)REF_REGION_SIZE) != 0)
			err = -errno;
		*created = err == 0;
	} else if (err == 0 && (size_t)st.st_size != REF_REGION_SIZE) {
		err = -EPROTO;
	}
	if (err == 0) {
		p = mmap(NULL, REF_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			err = -errno;
	}
	if (err == 0 && *created) {
		struct pipe_limits limits = { .default_capacity = v->default_capacity,
					      .pipe_buf = v->pipe_buf };

		pipe_region_init(p, PIPE_REGION_FIFO, &limits);
	}
	/*
	 * Explicitly: the mapping keeps the open file description, and with
	 * it the flock, alive after close().  (A holder that dies loses both.)
	 */
	flock(fd, LOCK_UN);
	close(fd);
	*base = p;
	return err;
}

/* The node only: its shm object comes with the first open (fifo.h). */
int ref_fifo_mkfifo(const struct ref_variant *v, const char *path, mode_t mode)
{
	(void)v;
	return mkfifo(path, mode) != 0 ? -errno : 0;
}

int ref_fifo_unlink(const char *path)
{
	char name[FIFO_NAME_MAX];
	struct fifo_id id;
	/* unlink(2) removes a symlink itself, so that is what we identify. */
	bool fifo = fifo_identify(path, true, &id) == 0 && S_ISFIFO(id.mode);

	/*
	 * The name goes first: an open() racing with us either finds the
	 * object before it is unlinked (and keeps its mapping) or creates a
	 * new one, then finds the path gone and removes what it created.
	 */
	if (unlink(path) != 0)
		return -errno;
	for (size_t i = 0; fifo && i < ref_variant_count; i++) {
		fifo_shm_name(ref_variants[i]->shm_prefix, &id, name);
		shm_unlink(name);
	}
	return 0;
}

/*
 * Called with open_lock held: a FIFO that no live process holds (its last
 * holder may have died holding it) loses its data and starts afresh.
 */
static bool reset_if_unheld_locked(struct pipe_obj *p)
{
	if (holders_any(&p->sh->holders, HOLDER_READERS | HOLDER_WRITERS))
		return false;
	holders_forget_dead(&p->sh->holders);
	ofd_flags_reset(&p->sh->ofd_flags);
	ring_adaptive_reset(&p->ring, p->limits.default_capacity);
	return true;
}

/*
 * After a release: the last holder's close removes the shm object, and
 * marks it retired so that an open that mapped it just before does not
 * register in it (it starts over with a new one).
 */
static void fifo_released(struct ref_obj *obj)
{
	struct fifo_obj *f = ref_container_of(pipe_obj_of(obj), struct fifo_obj, pipe);
	struct pipe_shared *sh = f->pipe.sh;

	sync_lock(&sh->open_lock);
	if (reset_if_unheld_locked(&f->pipe)) {
		atomic_store(&sh->retired, 1);
		shm_unlink(f->shm_name);
	}
	sync_unlock(&sh->open_lock);
	pipe_end_wake_peers(obj);
}

/* Announces an open to the opens blocked waiting for one (fifo_open()'s wake_up_partner). */
static void count_open(_Atomic uint32_t *opens)
{
	atomic_fetch_add(opens, 1);
	sync_futex_wake(opens, INT_MAX);
}

/*
 * Linux wait_for_partner(): waits until the partner's open count moves,
 * so that a partner that opens and closes at once still releases us.
 * Only a caught signal ends the wait otherwise.
 */
static int wait_partner(_Atomic uint32_t *opens, uint32_t seen)
{
	struct sync_waiter w;
	int err = 0;

	sync_waiter_begin(&w, -1);
	while (atomic_load(opens) == seen) {
		if (sync_waiter_wait(&w, opens, seen, NULL) == -EINTR) {
			err = -EINTR;
			break;
		}
	}
	sync_waiter_end(&w);
	return err;
}

/* The checks open(2) makes on the path before it reaches the FIFO. */
static int check_node(const char *path, int accmode, struct fifo_id *id)
{
	int err = fifo_identify(path, false, id);
	int want = accmode == O_RDONLY ? R_OK : accmode == O_WRONLY ? W_OK : R_OK | W_OK;

	if (err != 0)
		return err;
	if (!S_ISFIFO(id->mode))
		return S_ISDIR(id->mode) && accmode != O_RDONLY ? -EISDIR : -ENXIO;
	if (faccessat(AT_FDCWD, path, want, AT_EACCESS) != 0)
		return -errno;
	return 0;
}

/* Maps the FIFO's contents, creating them when the FIFO is not open anywhere. */
static int attach(const struct ref_variant *v, const char *path, const struct fifo_id *id,
		  struct fifo_obj **out)
{
	struct pipe_limits limits;
	struct fifo_id again;
	struct fifo_obj *f;
	void *base = MAP_FAILED;
	struct ring_adaptive ring;
	char name[FIFO_NAME_MAX];
	bool created;
	int err;

	fifo_shm_name(v->shm_prefix, id, name);
	err = store_map(v, name, O_CREAT, &base, &created);
	if (err == 0 && created &&
	    (fifo_identify(path, false, &again) != 0 || !fifo_same(id, &again))) {
		/* The node went away meanwhile (ref_fifo_unlink): do not leave an object behind. */
		shm_unlink(name);
		err = -ENOENT;
	}
	if (err == 0)
		err = pipe_region_attach(base, REF_REGION_SIZE, PIPE_REGION_FIFO, &limits, &ring);
	f = err == 0 ? malloc(sizeof(*f)) : NULL;
	if (f == NULL) {
		if (base != MAP_FAILED)
			munmap(base, REF_REGION_SIZE);
		return err != 0 ? err : -ENOMEM;
	}
	pipe_obj_init(&f->pipe, base, -1, &limits, &ring, REF_OBJ_FIFO, &fifo_ops);
	memcpy(f->shm_name, name, sizeof(name));
	*out = f;
	return 0;
}

/*
 * Linux fifo_open(), under open_lock where it holds pipe->mutex: register
 * the new reader or writer (an open waiting for its partner already counts,
 * which is what lets the partner's O_NONBLOCK open succeed), decide whether
 * this open must wait, and wake the opens waiting for this one.
 *
 * The decision comes before the wake-up.  A partner we wake may return,
 * write, close and leave at once (it does not take open_lock again, where
 * the kernel's would retake the mutex); deciding after that would make us
 * wait for an open that already came.
 */
static int register_open(struct pipe_obj *p, int accmode, bool nonblock, struct ref_ofd **out,
			 _Atomic uint32_t **partner, uint32_t *seen)
{
	struct pipe_shared *sh = p->sh;
	struct ref_holders *hs = &sh->holders;
	struct ref_ofd *ofd;
	int err;

	reset_if_unheld_locked(p);
	if (accmode == O_WRONLY && nonblock && !holders_any(hs, HOLDER_READERS))
		return -ENXIO;
	ref_lock();
	err = ref_ofd_new_locked(&p->obj, 0, accmode, nonblock, &ofd);
	ref_unlock();
	if (err != 0)
		return err;
	*partner = NULL;
	if (accmode == O_RDONLY && !holders_any(hs, HOLDER_WRITERS)) {
		if (nonblock) {
			ofd->u.fifo.hup_gated = true;
			ofd->u.fifo.hup_gate = atomic_load(&sh->opens_w);
		} else {
			*partner = &sh->opens_w;
		}
	} else if (accmode == O_WRONLY && !holders_any(hs, HOLDER_READERS)) {
		*partner = &sh->opens_r;
	}
	if (*partner != NULL)
		*seen = atomic_load(*partner);
	if (ofd_reads(ofd))
		count_open(&sh->opens_r);
	if (ofd_writes(ofd))
		count_open(&sh->opens_w);
	*out = ofd;
	return 0;
}

/*
 * Maps the FIFO's object and registers the open in it, under open_lock:
 * 0, -ESTALE when the object was retired meanwhile (try a new one), or
 * the open's error.
 */
static int open_once(const struct ref_variant *v, const char *path, const struct fifo_id *id,
		     int accmode, bool nonblock, struct ref_ofd **ofd, _Atomic uint32_t **partner,
		     uint32_t *seen)
{
	struct fifo_obj *f;
	struct pipe_shared *sh;
	int err = attach(v, path, id, &f);

	if (err != 0)
		return err;
	sh = f->pipe.sh;
	ref_lock();
	ref_obj_register_locked(&f->pipe.obj);
	ref_unlock();
	sync_lock(&sh->open_lock);
	if (atomic_load(&sh->retired) != 0)
		err = -ESTALE;
	else
		err = register_open(&f->pipe, accmode, nonblock, ofd, partner, seen);
	sync_unlock(&sh->open_lock);
	if (err != 0)
		ref_obj_abandon(&f->pipe.obj);
	return err;
}

int ref_fifo_open(const struct ref_variant *v, const char *path, int flags)
{
	int accmode = flags & O_ACCMODE;
	bool nonblock = (flags & O_NONBLOCK) != 0;
	_Atomic uint32_t *partner = NULL;
	struct ref_ofd *ofd = NULL;
	struct fifo_id id;
	uint32_t seen = 0;
	int err;

	/* Linux gives O_ACCMODE itself (neither read nor write) no meaning on a FIFO. */
	if (accmode == O_ACCMODE)
		return -EINVAL;
	ref_init_once();
	err = check_node(path, accmode, &id);
	/* Each retry follows a last close that removed the object we found. */
	if (err == 0)
		do
			err = open_once(v, path, &id, accmode, nonblock, &ofd, &partner, &seen);
		while (err == -ESTALE);
	if (err != 0)
		return err;

	if (partner != NULL)
		err = wait_partner(partner, seen);
	if (err == 0) {
		ref_lock();
		err = ref_handle_install_locked(ofd);
		ref_unlock();
	}
	if (err < 0)
		ref_ofd_abandon(ofd);
	return err;
}
