/*
 * Writes shm_ring_adaptive's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/shm_ring_adaptive:make_corpus -- $PWD/fuzz/shm_ring_adaptive/corpus
 * One seed per behaviour the harness models, in the encoding of
 * shm_ring_adaptive.h: a stream on the locked path alone; both sides
 * exclusive, then taken by strangers and claimed back; claims refused,
 * absent sole(), sides that do not exist; capacity changes and resets
 * while sides are owned; an owner that attaches afresh; the blocking
 * calls made non-blocking, with and without peer(); counters passing
 * 2^64; and a few with a hostile peer -- the in-call peer striking in the
 * owner's fast path and in a claim, turning the header into a record-mode
 * ring under an attach, a stale claim's word written back --
 * where which read and which value hurt is for the fuzzer to find.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz/shm_ring_adaptive/shm_ring_adaptive.h"
#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"

static uint8_t buf[1024];
static size_t len;
static const char *dir;

static void put(uint64_t v, int bytes)
{
	for (int i = 0; i < bytes && len < sizeof buf; i++)
		buf[len++] = (uint8_t)(v >> (8 * i));
}

/* data_size = 64 << ds_log, capacity = 1 << cap_log. */
static void start(uint8_t ds_log, int low, uint8_t cap_log, int start_high)
{
	len = 0;
	put((uint64_t)ds_log | (low ? LAYOUT_LOW : 0), 1);
	put((uint64_t)cap_log | (start_high ? START_HIGH : 0), 1);
}

static void op(enum op o, int view, int a, int b, uint8_t arg)
{
	put((uint64_t)o | (uint64_t)view << VIEW_SHIFT | (a ? FLAG_A : 0) | (b ? FLAG_B : 0), 1);
	put(arg, 1);
}

/* The views' roles in these seeds: 0 and 1 produce, 2 and 3 consume (any view may do either). */
enum { P0, P1, C0, C1 };

static void claim(int view, int consumers, int yes)
{
	op(OP_CLAIM, view, consumers, yes, 0);
}

static void strike(unsigned point, uint8_t index, enum peer_target target, enum peer_how how,
		   uint64_t value)
{
	put(OP_STRIKE, 1);
	put(point, 1);
	put(index, 1);
	put((uint64_t)target | (uint64_t)how << 4, 1);
	if (peer_record_target((uint8_t)target))
		put(0, 1);
	put(value, (int)peer_value_bytes((uint8_t)target, (uint8_t)how));
}

