/*
 * ring.h -- a bounded byte ring in memory shared between processes.
 *
 * One producer side and one consumer side, each serialized by its own
 * lock (impl/sync/sync_lock.h), so any number of threads and processes
 * may push and pop concurrently.  A push of at most `atomic_max` bytes is atomic: all
 * of it lands contiguously in the stream, or none of it.  Sleeping and
 * waking use futexes on words of the header, so the ring works across
 * fork() and between unrelated processes that map the same object.
 *
 * REGION LAYOUT (all integers native-endian; the region is normally the
 * start of a MAP_SHARED mapping, and must be 64-byte aligned):
 *
 *   OFFSET  SIZE  FIELD          DESCRIPTION
 *        0     4  magic          RING_MAGIC; anything else is not a ring
 *        4     2  version        RING_VERSION, the layout of this header
 *        6     2  mode           RING_MODE_BYTES, or RING_MODE_RECORDS
 *                                (variable-size records: ring_record.h)
 *        8     4  flags          mode-specific: 0 in byte mode,
 *                                RING_REC_FORMAT in record mode
 *       12     4  hdr_size       RING_HDR_SIZE: data[] starts here
 *       16     4  data_size      bytes of data[] in the region (power of two)
 *       20     4  capacity       bytes the ring holds now (power of two)
 *       24    40  (reserved)     0; room for more mode-specific fields
 *       64     8  head           bytes consumed since ring_init()
 *       72     4  c_lock         consumer lock (sync_lock.h)
 *       76     4  room_seq       futex word: bumped when room appears
 *       80     4  room_waiters   producers sleeping on room_seq
 *       84     4  gone           record mode: bytes of records taken out of
 *                                order that head has not passed yet (a
 *                                hint, ring_record.h); 0 in byte mode
 *       88     4  c_mode         adaptive ring (ring_adaptive.h): who
 *                                consumes, SHARED or EXCLUSIVE, and a
 *                                generation; 0 for the other interfaces
 *       92     4  c_mode_lock    adaptive ring: held by every pop on the
 *                                locked path and by mode changes
 *                                (sync_lock.h)
 *       96     4  c_mode_busy    adaptive ring: the exclusive consumer's
 *                                thread id while it is inside a pop, else 0
 *      128     8  tail           bytes produced since ring_init()
 *      136     4  p_lock         producer lock (sync_lock.h)
 *      140     4  data_seq       futex word: bumped when data appears
 *      144     4  data_waiters   consumers sleeping on data_seq
 *      192     4  p_mode         adaptive ring: c_mode for producers
 *      196     4  p_mode_lock    adaptive ring: c_mode_lock for producers
 *      200     4  p_mode_busy    adaptive ring: c_mode_busy for producers
 *                                (192-255: a line of its own, as a waiting
 *                                consumer polls the line of tail)
 *      256     -  data[]         data_size bytes; byte i of the stream is
 *                                at data[i & (capacity - 1)]
 *
 * The consumer's words and the producer's words sit on separate cache
 * lines so that a busy reader and a busy writer do not share one.
 *
 * INVARIANTS (checked by ring_check(); each operation re-checks the ones
 * it relies on, because the header is shared with processes we do not
 * trust to stay correct):
 *   - magic, version, mode, flags, hdr_size have the values above;
 *   - data_size is a power of two, and hdr_size + data_size fits in the
 *     region;
 *   - capacity is a power of two and 1 <= capacity <= data_size;
 *   - 0 <= tail - head <= capacity.  head and tail are free-running 64-bit
 *     counters: they are only ever compared through their unsigned
 *     difference, so wrap-around (after 16 EiB) is harmless;
 *   - head changes only under c_lock, tail only under p_lock, capacity
 *     only under both (p_lock taken first);
 *   - record mode only: capacity >= RING_REC_MIN_CAPACITY, and head and
 *     tail are multiples of RING_REC_ALIGN (ring_record.h).
 *
 * RECORD MODE (ring_record.h).  The same header carries variable-size
 * records: `mode` says how data[] is framed, `flags` names the record
 * format, and head/tail keep counting bytes (record headers included), so
 * locks, futex words, capacity changes and ring_check() carry over.  The
 * mode is copied into struct ring at attach time, and byte-mode pushes
 * and pops refuse a record-mode ring (-EPROTO) rather than misread it.
 *
 * SHARED-MEMORY DISCIPLINE.  Everything in the region may be written at
 * any moment by a process we do not trust, including between two reads
 * inside one call.  So every shared value that decides where we read or
 * write (identity and geometry, capacity, head, tail, gone, a record
 * header) is
 *   1. read ONCE, with one explicit load (an atomic load for the _Atomic
 *      words, RING_LOAD_ONCE() in ring_int.h for the plain ones), never a
 *      plain read the compiler could repeat;
 *   2. validated as that private copy;
 *   3. used only as that copy afterwards -- never read again to be used.
 * ring_attach() copies identity and geometry once into a snapshot,
 * judges the snapshot (the checks of ring_check()) and fills struct ring
 * from it; each operation then reads the capacity and the counters it
 * needs once each and judges them against struct ring.  Record headers
 * are copied out into private memory before they are judged
 * (ring_record.h).  A second read is allowed only to decide whether to
 * retry (the snapshots of head/tail and of the capacity in ring_check()),
 * and such loops are bounded.  Fuzz and test builds put a hook before
 * each of these reads (ring_peer.h) so that a harness can rewrite the
 * header in the middle of a call; in every other build it costs nothing.
 *
 * ERRORS.  Functions return a non-negative result or a negative errno:
 * -EPROTO when the region is not a ring of this version and mode,
 * -EUCLEAN when the header is inconsistent (corrupted), -EAGAIN when a
 * non-blocking operation cannot proceed.  A corrupted header never leads
 * to an access outside the region.
 */
