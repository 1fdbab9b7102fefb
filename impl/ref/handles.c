/*
 * The handle table and the lifetime of open descriptions and objects:
 * see handles.h.  Generic: every object-specific step goes through the
 * object's kind operations (obj.h).
 */
#define _GNU_SOURCE
#include "impl/ref/handles.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
#include <sys/single_threaded.h>
#endif

#include "impl/ref/holders.h"
#include "impl/ref/ofd_flags.h"

/* As RLIMIT_NOFILE would: a bound, so that a leak shows up as -EMFILE. */
#define HANDLES_MAX 65536

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ref_ofd **table;
static int table_len;
static struct ref_obj *objs;
static struct ref_ofd *ofds;

void ref_lock(void)
{
	pthread_mutex_lock(&lock);
}

void ref_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

struct ref_obj *ref_objs_locked(void)
{
	return objs;
}

struct ref_ofd *ref_ofds_locked(void)
{
	return ofds;
}

void ref_obj_init(struct ref_obj *obj, enum ref_obj_kind kind, const struct ref_obj_ops *ops,
		  struct ref_holders *const *sets, unsigned n_sets, struct ref_ofd_flags *flags)
{
	obj->prev = obj->next = NULL;
	obj->kind = kind;
	obj->ops = ops;
	obj->n_hold = n_sets < REF_OBJ_HOLDINGS ? n_sets : REF_OBJ_HOLDINGS;
	for (unsigned i = 0; i < obj->n_hold; i++)
		obj->hold[i] = (struct ref_holding){ .set = sets[i], .slot = -1, .fork_slot = -1 };
	obj->ofd_flags = flags;
	obj->refs = 0;
}

void ref_obj_register_locked(struct ref_obj *obj)
{
	obj->prev = NULL;
	obj->next = objs;
	if (objs != NULL)
		objs->prev = obj;
	objs = obj;
}

void ref_obj_unlink_locked(struct ref_obj *obj)
{
	if (obj->prev != NULL)
		obj->prev->next = obj->next;
	else
		objs = obj->next;
	if (obj->next != NULL)
		obj->next->prev = obj->prev;
}

void ref_obj_abandon(struct ref_obj *obj)
{
	ref_lock();
	ref_obj_unlink_locked(obj);
	ref_unlock();
	obj->ops->destroy(obj);
}

int ref_ofd_new_locked(struct ref_obj *obj, unsigned holding, int accmode, bool nonblock,
		       struct ref_ofd **out)
{
	struct ref_ofd *ofd;
	struct ref_holding *hd;
	int err;

	if (holding >= obj->n_hold)
		return -EINVAL;
	ofd = calloc(1, sizeof(*ofd));
	if (ofd == NULL)
		return -ENOMEM;
	hd = &obj->hold[holding];
	ofd->obj = obj;
	ofd->holding = holding;
	ofd->accmode = accmode;
	atomic_init(&ofd->nonblock, nonblock);
	err = holders_add(hd->set, &hd->slot, (uint32_t)getpid(), ofd_reads(ofd),
			  ofd_writes(ofd));
	if (err < 0) {
		free(ofd);
		return err;
	}
	ofd->flags_idx = obj->ofd_flags != NULL ? ofd_flags_claim(obj->ofd_flags, nonblock) : -1;
	hd->readers += ofd_reads(ofd);
	hd->writers += ofd_writes(ofd);
	obj->refs++;
	ofd->next = ofds;
	if (ofds != NULL)
		ofds->prev = ofd;
	ofds = ofd;
	*out = ofd;
	return 0;
}

/*
 * Takes the open description out of the process's books and its count
 * out of the holder table.  True when it was the mapping's last user: the
 * mapping is then out of the list too, and the caller unmaps it.
 */
static bool ofd_detach_locked(struct ref_ofd *ofd)
{
	struct ref_obj *obj = ofd->obj;
	struct ref_holding *hd = &obj->hold[ofd->holding];

	if (ofd->prev != NULL)
		ofd->prev->next = ofd->next;
	else
		ofds = ofd->next;
	if (ofd->next != NULL)
		ofd->next->prev = ofd->prev;
	hd->readers -= ofd_reads(ofd);
	hd->writers -= ofd_writes(ofd);
	if (ofd->flags_idx >= 0)
		ofd_flags_hold(obj->ofd_flags, ofd->flags_idx, -1);
	if (hd->slot >= 0)
		holders_adjust(hd->set, &hd->slot, -(int)ofd_reads(ofd), -(int)ofd_writes(ofd));
	if (--obj->refs > 0)
		return false;
	ref_obj_unlink_locked(obj);
	return true;
}

/*
 * What a release means to the other holders (the kind decides: peers
 * wake to see that an end has gone, a FIFO nobody holds loses its data),
 * done without the process lock.
 */
