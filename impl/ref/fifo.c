/*
 * Named pipes: a FIFO node for the name, a POSIX shm object for the
 * contents (fifo.h), and Linux's fifo_open() rules for opening.
 */
#define _GNU_SOURCE
#include "impl/ref/fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/fifo_name.h"
#include "impl/ref/holders.h"
#include "impl/ref/ofd_flags.h"
#include "impl/ring/ring_futex.h"
#include "impl/ring/ring_lock.h"

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
	if (err == 0 && *created)
		ref_region_init(p, REF_KIND_FIFO, v->default_capacity, v->read_max);
	/*
	 * Explicitly: the mapping keeps the open file description, and with
	 * it the flock, alive after close().  (A holder that dies loses both.)
	 */
	flock(fd, LOCK_UN);
	close(fd);
	*base = p;
	return err;
}

int ref_fifo_mkfifo(const struct ref_variant *v, const char *path, mode_t mode)
{
	char name[FIFO_NAME_MAX];
	struct fifo_id id;
	bool created;
	void *base;
	int err;

	if (mkfifo(path, mode) != 0)
		return -errno;
	err = fifo_identify(path, false, &id);
	if (err == 0) {
		fifo_shm_name(v->shm_prefix, &id, name);
		err = store_map(v, name, O_CREAT | O_EXCL, &base, &created);
		if (err == -EEXIST) {
			/* Left by a node with the very same identity: it is dead, since ours is new. */
			shm_unlink(name);
			err = store_map(v, name, O_CREAT | O_EXCL, &base, &created);
		}
		if (err == 0)
			munmap(base, REF_REGION_SIZE);
	}
	if (err != 0)
		unlink(path);
	return err;
}

int ref_fifo_unlink(const char *path)
{
	static const struct ref_variant *const variants[] = { &ref_variant_default,
							       &ref_variant_small };
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
	for (size_t i = 0; fifo && i < sizeof(variants) / sizeof(variants[0]); i++) {
		fifo_shm_name(variants[i]->shm_prefix, &id, name);
		shm_unlink(name);
	}
	return 0;
}

/* Called with open_lock held. */
static void discard_if_unheld_locked(struct ref_shared *sh, struct ring *ring, uint32_t capacity)
{
	if (holders_any(sh, HOLDER_READERS | HOLDER_WRITERS))
		return;
	holders_forget_dead(sh);
	ofd_flags_reset(sh);
	ring_reset(ring, capacity);
}

void ref_fifo_discard_if_unheld(struct ref_obj *obj)
{
	ring_lock(&obj->sh->open_lock);
	discard_if_unheld_locked(obj->sh, &obj->ring, obj->default_capacity);
	ring_unlock(&obj->sh->open_lock);
}

/* Announces an open to the opens blocked waiting for one (fifo_open()'s wake_up_partner). */
static void count_open(_Atomic uint32_t *opens)
{
	atomic_fetch_add(opens, 1);
	ring_futex_wake(opens, INT_MAX);
}

/*
 * Linux wait_for_partner(): waits until the partner's open count moves,
 * so that a partner that opens and closes at once still releases us.
 * Only a caught signal ends the wait otherwise.
 */
static int wait_partner(_Atomic uint32_t *opens, uint32_t seen)
{
	struct ring_waiter w;
	int err = 0;

	ring_waiter_begin(&w, -1);
	while (atomic_load(opens) == seen) {
		if (ring_waiter_wait(&w, opens, seen, NULL) == -EINTR) {
			err = -EINTR;
			break;
		}
	}
	ring_waiter_end(&w);
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

/* Maps the FIFO's contents, creating them for a node made by another mkfifo(3). */
static int attach(const struct ref_variant *v, const char *path, const struct fifo_id *id,
		  void **base, struct ring *ring)
{
	char name[FIFO_NAME_MAX];
	struct fifo_id again;
	bool created;
	int err;

	fifo_shm_name(v->shm_prefix, id, name);
	err = store_map(v, name, O_CREAT, base, &created);
	if (err == 0 && created &&
	    (fifo_identify(path, false, &again) != 0 || !fifo_same(id, &again))) {
		/* The node went away meanwhile (ref_fifo_unlink): do not leave an object behind. */
		shm_unlink(name);
		err = -ENOENT;
	}
	if (err == 0)
		err = ref_region_attach(*base, REF_REGION_SIZE, REF_KIND_FIFO, ring);
	if (err != 0 && *base != MAP_FAILED)
		munmap(*base, REF_REGION_SIZE);
	return err;
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
static int register_open(struct ref_obj *obj, int accmode, bool nonblock, struct ref_ofd **out,
			 _Atomic uint32_t **partner, uint32_t *seen)
{
	struct ref_shared *sh = obj->sh;
	struct ref_ofd *ofd;
	int err;

	discard_if_unheld_locked(sh, &obj->ring, obj->default_capacity);
	if (accmode == O_WRONLY && nonblock && !holders_any(sh, HOLDER_READERS))
		return -ENXIO;
	ref_lock();
	err = ref_ofd_new_locked(obj, accmode, nonblock, &ofd);
	ref_unlock();
	if (err != 0)
		return err;
	*partner = NULL;
	if (accmode == O_RDONLY && !holders_any(sh, HOLDER_WRITERS)) {
		if (nonblock) {
			ofd->hup_gated = true;
			ofd->hup_gate = atomic_load(&sh->opens_w);
		} else {
			*partner = &sh->opens_w;
		}
	} else if (accmode == O_WRONLY && !holders_any(sh, HOLDER_READERS)) {
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

int ref_fifo_open(const struct ref_variant *v, const char *path, int flags)
{
	int accmode = flags & O_ACCMODE;
	bool nonblock = (flags & O_NONBLOCK) != 0;
	_Atomic uint32_t *partner = NULL;
	struct ref_ofd *ofd = NULL;
	struct ref_obj *obj;
	struct fifo_id id;
	struct ring ring;
	uint32_t seen = 0;
	void *base;
	int err;

	/* Linux gives O_ACCMODE itself (neither read nor write) no meaning on a FIFO. */
	if (accmode == O_ACCMODE)
		return -EINVAL;
	ref_init_once();
	err = check_node(path, accmode, &id);
	if (err == 0)
		err = attach(v, path, &id, &base, &ring);
	if (err != 0)
		return err;

	ref_lock();
	obj = ref_obj_new_locked(base, &ring, true);
	ref_unlock();
	if (obj == NULL) {
		munmap(base, REF_REGION_SIZE);
		return -ENOMEM;
	}
	ring_lock(&obj->sh->open_lock);
	err = register_open(obj, accmode, nonblock, &ofd, &partner, &seen);
	ring_unlock(&obj->sh->open_lock);
	if (err != 0) {
		ref_lock();
		ref_obj_unlink_locked(obj);
		ref_unlock();
		ref_obj_discard(obj);
		return err;
	}

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
