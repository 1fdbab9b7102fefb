/*
 * ring_record.h -- record mode of the shared-memory ring: variable-size
 * records, for message queues and datagram sockets.
 *
 * A record-mode ring has the header of ring.h (same locks, futex words,
 * head/tail byte counters, capacity changes, ring_check() and
 * ring_recover()) with mode = RING_MODE_RECORDS and flags =
 * RING_REC_FORMAT.  A record moves whole or not at all: a push either
 * stores all of it or nothing, a pop either returns all of it or leaves it
 * where it is.  Any number of producers and consumers, threads or
 * processes: producers are serialized by p_lock, consumers by c_lock.
 *
 * RECORD LAYOUT.  data[] holds the records back to back from head to tail
 * (stream positions, as in byte mode: byte i is at data[i & (capacity-1)]).
 * Every record starts at a multiple of RING_REC_ALIGN and is
 *
 *   OFFSET  SIZE  FIELD     DESCRIPTION
 *        0     4  length    payload bytes, 0 .. capacity - RING_REC_HDR_SIZE
 *        4     2  kind      RING_REC_DATA; no other kind exists yet
 *        6     2  tag       ring_record_tag(position of this header): a
 *                           header left over from an earlier lap, met where
 *                           this lap should have one (a peer moved tail
 *                           ahead, or head by a part of a lap), almost
 *                           always has the wrong tag
 *        8     -  payload   `length` bytes, then 0..7 bytes of padding (any
 *                           value) up to the next multiple of RING_REC_ALIGN
 *
 * so a record occupies ring_record_size(length) = 8 + length rounded up to
 * 8 bytes of stream, and head and tail always move by such amounts.
 *
 * WRAP-AROUND.  Records wrap: a payload that reaches the end of the lap
 * continues at data[0] (no padding record, no wasted space), so the
 * largest record a ring holds is its whole capacity.  A header never
 * wraps: it is 8 bytes at a multiple of 8, and the capacity is a power of
 * two of at least 8.
 *
 * INVARIANTS, beyond those of ring.h (ring_check() checks the header ones
 * at any time; ring_record_check() also walks the records, when nobody
 * operates on the ring):
 *   - capacity >= RING_REC_ALIGN; head and tail are multiples of it;
 *   - from head, the records' sizes add up exactly to tail - head;
 *   - each record's kind is RING_REC_DATA and its tag matches its position.
 *
 * A CORRUPTED RING.  The header and data[] are shared with processes that
 * may be buggy or hostile.  A consumer reads each record header once, into
 * private memory, and checks it against the ring's bounds before it
 * believes it: length <= capacity - 8, the record's size <= tail - head,
 * kind and tag.  Anything else is -EUCLEAN, with head left where it was
 * (ring_recover() discards everything); nothing is read or written outside
 * data[], whatever the shared bytes say.
 *
 * ERRORS, as in ring.h: -EPROTO when the ring is not in record mode,
 * -EUCLEAN when it is corrupted, -EAGAIN when a non-blocking call cannot
 * proceed, plus -EMSGSIZE: a record larger than the capacity allows
 * (push), or a buffer too small for the next record (pop; the record
 * stays, ring_record_peek() tells its length).
 */
#ifndef IPCCONF_RING_RECORD_H
#define IPCCONF_RING_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ring/ring.h"

#define RING_REC_FORMAT 1u      /* header flags in record mode: this layout */
#define RING_REC_HDR_SIZE 8u
#define RING_REC_ALIGN 8u       /* records start at multiples of this */
#define RING_REC_DATA 0x5244u   /* kind of a data record ("DR") */

/* The record header as it lies in data[] (native-endian). */
struct ring_rec_hdr {
	uint32_t length;
	uint16_t kind;
	uint16_t tag;
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

/*
 * Lays out an empty record-mode ring, as ring_init() does a byte ring;
 * -EINVAL also for a capacity below RING_REC_ALIGN.
 */
int ring_record_init(void *mem, size_t len, uint32_t data_size, uint32_t capacity);

/* ring_attach(), and -EPROTO unless the ring is in record mode. */
int ring_record_attach(struct ring *r, void *mem, size_t len);

/*
 * ring_check(), then walks every buffered record and checks the
 * invariants above: 0, -EPROTO or -EUCLEAN.  Only while nobody operates
 * on the ring (a test, a fuzz harness between steps, a recovery); never
 * writes.
 */
int ring_record_check(const void *mem, size_t len);

/*
 * Non-blocking push of one record of n payload bytes: n, -EAGAIN when
 * there is not room for all of it now, -EMSGSIZE when it exceeds what the
 * current capacity can ever hold (capacity - RING_REC_HDR_SIZE).
 */
ssize_t ring_record_try_push(struct ring *r, const void *buf, size_t n);

/*
 * Non-blocking pop of the oldest record into buf (n bytes): its length,
 * -EAGAIN when there is none, -EMSGSIZE when it is longer than n (it
 * stays first in the ring).
 */
ssize_t ring_record_try_pop(struct ring *r, void *buf, size_t n);

/* The length of the oldest record, without taking it; -EAGAIN when empty. */
ssize_t ring_record_peek(struct ring *r);

/*
 * Blocking push of one record: n once it is in.  Otherwise, having pushed
 * nothing: -EMSGSIZE, -EPIPE when peer() says the consumers are gone
 * (b->peer_gone set), -EINTR on a caught signal without SA_RESTART (with
 * SA_RESTART it goes on waiting), -ETIMEDOUT, -EAGAIN when b->nonblock.
 * b->atomic_max is not used: every record is atomic.
 */
ssize_t ring_record_push(struct ring *r, const void *buf, size_t n, struct ring_block *b);

/*
 * Blocking pop of one record: its length.  0 is a zero-length record, or
 * end of file when b->peer_gone is set (the ring is empty and peer() says
 * the producers are gone).  Otherwise -EMSGSIZE, -EINTR, -ETIMEDOUT or
 * -EAGAIN, as above.
 */
ssize_t ring_record_pop(struct ring *r, void *buf, size_t n, struct ring_block *b);

#endif /* IPCCONF_RING_RECORD_H */
