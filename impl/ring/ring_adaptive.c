/*
 * The adaptive byte ring (ring_adaptive.h): the mode words, claims, the
 * attempt that picks the SPSC or the locked path under the side lock, and
 * the spin-then-sleep waits both modes share.
 */
#define _GNU_SOURCE
#include "impl/ring/ring_adaptive.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>

#include "impl/ring/ring_int.h"
#include "impl/sync/sync_alive.h"
#include "impl/sync/sync_barrier.h"
#include "impl/sync/sync_futex.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_spin.h"
#include "impl/sync/sync_tid.h"
#include "impl/sync/sync_waiter.h"

_Static_assert(offsetof(struct ring_hdr, c_mode) == 88, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, c_mode_lock) == 92, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, c_mode_busy) == 96, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, p_mode) == 192, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, p_mode_lock) == 196, "layout is documented in ring.h");
_Static_assert(offsetof(struct ring_hdr, p_mode_busy) == 200, "layout is documented in ring.h");

#define MODE_EXCLUSIVE 0x80000000u
#define MODE_GEN_MASK 0x7fffffffu

/* Advanced in every fork child: claims made before the fork are the parent's (FORK). */
static _Atomic uint32_t fork_gen = 1;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/*
 * The calling thread's id, cached here too: sync_self_tid() is a call into
 * another file, and the fast path asks twice per call.
 */
static __thread uint32_t self_tid;

static inline uint32_t my_tid(void)
{
	if (self_tid == 0)
		self_tid = (uint32_t)sync_self_tid();
	return self_tid;
}

/* Runs in the fork child, on the one thread it has: new claims, a new id. */
static void child_after_fork(void)
{
	atomic_fetch_add_explicit(&fork_gen, 1, memory_order_relaxed);
	self_tid = 0;
}

static void register_fork_handler(void)
{
	pthread_atfork(NULL, NULL, child_after_fork);
}

static bool side_ok(enum ring_spsc_side side)
{
	return side == RING_SPSC_PRODUCER || side == RING_SPSC_CONSUMER;
}

/* The shared words and the view's claim of one side. */
struct side_ref {
	_Atomic uint32_t *mode, *lock, *busy;
	struct ring_adaptive_side *s;
};

static inline struct side_ref side_ref(struct ring_adaptive *a, enum ring_spsc_side side)
{
	struct ring_hdr *h = a->r.hdr;

	if (side == RING_SPSC_PRODUCER)
		return (struct side_ref){ &h->p_mode, &h->p_mode_lock, &h->p_mode_busy, &a->side[0] };
	return (struct side_ref){ &h->c_mode, &h->c_mode_lock, &h->c_mode_busy, &a->side[1] };
}

/* The word that follows w: the next generation, in the mode asked for. */
static uint32_t next_word(uint32_t w, bool exclusive)
{
	uint32_t gen = (w + 1) & MODE_GEN_MASK;

	return exclusive ? gen | MODE_EXCLUSIVE : gen;
}

/* The word of the view's claim if the calling thread made it, in this process; 0 otherwise. */
static inline uint32_t my_claim(const struct ring_adaptive_side *s)
{
	uint64_t c = atomic_load_explicit(&s->claim, memory_order_relaxed);

	if (c == 0 || (uint32_t)(c >> 32) != my_tid() ||
	    atomic_load_explicit(&s->fork_gen, memory_order_relaxed) !=
		    atomic_load_explicit(&fork_gen, memory_order_relaxed))
		return 0;
	return (uint32_t)c;
}

static void forget_claim(struct ring_adaptive_side *s)
{
	atomic_store_explicit(&s->claim, 0, memory_order_relaxed);
}

/*
 * The owner's way in (NO LOCK ON THE FAST PATH): marks itself inside,
 * then checks that the side is still its own.  False: it is not (the
 * mark is taken back); the claim is void.
 */
static inline bool owner_enter(const struct side_ref *r, uint32_t word)
{
	atomic_store_explicit(r->busy, my_tid(), memory_order_relaxed);
	sync_barrier_light();
	if (atomic_load_explicit(r->mode, memory_order_relaxed) == word)
		return true;
	atomic_store_explicit(r->busy, 0, memory_order_release);
	sync_futex_wake(r->busy, INT_MAX);
	return false;
}

/*
 * The owner's way out.  release: whoever sees 0 sees the attempt's work.
 * A taker that found us inside may sleep on the busy word: it changed the
 * mode word first, so a changed mode word says to wake it.
 */
static inline void owner_leave(const struct side_ref *r, uint32_t word)
{
	atomic_store_explicit(r->busy, 0, memory_order_release);
	sync_barrier_light();
	if (atomic_load_explicit(r->mode, memory_order_relaxed) != word)
		sync_futex_wake(r->busy, INT_MAX);
}

