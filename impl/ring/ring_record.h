/*
 * ring_record.h -- record mode of the shared-memory ring: variable-size
 * records with a 16-bit type, for message queues and datagram sockets.
 *
 * A record-mode ring has the header of ring.h (same locks, futex words,
 * head/tail byte counters, capacity changes, ring_check() and
 * ring_recover()) with mode = RING_MODE_RECORDS and flags =
 * RING_REC_FORMAT.  A record moves whole or not at all: a push either
 * stores all of it or nothing; a pop returns all of it, or (only when
 * asked, RING_REC_TRUNC) its first bytes and discards the rest.  Any
 * number of producers and consumers, threads or processes: producers are
 * serialized by p_lock, consumers by c_lock.
 *
 * RECORD LAYOUT (format 2).  data[] holds the records back to back from
 * head to tail (stream positions, as in byte mode: byte i is at
 * data[i & (capacity-1)]).  Every record starts at a multiple of
 * RING_REC_ALIGN and is
 *
 *   OFFSET  SIZE  FIELD     DESCRIPTION
 *        0     4  length    payload bytes, 0 .. capacity - RING_REC_HDR_SIZE
 *        4     2  kind      RING_REC_DATA, or RING_REC_GONE: taken out of
 *                           order, waiting for head to pass it
 *        6     2  tag       ring_record_tag(position of this header): a
 *                           header left over from an earlier lap, met where
 *                           this lap should have one (a peer moved tail
 *                           ahead, or head by a part of a lap), almost
 *                           always has the wrong tag
 *        8     2  type      the record's type or priority, any 16-bit value
 *                           (System V mtype, POSIX mq priority); 0 for
 *                           ring_record_try_push()
 *       10     6  (zero)    0; anything else is refused as corruption
 *       16     -  payload   `length` bytes, then 0..7 bytes of padding (any
 *                           value) up to the next multiple of RING_REC_ALIGN
 *
 * so a record occupies ring_record_size(length) = 16 + length rounded up
 * to 8 bytes of stream, and head and tail always move by such amounts.
 * Format 1 had an 8-byte header (length, kind, tag) and no type: a ring
 * made by that code is refused by ring_record_attach() and
 * ring_record_check() with -EPROTONOSUPPORT (any other format too), never
 * misread.
 *
 * WRAP-AROUND.  Records wrap: a record that reaches the end of the lap
 * continues at data[0] (no padding record, no wasted space), so the
 * largest record a ring holds is its whole capacity.  A header may wrap
 * too (16 bytes at a multiple of 8): it is always copied in and out
 * through the wrapping copies.  Its first 8 bytes (length, kind, tag)
 * never wrap, so the one in-place store, of kind, stays inside data[].
 *
 * SELECTING POPS.  ring_record_try_pop_sel() takes the first record that
 * a selector (struct ring_rec_sel) picks, not necessarily the oldest:
 *   RING_REC_ANY      the oldest record;
 *   RING_REC_EQ       the oldest of type `type` (System V msgtyp > 0);
 *   RING_REC_LE       the oldest of the lowest type that is <= `type`
 *                     (System V msgtyp < 0, with type = -msgtyp);
 *   RING_REC_NE       the oldest whose type is not `type` (MSG_EXCEPT);
 *   RING_REC_HIGHEST  the oldest of the highest type: priority order, FIFO
 *                     within a priority (POSIX mq_receive).
 * The other records keep their order.
 *
 * REPRESENTATION OF A POP FROM THE MIDDLE.  The record taken is marked
 * RING_REC_GONE in place (one 2-byte store, after its payload has been
 * copied out) and its size added to the header's `gone` counter; when
 * head later passes it (the record before it is taken), head skips it
 * with every hole that follows.  Moving the later (or earlier) records
 * to close the gap at pop time was rejected: it costs a copy of every
 * record behind the gap on every out-of-order pop, and a consumer killed
 * in the middle of the move would leave a torn ring, where today every
 * consumer critical section ends in one store (the kind, or head) and a
 * dead consumer's lock can be taken over safely (sync_lock.h).
 *
 * Holes still occupy stream bytes (ring_used() counts them), so they must
 * not keep a producer out for good: a push that does not fit, but would
 * fit without the holes, compacts the ring first.  Holding both locks
 * (p_lock then c_lock, the order of a capacity change) it copies the
 * buffered bytes out to private memory, judges every header there, and
 * writes the live records back in order so that they end at tail, then
 * moves head up and clears `gone`.  This is the one rare path that is
 * not survivable half-done: a producer killed inside it leaves a ring
 * that reports -EUCLEAN (ring_recover() discards), as a capacity change
 * does.  `gone` is only a hint for when compaction can help (a consumer
 * killed between its two stores leaves it low); a corrupted value costs
 * a useless compaction attempt or a push refused with -EAGAIN, never an
 * access outside the region.
 *
 * INVARIANTS, beyond those of ring.h (ring_check() checks the header ones
 * at any time; ring_record_check() also walks the records, when nobody
 * operates on the ring):
 *   - capacity >= RING_REC_MIN_CAPACITY; head and tail are multiples of
 *     RING_REC_ALIGN;
 *   - from head, the records' sizes add up exactly to tail - head;
 *   - each record's kind is RING_REC_DATA or RING_REC_GONE, its tag
 *     matches its position and its zero bytes are zero.
 *
 * A CORRUPTED RING.  The header and data[] are shared with processes that
 * may be buggy or hostile (ring.h, SHARED-MEMORY DISCIPLINE).  A consumer
 * (and a compacting producer, and ring_record_check()) reads each record
 * header once, copying all 16 bytes into private memory, and checks that
 * copy against the ring's bounds before it believes it: length <=
 * capacity - 16, the record's size <= what is left up to tail, kind, tag,
 * zero bytes.  Only the copy is used afterwards: the payload copy takes
 * its length from it, never from data[] again; a compaction judges and
 * rewrites from one private copy of every buffered byte; the capacity,
 * head, tail and `gone` words are read once per call each.
 * Anything else is -EUCLEAN, with head left where it was (ring_recover()
 * discards everything); nothing is read or written outside data[],
 * whatever the shared bytes say.  A walk moves at least 16 bytes towards
 * tail per record, so it ends after capacity / 16 steps at most.
 *
 * ERRORS, as in ring.h: -EPROTO when the ring is not in record mode,
 * -EUCLEAN when it is corrupted, -EAGAIN when a non-blocking call cannot
 * proceed (for a selecting pop: no record matches), plus -EMSGSIZE: a
 * record larger than the capacity allows (push), and -E2BIG: a buffer too
 * small for the selected record without RING_REC_TRUNC (the record stays
 * where it is; ring_record_try_pop() and ring_record_pop(), the pops of
 * format 1, report that as -EMSGSIZE).  -ENOMEM: a push that needed a
 * compaction could not get the memory for it.  -EINVAL: an unknown
 * selector.
 */
