/*
 * handles.h -- the per-process side of ref: the handle table, the open
 * file descriptions handles point to, and the mappings those use.
 *
 * Everything here is process memory, so fork() gives the child a copy, as
 * it gives the child a copy of the file descriptor table.  The objects
 * mirror the kernel's:
 *
 *   handle (int)  -> struct ref_ofd  (an "open file description": access
 *                                     mode and O_NONBLOCK, shared by dup)
 *                 -> struct ref_obj  (one mapping of a pipe's region; the
 *                                     process's counts in its holder table)
 *
 * One process-wide mutex guards all of it; no operation holds it while it
 * blocks.  pthread_atfork handlers (fork.c) hold it across fork() so that
 * the child's copy is consistent.
 */
#ifndef IPCCONF_REF_HANDLES_H
#define IPCCONF_REF_HANDLES_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "impl/ref/ref_shared.h"
#include "impl/ring/ring.h"

struct ref_obj {
	struct ref_obj *prev, *next; /* every mapping of the process (fork.c walks them) */
	unsigned char *base;         /* the mapped region (ref_shared.h) */
	struct ref_shared *sh;
	struct ring ring;
	bool is_fifo;
	uint32_t default_capacity;   /* copied from sh at attach: trusted */
	uint32_t read_max;
	unsigned readers, writers;   /* this process's open descriptions of each kind */
	int slot;                    /* the holder slot counting them; -1: none */
	int fork_slot;               /* during fork(): the slot prepared for the child */
	bool fork_in_own;            /* during fork(): the child's share was added to `slot` */
	unsigned refs;               /* open descriptions using this mapping */
};

struct ref_ofd {
	struct ref_ofd *prev, *next; /* every open description of the process */
	struct ref_obj *obj;
	int accmode;                 /* O_RDONLY, O_WRONLY or O_RDWR */
	int flags_idx;               /* its word in sh->ofd (ofd_flags.h); -1: none */
	_Atomic int nonblock;        /* O_NONBLOCK when flags_idx is -1 */
	/*
	 * A FIFO opened O_RDONLY|O_NONBLOCK while no writer held it reports no
	 * POLLHUP until some writer has opened it since (Linux fifo_open()):
	 * hup_gate is the writer-open count at our open.
	 */
	bool hup_gated;
	uint32_t hup_gate;
	unsigned handles;            /* table entries naming it */
	unsigned busy;               /* calls in progress on it */
};

static inline bool ofd_reads(const struct ref_ofd *f) { return f->accmode != O_WRONLY; }
static inline bool ofd_writes(const struct ref_ofd *f) { return f->accmode != O_RDONLY; }

/* fcntl(F_GETFL/F_SETFL) of O_NONBLOCK, shared with the other holders of the description. */
bool ref_ofd_nonblock(const struct ref_ofd *f);
void ref_ofd_set_nonblock(struct ref_ofd *f, bool on);

/* The process-wide lock (handles.c); fork.c holds it across fork(). */
void ref_lock(void);
void ref_unlock(void);

/* Registers the fork handlers, once, before the first handle exists. */
void ref_init_once(void);

/*
 * A new mapping object for the region at base (already validated and
 * attached to `ring`).  Locked.  NULL when out of memory.
 */
struct ref_obj *ref_obj_new_locked(unsigned char *base, const struct ring *ring, bool is_fifo);

/* Takes an object no open description uses out of the process's list.  Locked. */
void ref_obj_unlink_locked(struct ref_obj *obj);

/* Unmaps and frees an object that no open description uses.  Unlocked. */
void ref_obj_discard(struct ref_obj *obj);

/*
 * A new open description of obj, counted in the holder table.  Locked.
 * -EMFILE (holder table full), -ENOMEM.
 */
int ref_ofd_new_locked(struct ref_obj *obj, int accmode, bool nonblock, struct ref_ofd **out);

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
