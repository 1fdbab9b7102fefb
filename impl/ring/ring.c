/*
 * The byte ring: layout, validation, and the non-blocking operations.
 * Blocking push and pop are in ring_block.c; record mode, which shares the
 * layout and validation, in ring_record.c.
 */
#define _GNU_SOURCE
#include "impl/ring/ring.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "impl/ring/ring_int.h"
#include "impl/ring/ring_record.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_lock.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "head/tail must be lock-free to be shared");
_Static_assert(sizeof(struct ring_hdr) <= RING_HDR_SIZE, "header outgrew RING_HDR_SIZE");
_Static_assert(offsetof(struct ring_hdr, capacity) == 20, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, head) == 64, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, room_waiters) == 80, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, gone) == 84, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, tail) == 128, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, data_waiters) == 144, "layout is documented in ring.h");

static bool is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

size_t ring_region_size(uint32_t data_size)
{
	return (size_t)RING_HDR_SIZE + data_size;
}

/* The smallest capacity a mode allows: a record header must fit in one lap. */
static uint32_t min_capacity(uint16_t mode)
{
	return mode == RING_MODE_RECORDS ? RING_REC_MIN_CAPACITY : 1;
}

int ring_init_mode(void *mem, size_t len, uint32_t data_size, uint32_t capacity, uint16_t mode,
		   uint32_t flags)
{
	struct ring_hdr *h = mem;

	if (!is_pow2(data_size) || data_size > RING_DATA_MAX || !is_pow2(capacity) ||
	    capacity > data_size || capacity < min_capacity(mode) ||
	    len < ring_region_size(data_size))
		return -EINVAL;
	memset(h, 0, RING_HDR_SIZE);
	h->version = RING_VERSION;
	h->mode = mode;
	h->flags = flags;
	h->hdr_size = RING_HDR_SIZE;
	h->data_size = data_size;
	atomic_init(&h->capacity, capacity);
	atomic_init(&h->head, 0);
	atomic_init(&h->tail, 0);
	/*
	 * The magic goes last, with release: a process that finds it (with
	 * acquire) in a region being initialised sees a complete header.
	 */
	atomic_store_explicit(&h->magic, RING_MAGIC, memory_order_release);
	return 0;
}

int ring_init(void *mem, size_t len, uint32_t data_size, uint32_t capacity)
{
	return ring_init_mode(mem, len, data_size, capacity, RING_MODE_BYTES, 0);
}

/*
 * Bounds the retries of the two snapshots below: a peer that keeps
 * moving a word between our reads must not keep us here forever.
 */
#define SNAPSHOT_TRIES 1000

/*
 * head and tail are two words: read head, tail, head again, and accept
 * only when head did not move, so that tail - head is a difference that
 * existed at one moment (tail only grows, so tail >= head then).  A busy
 * consumer moves head once per memcpy, so this settles at once; after
 * many retries the last pair is returned and may look inconsistent.  The
 * second read of head only decides whether to retry: the values returned
 * are the first pair, read once each.
 */
static uint64_t used_snapshot(const struct ring_hdr *h, uint64_t *head_out)
{
	struct ring_hdr *m = (struct ring_hdr *)h;
	uint64_t head = 0, tail = 0;

	for (int i = 0; i < SNAPSHOT_TRIES; i++) {
		RING_PEER(RING_PEER_COUNTERS, m);
		head = atomic_load_explicit(&m->head, memory_order_acquire);
		RING_PEER(RING_PEER_COUNTERS, m);
		tail = atomic_load_explicit(&m->tail, memory_order_acquire);
		RING_PEER(RING_PEER_COUNTERS, m);
		if (atomic_load_explicit(&m->head, memory_order_acquire) == head)
			break;
	}
	*head_out = head;
	return tail - head;
}

