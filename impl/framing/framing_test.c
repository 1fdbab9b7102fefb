/*
 * Unit tests of the framing codec (framing.h): the wire layout, round
 * trips, every error, and the promise that chunking never changes what
 * comes out -- one byte at a time, or split at every possible point.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "impl/framing/framing.h"
#include "impl/framing/framing_int.h"

struct msg {
	uint8_t type;
	uint16_t flags;
	const uint8_t *payload;
	uint32_t len;
};

static uint8_t pattern[IPCCONF_FRAME_MAX_PAYLOAD + 1];
static struct ipcconf_frame_decoder dec;

/* Messages of every interesting size: empty, small, odd, maximal. */
static struct msg msgs[4];
#define NMSGS (sizeof msgs / sizeof msgs[0])

static uint8_t stream[4 * IPCCONF_FRAME_MAX_SIZE];
static size_t stream_len;
static size_t frame_end[NMSGS]; /* offset just past each frame in `stream` */

static int setup(void)
{
	uint32_t x = 1;

	for (size_t i = 0; i < sizeof pattern; i++) {
		x = x * 1664525u + 1013904223u;
		pattern[i] = (uint8_t)(x >> 24);
	}
	msgs[0] = (struct msg){.type = 0, .flags = 0, .payload = NULL, .len = 0};
	msgs[1] = (struct msg){.type = 1, .flags = 0x8001, .payload = (const uint8_t *)"hello", .len = 5};
	msgs[2] = (struct msg){.type = 0xff, .flags = 0xffff, .payload = pattern, .len = 301};
	msgs[3] = (struct msg){.type = 42, .flags = 7, .payload = pattern + 1, .len = IPCCONF_FRAME_MAX_PAYLOAD};

	stream_len = 0;
	for (size_t i = 0; i < NMSGS; i++) {
		int n = ipcconf_frame_encode(stream + stream_len, sizeof stream - stream_len, msgs[i].type,
		                             msgs[i].flags, msgs[i].payload, msgs[i].len);
		if (n != (int)IPCCONF_FRAME_SIZE(msgs[i].len))
			return 1;
		stream_len += (size_t)n;
		frame_end[i] = stream_len;
	}
	return 0;
}

static int same_frame(const struct ipcconf_frame *f, const struct msg *m)
{
	return f->type == m->type && f->flags == m->flags && f->length == m->len &&
	       (m->len == 0 || memcmp(f->payload, m->payload, m->len) == 0);
}

/*
 * Feeds one chunk, draining every frame it completes; each must be the
 * next expected message.  Returns the last status (NEED_MORE or an error).
 */
static int feed(const uint8_t *p, size_t n, const struct msg *want, size_t nwant, size_t *got)
{
	struct ipcconf_frame f;
	size_t used;
	int r;

	for (;;) {
		r = ipcconf_frame_decode(&dec, p, n, &used, &f);
		CU_ASSERT(used <= n);
		if (r != IPCCONF_FRAME_READY)
			return r;
		if (*got >= nwant) {
			CU_FAIL("decoder produced a frame that was never encoded");
			return r;
		}
		CU_ASSERT(same_frame(&f, &want[*got]));
		++*got;
		p += used;
		n -= used;
	}
}

static void test_golden_bytes(void)
{
	/* The example in framing.h; the CRC was computed independently of this code. */
	static const uint8_t want[] = {0x49, 0x50, 0x43, 0x46, 0x01, 0x07, 0x02, 0x01, 0x02, 0x00,
	                               0x00, 0x00, 0xb9, 0x87, 0x3c, 0xdb, 0x68, 0x69};
	uint8_t buf[64];

	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, sizeof buf, 7, 0x0102, "hi", 2), (int)sizeof want);
	CU_ASSERT(memcmp(buf, want, sizeof want) == 0);
}

static void test_round_trip_whole_stream(void)
{
	size_t got = 0;

	ipcconf_frame_decoder_reset(&dec);
	CU_ASSERT_EQUAL(feed(stream, stream_len, msgs, NMSGS, &got), IPCCONF_FRAME_NEED_MORE);
	CU_ASSERT_EQUAL(got, NMSGS);
	CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
}

