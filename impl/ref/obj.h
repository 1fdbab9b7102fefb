/*
 * obj.h -- the objects behind ref's handles, as the kernel has them:
 *
 *   handle (int)  -> struct ref_ofd  an "open file description": access
 *                                    mode and O_NONBLOCK, shared by dup()
 *                 -> struct ref_obj  one process's mapping of an object
 *                                    (a pipe, a FIFO; later queues and
 *                                    sockets) and its share of the
 *                                    object's holder sets
 *
 * An object has a kind, and its kind's operations (struct ref_obj_ops)
 * do everything that depends on what the object is: reading, writing,
 * poll, what a release means to the other holders, unmapping.  The
 * handle table (handles.h) and fork (fork.c) only ever use the generic
 * part, so a new mechanism adds a kind without touching them.  A kind
 * embeds struct ref_obj first in its own structure and finds that again
 * with container_of.
 */
#ifndef IPCCONF_REF_OBJ_H
#define IPCCONF_REF_OBJ_H

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ref/holders.h"
#include "impl/ref/ofd_flags.h"

#define ref_container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

enum ref_obj_kind {
	REF_OBJ_PIPE = 1,
	REF_OBJ_FIFO = 2,
	REF_OBJ_MQ = 3, /* a POSIX message queue (mq.h) */
	REF_OBJ_SHM = 4, /* a POSIX shared memory object (shmem_posix.c) */
	/*
	 * A System V segment's attachments in one process (shmem_sysv.h):
	 * never behind a handle, on the object list only so that fork.c
	 * counts a child's inherited attachments.
	 */
	REF_OBJ_SHMSEG = 5,
	REF_OBJ_SOCKET = 6, /* an AF_UNIX socket (socket.h) */
};

struct ref_obj;
struct ref_ofd;

/*
 * What one kind of object does.  A member a kind leaves NULL is an
 * operation its objects refuse with the error the manual pages give for
 * such a file (see stream_ops.c and pipe_ops.c).  None is called with the
 * process lock held (except released and destroy in a fork child, which
 * has one thread); each is called with the open description kept alive.
 */
struct ref_obj_ops {
	const char *name; /* "pipe", "fifo": for messages */

	ssize_t (*read)(struct ref_ofd *f, void *buf, size_t len);
	ssize_t (*write)(struct ref_ofd *f, const void *buf, size_t len);
	long (*nread)(struct ref_ofd *f);

	/* poll: the events true now, and the futex word whose change may alter `events`. */
	int (*poll_events)(struct ref_ofd *f);
	_Atomic uint32_t *(*poll_word)(struct ref_ofd *f, short events, _Atomic uint32_t **waiters);

	/* Pipe-like objects: F_GETPIPE_SZ, F_SETPIPE_SZ (max_size: pipe-max-size), _PC_PIPE_BUF. */
	long (*get_capacity)(struct ref_ofd *f);
	long (*set_capacity)(struct ref_ofd *f, long bytes, uint32_t max_size);
	long (*pipe_buf)(struct ref_ofd *f);

	/*
	 * An open description of obj has gone (closed, or abandoned by a
	 * failed open), and its counts are out of the holder sets: tell the
	 * other holders (wake sleepers; a FIFO nobody holds loses its data).
	 */
	void (*released)(struct ref_obj *obj);

	/* The process's last use of obj has gone: unmap and free it. */
	void (*destroy)(struct ref_obj *obj);
};

/* A process's share of one holder set (holders.h): its counts and its slot. */
struct ref_holding {
	struct ref_holders *set;   /* in the object's shared region */
	unsigned readers, writers; /* this process's open descriptions counted there */
	int slot;                  /* the slot counting them; -1: none */
	int fork_slot;             /* during fork(): the slot prepared for the child */
	bool fork_in_own;          /* during fork(): the child's share was added to `slot` */
};

/* Holder sets per object: one per endpoint (a socket pair will need two). */
#define REF_OBJ_HOLDINGS 2

struct ref_obj {
	struct ref_obj *prev, *next; /* every object of the process (fork.c walks them) */
	enum ref_obj_kind kind;
	const struct ref_obj_ops *ops;
	struct ref_holding hold[REF_OBJ_HOLDINGS];
	unsigned n_hold;
	struct ref_ofd_flags *ofd_flags; /* shared status flags; NULL: none */
	unsigned refs;                   /* open descriptions using this object */
};

struct ref_ofd {
	struct ref_ofd *prev, *next; /* every open description of the process */
	struct ref_obj *obj;
	int accmode;                 /* O_RDONLY, O_WRONLY or O_RDWR */
	unsigned holding;            /* which of obj->hold counts it */
	int flags_idx;               /* its word in obj->ofd_flags; -1: none */
	_Atomic int nonblock;        /* O_NONBLOCK when flags_idx is -1 */
	union {
		/*
		 * A FIFO opened O_RDONLY|O_NONBLOCK while no writer held it
		 * reports no POLLHUP until some writer has opened it since
		 * (Linux fifo_open()): gate is the writer-open count at our
		 * open.
		 */
		struct {
			bool hup_gated;
			uint32_t hup_gate;
		} fifo;
	} u;
	unsigned handles;            /* table entries naming it */
	unsigned busy;               /* calls in progress on it */
};

static inline bool ofd_reads(const struct ref_ofd *f) { return f->accmode != O_WRONLY; }
static inline bool ofd_writes(const struct ref_ofd *f) { return f->accmode != O_RDONLY; }

/* fcntl(F_GETFL/F_SETFL) of O_NONBLOCK, shared with the other holders of the description. */
bool ref_ofd_nonblock(const struct ref_ofd *f);
void ref_ofd_set_nonblock(struct ref_ofd *f, bool on);

/*
 * Fills in the generic part of a new object: kind, operations, and its
 * holder sets and status-flag table in shared memory (flags may be NULL).
 */
void ref_obj_init(struct ref_obj *obj, enum ref_obj_kind kind, const struct ref_obj_ops *ops,
		  struct ref_holders *const *sets, unsigned n_sets, struct ref_ofd_flags *flags);

#endif /* IPCCONF_REF_OBJ_H */
