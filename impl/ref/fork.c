/*
 * fork(): the child inherits every handle, so it must be counted as a
 * holder of every object its parent holds, from the instant it exists, and
 * only as long as it lives.
 *
 * The kernel does this atomically by sharing the files.  Here the child's
 * counts go into the shared holder tables, where nobody can write them in
 * the child's name before fork() has returned.  So:
 *
 *   prepare (parent, before fork)  takes a new slot per holder set with the
 *                                  child's future counts, under the
 *                                  parent's pid marked REF_HOLDER_PENDING:
 *                                  alive for now as long as the parent is;
 *   parent  (parent, after fork)   learns the child's pid by comparing its
 *                                  thread's children before and after
 *                                  (children.h) and renames the slots to
 *                                  it, or frees them if no child appeared
 *                                  (fork failed, or the child is already
 *                                  dead and reaped);
 *   child   (child, after fork)    renames the slots to itself, unless the
 *                                  parent already has.
 *
 * Both renames are needed: the child may be killed before it runs a single
 * instruction (then only the parent can tie the slots to the child's
 * death), and the parent may be killed before its handler runs (then only
 * the child can untie them from the parent's).  A count never drops to
 * zero between fork() and the child's first instruction, e.g. when the
 * parent closes its end at once and the peer is the child.  What remains:
 * a parent killed inside fork() before either rename leaves the child's
 * share uncounted until the child runs.
 *
 * The child shares every open description too, so each one's word of
 * status flags (ofd_flags.h) gains a user in prepare, given back by the
 * parent when no child came of it.  Open descriptions that only a call in
 * progress in another thread kept alive (their handles were closed) do
 * not exist in the child, whose only thread is the one that forked: the
 * child releases them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "impl/ref/children.h"
#include "impl/ref/handles.h"
#include "impl/ref/holders.h"
#include "impl/ref/ofd_flags.h"
#include "impl/sync/sync_alive.h"
#include "impl/sync/sync_tid.h"

static pid_t forking_parent;
static struct children before;
static int caller_errno;

/* Prepares the child's share of one holder set: true when this process holds some of it. */
static bool prepare_holding(struct ref_holding *hd, pid_t self)
{
	hd->fork_slot = -1;
	hd->fork_in_own = false;
	if (hd->readers == 0 && hd->writers == 0)
		return false;
	hd->fork_slot = holders_claim(hd->set, (uint32_t)self | REF_HOLDER_PENDING, hd->readers,
				      hd->writers);
	/* A full set: count the child inside our own slot until it can have one. */
	if (hd->fork_slot < 0 && hd->slot >= 0)
		hd->fork_in_own = holders_adjust(hd->set, &hd->slot, (int)hd->readers,
						 (int)hd->writers) == 0;
	return true;
}

static void prepare(void)
{
	pid_t self = getpid();
	bool held = false;

	ref_lock();
	forking_parent = self;
	for (struct ref_obj *o = ref_objs_locked(); o != NULL; o = o->next)
		for (unsigned i = 0; i < o->n_hold; i++)
			held |= prepare_holding(&o->hold[i], self);
	/* The child shares every open description, and so its status flags. */
	for (struct ref_ofd *f = ref_ofds_locked(); f != NULL; f = f->next)
		if (f->flags_idx >= 0)
			ofd_flags_hold(f->obj->ofd_flags, f->flags_idx, +1);
	if (held)
		children_read(&before);
	/*
	 * Without a children list, fork()'s failure can still be told: glibc
	 * runs the parent handler with errno as fork() left it, so clear it.
	 */
	caller_errno = errno;
	errno = 0;
}

/* The parent's side of one holder set: the prepared slot goes to the child, or away. */
static void parent_settle(struct ref_holding *hd, uint32_t pending, pid_t child_pid, bool no_child)
{
	if (hd->fork_slot >= 0) {
		if (child_pid > 0)
			holders_rename(hd->set, hd->fork_slot, pending, (uint32_t)child_pid);
		else if (no_child)
			holders_drop(hd->set, hd->fork_slot, pending);
	}
	if (hd->fork_in_own && no_child)
		holders_adjust(hd->set, &hd->slot, -(int)hd->readers, -(int)hd->writers);
	hd->fork_slot = -1;
	hd->fork_in_own = false;
}

static void parent(void)
{
	uint32_t pending = (uint32_t)forking_parent | REF_HOLDER_PENDING;
	bool failed = errno != 0;
	struct children after = { 0 };
	pid_t child_pid = -1;
	bool no_child;

	if (before.known) {
		children_read(&after);
		child_pid = children_new_one(&before, &after);
		children_free(&after);
		children_free(&before);
	}
	no_child = child_pid == 0 || (child_pid < 0 && failed);
	for (struct ref_ofd *f = ref_ofds_locked(); f != NULL; f = f->next)
		if (no_child && f->flags_idx >= 0)
			ofd_flags_hold(f->obj->ofd_flags, f->flags_idx, -1);
	for (struct ref_obj *o = ref_objs_locked(); o != NULL; o = o->next)
		for (unsigned i = 0; i < o->n_hold; i++)
			parent_settle(&o->hold[i], pending, child_pid, no_child);
	if (!failed)
		errno = caller_errno;
	ref_unlock();
}

/* Our share of one holder set: in the pending slot (renamed by us or by the parent), or a new slot. */
static void child_adopt(struct ref_holding *hd, uint32_t pending, uint32_t self)
{
	int parents_slot = hd->slot;

	if (hd->fork_slot >= 0 && (holders_rename(hd->set, hd->fork_slot, pending, self) ||
				   holders_held_by(hd->set, hd->fork_slot, self))) {
		hd->slot = hd->fork_slot;
		return;
	}
	hd->slot = -1;
	if (hd->readers == 0 && hd->writers == 0)
		return;
	if (holders_add(hd->set, &hd->slot, self, (int)hd->readers, (int)hd->writers) == 0) {
		if (hd->fork_in_own)
			holders_adjust(hd->set, &parents_slot, -(int)hd->readers, -(int)hd->writers);
	} else if (hd->fork_in_own) {
		hd->slot = parents_slot; /* no slot of our own: stay counted in the parent's */
	}
}

static void child(void)
{
	uint32_t pending = (uint32_t)forking_parent | REF_HOLDER_PENDING;
	uint32_t self = (uint32_t)getpid();
	struct ref_ofd *f, *next;

	children_free(&before);
	for (struct ref_obj *o = ref_objs_locked(); o != NULL; o = o->next) {
		for (unsigned i = 0; i < o->n_hold; i++) {
			child_adopt(&o->hold[i], pending, self);
			o->hold[i].fork_slot = -1;
			o->hold[i].fork_in_own = false;
		}
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
	sync_self_tid();
	pthread_atfork(prepare, parent, child);
}

void ref_init_once(void)
{
	pthread_once(&once, register_handlers);
}