static void test_one_byte_at_a_time(void)
{
	size_t got = 0;

	ipcconf_frame_decoder_reset(&dec);
	for (size_t i = 0; i < stream_len; i++) {
		size_t before = got;

		CU_ASSERT_EQUAL(feed(stream + i, 1, msgs, NMSGS, &got), IPCCONF_FRAME_NEED_MORE);
		/* A frame comes out exactly when its last byte goes in, never earlier. */
		if (got != before)
			CU_ASSERT_EQUAL(i + 1, frame_end[got - 1]);
	}
	CU_ASSERT_EQUAL(got, NMSGS);
	CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
}

static void test_split_at_every_point(void)
{
	for (size_t cut = 0; cut <= stream_len; cut++) {
		size_t got = 0;

		ipcconf_frame_decoder_reset(&dec);
		feed(stream, cut, msgs, NMSGS, &got);
		feed(stream + cut, stream_len - cut, msgs, NMSGS, &got);
		CU_ASSERT_EQUAL(got, NMSGS);
		CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
	}
}

static void test_split_at_every_pair_of_points(void)
{
	/* The first three frames (no maximal one) keep this quadratic loop fast. */
	size_t n = frame_end[2];

	for (size_t a = 0; a <= n; a++) {
		for (size_t b = a; b <= n; b++) {
			size_t got = 0;

			ipcconf_frame_decoder_reset(&dec);
			feed(stream, a, msgs, 3, &got);
			feed(stream + a, b - a, msgs, 3, &got);
			feed(stream + b, n - b, msgs, 3, &got);
			if (got != 3) {
				CU_FAIL("frames lost when split in three");
				return;
			}
			CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
		}
	}
}

static void test_max_size_frame(void)
{
	uint8_t buf[IPCCONF_FRAME_MAX_SIZE + 1];
	size_t got = 0;

	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, sizeof buf, 42, 7, pattern + 1, IPCCONF_FRAME_MAX_PAYLOAD),
	                (int)IPCCONF_FRAME_MAX_SIZE);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, sizeof buf, 0, 0, pattern, IPCCONF_FRAME_MAX_PAYLOAD + 1),
	                IPCCONF_FRAME_ETOOBIG);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, IPCCONF_FRAME_MAX_SIZE - 1, 0, 0, pattern,
	                                     IPCCONF_FRAME_MAX_PAYLOAD),
	                IPCCONF_FRAME_ENOSPC);
	ipcconf_frame_encode(buf, sizeof buf, 42, 7, pattern + 1, IPCCONF_FRAME_MAX_PAYLOAD);
	ipcconf_frame_decoder_reset(&dec);
	CU_ASSERT_EQUAL(feed(buf, IPCCONF_FRAME_MAX_SIZE, &msgs[3], 1, &got), IPCCONF_FRAME_NEED_MORE);
	CU_ASSERT_EQUAL(got, 1);
}

static void test_encode_arguments(void)
{
	uint8_t buf[64];

	CU_ASSERT_EQUAL(ipcconf_frame_encode(NULL, 64, 0, 0, "x", 1), IPCCONF_FRAME_EINVAL);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, sizeof buf, 0, 0, NULL, 1), IPCCONF_FRAME_EINVAL);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, sizeof buf, 0, 0, NULL, 0), (int)IPCCONF_FRAME_HEADER_SIZE);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, IPCCONF_FRAME_HEADER_SIZE - 1, 0, 0, NULL, 0),
	                IPCCONF_FRAME_ENOSPC);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(buf, 20, 0, 0, "hello", 5), IPCCONF_FRAME_ENOSPC);
}

static void test_encode_in_place(void)
{
	uint8_t a[64], b[64];

	memcpy(a + IPCCONF_FRAME_HEADER_SIZE, "payload", 7);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(a, sizeof a, 3, 4, a + IPCCONF_FRAME_HEADER_SIZE, 7), 23);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(b, sizeof b, 3, 4, "payload", 7), 23);
	CU_ASSERT(memcmp(a, b, 23) == 0);
	/* Payload overlapping the header region. */
	memcpy(a, "payload", 7);
	CU_ASSERT_EQUAL(ipcconf_frame_encode(a, sizeof a, 3, 4, a, 7), 23);
	CU_ASSERT(memcmp(a, b, 23) == 0);
}

static void test_decode_arguments(void)
{
	struct ipcconf_frame f;
	size_t used;

	ipcconf_frame_decoder_reset(&dec);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(NULL, "x", 1, &used, &f), IPCCONF_FRAME_EINVAL);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, NULL, 1, &used, &f), IPCCONF_FRAME_EINVAL);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, "x", 1, NULL, &f), IPCCONF_FRAME_EINVAL);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, "x", 1, &used, NULL), IPCCONF_FRAME_EINVAL);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, NULL, 0, &used, &f), IPCCONF_FRAME_NEED_MORE);
	CU_ASSERT_EQUAL(used, 0);
	CU_ASSERT_EQUAL(ipcconf_frame_finish(NULL), IPCCONF_FRAME_EINVAL);
	/* Bad arguments are not stream errors: the decoder is still healthy. */
	CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
}

