/*
 * handles.h -- the per-process side of ref: the handle table and the
 * lifetime of the open descriptions and objects it names (obj.h).
 *
 * Everything here is process memory, so fork() gives the child a copy, as
 * it gives the child a copy of the file descriptor table.  Nothing here
 * knows what an object is: that is its kind's business (obj.h).
 *
 * One process-wide mutex guards all of it; no operation holds it while it
 * blocks.  pthread_atfork handlers (fork.c) hold it across fork() so that
 * the child's copy is consistent.
 */
#ifndef IPCCONF_REF_HANDLES_H
#define IPCCONF_REF_HANDLES_H

#include <stdbool.h>

#include "impl/ref/obj.h"

/* The process-wide lock (handles.c); fork.c holds it across fork(). */
void ref_lock(void);
void ref_unlock(void);

/* Registers the fork handlers, once, before the first handle exists. */
void ref_init_once(void);

/* Puts a new object (ref_obj_init()ed) on the process's list.  Locked. */
void ref_obj_register_locked(struct ref_obj *obj);

/* Takes an object no open description uses off the process's list.  Locked. */
void ref_obj_unlink_locked(struct ref_obj *obj);

/*
 * Drops an object that was registered but never got an open description
 * (a failed open): off the list, then destroyed.  Unlocked.
 */
void ref_obj_abandon(struct ref_obj *obj);

/*
 * A new open description of obj, counted in holder set obj->hold[holding]
 * as a reader and/or writer according to accmode.  Locked.  -EMFILE
 * (holder set full), -ENOMEM.
 */
int ref_ofd_new_locked(struct ref_obj *obj, unsigned holding, int accmode, bool nonblock,
		       struct ref_ofd **out);

/* Gives the open description a handle: the lowest free one.  Locked. */
int ref_handle_install_locked(struct ref_ofd *ofd);

/*
 * Drops an open description that has no handle (a failed or interrupted
 * open).  Unlocked.
 */
void ref_ofd_abandon(struct ref_ofd *ofd);

/* The open description behind handle h, kept alive until ref_handle_put(); NULL: -EBADF. */
struct ref_ofd *ref_handle_get(int h);
void ref_handle_put(struct ref_ofd *ofd);

int ref_handle_close(int h);
int ref_handle_dup(int h);

/* For fork.c: the lists, walked with the lock held. */
struct ref_obj *ref_objs_locked(void);
struct ref_ofd *ref_ofds_locked(void);

/* Forgets an open description no thread of this (child) process uses.  Locked. */
void ref_ofd_orphaned_locked(struct ref_ofd *ofd);

#endif /* IPCCONF_REF_HANDLES_H */
