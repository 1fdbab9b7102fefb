/*
 * pipe_end.h -- the objects of kinds "pipe" and "fifo": a byte ring in a
 * shared region (pipe_region.h), and the operations on their open ends,
 * which are the same for both kinds: read(2), write(2), poll(2),
 * ioctl(FIONREAD), fcntl(F_[GS]ETPIPE_SZ) and fpathconf(_PC_PIPE_BUF) as
 * Linux does them for pipes (fs/pipe.c).  The kinds differ in how a
 * region is found and in what a release means (pipe.c, fifo.c).
 *
 * The ring is the adaptive one (impl/ring/ring_adaptive.h): a side that
 * one process alone holds goes on the lock-free SPSC path, a side that
 * several hold on the locked path.  Each read or write tries to claim its
 * side when a holder has gone since it last tried (a close bumps
 * pipe_shared.releases), and every CLAIM_EVERY calls besides (a holder
 * that died bumps nothing); a new holder takes the side away at its
 * first read or write (ring_adaptive.h, GOING SHARED).  Nothing scans the
 * holders on a call that moves data, with one exception, EPIPE, below.
 *
 * EPIPE.  A write must fail when no process holds a read end, also when
 * the last reader was killed rather than closing.  A close bumps
 * `releases`, which every write compares; a death bumps nothing, and the
 * only way to see one is to ask the system (a liveness check per other
 * holder: a system call, 330 ns here, more than a whole SPSC message).
 * So a write asks when `releases` moved, and otherwise only when the
 * readers have consumed nothing since it last asked (the ring's head
 * still where it was after that check): a dead reader consumes nothing.
 * While the head moves, a write goes ahead on that evidence for a budget
 * of READER_CREDIT units (a write costs one unit per KiB and one more)
 * before it looks at the head again.  A reader found alive but consuming
 * nothing is trusted for 0, 1, 2, 4, ... up to READER_CREDIT units before
 * the next check, so a stalled reader (descheduled, busy elsewhere) costs
 * the writer a few checks rather than one per write; the trust starts
 * from 0 again once the head moves.  So a write right after a check that
 * found the only reader alive, once it has died, is EPIPE as in Linux;
 * in general a reader killed (not closing) is noticed within two budgets
 * -- the first look after its death may still find the head moved by its
 * last reads, or a trust of up to a budget still running -- so at most 128
 * writes of 64 bytes, or two of 64 KiB, go through after the death and
 * are lost with the pipe (Linux: EPIPE at once).  ref_iut.h lists this.
 */
#ifndef IPCCONF_REF_PIPE_END_H
#define IPCCONF_REF_PIPE_END_H

#include <sys/types.h>

#include "impl/ref/obj.h"
#include "impl/ref/pipe_region.h"
#include "impl/ring/ring_adaptive.h"

/*
 * What this process has learnt about the other holders (process memory).
 * Threads share it without a lock: relaxed atomics, and a lost update
 * costs one more look at the holders, nothing else.
 */
struct pipe_watch {
	_Atomic uint32_t claim_releases[2];  /* [producer, consumer]: `releases` at the last claim tried */
	_Atomic uint32_t claim_left[2];      /* calls before the next try on spec; 0: try now */
	_Atomic bool readers_known;          /* a reader was seen alive ... */
	_Atomic uint32_t readers_releases;   /* ... when `releases` was this */
	_Atomic uint64_t readers_head;       /* the ring's head right after that look */
	_Atomic int32_t readers_credit;      /* units left before the head is looked at again */
	_Atomic int32_t readers_trust;       /* the credit the next look finding no progress gives */
};

struct pipe_obj {
	struct ref_obj obj;          /* the generic part (obj.h) */
	unsigned char *base;         /* the mapped region, REF_REGION_SIZE bytes */
	struct pipe_shared *sh;
	struct ring_adaptive ring;
	struct pipe_watch watch;
	struct pipe_limits limits;   /* validated at attach: trusted */
	int fd;                      /* a pipe's unnamed file (pipe.h); -1: none kept */
	dev_t fd_dev;                /* its identity, so that a descriptor the program */
	ino_t fd_ino;                /* closed and reused behind our back is left alone */
};

static inline struct pipe_obj *pipe_obj_of(struct ref_obj *obj)
{
	return ref_container_of(obj, struct pipe_obj, obj);
}

/*
 * Fills in a process's object (allocated by the kind, with malloc, as the
 * first member of its own structure if it needs more) for a region
 * already validated and attached, its limits and ring given: generic part
 * included, not yet on the process's list.  Takes over `fd` (may be -1).
 */
void pipe_obj_init(struct pipe_obj *p, unsigned char *base, int fd,
		   const struct pipe_limits *limits, const struct ring_adaptive *ring,
		   enum ref_obj_kind kind, const struct ref_obj_ops *ops);

/*
 * Unmaps the region, closes the fd, frees the allocation that starts with
 * the object: ref_obj_ops.destroy.
 */
void pipe_obj_destroy(struct ref_obj *obj);

/*
 * Tells the other holders that an end was released: bumps `releases` and
 * wakes every sleeper to re-check the holders.  ref_obj_ops.released of a
 * pipe; a FIFO's does more first.
 */
void pipe_end_wake_peers(struct ref_obj *obj);

/* The operations on an open end, for both kinds' ref_obj_ops. */
ssize_t pipe_end_read(struct ref_ofd *f, void *buf, size_t len);
ssize_t pipe_end_write(struct ref_ofd *f, const void *buf, size_t len);
long pipe_end_nread(struct ref_ofd *f);
int pipe_end_poll_events(struct ref_ofd *f);
_Atomic uint32_t *pipe_end_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters);
long pipe_end_get_capacity(struct ref_ofd *f);
long pipe_end_set_capacity(struct ref_ofd *f, long bytes, uint32_t max_size);
long pipe_end_pipe_buf(struct ref_ofd *f);

#endif /* IPCCONF_REF_PIPE_END_H */