/* A mode this code knows, with the flags word that goes with it. */
static bool known_mode(uint16_t mode, uint32_t flags)
{
	return (mode == RING_MODE_BYTES && flags == 0) ||
	       (mode == RING_MODE_RECORDS && flags == RING_REC_FORMAT);
}

/*
 * Copies the identity and geometry out of the shared header, one load per
 * field, into s: everything after this judges and uses s alone.
 */
static void read_identity(struct ring_hdr *m, struct ring_snap *s)
{
	RING_PEER(RING_PEER_ATTACH_HEADER, m);
	/* acquire: pairs with ring_init_mode()'s release; the fields below are complete. */
	s->magic = atomic_load_explicit(&m->magic, memory_order_acquire);
	RING_PEER(RING_PEER_ATTACH_HEADER, m);
	s->version = RING_LOAD_ONCE(m->version);
	RING_PEER(RING_PEER_ATTACH_HEADER, m);
	s->mode = RING_LOAD_ONCE(m->mode);
	RING_PEER(RING_PEER_ATTACH_HEADER, m);
	s->flags = RING_LOAD_ONCE(m->flags);
	RING_PEER(RING_PEER_ATTACH_HEADER, m);
	s->hdr_size = RING_LOAD_ONCE(m->hdr_size);
	RING_PEER(RING_PEER_ATTACH_HEADER, m);
	s->data_size = RING_LOAD_ONCE(m->data_size);
	s->have_identity = 1;
}

/* Is the snapshot's identity and geometry a ring this code can use in len bytes? */
static int judge_identity(const struct ring_snap *s, size_t len)
{
	if (s->magic != RING_MAGIC || s->version != RING_VERSION || !known_mode(s->mode, s->flags) ||
	    s->hdr_size != RING_HDR_SIZE)
		return -EPROTO;
	if (!is_pow2(s->data_size) || s->data_size > RING_DATA_MAX ||
	    s->data_size < min_capacity(s->mode) || len < ring_region_size(s->data_size))
		return -EPROTO;
	return 0;
}

int ring_check_snap(const void *mem, size_t len, struct ring_snap *s)
{
	struct ring_hdr *m = (struct ring_hdr *)mem;
	uint32_t cap_again;
	int err, i;

	memset(s, 0, sizeof *s);
	if (mem == NULL || len < RING_HDR_SIZE)
		return -EPROTO;
	read_identity(m, s);
	err = judge_identity(s, len);
	if (err < 0)
		return err;
	/* A capacity change between the reads would pair a size with the wrong counts. */
	for (i = 0; i < SNAPSHOT_TRIES; i++) {
		RING_PEER(RING_PEER_CAPACITY, m);
		s->cap = atomic_load_explicit(&m->capacity, memory_order_acquire);
		s->used = used_snapshot(m, &s->head);
		RING_PEER(RING_PEER_CAPACITY, m);
		cap_again = atomic_load_explicit(&m->capacity, memory_order_acquire);
		if (cap_again == s->cap)
			break;
	}
	/* Legitimate capacity changes are rare: one that never settles is a peer at work. */
	if (i == SNAPSHOT_TRIES)
		return -EUCLEAN;
	s->have_state = 1;
	if (!is_pow2(s->cap) || s->cap > s->data_size || s->cap < min_capacity(s->mode) ||
	    s->used > s->cap)
		return -EUCLEAN;
	/* Records start at multiples of the alignment, and head and tail at records. */
	if (s->mode == RING_MODE_RECORDS && ((s->head | s->used) & (RING_REC_ALIGN - 1)) != 0)
		return -EUCLEAN;
	return 0;
}

int ring_check(const void *mem, size_t len)
{
	struct ring_snap s;

	return ring_check_snap(mem, len, &s);
}

