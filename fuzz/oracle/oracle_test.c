/*
 * Tests of the fuzz oracles themselves: an oracle that is wrong turns
 * every finding into noise and hides real bugs, so it is checked against
 * published values and frames built by hand, byte by byte, not against
 * impl/framing (which it exists to judge).
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "fuzz/oracle/crc32c_ref.h"
#include "fuzz/oracle/cuts.h"
#include "fuzz/oracle/frame_ref.h"

static uint32_t crc_bitwise(const void *p, size_t n)
{
	return CRC32C_REF_FINAL(crc32c_ref_bitwise(CRC32C_REF_INIT, p, n));
}

static uint32_t crc_table(const void *p, size_t n)
{
	return CRC32C_REF_FINAL(crc32c_ref(CRC32C_REF_INIT, p, n));
}

static void test_published_check_values(void)
{
	uint8_t zeros[32], ones[32], up[32], down[32];

	memset(zeros, 0, sizeof zeros);
	memset(ones, 0xff, sizeof ones);
	for (int i = 0; i < 32; i++) {
		up[i] = (uint8_t)i;
		down[i] = (uint8_t)(31 - i);
	}
	/* The CRC catalogue's check value. */
	CU_ASSERT_EQUAL(crc_bitwise("123456789", 9), 0xe3069283u);
	CU_ASSERT_EQUAL(crc_table("123456789", 9), 0xe3069283u);
	/* RFC 3720 (iSCSI), appendix B.4. */
	CU_ASSERT_EQUAL(crc_bitwise(zeros, 32), 0x8a9136aau);
	CU_ASSERT_EQUAL(crc_bitwise(ones, 32), 0x62a8ab43u);
	CU_ASSERT_EQUAL(crc_bitwise(up, 32), 0x46dd794eu);
	CU_ASSERT_EQUAL(crc_bitwise(down, 32), 0x113fdb5cu);
	CU_ASSERT_EQUAL(crc_table(zeros, 32), 0x8a9136aau);
	CU_ASSERT_EQUAL(crc_table(ones, 32), 0x62a8ab43u);
	CU_ASSERT_EQUAL(crc_table(up, 32), 0x46dd794eu);
	CU_ASSERT_EQUAL(crc_table(down, 32), 0x113fdb5cu);
	CU_ASSERT_EQUAL(crc_bitwise("", 0), 0u);
	CU_ASSERT_EQUAL(crc_table("", 0), 0u);
}

static void test_table_form_equals_definition(void)
{
	uint8_t buf[700];
	uint32_t x = 99;

	for (unsigned b = 0; b < 256; b++) {
		uint8_t byte = (uint8_t)b;

		CU_ASSERT_EQUAL(crc_table(&byte, 1), crc_bitwise(&byte, 1));
	}
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	/* Every length mod 8 at every offset: the table form steps 8 bytes at a time. */
	for (size_t n = 0; n <= 40; n++)
		for (size_t at = 0; at < 8; at++)
			CU_ASSERT_EQUAL(crc_table(buf + at, n), crc_bitwise(buf + at, n));
	for (size_t n = 0; n <= sizeof buf; n += 23) {
		uint32_t whole = crc_bitwise(buf, n);
		uint32_t reg = crc32c_ref(CRC32C_REF_INIT, buf, n / 3);

		CU_ASSERT_EQUAL(crc_table(buf, n), whole);
		/* Over pieces: the raw register carries on. */
		reg = crc32c_ref_bitwise(reg, buf + n / 3, n - n / 3);
		CU_ASSERT_EQUAL(CRC32C_REF_FINAL(reg), whole);
	}
}

/*
 * The documentation's example, "type 7, flags 0x0102, payload hi", whole.
 * Its CRC was computed apart from this code (a bit-by-bit CRC-32C in
 * Python over the 12 header bytes and "hi").
 */
static const uint8_t example[] = {
	0x49, 0x50, 0x43, 0x46, 0x01, 0x07, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00,
	0xb9, 0x87, 0x3c, 0xdb, 0x68, 0x69,
};

