/*
 * crc32c_ref.h -- a reference CRC-32C for the fuzz oracles, written from
 * the definition and sharing nothing with impl/framing (whose checksum it
 * judges: a bug there, made the same way in encoder and decoder, must not
 * be able to move both sides of a check).
 *
 * CRC-32C (Castagnoli): the reflected polynomial 0x82F63B78, the register
 * preset to all ones, and the result complemented.  Published check
 * values: "123456789" gives 0xE3069283 (the CRC catalogue); 32 zero bytes
 * 0x8A9136AA and 32 bytes 0xFF 0x62A8AB43 (RFC 3720, B.4).  oracle_test.c
 * checks both forms below against them.
 *
 * Two forms of one definition:
 *   crc32c_ref_bitwise()  one bit at a time, the definition itself;
 *   crc32c_ref()          eight bytes a step through tables that
 *                         crc32c_ref_bitwise() fills on first use, so the
 *                         fuzz targets keep their speed (a 4 KiB frame bit
 *                         by bit costs tens of microseconds, and
 *                         framing_decode must run 500,000 inputs a second).
 * The register is passed in and out raw (not complemented), so a CRC over
 * pieces is CRC_REF_FINAL(f(f(CRC_REF_INIT, a), b)).
 *
 * Header-only: a harness includes it and links nothing more.
 */
#ifndef IPCCONF_FUZZ_ORACLE_CRC32C_REF_H
#define IPCCONF_FUZZ_ORACLE_CRC32C_REF_H

#include <stddef.h>
#include <stdint.h>

#define CRC32C_REF_POLY 0x82f63b78u /* Castagnoli, bit-reflected */
#define CRC32C_REF_INIT 0xffffffffu
#define CRC32C_REF_FINAL(reg) ((reg) ^ 0xffffffffu)

/*
 * Pure arithmetic: coverage instrumentation would only add edges a fuzzer
 * cannot use and cost more than the loop.  Only clang knows the name.
 */
#if defined(__clang__)
#define CRC32C_REF_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define CRC32C_REF_NO_COVERAGE
#endif

/* Shifts p[0..n) through the register, one bit at a time. */
CRC32C_REF_NO_COVERAGE
static inline uint32_t crc32c_ref_bitwise(uint32_t reg, const uint8_t *p, size_t n)
{
	while (n--) {
		reg ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			reg = reg & 1u ? (reg >> 1) ^ CRC32C_REF_POLY : reg >> 1;
	}
	return reg;
}

/*
 * table[0][b]: the register after eight shifts starting from b, i.e. what
 * crc32c_ref_bitwise() does to a register whose low byte is b and whose
 * other bits are zero; table[k][b]: the same followed by k zero bytes.
 * The CRC is linear, so eight lookups, one per byte of a register-sized
 * step, XOR to the register after those eight bytes.
 */
static inline const uint32_t (*crc32c_ref_tables(void))[256]
{
	static uint32_t table[8][256];
	static int ready;

	if (!ready) {
		const uint8_t zero = 0;

		for (unsigned b = 0; b < 256; b++)
			table[0][b] = crc32c_ref_bitwise(b, &zero, 1);
		for (unsigned k = 1; k < 8; k++)
			for (unsigned b = 0; b < 256; b++)
				table[k][b] = crc32c_ref_bitwise(table[k - 1][b], &zero, 1);
		ready = 1;
	}
	return (const uint32_t(*)[256])table;
}

static inline uint32_t crc32c_ref_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The same register update as crc32c_ref_bitwise(), eight bytes a step. */
CRC32C_REF_NO_COVERAGE
static inline uint32_t crc32c_ref(uint32_t reg, const uint8_t *p, size_t n)
{
	const uint32_t(*t)[256] = crc32c_ref_tables();

	for (; n >= 8; p += 8, n -= 8) {
		uint32_t lo = reg ^ crc32c_ref_le32(p), hi = crc32c_ref_le32(p + 4);

		reg = t[7][lo & 0xffu] ^ t[6][(lo >> 8) & 0xffu] ^ t[5][(lo >> 16) & 0xffu] ^
		      t[4][lo >> 24] ^ t[3][hi & 0xffu] ^ t[2][(hi >> 8) & 0xffu] ^
		      t[1][(hi >> 16) & 0xffu] ^ t[0][hi >> 24];
	}
	while (n--)
		reg = t[0][(reg ^ *p++) & 0xffu] ^ (reg >> 8);
	return reg;
}

#endif
