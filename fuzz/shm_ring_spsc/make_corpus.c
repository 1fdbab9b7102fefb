/*
 * Writes shm_ring_spsc's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/shm_ring_spsc:make_corpus -- $PWD/fuzz/shm_ring_spsc/corpus
 * One seed per behaviour the harness models, in the encoding of
 * shm_ring_spsc.h: streams that wrap the data area and the counters,
 * pushes that fill the ring, re-attaching sides, calls on the wrong
 * handle, and a few with the in-call peer striking (in_call_peer.h) at
 * early reads with small changes -- which read and which value hurt is
 * for the fuzzer to find.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_spsc/shm_ring_spsc.h"

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

static void op(enum op o, int flag, uint8_t size)
{
	put((uint64_t)o | (flag ? OP_FLAG : 0), 1);
	put(size, 1);
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

/* Uneven pushes and pops: the stream wraps the data area every few ops. */
static void uneven(int n, uint8_t push_base, uint8_t pop_base)
{
	for (int i = 0; i < n; i++) {
		op(i % 2 ? OP_PUSH : OP_TRY_PUSH, i % 3 == 0, (uint8_t)(push_base + i * 7 % 13));
		op(i % 2 ? OP_TRY_POP : OP_POP, 0, (uint8_t)(pop_base + i * 5 % 11));
	}
}

static int model_seeds(void)
{
	int rc = 0;

	start(0, 0, 4, 0);
	uneven(20, 1, 1);
	rc |= save("stream-wrap-small");

	/* The whole 4096-byte area, pushed across its end, and pushes that do not fit. */
	start(6, 0, 12, 0);
	op(OP_TRY_PUSH, 0, 0xff);
	op(OP_TRY_POP, 0, 0xf0);
	op(OP_TRY_PUSH, 1, 0xff);
	op(OP_TRY_PUSH, 0, 0xff);
	op(OP_PUSH, 1, 0xd0);
	op(OP_POP, 0, 0xff);
	op(OP_TRY_POP, 0, 0xff);
	op(OP_TRY_POP, 0, 1);
	rc |= save("stream-whole-area");

	/* Counters that pass 2^64 while the stream flows. */
	start(1, 1, 6, 1);
	uneven(16, 20, 18);
	rc |= save("stream-counters-wrap");

	/* Both sides attach again in the middle, with bytes in flight. */
	start(2, 0, 7, 0);
	op(OP_TRY_PUSH, 0, 100);
	op(OP_TRY_POP, 0, 30);
	op(OP_REATTACH, 0, 0);
	op(OP_TRY_PUSH, 0, 60);
	op(OP_REATTACH, 1, 0);
	op(OP_TRY_POP, 0, 0xff);
	op(OP_PUSH, 1, 128);
	op(OP_POP, 0, 128);
	rc |= save("reattach");

	/* Each side's call on the other's handle, and empty calls. */
	start(0, 1, 6, 0);
	op(OP_WRONG_SIDE, 0, 10);
	op(OP_WRONG_SIDE, 1, 10);
	op(OP_TRY_PUSH, 0, 0);
	op(OP_TRY_POP, 0, 0);
	op(OP_PUSH, 1, 0);
	op(OP_POP, 0, 0);
	op(OP_TRY_POP, 0, 5);
	rc |= save("wrong-side-and-empty");
	return rc;
}

static int peer_seeds(void)
{
	int rc = 0;

	/* The counter each side refreshes, moved while it reads it. */
	start(1, 0, 7, 0);
	uneven(4, 30, 10);
	strike(RING_PEER_COUNTERS, 0, PEER_TAIL, PEER_ADD, 16);
	op(OP_TRY_POP, 0, 0xff);
	strike(RING_PEER_COUNTERS, 0, PEER_HEAD, PEER_ADD, (uint64_t)-8);
	op(OP_TRY_PUSH, 0, 0xff);
	uneven(4, 30, 10);
	rc |= save("strike-counters");

	/* The capacity changed under a refresh, and under a copy that wraps. */
	start(2, 1, 8, 0);
	uneven(6, 60, 50);
	strike(RING_PEER_CAPACITY, 0, PEER_CAPACITY, PEER_POW2, 7);
	op(OP_TRY_PUSH, 0, 0xff);
	strike(RING_PEER_DATA, 0, PEER_TAIL, PEER_ADD, 1);
	op(OP_TRY_POP, 0, 0xff);
	uneven(4, 60, 50);
	rc |= save("strike-capacity-data");

	/* A side attaching while the header's geometry changes. */
	start(3, 0, 9, 0);
	uneven(3, 100, 90);
	strike(RING_PEER_ATTACH_HEADER, 1, PEER_DATA_SIZE, PEER_ADD, 64);
	op(OP_REATTACH, 0, 0);
	strike(RING_PEER_CAPACITY, 1, PEER_CAPACITY, PEER_FLIP, 2);
	op(OP_REATTACH, 1, 0);
	uneven(3, 100, 90);
	rc |= save("strike-reattach");
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
