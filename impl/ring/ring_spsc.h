/*
 * ring_spsc.h -- the byte ring (ring.h) driven by exactly one producer
 * and one consumer, without locks: the fast path for two processes that
 * stream to each other (and for the benchmark, bench/).
 *
 * The same region and header as ring.h, used the way ck_ring's _spsc
 * functions use theirs: the producer alone moves tail, the consumer alone
 * moves head, so neither takes p_lock or c_lock.  Each side keeps its own
 * counter in process memory and a cached copy of the other side's; it
 * reads the shared one (one cache-line transfer) only when the cached
 * copy says full or empty.  The counters sit on separate cache lines
 * (ring.h's layout).
 *
 * MEMORY ORDERING.  The producer copies bytes in, then stores tail with
 * release; the consumer loads tail with acquire before copying them out.
 * The consumer copies bytes out, then stores head with release; the
 * producer loads head with acquire before overwriting them.
 *
 * SLEEPING AND WAKING.  A side with nothing to do polls (sync_spin.h),
 * then sleeps on its futex word: the consumer on data_seq, counted in
 * data_waiters; the producer on room_seq, counted in room_waiters.  The
 * other side issues FUTEX_WAKE only when that count is non-zero, so a
 * busy stream makes no system call at all.  The check of the count after
 * publishing is made safe by an asymmetric fence (sync_barrier.h): free
 * for the side that publishes, a membarrier(2) for the side about to
 * sleep (once per blocking call).  Unlike ring_try_push(), a publish bumps the futex word only
 * when it wakes someone: ring_data_seq()/ring_room_seq() style waiting is
 * not supported on an SPSC ring.
 *
 * CONTRACT.  One ring_spsc producer and one ring_spsc consumer (a thread
 * each, in the same or different processes), and nobody else pushing,
 * popping or changing the capacity meanwhile: the locked functions of
 * ring.h and these must not be mixed on one ring.  A header changed
 * underneath (capacity, or a counter out of range) is reported as
 * -EUCLEAN and never leads to an access outside the region (ring.h,
 * SHARED-MEMORY DISCIPLINE): the capacity and both counters are read once
 * at attach and judged together (tail - head <= capacity), and afterwards
 * each refresh reads the other side's counter and the capacity once and
 * judges them before the cached copies change.  Peer
 * liveness, timeouts, non-blocking mode and atomic pushes come from
 * struct ring_block as in ring_push()/ring_pop(), with one difference:
 * peer() and pending signals are consulted only when a call is about to
 * sleep and after each sleep, not on every attempt (they cost system
 * calls, and the fast path makes none).
 *
 * Each process using it must call ring_spsc_attach() (it registers the
 * process for the asymmetric fence).
 */
#ifndef IPCCONF_RING_SPSC_H
#define IPCCONF_RING_SPSC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ring/ring.h"

enum ring_spsc_side {
	RING_SPSC_PRODUCER = 1,
	RING_SPSC_CONSUMER = 2,
};

/*
 * The most bytes copied between two publications of a counter.  A push
 * or pop larger than this is cut into pieces so that the other side can
 * copy one piece while this side copies the next.  Large on purpose: a
 * consumer that follows close behind the producer reads lines still dirty
 * in the producer's cache, which costs more than the overlap gains
 * (streaming 1 MiB messages on the benchmark's VM: 22 GB/s with 64 KiB
 * pieces, 35 with 256 KiB, 45 with 1 MiB; bench/README.md).
 */
#define RING_SPSC_CHUNK (1024u * 1024u)

/* One side's view, in process memory. */
struct ring_spsc {
	struct ring r;
	uint64_t pos;      /* ours: tail (producer) or head (consumer); only we move it */
	uint64_t peer_pos; /* the other counter as last read: head or tail */
	uint32_t cap;      /* capacity at attach time: the mask for data[] */
	enum ring_spsc_side side;
};

/*
 * ring_attach(), then takes the side: 0, or ring_attach()'s errors,
 * -EPROTO for a ring that is not in byte mode, -EINVAL for a bad side.
 */
int ring_spsc_attach(struct ring_spsc *s, void *mem, size_t len, enum ring_spsc_side side);

/*
 * Non-blocking, as ring_try_push(): with all_or_nothing either all n
 * bytes or -EAGAIN; otherwise as many as fit (at least 1) or -EAGAIN.
 * -EUCLEAN on a corrupted header, -EINVAL on the consumer's handle.
 */
ssize_t ring_spsc_try_push(struct ring_spsc *s, const void *buf, size_t n, int all_or_nothing);

/* Non-blocking, as ring_try_pop(): up to n bytes, or -EAGAIN when empty. */
ssize_t ring_spsc_try_pop(struct ring_spsc *s, void *buf, size_t n);

/* Blocking push, as ring_push() (see CONTRACT above for peer() and signals). */
ssize_t ring_spsc_push(struct ring_spsc *s, const void *buf, size_t n, struct ring_block *b);

/* Blocking pop, as ring_pop(): 0 only at end of file (peer gone, ring drained). */
ssize_t ring_spsc_pop(struct ring_spsc *s, void *buf, size_t n, struct ring_block *b);

#endif /* IPCCONF_RING_SPSC_H */
