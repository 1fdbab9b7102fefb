/*
 * The ring's contract: a dead producer or consumer is noticed by the
 * other side, also while it sleeps (impl/ring/ring.h, struct ring_block).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/ring/ring_support.h"

struct peer_arg {
	void *mem;
	size_t len;
	pid_t other;     /* the process whose death the call must notice */
	int peer_gone;   /* written by the helper's `then`, checked there */
};

/* A process that only exists to be killed: it waits on a checkpoint nobody posts. */
static pid_t idle_peer(struct ipcconf_t *t)
{
	pid_t p = ipcconf_fork(t);

	if (p == 0) {
		ipcconf_await(t, 15, 1, "the end of the clause");
		ipcconf_exit(t);
	}
	return p;
}

static long long pop_until_eof(struct ipcconf_t *t, void *arg)
{
	struct peer_arg *a = arg;
	struct ring r;
	struct ring_block b = { .peer = ringc_pid_alive, .ctx = &a->other };
	char buf[16];

	ringc_attach(t, &r, a->mem, a->len, 0);
	ssize_t n = ring_pop(&r, buf, sizeof buf, &b);
	a->peer_gone = b.peer_gone;
	return n;
}

static void eof_flagged(struct ipcconf_t *t, void *arg, long long result)
{
	struct peer_arg *a = arg;

	if (result == 0)
		CHECK(t, a->peer_gone, "ring_pop returned 0 and set peer_gone (end of file)");
}

/*
 * impl/ring/ring.h ring_pop(): "Returns 0 when the ring is empty and
 * peer() says the producer side is gone (end of file; b->peer_gone
 * set)"; struct ring_block: peer() is "asked before every attempt and
 * after every wake (at least every SYNC_SLICE_MS)".  The contract: a
 * consumer asleep on an empty ring learns of its producer's death
 * without any wake-up from it.  Checked here: a consumer helper whose
 * peer() asks whether an idle producer process lives is seen asleep in
 * ring_pop; the clause kills the producer with SIGKILL (nothing is
 * pushed); the pop returns 0 with peer_gone set.
 */
CLAUSE(ring_peer_producer_death_is_eof,
       .id = "ring.peer.producer_death_is_eof",
       .title = "a consumer asleep on an empty ring gets end of file when its producer is killed",
       .cites = "impl/ring/ring.h (ring_pop, struct ring_block peer)")
{
	struct peer_arg a;

	a.mem = ringc_byte_ring(t, 64, &a.len);
	a.other = idle_peer(t);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "ring_pop of an empty ring whose producer lives",
		.call = pop_until_eof, .then = eof_flagged, .arg = &a });
	ipcconf_block_release(t, &b);
	ipcconf_kill(t, a.other, SIGKILL);
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the pop after the producer's death");
}

static long long push_until_epipe(struct ipcconf_t *t, void *arg)
{
	struct peer_arg *a = arg;
	struct ring r;
	struct ring_block b = { .atomic_max = 8, .peer = ringc_pid_alive, .ctx = &a->other };

	ringc_attach(t, &r, a->mem, a->len, 0);
	ssize_t n = ring_push(&r, "12345678", 8, &b);
	a->peer_gone = b.peer_gone;
	return n;
}

static void epipe_flagged(struct ipcconf_t *t, void *arg, long long result)
{
	struct peer_arg *a = arg;

	if (result == -EPIPE)
		CHECK(t, a->peer_gone, "ring_push returned -EPIPE and set peer_gone");
}

/*
 * impl/ring/ring.h ring_push(): "Ends early when the consumer side is
 * gone (-EPIPE, or the count pushed so far, with b->peer_gone set)".  The
 * contract: a producer asleep on a full ring learns of its consumer's
 * death.  Checked here: a 64-byte ring holding 64 bytes; a producer
 * helper whose peer() asks whether an idle consumer process lives is
 * seen asleep in an 8-byte push (atomic_max 8); the clause kills the
 * consumer with SIGKILL (nothing is popped); the push returns -EPIPE with
 * peer_gone set, and the ring still holds the 64 old bytes.
 */
CLAUSE(ring_peer_consumer_death_is_epipe,
       .id = "ring.peer.consumer_death_is_epipe",
       .title = "a producer asleep on a full ring gets -EPIPE when its consumer is killed",
       .cites = "impl/ring/ring.h (ring_push, struct ring_block peer)")
{
	struct peer_arg a;
	struct ring r;
	unsigned char fill[64];

	a.mem = ringc_byte_ring(t, 64, &a.len);
	ringc_attach(t, &r, a.mem, a.len, 0);
	for (int i = 0; i < 64; i++)
		fill[i] = ringc_stream_byte((uint64_t)i);
	REQUIRE_EQ(t, ring_try_push(&r, fill, 64, 1), 64, "filling the ring");
	a.other = idle_peer(t);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "an 8-byte ring_push into a full ring whose consumer lives",
		.call = push_until_epipe, .then = epipe_flagged, .arg = &a });
	ipcconf_block_release(t, &b);
	ipcconf_kill(t, a.other, SIGKILL);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EPIPE, "the push after the consumer's death");
	CHECK_EQ(t, ring_used(&r), 64, "bytes in the ring after the refused push");
}