/*
 * Waits until no owner is inside (the busy word is 0), after the mode
 * word was changed and fenced: polls, then sleeps on the word in slices;
 * an owner that died inside is forgotten (its attempt published nothing
 * or everything).
 */
static void wait_owner_out(_Atomic uint32_t *busy)
{
	struct sync_spin sp;
	uint32_t v;

	sync_spin_begin(&sp);
	while ((v = atomic_load_explicit(busy, memory_order_acquire)) != 0) {
		if (sync_spin_step(&sp))
			continue;
		if (sync_futex_wait(busy, v, SYNC_SLICE_MS) == -ETIMEDOUT && !sync_task_alive((pid_t)v))
			atomic_compare_exchange_strong(busy, &v, 0);
	}
}

/*
 * With the side lock held: takes the side from its exclusive owner,
 * whoever it is (the caller's own claim too) -- SHARED word, heavy
 * barrier, wait for the owner to be out -- and forgets this view's claim.
 * Returns the SHARED word now in place.
 */
static uint32_t take_side_locked(const struct side_ref *r)
{
	uint32_t w = atomic_load_explicit(r->mode, memory_order_relaxed);

	forget_claim(r->s);
	if (!(w & MODE_EXCLUSIVE))
		return w;
	w = next_word(w, false);
	atomic_store_explicit(r->mode, w, memory_order_seq_cst);
	/* Pairs with the owner's light barrier: it sees the new word, or we see it inside. */
	sync_barrier_heavy();
	wait_owner_out(r->busy);
	return w;
}

int ring_adaptive_attach(struct ring_adaptive *a, void *mem, size_t len)
{
	int err = ring_attach(&a->r, mem, len);

	if (err < 0)
		return err;
	if (a->r.mode != RING_MODE_BYTES)
		return -EPROTO;
	a->mem = mem;
	a->len = len;
	for (int i = 0; i < 2; i++) {
		atomic_init(&a->side[i].claim, 0);
		atomic_init(&a->side[i].fork_gen, 0);
	}
	pthread_once(&fork_once, register_fork_handler);
	return 0;
}

int ring_adaptive_claim(struct ring_adaptive *a, enum ring_spsc_side side, int (*sole)(void *ctx),
			void *ctx)
{
	struct side_ref r;
	uint32_t w, want;
	int ret;

	if (!side_ok(side))
		return -EINVAL;
	r = side_ref(a, side);
	sync_lock(r.lock);
	w = atomic_load_explicit(r.mode, memory_order_relaxed);
	if ((w & MODE_EXCLUSIVE) && my_claim(r.s) == w) {
		ret = 1;
	} else if (sole != NULL && !sole(ctx)) {
		ret = 0;
	} else {
		w = take_side_locked(&r);
		/* Afresh: the counters and capacity as the locked path (or a dead owner) left them. */
		ret = ring_spsc_attach(&r.s->spsc, a->mem, a->len, side);
		if (ret == 0) {
			want = next_word(w, true);
			atomic_store_explicit(&r.s->fork_gen,
					      atomic_load_explicit(&fork_gen, memory_order_relaxed),
					      memory_order_relaxed);
			atomic_store_explicit(&r.s->claim,
					      (uint64_t)my_tid() << 32 | want,
					      memory_order_relaxed);
			atomic_store_explicit(r.mode, want, memory_order_relaxed);
			ret = 1;
		}
	}
	sync_unlock(r.lock);
	return ret;
}

void ring_adaptive_share(struct ring_adaptive *a, enum ring_spsc_side side)
{
	struct side_ref r;

	if (!side_ok(side))
		return;
	r = side_ref(a, side);
	sync_lock(r.lock);
	take_side_locked(&r);
	sync_unlock(r.lock);
}

bool ring_adaptive_exclusive(const struct ring_adaptive *a, enum ring_spsc_side side)
{
	struct side_ref r;
	uint32_t mine;

	if (!side_ok(side))
		return false;
	r = side_ref((struct ring_adaptive *)a, side);
	mine = my_claim(r.s);
	return mine != 0 && atomic_load_explicit(r.mode, memory_order_relaxed) == mine;
}

/*
 * One non-blocking push, by whichever path the mode says.  All or
 * nothing when all_or_nothing is set, or when n <= whole_max and n fits
 * the capacity the path copies with.  *seen: the consumers' counter as
 * this attempt saw it, for the caller's spin.
 */