static void ofd_finish(struct ref_ofd *ofd, bool last)
{
	struct ref_obj *obj = ofd->obj;

	obj->ops->released(obj);
	if (last)
		obj->ops->destroy(obj);
	free(ofd);
}

bool ref_ofd_nonblock(const struct ref_ofd *f)
{
	if (f->flags_idx >= 0)
		return ofd_flags_nonblock(f->obj->ofd_flags, f->flags_idx);
	return atomic_load(&f->nonblock) != 0;
}

void ref_ofd_set_nonblock(struct ref_ofd *f, bool on)
{
	if (f->flags_idx >= 0)
		ofd_flags_set_nonblock(f->obj->ofd_flags, f->flags_idx, on);
	else
		atomic_store(&f->nonblock, on);
}

void ref_ofd_abandon(struct ref_ofd *ofd)
{
	bool last;

	ref_lock();
	last = ofd_detach_locked(ofd);
	ref_unlock();
	ofd_finish(ofd, last);
}

/* Only the fork child calls this, with one thread: the kind may take its shared locks. */
void ref_ofd_orphaned_locked(struct ref_ofd *ofd)
{
	ofd_finish(ofd, ofd_detach_locked(ofd));
}

/*
 * pipe(2), open(2) ERRORS: EMFILE when the per-process limit on open file
 * descriptors (RLIMIT_NOFILE) has been reached.  ref's handles stand for
 * descriptors, so a handle number at or above the soft limit is refused,
 * as the kernel refuses such a descriptor.
 */
static int beyond_nofile_limit(int h)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	return (rlim_t)h >= rl.rlim_cur;
}

int ref_handle_install_locked(struct ref_ofd *ofd)
{
	int h;

	for (h = 0; h < table_len; h++)
		if (table[h] == NULL)
			break;
	if (beyond_nofile_limit(h))
		return -EMFILE;
	if (h == table_len) {
		int len = table_len ? table_len * 2 : 64;
		struct ref_ofd **grown;

		if (table_len >= HANDLES_MAX)
			return -EMFILE;
		grown = realloc(table, (size_t)len * sizeof(*table));
		if (grown == NULL)
			return -ENOMEM;
		for (int i = table_len; i < len; i++)
			grown[i] = NULL;
		table = grown;
		table_len = len;
	}
	table[h] = ofd;
	ofd->handles++;
	return h;
}

static struct ref_ofd *lookup_locked(int h)
{
	return h >= 0 && h < table_len ? table[h] : NULL;
}

/*
 * Whether the process has only ever had one thread: then nobody can close
 * or dup a handle while a call looks it up, and the lock can be skipped,
 * as Linux's fdget() skips a file's reference count while the file table
 * is not shared.  Taking and dropping the lock twice per read or write is
 * four atomic read-modify-writes, each of which waits until the stores
 * before it (the bytes a write just copied into a pipe) have drained: on
 * the benchmark's VM, 40 of the 200 ns of a ref pipe round trip
 * (bench/README.md).  Not async-signal-safe, as the locked path never was.
 */
static bool single_threaded(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	return __libc_single_threaded != 0;
#else
	return false;
#endif
}

struct ref_ofd *ref_handle_get(int h)
{
	struct ref_ofd *ofd;

	if (single_threaded()) {
		ofd = lookup_locked(h);
		if (ofd != NULL)
			ofd->busy++;
		return ofd;
	}
	ref_lock();
	ofd = lookup_locked(h);
	if (ofd != NULL)
		ofd->busy++;
	ref_unlock();
	return ofd;
}

/*
 * Called locked; unlocks.  An open description lives while a handle names
 * it or a call uses it, as a struct file does.
 */
static void unlock_and_release(struct ref_ofd *ofd, bool dead)
{
	bool last = false;

	if (dead)
		last = ofd_detach_locked(ofd);
	ref_unlock();
	if (dead)
		ofd_finish(ofd, last);
}

void ref_handle_put(struct ref_ofd *ofd)
{
	/* Alone, and not the last user: nothing to release (single_threaded()). */
	if (single_threaded() && (ofd->busy > 1 || ofd->handles > 0)) {
		ofd->busy--;
		return;
	}
	ref_lock();
	ofd->busy--;
	unlock_and_release(ofd, ofd->busy == 0 && ofd->handles == 0);
}

int ref_handle_close(int h)
{
	struct ref_ofd *ofd;

	ref_lock();
	ofd = lookup_locked(h);
	if (ofd == NULL) {
		ref_unlock();
		return -EBADF;
	}
	table[h] = NULL;
	ofd->handles--;
	unlock_and_release(ofd, ofd->busy == 0 && ofd->handles == 0);
	return 0;
}

int ref_handle_dup(int h)
{
	struct ref_ofd *ofd;
	int r;

	ref_lock();
	ofd = lookup_locked(h);
	r = ofd == NULL ? -EBADF : ref_handle_install_locked(ofd);
	ref_unlock();
	return r;
}