/* Type 0, flags 0, no payload; CRC computed the same way. */
static const uint8_t empty_frame[] = {
	0x49, 0x50, 0x43, 0x46, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x18, 0xfb, 0x53, 0x10,
};

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_hand_built_frames(void)
{
	uint8_t two[sizeof example + sizeof empty_frame];
	struct frame_ref f = {0};

	CU_ASSERT_EQUAL(frame_ref_parse(example, sizeof example, &f), FRAME_REF_FRAME);
	CU_ASSERT_EQUAL(f.type, 7);
	CU_ASSERT_EQUAL(f.flags, 0x0102);
	CU_ASSERT_EQUAL(f.length, 2);
	CU_ASSERT_EQUAL(f.size, sizeof example);
	CU_ASSERT(f.payload == example + 16 && memcmp(f.payload, "hi", 2) == 0);

	CU_ASSERT_EQUAL(frame_ref_parse(empty_frame, sizeof empty_frame, &f), FRAME_REF_FRAME);
	CU_ASSERT_EQUAL(f.type, 0);
	CU_ASSERT_EQUAL(f.flags, 0);
	CU_ASSERT_EQUAL(f.length, 0);
	CU_ASSERT_EQUAL(f.size, 16u);

	/* Back to back: the second starts where the first's size says. */
	memcpy(two, example, sizeof example);
	memcpy(two + sizeof example, empty_frame, sizeof empty_frame);
	CU_ASSERT_EQUAL(frame_ref_parse(two, sizeof two, &f), FRAME_REF_FRAME);
	CU_ASSERT_EQUAL(f.size, sizeof example);
	CU_ASSERT_EQUAL(frame_ref_parse(two + f.size, sizeof two - f.size, &f), FRAME_REF_FRAME);
	CU_ASSERT_EQUAL(f.length, 0);
	CU_ASSERT_EQUAL(frame_ref_parse(two, 0, &f), FRAME_REF_END);
}

static void test_largest_frame(void)
{
	static uint8_t frame[4096 + 1];
	struct frame_ref f = {0};
	uint32_t reg;

	memcpy(frame, empty_frame, 16);
	put_le32(frame + 8, 4080);
	for (int i = 0; i < 4080; i++)
		frame[16 + i] = (uint8_t)(i * 31);
	/* The CRC of bytes 0..11 then the payload, by the definition. */
	reg = crc32c_ref_bitwise(CRC32C_REF_INIT, frame, 12);
	reg = crc32c_ref_bitwise(reg, frame + 16, 4080);
	put_le32(frame + 12, CRC32C_REF_FINAL(reg));

	CU_ASSERT_EQUAL(frame_ref_parse(frame, 4096, &f), FRAME_REF_FRAME);
	CU_ASSERT_EQUAL(f.length, 4080u);
	CU_ASSERT_EQUAL(f.size, 4096u);
	CU_ASSERT_EQUAL(frame_ref_parse(frame, 4095, &f), FRAME_REF_TRUNCATED);
	/* One more payload byte is over the maximum, however many bytes follow. */
	put_le32(frame + 8, 4081);
	CU_ASSERT_EQUAL(frame_ref_parse(frame, sizeof frame, &f), FRAME_REF_TOO_BIG);
	CU_ASSERT_EQUAL(frame_ref_parse(frame, 12, &f), FRAME_REF_TOO_BIG);
	put_le32(frame + 8, 0xffffffffu);
	CU_ASSERT_EQUAL(frame_ref_parse(frame, 12, &f), FRAME_REF_TOO_BIG);
	/* The length is judged only once its last byte is there. */
	CU_ASSERT_EQUAL(frame_ref_parse(frame, 11, &f), FRAME_REF_TRUNCATED);
}