static inline ssize_t attempt_push(struct ring_adaptive *a, const void *buf, size_t n,
				   int all_or_nothing, size_t whole_max, uint64_t *seen)
{
	struct ring_hdr *h = a->r.hdr;
	struct side_ref r = side_ref(a, RING_SPSC_PRODUCER);
	uint32_t mine = my_claim(r.s);
	ssize_t k;

	if (mine != 0) {
		if (owner_enter(&r, mine)) {
			int whole = all_or_nothing || (n <= whole_max && n <= r.s->spsc.cap);

			k = ring_spsc_try_push(&r.s->spsc, buf, n, whole);
			*seen = r.s->spsc.peer_pos;
			owner_leave(&r, mine);
			return k;
		}
		forget_claim(r.s);
	}
	sync_lock(r.lock);
	take_side_locked(&r);
	k = ring_try_push_whole(&a->r, buf, n, all_or_nothing, whole_max);
	/* Only a hint for the spin: the wait itself never trusts it. */
	*seen = atomic_load_explicit(&h->head, memory_order_relaxed);
	sync_unlock(r.lock);
	return k;
}

/* One non-blocking pop; *seen: the producers' counter as it saw it. */
static inline ssize_t attempt_pop(struct ring_adaptive *a, void *buf, size_t n, uint64_t *seen)
{
	struct ring_hdr *h = a->r.hdr;
	struct side_ref r = side_ref(a, RING_SPSC_CONSUMER);
	uint32_t mine = my_claim(r.s);
	ssize_t k;

	if (mine != 0) {
		if (owner_enter(&r, mine)) {
			k = ring_spsc_try_pop(&r.s->spsc, buf, n);
			*seen = r.s->spsc.peer_pos;
			owner_leave(&r, mine);
			return k;
		}
		forget_claim(r.s);
	}
	sync_lock(r.lock);
	take_side_locked(&r);
	k = ring_try_pop(&a->r, buf, n);
	*seen = atomic_load_explicit(&h->tail, memory_order_relaxed);
	sync_unlock(r.lock);
	return k;
}

ssize_t ring_adaptive_try_push(struct ring_adaptive *a, const void *buf, size_t n,
			       int all_or_nothing)
{
	uint64_t seen;

	if (n == 0)
		return 0;
	return attempt_push(a, buf, n, all_or_nothing, 0, &seen);
}

ssize_t ring_adaptive_try_pop(struct ring_adaptive *a, void *buf, size_t n)
{
	uint64_t seen;

	if (n == 0)
		return 0;
	return attempt_pop(a, buf, n, &seen);
}

/*
 * The state of one blocking call's waiting.  w (a signal set, 128 bytes)
 * is left uninitialised until the first sleep: clearing it on every call
 * cost a fifth of an exclusive push here.
 */
struct wait_state {
	bool started;   /* w is begun: the signal mask must be restored */
	bool spun;      /* the polling phase is over */
	bool announced; /* our waiters count is raised, until the call returns */
	struct sync_waiter w;
};

static void wait_init(struct wait_state *ws)
{
	ws->started = false;
	ws->spun = false;
	ws->announced = false;
}

/*
 * Polls the other side's counter, once per call (sync_spin.h): true when
 * it moved away from what the last attempt saw.  Relaxed: the attempt
 * that follows reads it again properly.
 */
static bool spin_for_change(_Atomic uint64_t *counter, uint64_t seen, struct wait_state *ws)
{
	struct sync_spin sp;

	if (ws->spun)
		return false;
	ws->spun = true;
	sync_spin_begin(&sp);
	while (atomic_load_explicit(counter, memory_order_relaxed) == seen)
		if (!sync_spin_step(&sp))
			return false;
	return true;
}

/*
 * Counts us as a sleeper, then fences (WAKE-UPS in ring_adaptive.h): the
 * heavy barrier pairs with an exclusive publisher's light one, so from
 * here on either a publication sees the count and wakes us, or the next
 * attempt sees the publication.  Once per call.
 */
static void announce(_Atomic uint32_t *waiters, struct wait_state *ws)
{
	atomic_fetch_add_explicit(waiters, 1, memory_order_seq_cst);
	sync_barrier_heavy();
	ws->announced = true;
}

/*
 * One sleep on the futex word, read as `seen` before the last attempt: 0
 * (try again), or sync_waiter_sleep()'s -EINTR, -ERESTART, -ETIMEDOUT.
 * The signal mask is touched only from the first sleep on.
 */
static int sleep_on(_Atomic uint32_t *seq, uint32_t seen, const struct ring_block *b,
		    struct wait_state *ws)
{
	if (!ws->started) {
		sync_waiter_begin(&ws->w, b->timeout_ms > 0 ? b->timeout_ms : -1);
		ws->started = true;
	}
	return sync_waiter_sleep(&ws->w, seq, seen);
}

static void wait_end(_Atomic uint32_t *waiters, struct wait_state *ws)
{
	if (ws->announced)
		atomic_fetch_sub_explicit(waiters, 1, memory_order_relaxed);
	if (ws->started)
		sync_waiter_end(&ws->w);
}

