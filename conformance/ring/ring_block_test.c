/*
 * The ring's contract: a full ring blocks its producers and an empty one
 * its consumers, until the opposite operation (impl/ring/ring.h).
 */
#define _GNU_SOURCE
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/ring/ring_support.h"

struct block_arg {
	void *mem;
	size_t len;
	pid_t peer;
	char buf[64];
};

static long long push_8(struct ipcconf_t *t, void *arg)
{
	struct block_arg *a = arg;
	struct ring r;
	struct ring_block b = { .atomic_max = 8, .peer = ringc_pid_alive, .ctx = &a->peer };

	ringc_attach(t, &r, a->mem, a->len, 0);
	return ring_push(&r, "ZYXWVUTS", 8, &b);
}

/*
 * impl/ring/ring.h ring_push(): "Blocking push: returns n once all n
 * bytes are in"; a push of at most atomic_max bytes "never ends
 * partially".  The contract: on a full ring a push sleeps (no spinning
 * forever, no partial write) until a pop makes room, and then its bytes
 * follow the ones already there.  Checked here (block.h): a 64-byte ring
 * holding 64 bytes; a helper's 8-byte push (atomic_max 8) is seen asleep
 * and stays in the call for the grace period; the clause pops 8 bytes;
 * the push returns 8 and the ring then holds the other 56 old bytes
 * followed by the 8 new ones.
 */
CLAUSE(ring_block_push_blocks_until_pop,
       .id = "ring.block.push_blocks_until_pop",
       .title = "a push into a full ring sleeps until a pop makes room, then lands whole",
       .cites = "seed:M2; impl/ring/ring.h (ring_push, struct ring_block)")
{
	struct block_arg a = { .peer = getpid() };
	struct ring r;
	unsigned char old[64], out[64];

	a.mem = ringc_byte_ring(t, 64, &a.len);
	ringc_attach(t, &r, a.mem, a.len, 0);
	for (int i = 0; i < 64; i++)
		old[i] = ringc_stream_byte((uint64_t)i);
	REQUIRE_EQ(t, ring_try_push(&r, old, 64, 1), 64, "filling the ring");
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "an 8-byte ring_push into a full ring", .call = push_8, .arg = &a });
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, ring_try_pop(&r, out, 8), 8, "popping 8 bytes under the sleeping producer");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 8, "the woken push");
	REQUIRE_EQ(t, ring_try_pop(&r, out, 64), 64, "the ring's contents after the push");
	CHECK_MEM(t, out, old + 8, 56);
	CHECK_MEM(t, out + 56, "ZYXWVUTS", 8);
}

static long long pop_any(struct ipcconf_t *t, void *arg)
{
	struct block_arg *a = arg;
	struct ring r;
	struct ring_block b = { .peer = ringc_pid_alive, .ctx = &a->peer };

	ringc_attach(t, &r, a->mem, a->len, 0);
	return ring_pop(&r, a->buf, sizeof a->buf, &b);
}

static void check_popped(struct ipcconf_t *t, void *arg, long long result)
{
	struct block_arg *a = arg;

	if (result == 5)
		CHECK_MEM(t, a->buf, "hello", 5);
}

/*
 * impl/ring/ring.h ring_pop(): "Blocking pop of up to n bytes: returns as
 * soon as any byte is there".  The contract: on an empty ring a pop
 * sleeps until a push, and returns the pushed bytes.  Checked here
 * (block.h): a helper's 64-byte pop of an empty ring is seen asleep and
 * stays in the call for the grace period; the clause pushes "hello"; the
 * pop returns 5 with those bytes.
 */
CLAUSE(ring_block_pop_blocks_until_push,
       .id = "ring.block.pop_blocks_until_push",
       .title = "a pop of an empty ring sleeps until a push, then returns its bytes",
       .cites = "seed:M2; impl/ring/ring.h (ring_pop, struct ring_block)")
{
	struct block_arg a = { .peer = getpid() };
	struct ring r;

	a.mem = ringc_byte_ring(t, 64, &a.len);
	ringc_attach(t, &r, a.mem, a.len, 0);
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "ring_pop of an empty ring", .call = pop_any, .then = check_popped, .arg = &a });
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, ring_try_push(&r, "hello", 5, 1), 5, "pushing \"hello\" under the sleeping consumer");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 5, "the woken pop");
}