static int save(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

/* Uneven pushes and pops through the given views: the stream wraps the data area every few ops. */
static void uneven(int n, int pv, int cv, uint8_t push_base, uint8_t pop_base)
{
	for (int i = 0; i < n; i++) {
		op(OP_TRY_PUSH, pv, i % 3 == 0, 0, (uint8_t)(push_base + i * 7 % 13));
		op(OP_TRY_POP, cv, 0, 0, (uint8_t)(pop_base + i * 5 % 11));
	}
}

static int model_seeds(void)
{
	int rc = 0;

	/* Nobody claims: every view on the locked path, producers and consumers taking turns. */
	start(0, 0, 5, 0);
	uneven(6, P0, C0, 5, 3);
	uneven(6, P1, C1, 9, 7);
	rc |= save("shared-stream");

	/* Both sides exclusive; strangers take them (GOING SHARED); the owners claim them back. */
	start(2, 0, 7, 0);
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	uneven(5, P0, C0, 40, 30);
	op(OP_TRY_PUSH, P1, 0, 0, 17);
	uneven(2, P0, C0, 40, 30);
	op(OP_TRY_POP, C1, 0, 0, 9);
	claim(P0, 0, 1);
	claim(C1, 1, 1);
	uneven(5, P0, C1, 60, 50);
	rc |= save("exclusive-taken-back");

	/* sole() says no, or is absent; claims of what is ours already; sides that do not exist. */
	start(1, 1, 6, 0);
	claim(P0, 0, 0);
	op(OP_CLAIM, P0, 0, 0, CLAIM_SOLE_NULL);
	claim(P0, 0, 0);
	claim(P1, 0, 0);
	claim(C0, 1, 1);
	op(OP_CLAIM, C1, 1, 0, SIDE_ARG_INVALID);
	op(OP_CLAIM, C1, 1, 1, SIDE_ARG_INVALID | SIDE_ARG_THREE);
	op(OP_SHARE, P1, 0, 0, SIDE_ARG_INVALID);
	uneven(3, P0, C0, 20, 20);
	op(OP_SHARE, P1, 0, 0, 0);
	op(OP_SHARE, C1, 1, 0, 0);
	uneven(3, P0, C0, 20, 20);
	rc |= save("claims-refused");

	/* Capacity changes with bytes buffered and sides owned: kept, refused, discarded, odd values. */
	start(3, 0, 8, 0);
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	op(OP_TRY_PUSH, P0, 0, 0, 150);
	op(OP_TRY_POP, C0, 0, 0, 20);
	op(OP_CAPACITY, P1, 0, 0, 6);   /* 64: the 130 bytes do not fit */
	op(OP_CAPACITY, C1, 0, 0, 9);   /* 512: kept, moved */
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	uneven(4, P0, C0, 100, 90);
	op(OP_CAPACITY, P0, 0, 0, CAPACITY_ARG_ODD + 1); /* 3 */
	op(OP_CAPACITY, P0, 1, 0, CAPACITY_ARG_ODD + 5); /* twice the data area */
	op(OP_CAPACITY, C0, 1, 0, 7);   /* reset to 128 */
	claim(C0, 1, 1);
	uneven(4, P1, C0, 100, 90);
	rc |= save("capacity-owned");

	/* An owner attaches afresh: its word is orphaned until a stranger's attempt takes the side. */
	start(2, 1, 8, 0);
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	uneven(2, P0, C0, 50, 40);
	op(OP_REATTACH, P0, 0, 0, 0);
	op(OP_REATTACH, C0, 0, 0, 0);
	claim(P1, 0, 0);
	op(OP_TRY_PUSH, P1, 0, 0, 33);
	op(OP_TRY_POP, C0, 0, 0, 0xff);
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	uneven(3, P0, C0, 50, 40);
	rc |= save("reattach-owner");

	/* The blocking calls with nonblock: whole pushes, end of file, zero-length calls of strangers. */
	start(4, 0, 9, 0);
	op(OP_POP, C0, 1, 1, 10); /* empty, producers gone: end of file */
	op(OP_POP, C0, 1, 0, 10); /* empty, producers there: -EAGAIN */
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	op(OP_PUSH, P0, 1, 1, 0xc6); /* 600 bytes: beyond atomic_max, partial */
	op(OP_PUSH, P0, 1, 0, 100);
	op(OP_TRY_PUSH, P1, 0, 0, 0);
	op(OP_TRY_POP, C1, 0, 0, 0);
	op(OP_POP, C0, 1, 1, 0xff);
	op(OP_PUSH, P0, 0, 0, 0xe0);
	op(OP_POP, C1, 0, 0, 0xff);
	op(OP_POP, C1, 1, 1, 0xff);
	rc |= save("nonblocking-calls");

	/* Counters that pass 2^64 while the sides change hands. */
	start(1, 0, 6, 1);
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	uneven(6, P0, C0, 20, 18);
	uneven(4, P1, C0, 20, 18);
	claim(C1, 1, 1);
	uneven(6, P1, C1, 20, 18);
	rc |= save("counters-wrap");
	return rc;
}

static int peer_seeds(void)
{
	int rc = 0;

	/* The counter an exclusive side refreshes, moved while it reads it. */
	start(1, 0, 7, 0);
	claim(P0, 0, 1);
	claim(C0, 1, 1);
	uneven(4, P0, C0, 30, 10);
	strike(RING_PEER_COUNTERS, 0, PEER_TAIL, PEER_ADD, 16);
	op(OP_TRY_POP, C0, 0, 0, 0xff);
	strike(RING_PEER_CAPACITY, 0, PEER_CAPACITY, PEER_POW2, 5);
	op(OP_TRY_PUSH, P0, 0, 0, 0xff);
	uneven(4, P1, C1, 30, 10);
	rc |= save("strike-fast-path");

	/* A claim whose attach sees the geometry change; a wrapping copy on the locked path. */
	start(2, 1, 8, 0);
	uneven(3, P0, C0, 60, 50);
	strike(RING_PEER_ATTACH_HEADER, 1, PEER_DATA_SIZE, PEER_ADD, 64);
	claim(P0, 0, 1);
	strike(RING_PEER_DATA, 0, PEER_HEAD, PEER_ADD, 1);
	op(OP_TRY_POP, C1, 0, 0, 0xff);
	strike(RING_PEER_COUNTERS, 1, PEER_HEAD, PEER_ADD, (uint64_t)-4);
	op(OP_CAPACITY, P1, 0, 0, 7);
	uneven(3, P0, C0, 60, 50);
	rc |= save("strike-claim-capacity");

	/* A stale claim's word written back: two views on one side's SPSC path. */
	start(2, 0, 8, 0);
	claim(P0, 0, 1);
	uneven(2, P0, C0, 40, 20);
	op(OP_TRY_PUSH, P1, 0, 0, 30);
	claim(P1, 0, 1);
	uneven(2, P1, C0, 40, 20);
	op(OP_MODE_WRITE, P1, 0, 0, MODE_ARG_RESTORE);
	uneven(3, P0, C0, 40, 20);
	uneven(3, P1, C0, 40, 20);
	op(OP_MODE_WRITE, C0, 1, 0, 31);
	uneven(3, P0, C1, 40, 20);
	rc |= save("mode-word-restored");

	/* The header made a sound record-mode ring under an attach, then under a claim's. */
	start(2, 0, 8, 0);
	strike(RING_PEER_ATTACH_HEADER, 0, PEER_MODE, PEER_SET, LAYOUT_MODE_RECORDS);
	strike(RING_PEER_ATTACH_HEADER, 0, PEER_FLAGS, PEER_SET, LAYOUT_REC_FORMAT);
	op(OP_REATTACH, P1, 0, 0, 0);
	strike(RING_PEER_ATTACH_HEADER, 0, PEER_MODE, PEER_SET, LAYOUT_MODE_RECORDS);
	strike(RING_PEER_ATTACH_HEADER, 0, PEER_FLAGS, PEER_SET, LAYOUT_REC_FORMAT);
	claim(P0, 0, 1);
	uneven(3, P0, C0, 30, 20);
	rc |= save("strike-record-mode");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	return model_seeds() | peer_seeds();
}
