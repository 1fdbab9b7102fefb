/*
 * Writes shm_ring_ops's seed corpus into the directory argv[1]:
 *   bazel run //fuzz/shm_ring_ops:make_corpus -- $PWD/fuzz/shm_ring_ops/corpus
 * One seed per behaviour the harness models, each a short op script in
 * the encoding of shm_ring_ops.h, so that the fuzzer starts from inputs
 * that already wrap, fill, resize and switch modes.
 */
#include <stdio.h>

#include "fuzz/shm_ring_ops/shm_ring_ops.h"

static uint8_t buf[1024];
static size_t len;
static const char *dir;

/* Starts an input: data_size = 64 << ds_log, mode, capacity = 1 << cap_log. */
static void start(uint8_t ds_log, int records, uint8_t cap_log)
{
	buf[0] = ds_log;
	buf[1] = (uint8_t)((records ? 0x80 : 0) | cap_log);
	len = 2;
}

/* The same with the region against the lower guard page. */
static void start_low(uint8_t ds_log, int records, uint8_t cap_log)
{
	buf[0] = ds_log | LAYOUT_LOW;
	buf[1] = (uint8_t)((records ? 0x80 : 0) | cap_log);
	len = 2;
}

static void op(enum op code, int flag, uint8_t arg)
{
	if (len + 2 > sizeof buf)
		return;
	buf[len++] = (uint8_t)(code | (flag ? OP_FLAG : 0));
	buf[len++] = arg;
}

/* An op with extra bytes (the typed-record ops of shm_ring_ops.h). */
static void op_x(enum op code, int flag, uint8_t arg, int nx, uint8_t x1, uint8_t x2)
{
	if (len + 4 > sizeof buf)
		return;
	op(code, flag, arg);
	buf[len++] = x1;
	if (nx > 1)
		buf[len++] = x2;
}