#ifndef IPCCONF_RING_H
#define IPCCONF_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RING_MAGIC 0x52435049u /* "IPCR" in memory on little-endian */
#define RING_VERSION 1u
#define RING_MODE_BYTES 1u
#define RING_MODE_RECORDS 2u   /* reserved for variable-size records */
#define RING_HDR_SIZE 256u
#define RING_DATA_MAX (UINT32_C(1) << 30) /* keeps every count in an int */

struct ring_hdr {
	/* Identity and geometry: written by ring_init(), then read-only. */
	_Atomic uint32_t magic; /* stored last by ring_init(), with release */
	uint16_t version;
	uint16_t mode;
	uint32_t flags;
	uint32_t hdr_size;
	uint32_t data_size;
	/* Changes only with both locks held (ring_set_capacity, ring_reset). */
	_Atomic uint32_t capacity;
	uint32_t reserved[10];

	/* Consumer side. */
	_Alignas(64) _Atomic uint64_t head;
	_Atomic uint32_t c_lock;
	_Atomic uint32_t room_seq;
	_Atomic uint32_t room_waiters;
	_Atomic uint32_t gone; /* record mode: see ring_record.h */
	_Atomic uint32_t c_mode;      /* ring_adaptive.h */
	_Atomic uint32_t c_mode_lock; /* ring_adaptive.h */
	_Atomic uint32_t c_mode_busy; /* ring_adaptive.h */

	/* Producer side. */
	_Alignas(64) _Atomic uint64_t tail;
	_Atomic uint32_t p_lock;
	_Atomic uint32_t data_seq;
	_Atomic uint32_t data_waiters;

	/* The adaptive ring's producer words, on a line of their own (ring_adaptive.h). */
	_Alignas(64) _Atomic uint32_t p_mode;
	_Atomic uint32_t p_mode_lock;
	_Atomic uint32_t p_mode_busy;
};

/*
 * A process's view of an attached ring.  Lives in process memory: the
 * fields copied here at attach time (from the snapshot ring_attach()
 * validated, never from a second read of the header) are trusted
 * afterwards, so a header corrupted later cannot move data[] or stretch it.
 */
struct ring {
	struct ring_hdr *hdr;
	unsigned char *data;
	uint32_t data_size;
	uint16_t mode; /* RING_MODE_*: decides which functions accept the ring */
};

/* Bytes of region a ring with data_size bytes of data needs. */
size_t ring_region_size(uint32_t data_size);

/*
 * Lays out an empty byte-mode ring in `len` bytes at `mem` (zero-filled
 * or not), with data_size bytes of data and the given capacity.  Nobody
 * may use the region concurrently.  -EINVAL when the sizes are not powers
 * of two, capacity > data_size, data_size > RING_DATA_MAX or the region is
 * too small.
 */
int ring_init(void *mem, size_t len, uint32_t data_size, uint32_t capacity);

/*
 * Checks every invariant above on the `len`-byte region at `mem`: 0,
 * -EPROTO or -EUCLEAN.  Safe while other processes operate on the ring
 * (it takes a consistent snapshot of head and tail); never writes.
 */