#ifndef IPCCONF_RING_RECORD_H
#define IPCCONF_RING_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ring/ring.h"

#define RING_REC_FORMAT 2u       /* header flags in record mode: this layout */
#define RING_REC_HDR_SIZE 16u
#define RING_REC_ALIGN 8u        /* records start at multiples of this */
#define RING_REC_MIN_CAPACITY 16u /* one header: the smallest record-mode capacity */
#define RING_REC_DATA 0x5244u    /* kind of a record waiting to be popped ("DR") */
#define RING_REC_GONE 0x4752u    /* kind of a record popped out of order ("RG") */

/* The record header as it lies in data[] (native-endian). */
struct ring_rec_hdr {
	uint32_t length;
	uint16_t kind;
	uint16_t tag;
	uint16_t type;
	uint16_t zero16;
	uint32_t zero32;
};

/* Bytes of stream a record of `length` payload bytes occupies. */
static inline uint64_t ring_record_size(uint64_t length)
{
	return RING_REC_HDR_SIZE + ((length + RING_REC_ALIGN - 1) & ~(uint64_t)(RING_REC_ALIGN - 1));
}

/* The tag of a record header at stream position pos: its bits folded to 16. */
static inline uint16_t ring_record_tag(uint64_t pos)
{
	uint64_t x = pos / RING_REC_ALIGN;

	return (uint16_t)(x ^ x >> 16 ^ x >> 32 ^ x >> 48);
}

/* Which record a selecting pop takes (see SELECTING POPS above). */
enum ring_rec_match {
	RING_REC_ANY,
	RING_REC_EQ,
	RING_REC_LE,
	RING_REC_NE,
	RING_REC_HIGHEST,
};

/* A record longer than the buffer: copy its first bytes and remove it (MSG_NOERROR, MSG_TRUNC). */
#define RING_REC_TRUNC 1u

