/*
 * Writes shm_ring_hostile's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/shm_ring_hostile:make_corpus -- $PWD/fuzz/shm_ring_hostile/corpus
 * Each seed is traffic in one mode, then one kind of corruption a peer
 * could commit -- between calls (poke-*) or in the middle of them
 * (strike-*, the in-call peer of in_call_peer.h) -- the calls that must
 * notice it, and a recovery, in the encoding of shm_ring_hostile.h.
 * The strikes here rewrite fields by small amounts at early reads: the
 * fuzzer's job is to find which field, which read and which value hurt.
 */
#include <stdint.h>
#include <stdio.h>

#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_hostile/shm_ring_hostile.h"

static uint8_t buf[1024];
static size_t len;
static const char *dir;

static void put(uint64_t v, int bytes)
{
	for (int i = 0; i < bytes && len < sizeof buf; i++)
		buf[len++] = (uint8_t)(v >> (8 * i));
}

/* data_size = 64 << ds_log; low: the region against the lower guard. */
static void start(uint8_t ds_log, int low, int records, uint8_t cap_log)
{
	len = 0;
	put((uint64_t)ds_log | (low ? LAYOUT_LOW : 0), 1);
	put((uint64_t)cap_log | (records ? 0x80 : 0), 1);
}

static void call(enum call c, int flag, uint8_t size, uint8_t cap_log)
{
	put((uint64_t)c | (flag ? CALL_FLAG : 0), 1);
	put(ACT_OPERATE, 1);
	put(size, 1);
	put(cap_log, 1);
}

static void field(enum field f, int16_t delta, uint64_t value, int value_bytes)
{
	put(0, 1);
	put(ACT_POKE_FIELD, 1);
	put((uint64_t)f, 1);
	put((uint16_t)delta, 2);
	put(value, value_bytes);
}

static void record(uint8_t how, uint32_t length, uint16_t kind)
{
	put(0, 1);
	put(ACT_POKE_RECORD, 1);
	put(how, 1);
	put(length, 4);
	if (how & 0x10)
		put(kind, 2);
}

/* A record header with bit 7 of how: an explicit type follows. */
static void record_typed(uint8_t how, uint32_t length, uint16_t type)
{
	put(0, 1);
	put(ACT_POKE_RECORD, 1);
	put(how | 0x80, 1);
	put(length, 4);
	put(type, 2);
}

static void bytes(uint16_t off, uint8_t count, uint8_t value)
{
	put(0, 1);
	put(ACT_POKE_BYTES, 1);
	put(off, 2);
	put((uint64_t)count - 1, 1);
	for (int i = 0; i < count; i++)
		put(value, 1);
}

static void recover(void)
{
	put(0, 1);
	put(ACT_RECOVER, 1);
}

static void attach(int records)
{
	put(records ? ATTACH_RECORDS : 0, 1);
	put(ACT_ATTACH, 1);
}

/* Arms the in-call peer for the next call: at hook call `index` of `point`, target gets value. */
static void strike(unsigned point, uint8_t index, enum peer_target target, enum peer_how how,
		   int8_t slot, uint64_t value)
{
	put(0, 1);
	put(ACT_STRIKE, 1);
	put(point, 1);
	put(index, 1);
	put((uint64_t)target | (uint64_t)how << 4, 1);
	if (peer_record_target((uint8_t)target))
		put((uint8_t)slot, 1);
	put(value, (int)peer_value_bytes((uint8_t)target, (uint8_t)how));
}

/*
 * Typed records, and selecting pops that leave holes: CALL_RECORD_POP_SEL
 * takes its selector from one byte b (match b % 6, type b >> 3).
 */
static void typed_traffic(void)
{
	call(CALL_RECORD_PUSH_TYPE, 0, 20, 3);
	call(CALL_RECORD_PUSH_TYPE, 0, 10, 1);
	call(CALL_RECORD_PUSH_TYPE, 0, 12, 2);
	call(CALL_RECORD_PUSH_TYPE, 0, 9, 1);
	call(CALL_RECORD_POP_SEL, 0, 100, 13); /* EQ 1: a hole behind the first record */
	call(CALL_RECORD_POP_SEL, 0, 100, 20); /* LE 2 */
	call(CALL_RECORD_POP_SEL, 1, 4, 4);    /* HIGHEST, truncated */
	call(CALL_RECORD_POP_SEL, 0, 100, 9);  /* NE 1 */
	call(CALL_RECORD_POP_SEL, 0, 100, 5);  /* no selector: -EINVAL */
	call(CALL_RECORD_PUSH_TYPE, 0, 40, 7);
	call(CALL_RECORD_PUSH_TYPE, 0, 40, 7); /* needs the holes: compaction */
	call(CALL_USED_CAPACITY, 0, 0, 0);
}