int ring_check(const void *mem, size_t len);

/*
 * Makes a ring whose state is inconsistent (ring_check() says -EUCLEAN)
 * usable again: discards the buffered bytes, frees both locks, clears the
 * waiter counts and brings a bad capacity back to data_size (in record
 * mode it also rounds a misaligned tail up to the next record start).
 * Only while no process operates on the ring (after every holder died, or
 * between the steps of a fuzz harness).  A region that is not a ring
 * (-EPROTO) stays refused.  A lock word that names a live, unrelated
 * thread is otherwise indistinguishable from a holder: this is the way out.
 */
int ring_recover(void *mem, size_t len);

/* ring_check(), then fills in `r` for the other functions (either mode). */
int ring_attach(struct ring *r, void *mem, size_t len);

/*
 * Non-blocking push of n bytes.  With all_or_nothing, either all n bytes
 * go in (n returned) or none (-EAGAIN); otherwise as many as fit, at
 * least 1, or -EAGAIN when full.  0 for n == 0.  -EPROTO on a record-mode
 * ring, as ring_try_pop(), ring_push() and ring_pop().
 */
ssize_t ring_try_push(struct ring *r, const void *buf, size_t n, int all_or_nothing);

/* Non-blocking pop of up to n bytes: the count, or -EAGAIN when empty. */
ssize_t ring_try_pop(struct ring *r, void *buf, size_t n);

/* Bytes buffered now, or -EUCLEAN. */
long ring_used(const struct ring *r);

/* The capacity now, or -EUCLEAN. */
long ring_capacity(const struct ring *r);

/*
 * Changes the capacity, keeping the buffered bytes (or records): 0,
 * -EINVAL (not a power of two in 1..data_size, or below
 * RING_REC_MIN_CAPACITY in record mode), -EBUSY (more bytes buffered
 * than capacity), -ENOMEM, -EUCLEAN.
 */
int ring_set_capacity(struct ring *r, uint32_t capacity);

/* Discards every buffered byte and sets the capacity (same errors). */
int ring_reset(struct ring *r, uint32_t capacity);

/*
 * Wakes every sleeper on both sides so that it re-checks its conditions:
 * for state kept outside the ring (a peer closed its end).
 */
void ring_wake(struct ring *r);

/*
 * The two futex words, for callers that wait on their own terms (poll).
 * Read the word, check the condition, then sync_waiter_wait()
 * (impl/sync/sync_waiter.h) on it with the matching waiters count: a
 * change after the read ends the sleep.
 */
_Atomic uint32_t *ring_data_seq(struct ring *r, _Atomic uint32_t **waiters);
_Atomic uint32_t *ring_room_seq(struct ring *r, _Atomic uint32_t **waiters);

/*
 * How a blocking push or pop behaves.  Zero-initialise, then set what is
 * needed.
 */
struct ring_block {
	int nonblock;       /* never sleep: -EAGAIN (or the partial count) */
	int timeout_ms;     /* bound on the time spent blocked, in ms; <= 0: none */
	size_t atomic_max;  /* pushes of 1..atomic_max bytes are all-or-nothing */
	/*
	 * Is the other side still there?  Asked before every attempt and
	 * after every wake (at least every SYNC_SLICE_MS).  NULL: always.
	 */
	int (*peer)(void *ctx);
	void *ctx;
	int peer_gone;      /* out: the call ended because peer() said 0 */
};

/*
 * Blocking push: returns n once all n bytes are in.  Ends early when the
 * consumer side is gone (-EPIPE, or the count pushed so far, with
 * b->peer_gone set), on a caught signal (-EINTR, or the count so far), on
 * timeout (-ETIMEDOUT, or the count so far), or when non-blocking
 * (-EAGAIN, or the count so far).  A push of at most b->atomic_max bytes
 * (and at most the capacity) never ends partially.
 */
ssize_t ring_push(struct ring *r, const void *buf, size_t n, struct ring_block *b);

/*
 * Blocking pop of up to n bytes: returns as soon as any byte is there.
 * Returns 0 when the ring is empty and peer() says the producer side is
 * gone (end of file; b->peer_gone set), -EINTR, -ETIMEDOUT or -EAGAIN.
 */
ssize_t ring_pop(struct ring *r, void *buf, size_t n, struct ring_block *b);

#endif /* IPCCONF_RING_H */
