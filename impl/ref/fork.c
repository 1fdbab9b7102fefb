/*
 * fork(): the child inherits every handle, so it must be counted as a
 * holder of every pipe its parent holds, from the instant it exists.
 *
 * The kernel does this atomically by sharing the files.  Here the child's
 * counts have to be written into the shared holder tables, and the child
 * cannot do it before it runs.  So the parent does it for the child:
 *
 *   prepare (parent, before fork)  takes a new slot per mapping, holding
 *                                  the child's future counts under the
 *                                  parent's pid marked REF_HOLDER_PENDING
 *                                  (alive exactly as long as the parent);
 *   child   (child, after fork)    renames that slot to its own pid;
 *   parent  (parent, after fork)   nothing, unless fork failed: then it
 *                                  frees the pending slots.
 *
 * So a count can never drop to zero between fork and the child's first
 * instruction, e.g. when the parent closes its write end at once and the
 * reader is the child.  One window remains: if the parent dies before the
 * child has renamed the slot, the child's share is not seen until then.
 *
 * Open descriptions that only a call in progress in another thread kept
 * alive (their handles were closed) do not exist in the child, whose only
 * thread is the one that forked: the child releases them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/holders.h"
#include "impl/ring/task_alive.h"

static pid_t forking_parent;
static int caller_errno;

static void prepare(void)
{
	pid_t self = getpid();

	ref_lock();
	forking_parent = self;
	for (struct ref_obj *o = ref_objs_locked(); o != NULL; o = o->next) {
		o->fork_slot = -1;
		o->fork_in_own = false;
		if (o->readers == 0 && o->writers == 0)
			continue;
		o->fork_slot = holders_claim(o->sh, (uint32_t)self | REF_HOLDER_PENDING, o->readers,
					     o->writers);
		/* A full table: count the child inside our own slot until it can have one. */
		if (o->fork_slot < 0 && o->slot >= 0)
			o->fork_in_own = holders_adjust(o->sh, &o->slot, (int)o->readers,
							(int)o->writers) == 0;
	}
	/*
	 * The parent handler cannot see fork()'s result, but glibc runs it
	 * with errno as fork() left it: clear errno here, and a failed fork
	 * is the one that set it.
	 */
	caller_errno = errno;
	errno = 0;
}

static void parent(void)
{
	bool failed = errno != 0;

	for (struct ref_obj *o = ref_objs_locked(); o != NULL; o = o->next) {
		if (failed && o->fork_slot >= 0)
			holders_drop(o->sh, o->fork_slot, (uint32_t)forking_parent | REF_HOLDER_PENDING);
		if (failed && o->fork_in_own)
			holders_adjust(o->sh, &o->slot, -(int)o->readers, -(int)o->writers);
		o->fork_slot = -1;
		o->fork_in_own = false;
	}
	if (!failed)
		errno = caller_errno;
	ref_unlock();
}

static void child(void)
{
	uint32_t pending = (uint32_t)forking_parent | REF_HOLDER_PENDING;
	uint32_t self = (uint32_t)getpid();
	struct ref_ofd *f, *next;

	for (struct ref_obj *o = ref_objs_locked(); o != NULL; o = o->next) {
		int parents_slot = o->slot;

		if (o->fork_slot >= 0 && holders_rename(o->sh, o->fork_slot, pending, self)) {
			o->slot = o->fork_slot;
		} else if (o->readers != 0 || o->writers != 0) {
			/* Our share is in the parent's slot (or was lost with a dead parent). */
			o->slot = -1;
			if (holders_add(o->sh, &o->slot, self, (int)o->readers, (int)o->writers) == 0) {
				if (o->fork_in_own)
					holders_adjust(o->sh, &parents_slot, -(int)o->readers,
						       -(int)o->writers);
			} else if (o->fork_in_own) {
				o->slot = parents_slot; /* no slot of our own: stay counted there */
			}
		} else {
			o->slot = -1;
		}
		o->fork_slot = -1;
		o->fork_in_own = false;
	}
	for (f = ref_ofds_locked(); f != NULL; f = next) {
		next = f->next;
		f->busy = 0;
		if (f->handles == 0)
			ref_ofd_orphaned_locked(f);
	}
	errno = caller_errno;
	ref_unlock();
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_handlers(void)
{
	/* The ring's own fork handler (a per-thread cache) must be registered, and so run, first. */
	ring_self_tid();
	pthread_atfork(prepare, parent, child);
}

void ref_init_once(void)
{
	pthread_once(&once, register_handlers);
}