static void test_errors_in_wire_order(void)
{
	uint8_t b[sizeof example];
	struct frame_ref f = {0};

	/* Every proper prefix of a sound frame is a truncated one. */
	for (size_t n = 1; n < sizeof example; n++)
		CU_ASSERT_EQUAL(frame_ref_parse(example, n, &f), FRAME_REF_TRUNCATED);

	/* A wrong magic byte counts as soon as it is there, whatever follows. */
	for (size_t i = 0; i < 4; i++) {
		memcpy(b, example, sizeof b);
		b[i] ^= 0x20;
		for (size_t n = i + 1; n <= sizeof b; n++)
			CU_ASSERT_EQUAL(frame_ref_parse(b, n, &f), FRAME_REF_BAD_MAGIC);
		b[4] = 9; /* a bad version too: the magic comes first */
		CU_ASSERT_EQUAL(frame_ref_parse(b, sizeof b, &f), FRAME_REF_BAD_MAGIC);
	}

	memcpy(b, example, sizeof b);
	b[4] = 0;
	CU_ASSERT_EQUAL(frame_ref_parse(b, 5, &f), FRAME_REF_BAD_VERSION);
	b[4] = 2;
	put_le32(b + 8, 5000); /* too big as well: the version comes first */
	CU_ASSERT_EQUAL(frame_ref_parse(b, sizeof b, &f), FRAME_REF_BAD_VERSION);

	/* The CRC covers bytes 0..11 and the payload, and is itself checked. */
	static const size_t covered[] = {5, 6, 7, 12, 13, 14, 15, 16, 17};
	for (size_t k = 0; k < sizeof covered / sizeof covered[0]; k++) {
		memcpy(b, example, sizeof b);
		b[covered[k]] ^= 0x01;
		CU_ASSERT_EQUAL(frame_ref_parse(b, sizeof b, &f), FRAME_REF_BAD_CHECKSUM);
	}
	/* A length that still fits but moves the frame's end: truncated first. */
	memcpy(b, example, sizeof b);
	b[8] = 3;
	CU_ASSERT_EQUAL(frame_ref_parse(b, sizeof b, &f), FRAME_REF_TRUNCATED);
	b[8] = 1;
	CU_ASSERT_EQUAL(frame_ref_parse(b, sizeof b, &f), FRAME_REF_BAD_CHECKSUM);
}

static void test_cut_lists(void)
{
	/* 3 cuts: 1, 0, 0x0105; then stream bytes. */
	static const uint8_t input[] = {3, 1, 0, 0, 0, 0x05, 0x01, 'x'};
	struct fuzz_in in = {input, sizeof input};
	struct cuts c;

	cuts_read(&c, &in, 16);
	CU_ASSERT_EQUAL(c.count, 3u);
	CU_ASSERT_EQUAL(in.left, 1u);
	CU_ASSERT_EQUAL(cuts_next(&c, 1000), 1u);
	CU_ASSERT_EQUAL(cuts_next(&c, 999), 0u);
	CU_ASSERT_EQUAL(cuts_next(&c, 999), 0x105u);
	CU_ASSERT_EQUAL(cuts_next(&c, 738), 738u); /* the list is used up: the rest */

	in = (struct fuzz_in){input, sizeof input};
	cuts_read(&c, &in, 16);
	CU_ASSERT_EQUAL(cuts_next(&c, 1), 1u);
	CU_ASSERT_EQUAL(cuts_next(&c, 0), 0u);
	CU_ASSERT_EQUAL(cuts_next(&c, 5), 5u); /* clamped to what is left */

	/* The count is taken modulo max + 1; a short input reads as zeros. */
	static const uint8_t short_input[] = {20, 7};
	in = (struct fuzz_in){short_input, sizeof short_input};
	cuts_read(&c, &in, 16);
	CU_ASSERT_EQUAL(c.count, 3u);
	CU_ASSERT_EQUAL(c.len[0], 7u);
	CU_ASSERT_EQUAL(c.len[1], 0u);
	CU_ASSERT_EQUAL(in.left, 0u);
}

int main(void)
{
	CU_TestInfo crc_tests[] = {
		{"published check values", test_published_check_values},
		{"table form equals the definition", test_table_form_equals_definition},
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo frame_tests[] = {
		{"hand-built frames", test_hand_built_frames},
		{"largest frame and lengths", test_largest_frame},
		{"errors in wire order", test_errors_in_wire_order},
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo cut_tests[] = {
		{"cut lists", test_cut_lists},
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"crc32c_ref", NULL, NULL, NULL, NULL, crc_tests},
		{"frame_ref", NULL, NULL, NULL, NULL, frame_tests},
		{"cuts", NULL, NULL, NULL, NULL, cut_tests},
		CU_SUITE_INFO_NULL,
	};
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