struct ring_rec_sel {
	enum ring_rec_match match;
	uint16_t type;   /* the operand of EQ, LE and NE */
	unsigned flags;  /* RING_REC_TRUNC */
};

/*
 * Lays out an empty record-mode ring, as ring_init() does a byte ring;
 * -EINVAL also for a capacity below RING_REC_MIN_CAPACITY.
 */
int ring_record_init(void *mem, size_t len, uint32_t data_size, uint32_t capacity);

/*
 * ring_attach(), and -EPROTO unless the ring is in record mode;
 * -EPROTONOSUPPORT for a record-mode ring of another format.
 */
int ring_record_attach(struct ring *r, void *mem, size_t len);

/*
 * ring_check(), then walks every buffered record and checks the
 * invariants above: 0, -EPROTO, -EPROTONOSUPPORT or -EUCLEAN.  Only while
 * nobody operates on the ring (a test, a fuzz harness between steps, a
 * recovery); never writes.
 */
int ring_record_check(const void *mem, size_t len);

/*
 * Non-blocking push of one record of n payload bytes and the given type:
 * n, -EAGAIN when there is not room for all of it now (after compacting,
 * if that would help), -EMSGSIZE when it exceeds what the current
 * capacity can ever hold (capacity - RING_REC_HDR_SIZE), -ENOMEM.
 */
ssize_t ring_record_try_push_type(struct ring *r, const void *buf, size_t n, uint16_t type);

/* ring_record_try_push_type() with type 0. */
ssize_t ring_record_try_push(struct ring *r, const void *buf, size_t n);

/*
 * Non-blocking selecting pop into buf (n bytes): the record's full
 * length, with its type in *type (when type is not NULL).  -EAGAIN when
 * no record matches, -E2BIG when the record is longer than n and
 * sel->flags lacks RING_REC_TRUNC (it stays where it is).  With
 * RING_REC_TRUNC the first n bytes are copied, the record is removed, and
 * the full length is still returned (the caller copies min(n, result)).
 */
ssize_t ring_record_try_pop_sel(struct ring *r, void *buf, size_t n,
				const struct ring_rec_sel *sel, uint16_t *type);

/*
 * The oldest record, whole: its length, -EAGAIN when there is none,
 * -EMSGSIZE when it is longer than n (it stays first in the ring).
 */
ssize_t ring_record_try_pop(struct ring *r, void *buf, size_t n);

/*
 * The length (and type) of the record sel would pick, without taking it;
 * -EAGAIN when none matches.  sel->flags is not used.
 */
ssize_t ring_record_peek_sel(struct ring *r, const struct ring_rec_sel *sel, uint16_t *type);

/* The length of the oldest record, without taking it; -EAGAIN when empty. */
ssize_t ring_record_peek(struct ring *r);

/*
 * Blocking push of one record: n once it is in.  Otherwise, having pushed
 * nothing: -EMSGSIZE, -ENOMEM, -EPIPE when peer() says the consumers are
 * gone (b->peer_gone set), -EINTR on a caught signal without SA_RESTART
 * (with SA_RESTART it goes on waiting), -ETIMEDOUT, -EAGAIN when
 * b->nonblock.  b->atomic_max is not used: every record is atomic.
 */
ssize_t ring_record_push_type(struct ring *r, const void *buf, size_t n, uint16_t type,
			      struct ring_block *b);

/* ring_record_push_type() with type 0. */
ssize_t ring_record_push(struct ring *r, const void *buf, size_t n, struct ring_block *b);

/*
 * Blocking selecting pop: as ring_record_try_pop_sel(), but it waits
 * while no record matches; records that arrive and do not match wake it
 * only to look.  0 with b->peer_gone set is end of file: no record
 * matches and peer() says the producers are gone (otherwise 0 is a
 * zero-length record).  Otherwise -E2BIG, -EINTR, -ETIMEDOUT, -EAGAIN,
 * as for the push.
 */
ssize_t ring_record_pop_sel(struct ring *r, void *buf, size_t n, const struct ring_rec_sel *sel,
			    uint16_t *type, struct ring_block *b);

/* Blocking pop of the oldest record, whole (-EMSGSIZE when longer than n). */
ssize_t ring_record_pop(struct ring *r, void *buf, size_t n, struct ring_block *b);

#endif /* IPCCONF_RING_RECORD_H */