int ring_recover(void *mem, size_t len)
{
	struct ring_hdr *h = mem;
	struct ring_snap s;
	uint32_t cap;
	uint64_t tail;
	int err = ring_check_snap(mem, len, &s);

	if (err == -EPROTO)
		return err;
	/*
	 * The identity in s was judged sound; repairs go by it, never by a
	 * second read.  Nobody else is here (the caller's promise): plain
	 * relaxed stores do, and the ring_check() at the end has the last word.
	 */
	cap = atomic_load_explicit(&h->capacity, memory_order_relaxed);
	if (!is_pow2(cap) || cap > s.data_size || cap < min_capacity(s.mode))
		atomic_store_explicit(&h->capacity, s.data_size, memory_order_relaxed);
	tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
	/* The next record must start aligned: round a bad tail up, never down onto old data. */
	if (s.mode == RING_MODE_RECORDS)
		tail = (tail + RING_REC_ALIGN - 1) & ~(uint64_t)(RING_REC_ALIGN - 1);
	atomic_store_explicit(&h->tail, tail, memory_order_relaxed);
	atomic_store_explicit(&h->head, tail, memory_order_relaxed);
	atomic_store_explicit(&h->c_lock, 0, memory_order_relaxed);
	atomic_store_explicit(&h->p_lock, 0, memory_order_relaxed);
	atomic_store_explicit(&h->room_waiters, 0, memory_order_relaxed);
	atomic_store_explicit(&h->data_waiters, 0, memory_order_relaxed);
	atomic_store_explicit(&h->gone, 0, memory_order_relaxed);
	/* release: a process attaching afterwards (acquire in ring_check) sees it all. */
	atomic_thread_fence(memory_order_release);
	return ring_check(mem, len);
}

/*
 * struct ring is filled from the snapshot ring_check_snap() judged, never
 * from the header again: a peer that rewrites data_size or mode after the
 * check cannot get a geometry accepted that was never checked.
 */
int ring_attach_snap(struct ring *r, void *mem, size_t len, struct ring_snap *s)
{
	int err = ring_check_snap(mem, len, s);

	if (err < 0)
		return err;
	r->hdr = mem;
	r->data = (unsigned char *)mem + RING_HDR_SIZE;
	r->data_size = s->data_size;
	r->mode = s->mode;
	return 0;
}

int ring_attach(struct ring *r, void *mem, size_t len)
{
	struct ring_snap s;

	return ring_attach_snap(r, mem, len, &s);
}

/*
 * The capacity as the data area allows it: anything else means the header
 * was overwritten, and using it as a mask could reach outside data[] (or,
 * in record mode, split a record header at the wrap point).
 */
long ring_checked_capacity(const struct ring *r)
{
	uint32_t cap;

	RING_PEER(RING_PEER_CAPACITY, r->hdr);
	cap = atomic_load_explicit(&r->hdr->capacity, memory_order_relaxed);

	if (!is_pow2(cap) || cap > r->data_size || cap < min_capacity(r->mode))
		return -EUCLEAN;
	return cap;
}

long ring_capacity(const struct ring *r)
{
	return ring_checked_capacity(r);
}

long ring_used(const struct ring *r)
{
	long cap = ring_checked_capacity(r);
	uint64_t used, head;

	if (cap < 0)
		return cap;
	used = used_snapshot(r->hdr, &head);
	if (used > (uint64_t)cap) {
		/* Perhaps a capacity change in between; judge against the new one. */
		cap = ring_checked_capacity(r);
		if (cap < 0 || used > (uint64_t)cap)
			return -EUCLEAN;
	}
	return (long)used;
}

/* Copies n <= cap bytes into the ring at stream position pos, wrapping. */
void ring_copy_in(const struct ring *r, uint32_t cap, uint64_t pos, const void *src, size_t n)
{
	size_t off = pos & (cap - 1);
	size_t first = cap - off < n ? cap - off : n;

	memcpy(r->data + off, src, first);
	if (first < n)
		RING_PEER(RING_PEER_DATA, r->hdr);
	memcpy(r->data, (const unsigned char *)src + first, n - first);
}