/* A small valid frame to corrupt. */
static size_t good_frame(uint8_t *buf)
{
	return (size_t)ipcconf_frame_encode(buf, 64, 5, 0x0a0b, "abcdef", 6);
}

/* Re-seals a frame whose header a test changed, so that only the change is wrong. */
static void reseal(uint8_t *buf)
{
	uint32_t len = frame_get_le32(buf + FRAME_OFF_LENGTH);

	frame_put_le32(buf + FRAME_OFF_CRC, ipcconf_frame_checksum(buf, buf + 16, len));
}

/*
 * Decodes buf[0..n) whole and one byte at a time; both must stop with
 * `want` after the same number of frames, and the error must stick.
 */
static void expect_error(const uint8_t *buf, size_t n, int want, size_t frames_first)
{
	struct ipcconf_frame f;
	size_t used, frames = 0;
	int r = IPCCONF_FRAME_NEED_MORE;

	ipcconf_frame_decoder_reset(&dec);
	for (size_t off = 0; off < n; off += used) {
		r = ipcconf_frame_decode(&dec, buf + off, n - off, &used, &f);
		if (r != IPCCONF_FRAME_READY)
			break;
		frames++;
	}
	if (r == IPCCONF_FRAME_NEED_MORE)
		r = ipcconf_frame_finish(&dec);
	CU_ASSERT_EQUAL(r, want);
	CU_ASSERT_EQUAL(frames, frames_first);

	/* Sticky: nothing more is taken, finish() repeats it. */
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, buf, n, &used, &f), want);
	CU_ASSERT_EQUAL(used, 0);
	CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), want);

	frames = 0;
	r = IPCCONF_FRAME_NEED_MORE;
	ipcconf_frame_decoder_reset(&dec);
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = ipcconf_frame_decode(&dec, buf + i, 1, &used, &f);
		frames += r == IPCCONF_FRAME_READY;
	}
	if (r >= 0)
		r = ipcconf_frame_finish(&dec);
	CU_ASSERT_EQUAL(r, want);
	CU_ASSERT_EQUAL(frames, frames_first);
}

static void test_error_bad_magic(void)
{
	uint8_t buf[128];
	size_t n = good_frame(buf);

	buf[0] = 'X';
	expect_error(buf, n, IPCCONF_FRAME_EMAGIC, 0);
	buf[0] = 'I';
	buf[3] = 'G';
	expect_error(buf, n, IPCCONF_FRAME_EMAGIC, 0);
	/* Judged byte by byte: one wrong byte is enough, no need to wait for four. */
	ipcconf_frame_decoder_reset(&dec);
	expect_error((const uint8_t *)"Q", 1, IPCCONF_FRAME_EMAGIC, 0);
	/* After a good frame, garbage is still an error, not a skipped byte. */
	n = good_frame(buf);
	memcpy(buf + n, "garbage", 7);
	expect_error(buf, n + 7, IPCCONF_FRAME_EMAGIC, 1);
}

static void test_error_bad_version(void)
{
	uint8_t buf[128];
	size_t n = good_frame(buf);

	buf[FRAME_OFF_VERSION] = 2;
	reseal(buf);
	expect_error(buf, n, IPCCONF_FRAME_EVERSION, 0);
	buf[FRAME_OFF_VERSION] = 0;
	reseal(buf);
	expect_error(buf, n, IPCCONF_FRAME_EVERSION, 0);
}

static void test_error_length_over_maximum(void)
{
	static const uint32_t bad[] = {IPCCONF_FRAME_MAX_PAYLOAD + 1, IPCCONF_FRAME_MAX_SIZE,
	                               0x10000u, 0x10010u, 0x7fffffffu, 0xffffffffu};
	uint8_t buf[128];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = good_frame(buf);

		/* 0x10000 and 0x10010 catch a check done on a 16-bit copy of the length. */
		frame_put_le32(buf + FRAME_OFF_LENGTH, bad[i]);
		/* Rejected from the header alone: the payload is never waited for. */
		expect_error(buf, IPCCONF_FRAME_HEADER_SIZE, IPCCONF_FRAME_ETOOBIG, 0);
		expect_error(buf, n, IPCCONF_FRAME_ETOOBIG, 0);
	}
}

