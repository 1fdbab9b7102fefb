/*
 * qcore.h -- what ref's two message queues (msgq.h, mq.h) share: a queue
 * lock that notices a holder killed inside it, taking every record out of
 * a ring and putting it back (for the rare operations the ring's
 * selectors cannot do, and to recount), and waiting like a blocking
 * system call, with absolute CLOCK_REALTIME timeouts.
 *
 * THE QUEUE LOCK.  Every operation on a queue runs under its lock (a
 * sync_lock word in the queue's header, taken over when its holder dies),
 * and inside it the ring (impl/ring/ring_record.h) and the queue's own
 * counts (messages, bytes) change together.  A holder killed between the
 * two would leave counts that no longer describe the ring, so the lock
 * comes with a `dirty` word: set on entry, cleared on exit.  Whoever
 * takes the lock and finds it set knows the previous holder died inside,
 * and recounts from the ring (ref_qcore_lock() says so).
 */
#ifndef IPCCONF_REF_QCORE_H
#define IPCCONF_REF_QCORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "impl/ring/ring.h"
#include "impl/sync/sync_waiter.h"

/*
 * Takes the queue lock: true when the previous holder died inside (then
 * call ref_qcore_ring_unlock_dead() and recount).  A holder found dead
 * is replaced at once.
 */
bool ref_qcore_lock(_Atomic uint32_t *lock, _Atomic uint32_t *dirty);
void ref_qcore_unlock(_Atomic uint32_t *lock, _Atomic uint32_t *dirty);

/*
 * Every operation on a queue's ring runs under the queue lock, so a ring
 * lock that is held when the queue lock's previous holder died inside is
 * that dead holder's: freed here, without waiting for sync_lock() to find
 * out (SYNC_SLICE_MS).
 */
void ref_qcore_ring_unlock_dead(struct ring *r);

/* One record taken out of the ring: its bytes live in qcore_drained.buf. */
struct qcore_rec {
	uint32_t len;
	uint16_t type;
	size_t off; /* in buf */
};

struct qcore_drained {
	unsigned char *buf;
	struct qcore_rec *rec;
	size_t n;
};

/*
 * Under the queue lock: takes every record out of the ring, oldest
 * first, into private memory (all of it allocated before the ring is
 * touched, so -ENOMEM leaves the ring as it was).  -EUCLEAN: the ring is
 * corrupted (what was taken is in d; the caller recovers the ring).
 */
int ref_qcore_drain(struct ring *r, struct qcore_drained *d);

/*
 * Puts records back, in order, skipping index `skip` (SIZE_MAX: none):
 * how many could not be put back (0 unless the ring was corrupted
 * meanwhile).  Frees nothing.
 */
size_t ref_qcore_refill(struct ring *r, const struct qcore_drained *d, size_t skip);

void ref_qcore_drained_free(struct qcore_drained *d);

/* A tv_nsec outside 0..999999999 or a negative tv_sec (EINVAL for timed calls). */
bool ref_qcore_timespec_bad(const struct timespec *ts);

/*
 * A blocking call's wait.  Zero-initialise, set `abs` (NULL: no bound),
 * then for each time the call must sleep: read the futex word, find the
 * call cannot proceed, and call ref_qcore_wait().  ref_qcore_wait_end() after the
 * last one.
 */
struct ref_qcore_wait {
	const struct timespec *abs; /* CLOCK_REALTIME deadline, or NULL */
	bool started;
	struct sync_waiter w;
};

/*
 * Sleeps while *word == seen (a slice at most): 0 (look again),
 * -ETIMEDOUT, -EINTR (a handler without SA_RESTART ran), -ERESTART (only
 * SA_RESTART handlers ran).
 */
int ref_qcore_wait(struct ref_qcore_wait *qw, _Atomic uint32_t *word, uint32_t seen,
	       _Atomic uint32_t *waiters);
void ref_qcore_wait_end(struct ref_qcore_wait *qw);

#endif /* IPCCONF_REF_QCORE_H */