/* Selector bytes: b % 6 picks the match. */
enum { SEL_ANY = 0, SEL_EQ = 1, SEL_LE = 2, SEL_NE = 3, SEL_HIGHEST = 4, SEL_NONE = 5 };

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

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];

	/* Uneven pushes and pops through a 16-byte byte ring: wraps every few ops. */
	start(0, 0, 4);
	for (int i = 0; i < 24; i++) {
		op(OP_BYTE_TRY_PUSH, i % 3 == 0, (uint8_t)(1 + i % 13));
		op(OP_BYTE_TRY_POP, 0, (uint8_t)(1 + i % 11));
	}
	rc |= save("bytes-wrap-small");

	/* The whole 4096-byte data area, pushed across its end. */
	start(6, 0, 12);
	op(OP_BYTE_TRY_PUSH, 0, 0xff);
	op(OP_BYTE_TRY_POP, 0, 0xff);
	op(OP_BYTE_TRY_PUSH, 0, 0xff);
	op(OP_BYTE_TRY_POP, 0, 0xf0);
	op(OP_BYTE_TRY_POP, 0, 0xf0);
	rc |= save("bytes-wrap-whole-area");

	/* Blocking calls that complete at once, and ones that must not sleep. */
	start(1, 0, 6);
	op(OP_BYTE_PUSH, 1, 40);
	op(OP_BYTE_PUSH, 1, 40);
	op(OP_BYTE_PUSH, 0, 40);
	op(OP_BYTE_POP, 0, 100);
	op(OP_BYTE_POP, 0, 100);
	rc |= save("bytes-blocking");

	/* Capacity changes with data buffered across the wrap point. */
	start(2, 0, 6);
	op(OP_BYTE_TRY_PUSH, 0, 50);
	op(OP_BYTE_TRY_POP, 0, 45);
	op(OP_BYTE_TRY_PUSH, 0, 40);
	op(OP_SET_CAPACITY, 0, 5);
	op(OP_SET_CAPACITY, 0, 8);
	op(OP_SET_CAPACITY, 0, 6);
	op(OP_BYTE_TRY_POP, 0, 60);
	op(OP_RESET, 0, 7);
	op(OP_SET_CAPACITY, 0, 12);
	rc |= save("bytes-capacity");

	/* Records of many sizes through a 64-byte record ring. */
	start(0, 1, 6);
	for (int i = 0; i < 20; i++) {
		op(OP_RECORD_TRY_PUSH, 0, (uint8_t)(i * 7 % 41));
		if (i % 3 != 0)
			op(OP_RECORD_TRY_POP, 0, 64);
	}
	op(OP_RECORD_PEEK, 0, 0);
	rc |= save("records-wrap");

	/* Too big, too small a buffer, zero-length, blocking, peek. */
	start(0, 1, 6);
	op(OP_RECORD_TRY_PUSH, 0, 57);
	op(OP_RECORD_TRY_PUSH, 0, 56);
	op(OP_RECORD_TRY_POP, 0, 10);
	op(OP_RECORD_PEEK, 0, 0);
	op(OP_RECORD_POP, 0, 56);
	op(OP_RECORD_PUSH, 0, 0);
	op(OP_RECORD_PUSH, 0, 30);
	op(OP_RECORD_POP, 0, 0);
	op(OP_RECORD_POP, 0, 30);
	op(OP_RECORD_POP, 0, 30);
	rc |= save("records-sizes");

	/* Records kept across capacity changes, then a reset. */
	start(3, 1, 7);
	op(OP_RECORD_TRY_PUSH, 0, 100);
	op(OP_RECORD_TRY_POP, 0, 100);
	op(OP_RECORD_TRY_PUSH, 0, 10);
	op(OP_RECORD_TRY_PUSH, 0, 10);
	op(OP_SET_CAPACITY, 0, 5);
	op(OP_SET_CAPACITY, 0, 9);
	op(OP_SET_CAPACITY, 0, 6);
	op(OP_RECORD_TRY_POP, 0, 10);
	op(OP_RESET, 0, 2);
	op(OP_RESET, 0, 3);
	rc |= save("records-capacity");

	/* Mode switches, and each mode's calls on the other's ring. */
	start(1, 0, 7);
	op(OP_BYTE_TRY_PUSH, 0, 20);
	op(OP_RECORD_TRY_PUSH, 0, 20);
	op(OP_REINIT, 1, 7);
	op(OP_BYTE_TRY_POP, 0, 20);
	op(OP_RECORD_TRY_PUSH, 0, 20);
	op(OP_BYTE_PUSH, 0, 5);
	op(OP_REINIT, 1, 2);
	op(OP_REINIT, 0, 2);
	op(OP_RECORD_POP, 0, 20);
	rc |= save("modes");

	/* Types and every selector through a 512-byte record ring, with holes. */
	start(3, 1, 9);
	for (int i = 0; i < 12; i++)
		op_x(OP_RECORD_PUSH_TYPE, i % 4 == 0, (uint8_t)(3 + i * 5), 1, (uint8_t)(i % 5), 0);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_EQ, 2);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_LE, 3);
	op_x(OP_RECORD_PEEK_SEL, 0, 0, 2, SEL_HIGHEST, 0);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_HIGHEST, 0);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_NE, 0);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_NONE, 0);
	op_x(OP_RECORD_POP_SEL_BLOCKING, 0, 100, 2, SEL_EQ, 4);
	op_x(OP_RECORD_POP_SEL_BLOCKING, 0, 100, 2, SEL_EQ, 0xf3);
	op(OP_RECORD_TRY_POP, 0, 100);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_ANY, 0);
	rc |= save("records-typed-select");

	/* Short buffers: -E2BIG keeps the record, the flag truncates it. */
	start(1, 1, 7);
	op_x(OP_RECORD_PUSH_TYPE, 0, 60, 1, 1, 0);
	op_x(OP_RECORD_PUSH_TYPE, 0, 20, 1, 2, 0);
	op_x(OP_RECORD_POP_SEL, 0, 10, 2, SEL_EQ, 1);
	op_x(OP_RECORD_POP_SEL, 1, 10, 2, SEL_EQ, 1);
	op_x(OP_RECORD_POP_SEL, 1, 0, 2, SEL_ANY, 0);
	op_x(OP_RECORD_PEEK_SEL, 0, 0, 2, SEL_ANY, 0);
	rc |= save("records-truncate");

	/* Holes fill a 128-byte ring; a push that needs them compacts it, across the wrap. */
	start(1, 1, 7);
	op(OP_RECORD_TRY_PUSH, 0, 40);
	op(OP_RECORD_TRY_POP, 0, 100);
	for (int i = 0; i < 4; i++)
		op_x(OP_RECORD_PUSH_TYPE, 0, 10, 1, (uint8_t)(i & 1), 0);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_EQ, 1);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_EQ, 1);
	op_x(OP_RECORD_PUSH_TYPE, 0, 40, 1, 3, 0);
	op_x(OP_RECORD_PUSH_TYPE, 1, 30, 1, 3, 0);
	op_x(OP_RECORD_POP_SEL, 0, 100, 2, SEL_HIGHEST, 0);
	op(OP_SET_CAPACITY, 0, 8);
	op(OP_RECORD_TRY_POP, 0, 100);
	rc |= save("records-holes-compaction");

	/* The region against the lower guard: wraps in both modes, the whole area at once. */
	start_low(2, 0, 8);
	for (int i = 0; i < 10; i++) {
		op(OP_BYTE_TRY_PUSH, 0, (uint8_t)(90 + i * 17));
		op(OP_BYTE_TRY_POP, 0, (uint8_t)(80 + i * 13));
	}
	op(OP_REINIT, 1, 8);
	for (int i = 0; i < 10; i++) {
		op(OP_RECORD_TRY_PUSH, 0, (uint8_t)(30 + i * 11));
		op(OP_RECORD_TRY_POP, 0, 0xff);
	}
	rc |= save("layout-low-wrap");

	/* Blocking pops told that the other side is gone: data first, then end of file. */
	start(1, 0, 7);
	op(OP_BYTE_PUSH, 0, 30);
	op(OP_BYTE_POP, 1, 20);
	op(OP_BYTE_POP, 1, 20);
	op(OP_BYTE_POP, 1, 20);
	op(OP_BYTE_POP, 1, 0);
	op(OP_REINIT, 1, 7);
	op(OP_RECORD_PUSH, 0, 12);
	op(OP_RECORD_POP, 1, 4);
	op(OP_RECORD_POP, 1, 12);
	op(OP_RECORD_POP, 1, 12);
	op(OP_BYTE_POP, 1, 0);
	op(OP_BYTE_POP, 1, 5);
	rc |= save("pops-peer-gone");
	return rc;
}