void ring_copy_out(const struct ring *r, uint32_t cap, uint64_t pos, void *dst, size_t n)
{
	size_t off = pos & (cap - 1);
	size_t first = cap - off < n ? cap - off : n;

	memcpy(dst, r->data + off, first);
	if (first < n)
		RING_PEER(RING_PEER_DATA, r->hdr);
	memcpy((unsigned char *)dst + first, r->data, n - first);
}

/*
 * Bumps a futex word after a change its sleepers wait for.  seq_cst pairs
 * with sync_waiter_wait(): see the comment there.  The syscall is skipped
 * when nobody announced a sleep.
 */
void ring_announce(_Atomic uint32_t *seq, _Atomic uint32_t *waiters)
{
	atomic_fetch_add_explicit(seq, 1, memory_order_seq_cst);
	if (atomic_load_explicit(waiters, memory_order_seq_cst) != 0)
		sync_futex_wake(seq, INT_MAX);
}

ssize_t ring_try_push_whole(struct ring *r, const void *buf, size_t n, int all_or_nothing,
			    size_t whole_max)
{
	struct ring_hdr *h = r->hdr;
	uint64_t head, tail, used;
	size_t room, k;
	long cap;

	if (r->mode != RING_MODE_BYTES)
		return -EPROTO;
	if (n == 0)
		return 0;
	sync_lock(&h->p_lock);
	cap = ring_checked_capacity(r);
	if (cap < 0) {
		sync_unlock(&h->p_lock);
		return cap;
	}
	if (n <= whole_max && n <= (size_t)cap)
		all_or_nothing = 1;
	/* Only we move tail (we hold p_lock): relaxed is enough. */
	RING_PEER(RING_PEER_COUNTERS, h);
	tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
	/*
	 * acquire: the consumer's release store of head is its licence for us
	 * to overwrite the bytes it has consumed, so its reads of them must be
	 * complete before our memcpy below.
	 */
	RING_PEER(RING_PEER_COUNTERS, h);
	head = atomic_load_explicit(&h->head, memory_order_acquire);
	used = tail - head;
	if (used > (uint64_t)cap) {
		sync_unlock(&h->p_lock);
		return -EUCLEAN;
	}
	room = (size_t)((uint64_t)cap - used);
	if (room == 0 || (all_or_nothing && room < n)) {
		sync_unlock(&h->p_lock);
		return -EAGAIN;
	}
	k = n < room ? n : room;
	ring_copy_in(r, (uint32_t)cap, tail, buf, k);
	/* release: the bytes copied above are visible to whoever sees the new tail. */
	atomic_store_explicit(&h->tail, tail + k, memory_order_release);
	sync_unlock(&h->p_lock);
	ring_announce(&h->data_seq, &h->data_waiters);
	return (ssize_t)k;
}

ssize_t ring_try_push(struct ring *r, const void *buf, size_t n, int all_or_nothing)
{
	return ring_try_push_whole(r, buf, n, all_or_nothing, 0);
}

ssize_t ring_try_pop(struct ring *r, void *buf, size_t n)
{
	struct ring_hdr *h = r->hdr;
	uint64_t head, tail, used;
	size_t k;
	long cap;

	if (r->mode != RING_MODE_BYTES)
		return -EPROTO;
	if (n == 0)
		return 0;
	sync_lock(&h->c_lock);
	cap = ring_checked_capacity(r);
	if (cap < 0) {
		sync_unlock(&h->c_lock);
		return cap;
	}
	RING_PEER(RING_PEER_COUNTERS, h);
	head = atomic_load_explicit(&h->head, memory_order_relaxed);
	/* acquire: pairs with the producer's release of tail; the bytes below it are written. */
	RING_PEER(RING_PEER_COUNTERS, h);
	tail = atomic_load_explicit(&h->tail, memory_order_acquire);
	used = tail - head;
	if (used > (uint64_t)cap) {
		sync_unlock(&h->c_lock);
		return -EUCLEAN;
	}
	if (used == 0) {
		sync_unlock(&h->c_lock);
		return -EAGAIN;
	}
	k = n < used ? n : (size_t)used;
	ring_copy_out(r, (uint32_t)cap, head, buf, k);
	/* release: our reads of those bytes finish before a producer may reuse them. */
	atomic_store_explicit(&h->head, head + k, memory_order_release);
	sync_unlock(&h->c_lock);
	ring_announce(&h->room_seq, &h->room_waiters);
	return (ssize_t)k;
}

