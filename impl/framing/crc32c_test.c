/*
 * Tests of the checksum and byte-order helpers under the codec: a wrong
 * table entry or a swapped byte would otherwise only show up as
 * "checksum mismatch" against some other implementation.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "impl/framing/framing.h"
#include "impl/framing/framing_int.h"

/* The definition, one bit at a time: the reference for the table. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void test_check_value(void)
{
	/* The published check value of CRC-32C (e.g. RFC 3720, iSCSI). */
	CU_ASSERT_EQUAL(ipcconf_crc32c(0, "123456789", 9), 0xe3069283u);
	CU_ASSERT_EQUAL(ipcconf_crc32c(0, "", 0), 0u);
	CU_ASSERT_EQUAL(ipcconf_crc32c_portable(0, "123456789", 9), 0xe3069283u);
}

static void test_every_table_entry(void)
{
	/* A one-byte input b indexes entry (0xff ^ b): all 256 together cover the table. */
	for (unsigned b = 0; b < 256; b++) {
		uint8_t byte = (uint8_t)b;

		CU_ASSERT_EQUAL(ipcconf_crc32c_portable(0, &byte, 1), crc32c_bitwise(&byte, 1));
		CU_ASSERT_EQUAL(ipcconf_crc32c(0, &byte, 1), crc32c_bitwise(&byte, 1));
	}
}

static void test_longer_inputs_and_chaining(void)
{
	uint8_t buf[1000];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	/* Every length mod 8 and every alignment: the fast path works in 8-byte words. */
	for (size_t n = 0; n <= 64; n++) {
		for (size_t a = 0; a < 8; a++) {
			CU_ASSERT_EQUAL(ipcconf_crc32c(0, buf + a, n), crc32c_bitwise(buf + a, n));
			CU_ASSERT_EQUAL(ipcconf_crc32c_portable(0, buf + a, n), crc32c_bitwise(buf + a, n));
		}
	}
	for (size_t n = 0; n <= sizeof buf; n += 37) {
		uint32_t whole = crc32c_bitwise(buf, n);

		CU_ASSERT_EQUAL(ipcconf_crc32c(0, buf, n), whole);
		CU_ASSERT_EQUAL(ipcconf_crc32c_portable(0, buf, n), whole);
		/* Chaining over any split gives the CRC of the whole. */
		CU_ASSERT_EQUAL(ipcconf_crc32c(ipcconf_crc32c(0, buf, n / 3), buf + n / 3, n - n / 3), whole);
	}
}

static void test_frame_checksum_covers_header_then_payload(void)
{
	uint8_t frame[16 + 5] = {'I', 'P', 'C', 'F', 1, 9, 0x34, 0x12, 5, 0, 0, 0,
	                         0xaa, 0xbb, 0xcc, 0xdd, 'h', 'e', 'l', 'l', 'o'};
	uint8_t covered[12 + 5];

	memcpy(covered, frame, 12);
	memcpy(covered + 12, frame + 16, 5);
	CU_ASSERT_EQUAL(ipcconf_frame_checksum(frame, frame + 16, 5),
	                crc32c_bitwise(covered, sizeof covered));
}

static void test_little_endian_helpers(void)
{
	uint8_t b[4];

	frame_put_le32(b, 0x11223344u);
	CU_ASSERT(b[0] == 0x44 && b[1] == 0x33 && b[2] == 0x22 && b[3] == 0x11);
	CU_ASSERT_EQUAL(frame_get_le32(b), 0x11223344u);
	frame_put_le16(b, 0xbeefu);
	CU_ASSERT(b[0] == 0xef && b[1] == 0xbe);
	CU_ASSERT_EQUAL(frame_get_le16(b), 0xbeefu);
	frame_put_le32(b, 0xffffffffu);
	CU_ASSERT_EQUAL(frame_get_le32(b), 0xffffffffu);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"check value", test_check_value},
		{"every table entry", test_every_table_entry},
		{"longer inputs and chaining", test_longer_inputs_and_chaining},
		{"frame checksum covers header then payload", test_frame_checksum_covers_header_then_payload},
		{"little-endian helpers", test_little_endian_helpers},
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"crc32c", NULL, NULL, NULL, NULL, tests},
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
