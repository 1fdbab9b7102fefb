/*
 * The handle table and the lifetime of open descriptions and mappings:
 * see handles.h.
 */
#define _GNU_SOURCE
#include "impl/ref/handles.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "impl/ref/fifo.h"
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

struct ref_obj *ref_obj_new_locked(unsigned char *base, const struct ring *ring, bool is_fifo)
{
	struct ref_obj *obj = calloc(1, sizeof(*obj));

	if (obj == NULL)
		return NULL;
	obj->base = base;
	obj->sh = (struct ref_shared *)base;
	obj->ring = *ring;
	obj->is_fifo = is_fifo;
	obj->default_capacity = obj->sh->default_capacity;
	obj->read_max = obj->sh->read_max;
	obj->slot = -1;
	obj->fork_slot = -1;
	obj->next = objs;
	if (objs != NULL)
		objs->prev = obj;
	objs = obj;
	return obj;
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

void ref_obj_discard(struct ref_obj *obj)
{
	munmap(obj->base, REF_REGION_SIZE);
	free(obj);
}

int ref_ofd_new_locked(struct ref_obj *obj, int accmode, bool nonblock, struct ref_ofd **out)
{
	struct ref_ofd *ofd = calloc(1, sizeof(*ofd));
	int err;

	if (ofd == NULL)
		return -ENOMEM;
	ofd->obj = obj;
	ofd->accmode = accmode;
	atomic_init(&ofd->nonblock, nonblock);
	err = holders_add(obj->sh, &obj->slot, (uint32_t)getpid(), ofd_reads(ofd),
			  ofd_writes(ofd));
	if (err < 0) {
		free(ofd);
		return err;
	}
	ofd->flags_idx = ofd_flags_claim(obj->sh, nonblock);
	obj->readers += ofd_reads(ofd);
	obj->writers += ofd_writes(ofd);
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

	if (ofd->prev != NULL)
		ofd->prev->next = ofd->next;
	else
		ofds = ofd->next;
	if (ofd->next != NULL)
		ofd->next->prev = ofd->prev;
	obj->readers -= ofd_reads(ofd);
	obj->writers -= ofd_writes(ofd);
	if (ofd->flags_idx >= 0)
		ofd_flags_hold(obj->sh, ofd->flags_idx, -1);
	if (obj->slot >= 0)
		holders_adjust(obj->sh, &obj->slot, -(int)ofd_reads(ofd), -(int)ofd_writes(ofd));
	if (--obj->refs > 0)
		return false;
	ref_obj_unlink_locked(obj);
	return true;
}

/*
 * What a release means to the other holders, done without the process
 * lock: a FIFO nobody holds any more loses its data, and peers blocked on
 * the ring wake up to see that an end has gone.
 */
static void ofd_finish(struct ref_ofd *ofd, bool last)
{
	struct ref_obj *obj = ofd->obj;

	if (obj->is_fifo)
		ref_fifo_discard_if_unheld(obj);
	ring_wake(&obj->ring);
	if (last)
		ref_obj_discard(obj);
	free(ofd);
}

bool ref_ofd_nonblock(const struct ref_ofd *f)
{
	if (f->flags_idx >= 0)
		return ofd_flags_nonblock(f->obj->sh, f->flags_idx);
	return atomic_load(&f->nonblock) != 0;
}

void ref_ofd_set_nonblock(struct ref_ofd *f, bool on)
{
	if (f->flags_idx >= 0)
		ofd_flags_set_nonblock(f->obj->sh, f->flags_idx, on);
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

void ref_ofd_orphaned_locked(struct ref_ofd *ofd)
{
	if (ofd_detach_locked(ofd))
		ref_obj_discard(ofd->obj);
	else
		ring_wake(&ofd->obj->ring);
	free(ofd);
}

int ref_handle_install_locked(struct ref_ofd *ofd)
{
	int h;

	for (h = 0; h < table_len; h++)
		if (table[h] == NULL)
			break;
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

struct ref_ofd *ref_handle_get(int h)
{
	struct ref_ofd *ofd;

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