/*
 * Moves the buffered bytes from their places under the old capacity to
 * their places under the new one (byte i lives at i & (capacity - 1)).
 * Through a copy, since the two ranges may overlap.  Called with both
 * locks held.
 */
static int relocate(struct ring *r, uint32_t old_cap, uint32_t new_cap, uint64_t head,
		    size_t used)
{
	unsigned char *tmp;

	if (used == 0 || old_cap == new_cap)
		return 0;
	tmp = malloc(used);
	if (tmp == NULL)
		return -ENOMEM;
	ring_copy_out(r, old_cap, head, tmp, used);
	ring_copy_in(r, new_cap, head, tmp, used);
	free(tmp);
	return 0;
}

/*
 * Both locks, producer first (the one fixed order), so that neither head
 * nor tail nor the capacity can move underneath.
 */
static int resize(struct ring *r, uint32_t capacity, int discard)
{
	struct ring_hdr *h = r->hdr;
	uint64_t head, tail, used;
	long cap;
	int err = 0;

	if (!is_pow2(capacity) || capacity > r->data_size || capacity < min_capacity(r->mode))
		return -EINVAL;
	sync_lock(&h->p_lock);
	sync_lock(&h->c_lock);
	cap = ring_checked_capacity(r);
	RING_PEER(RING_PEER_COUNTERS, h);
	head = atomic_load_explicit(&h->head, memory_order_relaxed);
	RING_PEER(RING_PEER_COUNTERS, h);
	tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
	used = tail - head;
	if (cap < 0 || used > (uint64_t)cap)
		err = -EUCLEAN;
	else if (discard) {
		/* Records taken out of order go with the rest. */
		atomic_store_explicit(&h->gone, 0, memory_order_relaxed);
		atomic_store_explicit(&h->head, tail, memory_order_release);
	}
	else if (used > capacity)
		err = -EBUSY;
	else
		err = relocate(r, (uint32_t)cap, capacity, head, (size_t)used);
	if (err == 0)
		atomic_store_explicit(&h->capacity, capacity, memory_order_release);
	sync_unlock(&h->c_lock);
	sync_unlock(&h->p_lock);
	if (err == 0)
		ring_wake(r);
	return err;
}

int ring_set_capacity(struct ring *r, uint32_t capacity)
{
	return resize(r, capacity, 0);
}

int ring_reset(struct ring *r, uint32_t capacity)
{
	return resize(r, capacity, 1);
}

void ring_wake(struct ring *r)
{
	struct ring_hdr *h = r->hdr;

	/* Unconditional wakes: this is the rare path, and it must not be missed. */
	atomic_fetch_add_explicit(&h->data_seq, 1, memory_order_seq_cst);
	atomic_fetch_add_explicit(&h->room_seq, 1, memory_order_seq_cst);
	sync_futex_wake(&h->data_seq, INT_MAX);
	sync_futex_wake(&h->room_seq, INT_MAX);
}

_Atomic uint32_t *ring_data_seq(struct ring *r, _Atomic uint32_t **waiters)
{
	*waiters = &r->hdr->data_waiters;
	return &r->hdr->data_seq;
}

_Atomic uint32_t *ring_room_seq(struct ring *r, _Atomic uint32_t **waiters)
{
	*waiters = &r->hdr->room_waiters;
	return &r->hdr->room_seq;
}