static bool peer_present(struct ring_block *b)
{
	if (b->peer == NULL || b->peer(b->ctx))
		return true;
	b->peer_gone = 1;
	return false;
}

ssize_t ring_adaptive_push(struct ring_adaptive *a, const void *buf, size_t n,
			   struct ring_block *b)
{
	struct ring_hdr *h = a->r.hdr;
	const unsigned char *p = buf;
	struct wait_state ws;
	size_t done = 0;
	ssize_t ret = 0;

	wait_init(&ws);
	b->peer_gone = 0;
	if (n == 0)
		return 0;
	for (;;) {
		/* Read before the attempt: a wake-up after it ends the sleep below. */
		uint32_t seq_seen =
			ws.announced ? atomic_load_explicit(&h->room_seq, memory_order_acquire) : 0;
		uint64_t head_seen;
		ssize_t k = attempt_push(a, p + done, n - done, 0, done == 0 ? b->atomic_max : 0,
					 &head_seen);

		if (k > 0) {
			done += (size_t)k;
			if (done == n)
				break;
			continue;
		}
		if (k != -EAGAIN) {
			ret = k;
			break;
		}
		if (b->nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (!ws.announced) {
			if (!spin_for_change(&h->head, head_seen, &ws))
				announce(&h->room_waiters, &ws);
			continue;
		}
		if (!peer_present(b)) {
			ret = -EPIPE;
			break;
		}
		ret = sleep_on(&h->room_seq, seq_seen, b, &ws);
		/* Restarting is only possible while nothing was transferred. */
		if (ret == -ERESTART && done == 0)
			ret = 0;
		if (ret != 0) {
			ret = ret == -ERESTART ? -EINTR : ret;
			break;
		}
	}
	wait_end(&h->room_waiters, &ws);
	return done > 0 ? (ssize_t)done : ret;
}

ssize_t ring_adaptive_pop(struct ring_adaptive *a, void *buf, size_t n, struct ring_block *b)
{
	struct ring_hdr *h = a->r.hdr;
	struct wait_state ws;
	uint64_t tail_seen;
	ssize_t ret;

	wait_init(&ws);
	b->peer_gone = 0;
	if (n == 0)
		return 0;
	/* Data first: a reader with bytes waiting needs no peer check. */
	ret = attempt_pop(a, buf, n, &tail_seen);
	if (ret != -EAGAIN)
		return ret;
	for (;;) {
		uint32_t seq_seen =
			ws.announced ? atomic_load_explicit(&h->data_seq, memory_order_acquire) : 0;
		bool asked = b->nonblock || ws.announced;
		/*
		 * Ask about the producers *before* looking at the data again:
		 * bytes a producer pushed before it left are then certain to be
		 * seen, and end of file is only reported on a drained ring.
		 */
		bool present = !asked || b->peer == NULL || b->peer(b->ctx);

		ret = attempt_pop(a, buf, n, &tail_seen);
		if (ret != -EAGAIN)
			break;
		if (!present) {
			b->peer_gone = 1;
			ret = 0;
			break;
		}
		if (b->nonblock)
			break;
		if (!ws.announced) {
			if (!spin_for_change(&h->tail, tail_seen, &ws))
				announce(&h->data_waiters, &ws);
			continue;
		}
		ret = sleep_on(&h->data_seq, seq_seen, b, &ws);
		if (ret == -EINTR || ret == -ETIMEDOUT)
			break;
	}
	wait_end(&h->data_waiters, &ws);
	return ret;
}

/*
 * Both side locks (producer first, the one order), both sides SHARED, then
 * fn under the ring's own locks.
 */
static int with_sides_shared(struct ring_adaptive *a, int (*fn)(struct ring *, uint32_t),
			     uint32_t capacity)
{
	struct side_ref p = side_ref(a, RING_SPSC_PRODUCER), c = side_ref(a, RING_SPSC_CONSUMER);
	int err;

	sync_lock(p.lock);
	sync_lock(c.lock);
	/* Our own claims go too: our SPSC views would not know the new capacity. */
	take_side_locked(&p);
	take_side_locked(&c);
	err = fn(&a->r, capacity);
	sync_unlock(c.lock);
	sync_unlock(p.lock);
	return err;
}

int ring_adaptive_set_capacity(struct ring_adaptive *a, uint32_t capacity)
{
	return with_sides_shared(a, ring_set_capacity, capacity);
}

int ring_adaptive_reset(struct ring_adaptive *a, uint32_t capacity)
{
	return with_sides_shared(a, ring_reset, capacity);
}

uint64_t ring_adaptive_consumed(const struct ring_adaptive *a)
{
	return atomic_load_explicit(&a->r.hdr->head, memory_order_acquire);
}