static void test_error_checksum(void)
{
	static const size_t flip_at[] = {FRAME_OFF_TYPE, FRAME_OFF_FLAGS, FRAME_OFF_FLAGS + 1,
	                                 FRAME_OFF_CRC, FRAME_OFF_CRC + 3, 16, 21};
	uint8_t buf[128];

	for (size_t i = 0; i < sizeof flip_at / sizeof flip_at[0]; i++) {
		size_t n = good_frame(buf);

		buf[flip_at[i]] ^= 0x10;
		expect_error(buf, n, IPCCONF_FRAME_ECHECKSUM, 0);
	}
	/* A shorter length that is still legal: caught by the checksum over the header. */
	size_t n = good_frame(buf);
	frame_put_le32(buf + FRAME_OFF_LENGTH, 5);
	expect_error(buf, n - 1, IPCCONF_FRAME_ECHECKSUM, 0);
}

static void test_error_truncated(void)
{
	static const size_t cut_at[] = {1, 4, 11, 15, 16, 17, 21};
	uint8_t buf[128];

	for (size_t i = 0; i < sizeof cut_at / sizeof cut_at[0]; i++) {
		size_t n = good_frame(buf);

		CU_ASSERT(cut_at[i] < n);
		expect_error(buf, cut_at[i], IPCCONF_FRAME_ETRUNCATED, 0);
		/* The same after a complete frame. */
		good_frame(buf + n);
		expect_error(buf, n + cut_at[i], IPCCONF_FRAME_ETRUNCATED, 1);
	}
	/* A stream that ends on a boundary (or is empty) is not truncated. */
	ipcconf_frame_decoder_reset(&dec);
	CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
}

static void test_reset_clears_the_error(void)
{
	struct ipcconf_frame f;
	uint8_t buf[128];
	size_t used, n = good_frame(buf);

	ipcconf_frame_decoder_reset(&dec);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, "junk", 4, &used, &f), IPCCONF_FRAME_EMAGIC);
	ipcconf_frame_decoder_reset(&dec);
	CU_ASSERT_EQUAL(ipcconf_frame_decode(&dec, buf, n, &used, &f), IPCCONF_FRAME_READY);
	CU_ASSERT_EQUAL(used, n);
	CU_ASSERT_EQUAL(f.length, 6);
	CU_ASSERT(memcmp(f.payload, "abcdef", 6) == 0);
	CU_ASSERT_EQUAL(ipcconf_frame_finish(&dec), 0);
}

static void test_strerror(void)
{
	for (int s = IPCCONF_FRAME_EINVAL; s <= IPCCONF_FRAME_READY; s++) {
		const char *m = ipcconf_frame_strerror(s);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT(strlen(m) > 0);
		CU_ASSERT(strcmp(m, ipcconf_frame_strerror(-100)) != 0);
		for (int t = IPCCONF_FRAME_EINVAL; t < s; t++)
			CU_ASSERT(strcmp(m, ipcconf_frame_strerror(t)) != 0);
	}
	CU_ASSERT_PTR_NOT_NULL(ipcconf_frame_strerror(12345));
}

int main(void)
{
	CU_TestInfo format[] = {
		{"golden bytes", test_golden_bytes},
		{"max-size frame", test_max_size_frame},
		{"encode arguments", test_encode_arguments},
		{"encode in place", test_encode_in_place},
		{"strerror names every status", test_strerror},
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo chunking[] = {
		{"round trip, whole stream", test_round_trip_whole_stream},
		{"one byte at a time", test_one_byte_at_a_time},
		{"split at every point", test_split_at_every_point},
		{"split at every pair of points", test_split_at_every_pair_of_points},
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo errors[] = {
		{"decode arguments", test_decode_arguments},
		{"bad magic", test_error_bad_magic},
		{"bad version", test_error_bad_version},
		{"length over maximum", test_error_length_over_maximum},
		{"checksum mismatch", test_error_checksum},
		{"truncated at end of stream", test_error_truncated},
		{"reset clears the error", test_reset_clears_the_error},
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"format", setup, NULL, NULL, NULL, format},
		{"chunking", setup, NULL, NULL, NULL, chunking},
		{"errors", setup, NULL, NULL, NULL, errors},
		CU_SUITE_INFO_NULL,
	};
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