/* Pushes and pops in the ring's mode, and a look at the counters. */
static void traffic(int records)
{
	enum call push = records ? CALL_RECORD_TRY_PUSH : CALL_BYTE_TRY_PUSH;
	enum call pop = records ? CALL_RECORD_TRY_POP : CALL_BYTE_TRY_POP;

	call(push, 0, 40, 0);
	call(pop, 0, 100, 0);
	call(push, 0, 30, 0);
	call(push, 0, 10, 0);
	call(CALL_USED_CAPACITY, 0, 0, 0);
}

/* The calls that must notice a corruption, then a recovery and more traffic. */
static void notice_and_recover(int records)
{
	call(records ? CALL_RECORD_TRY_POP : CALL_BYTE_TRY_POP, 0, 100, 0);
	call(records ? CALL_RECORD_POP : CALL_BYTE_POP, 0, 100, 0);
	call(records ? CALL_RECORD_PUSH : CALL_BYTE_PUSH, 0, 8, 0);
	call(CALL_RECORD_PEEK, 0, 0, 0);
	call(CALL_SET_CAPACITY, 0, 0, 6);
	recover();
	traffic(records);
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

/* The seeds of the peer that writes between calls. */
static int between_calls(void)
{
	int rc = 0;

	start(0, 0, 1, 6);
	traffic(1);
	record(0, 200, 0);
	notice_and_recover(1);
	rc |= save("poke-record-length-too-big");

	start(0, 1, 1, 6);
	traffic(1);
	record(0x30, 8, 0x1234);
	notice_and_recover(1);
	rc |= save("poke-record-kind-and-tag");

	start(1, 0, 1, 7);
	traffic(1);
	field(FIELD_HEAD_ADD, 4, 0, 0);
	notice_and_recover(1);
	rc |= save("poke-record-head-misaligned");

	start(1, 0, 1, 7);
	traffic(1);
	field(FIELD_TAIL_ADD, 64, 0, 0);
	notice_and_recover(1);
	rc |= save("poke-record-tail-ahead");

	start(6, 0, 0, 12);
	traffic(0);
	field(FIELD_CAPACITY_SET, 0, 1u << 20, 4);
	notice_and_recover(0);
	rc |= save("poke-bytes-capacity-huge");

	start(6, 1, 0, 12);
	traffic(0);
	field(FIELD_TAIL_SET, 0, 5000, 8);
	notice_and_recover(0);
	rc |= save("poke-bytes-overfull");

	start(2, 0, 0, 8);
	traffic(0);
	field(FIELD_MODE, 2, 0, 0);
	field(FIELD_FLAGS, 2, 0, 0);
	notice_and_recover(0);
	attach(1);
	traffic(1);
	rc |= save("poke-bytes-turned-records");

	start(2, 0, 1, 8);
	traffic(1);
	bytes(0, 16, 0xff);
	notice_and_recover(1);
	rc |= save("poke-header-overwritten");

	start(1, 0, 1, 7);
	typed_traffic();
	record(0x41, 8, 0); /* a hole past head, its length a lie */
	call(CALL_RECORD_POP_SEL, 0, 100, 13);
	record_typed(0x00, 8, 0xffff);
	call(CALL_RECORD_POP_SEL, 0, 100, 4);
	notice_and_recover(1);
	typed_traffic();
	rc |= save("poke-record-typed-holes");

	start(0, 1, 1, 6);
	typed_traffic();
	field(FIELD_HEAD_ADD, 8, 0, 0);
	call(CALL_RECORD_POP_SEL, 0, 100, 4);
	notice_and_recover(1);
	rc |= save("poke-record-typed-head-moved");

	/* A smaller data_size in the header, and a process that attaches to it. */
	start(3, 0, 0, 6);
	traffic(0);
	field(FIELD_DATA_SIZE_POW2, 7, 0, 0);
	attach(0);
	traffic(0);
	call(CALL_SET_CAPACITY, 0, 0, 9);
	recover();
	attach(0);
	rc |= save("poke-data-size-reattach");
	return rc;
}

/* The seeds of the in-call peer. */
static int during_calls(void)
{
	int rc = 0;

	/* Attach while the header's identity and geometry change under it. */
	start(2, 0, 0, 8);
	traffic(0);
	strike(RING_PEER_ATTACH_HEADER, 0, PEER_VERSION, PEER_ADD, 0, 1);
	attach(0);
	strike(RING_PEER_ATTACH_HEADER, 2, PEER_MODE, PEER_SET, 0, 2);
	attach(1);
	strike(RING_PEER_ATTACH_HEADER, 1, PEER_DATA_SIZE, PEER_ADD, 0, 64);
	attach(0);
	recover();
	attach(0);
	strike(RING_PEER_CAPACITY, 0, PEER_CAPACITY, PEER_POW2, 0, 3);
	attach(0);
	traffic(0);
	rc |= save("strike-attach-geometry");

	/* The same for a record ring, with a record-mode attach. */
	start(1, 1, 1, 7);
	traffic(1);
	strike(RING_PEER_COUNTERS, 0, PEER_TAIL, PEER_ADD, 0, 8);
	attach(1);
	strike(RING_PEER_ATTACH_HEADER, 3, PEER_FLAGS, PEER_FLIP, 0, 0);
	attach(1);
	recover();
	attach(1);
	traffic(1);
	rc |= save("strike-attach-records");

	/* Counters moved between the reads of a push and of a pop. */
	start(1, 0, 0, 7);
	traffic(0);
	strike(RING_PEER_COUNTERS, 0, PEER_TAIL, PEER_ADD, 0, 100);
	call(CALL_BYTE_TRY_PUSH, 0, 20, 0);
	strike(RING_PEER_COUNTERS, 1, PEER_HEAD, PEER_ADD, 0, -8);
	call(CALL_BYTE_TRY_POP, 0, 50, 0);
	strike(RING_PEER_CAPACITY, 0, PEER_CAPACITY, PEER_POW2, 0, 4);
	call(CALL_BYTE_PUSH, 1, 30, 0);
	notice_and_recover(0);
	rc |= save("strike-bytes-counters");

	/* A wrapping copy with the peer striking between its two halves. */
	start(0, 1, 0, 6);
	call(CALL_BYTE_TRY_PUSH, 0, 50, 0);
	call(CALL_BYTE_TRY_POP, 0, 50, 0);
	strike(RING_PEER_DATA, 0, PEER_HEAD, PEER_ADD, 0, 1);
	call(CALL_BYTE_TRY_PUSH, 0, 40, 0);
	strike(RING_PEER_DATA, 0, PEER_CAPACITY, PEER_POW2, 0, 5);
	call(CALL_BYTE_TRY_POP, 0, 40, 0);
	notice_and_recover(0);
	rc |= save("strike-bytes-wrap");

	/* Record headers rewritten while a consumer walks them. */
	start(1, 0, 1, 7);
	typed_traffic();
	call(CALL_RECORD_PUSH_TYPE, 0, 12, 2);
	strike(RING_PEER_RECORD_HEADER, 0, PEER_REC_LENGTH, PEER_ADD, 0, 64);
	call(CALL_RECORD_TRY_POP, 0, 100, 0);
	strike(RING_PEER_RECORD_HEADER, 1, PEER_REC_KIND, PEER_FLIP, 0, 1);
	call(CALL_RECORD_POP_SEL, 0, 100, 4);
	strike(PEER_ANY_POINT, 2, PEER_REC_TYPE, PEER_SET, 0, 3);
	call(CALL_RECORD_POP_SEL, 1, 4, 17);
	strike(RING_PEER_RECORD_HEADER, 0, PEER_REC_TAG, PEER_ADD, 2, 1);
	call(CALL_RECORD_PEEK, 0, 0, 0);
	notice_and_recover(1);
	rc |= save("strike-record-headers");

	/* A push that compacts, with `gone` and head moving under it. */
	start(1, 0, 1, 7);
	typed_traffic();
	call(CALL_RECORD_PUSH_TYPE, 0, 30, 1);
	call(CALL_RECORD_POP_SEL, 0, 100, 9);
	strike(RING_PEER_COUNTERS, 2, PEER_GONE, PEER_ADD, 0, 16);
	strike(RING_PEER_RECORD_HEADER, 0, PEER_REC_LENGTH, PEER_FLIP, 1, 3);
	call(CALL_RECORD_PUSH_TYPE, 0, 60, 2);
	strike(RING_PEER_COUNTERS, 0, PEER_HEAD, PEER_ADD, 0, 16);
	call(CALL_RECORD_PUSH, 0, 30, 0);
	notice_and_recover(1);
	rc |= save("strike-record-compaction");

	/* Capacity changes with the capacity and counters rewritten during them. */
	start(3, 0, 0, 8);
	traffic(0);
	strike(RING_PEER_CAPACITY, 0, PEER_CAPACITY, PEER_POW2, 0, 7);
	call(CALL_SET_CAPACITY, 0, 0, 9);
	strike(RING_PEER_COUNTERS, 1, PEER_TAIL, PEER_ADD, 0, 300);
	call(CALL_SET_CAPACITY, 1, 0, 6);
	strike(RING_PEER_CAPACITY, 0, PEER_CAPACITY, PEER_SET, 0, 48);
	call(CALL_USED_CAPACITY, 0, 0, 0);
	notice_and_recover(0);
	rc |= save("strike-capacity");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	return between_calls() | during_calls();
}
