/*
 * Unit tests of the message channel (channel.h) over real byte streams:
 * `os` pipes (the kernel), `ref` pipes, and `ref-small` pipes (reads of at
 * most 1000 bytes, capacity 4096).  A forked child sends; the parent
 * receives every message whole and in order, then end-of-file.  Truncated
 * and corrupted streams are reported with the documented errors.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/framing/channel.h"
#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"

#define NMSG 600

static const struct ipcconf_iut *iut;
static uint8_t pattern[IPCCONF_FRAME_MAX_PAYLOAD + 128];
static struct ipcconf_channel ch;

static void fill_pattern(void)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof pattern; i++) {
		x = x * 1664525u + 1013904223u;
		pattern[i] = (uint8_t)(x >> 24);
	}
}

static int use(const struct ipcconf_iut *i)
{
	iut = i;
	fill_pattern();
	return 0;
}
static int use_os(void) { return use(ipcconf_os_iut()); }
static int use_ref(void) { return use(ipcconf_ref_iut()); }
static int use_ref_small(void) { return use(ipcconf_ref_small_iut()); }

/* Message i: every tenth is maximal, every tenth empty, the rest varied. */
static size_t msg_len(unsigned i)
{
	if (i % 10 == 0)
		return IPCCONF_FRAME_MAX_PAYLOAD;
	if (i % 10 == 1)
		return 0;
	return (i * 7919u) % (IPCCONF_FRAME_MAX_PAYLOAD + 1);
}
static const uint8_t *msg_payload(unsigned i) { return pattern + i % 127; }
static uint8_t msg_type(unsigned i) { return (uint8_t)(i * 3); }
static uint16_t msg_flags(unsigned i) { return (uint16_t)(i * 257u); }

static int write_all(int w, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = iut->stream->write(iut, w, p, len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Child: every message through the channel. */
static int send_by_channel(int w)
{
	for (unsigned i = 0; i < NMSG; i++)
		if (ipcconf_channel_send(iut, w, msg_type(i), msg_flags(i), msg_payload(i), msg_len(i)) != 0)
			return 1;
	return 0;
}

/* Child: the encoded stream in writes of awkward sizes, frames split anywhere. */
static int send_in_odd_chunks(int w)
{
	static const size_t chunk[] = {1, 7, 1000, 4097, 3, 8192, 15, 16, 17};
	static uint8_t buf[64 * 1024];
	size_t have = 0, k = 0;

	for (unsigned i = 0; i <= NMSG; i++) {
		/* Flush when the next frame might not fit, and at the end. */
		if (i == NMSG || have + IPCCONF_FRAME_MAX_SIZE > sizeof buf) {
			size_t off = 0;
			while (off < have) {
				size_t n = chunk[k++ % (sizeof chunk / sizeof chunk[0])];
				if (n > have - off)
					n = have - off;
				if (write_all(w, buf + off, n) != 0)
					return 1;
				off += n;
			}
			have = 0;
		}
		if (i == NMSG)
			break;
		int n = ipcconf_frame_encode(buf + have, sizeof buf - have, msg_type(i), msg_flags(i),
		                             msg_payload(i), msg_len(i));
		if (n < 0)
			return 1;
		have += (size_t)n;
	}
	return 0;
}

static void receive_all_from(int (*sender)(int))
{
	int e[2];

	CU_ASSERT_FATAL(iut->pipe->create(iut, e, 0) == 0);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		iut->handle->close(iut, e[0]);
		int rc = sender(e[1]);
		iut->handle->close(iut, e[1]);
		_exit(rc);
	}
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[1]), 0);

	ipcconf_channel_init(&ch);
	unsigned got = 0;
	struct ipcconf_frame f;
	int r;
	while ((r = ipcconf_channel_recv(&ch, iut, e[0], &f)) == 1) {
		if (got >= NMSG) {
			CU_FAIL("a message that was never sent");
			break;
		}
		CU_ASSERT_EQUAL(f.type, msg_type(got));
		CU_ASSERT_EQUAL(f.flags, msg_flags(got));
		CU_ASSERT_EQUAL_FATAL(f.length, msg_len(got));
		CU_ASSERT(f.length == 0 || memcmp(f.payload, msg_payload(got), f.length) == 0);
		got++;
	}
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(got, NMSG);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, e[0], &f), 0); /* EOF stays */
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[0]), 0);

	int status;
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_many_messages(void) { receive_all_from(send_by_channel); }
static void test_odd_chunks(void) { receive_all_from(send_in_odd_chunks); }

/*
 * Writes `len` bytes of a prepared stream into a fresh pipe and closes the
 * write end; the stream must fit in the smallest capacity (4096).
 */
static int pipe_holding(const void *bytes, size_t len)
{
	int e[2];

	CU_ASSERT_FATAL(len <= 4096);
	CU_ASSERT_FATAL(iut->pipe->create(iut, e, 0) == 0);
	CU_ASSERT_FATAL(write_all(e[1], bytes, len) == 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[1]), 0);
	ipcconf_channel_init(&ch);
	return e[0];
}

/* Three small frames, back to back; returns the stream's length. */
static size_t three_frames(uint8_t *buf, size_t cap, size_t end[3])
{
	size_t have = 0;

	for (unsigned i = 0; i < 3; i++) {
		int n = ipcconf_frame_encode(buf + have, cap - have, (uint8_t)i, 0, pattern, 300 + i);
		CU_ASSERT_FATAL(n > 0);
		have += (size_t)n;
		end[i] = have;
	}
	return have;
}

static void test_truncated_at_eof(void)
{
	uint8_t buf[2048];
	size_t end[3];
	size_t len = three_frames(buf, sizeof buf, end);
	struct ipcconf_frame f;

	/* Cut inside the third frame's payload, then inside its header. */
	size_t cuts[] = {len - 1, end[1] + 5};
	for (unsigned c = 0; c < 2; c++) {
		int r = pipe_holding(buf, cuts[c]);
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), 1);
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), 1);
		CU_ASSERT_EQUAL(f.length, 301);
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), -EPROTO);
		CU_ASSERT_EQUAL(ipcconf_channel_frame_error(&ch), IPCCONF_FRAME_ETRUNCATED);
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), -EPROTO); /* sticky */
		CU_ASSERT_EQUAL(iut->handle->close(iut, r), 0);
	}
	/* Cut exactly at a frame boundary: a clean end. */
	int r = pipe_holding(buf, end[1]);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), 1);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), 1);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), 0);
	CU_ASSERT_EQUAL(ipcconf_channel_frame_error(&ch), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, r), 0);
}

static void test_corrupted_byte(void)
{
	uint8_t buf[2048];
	size_t end[3];
	size_t len = three_frames(buf, sizeof buf, end);
	struct ipcconf_frame f;
	struct {
		size_t at;
		int code;
	} cases[] = {
		{end[0] + IPCCONF_FRAME_HEADER_SIZE + 100, IPCCONF_FRAME_ECHECKSUM}, /* payload */
		{end[0] + 5, IPCCONF_FRAME_ECHECKSUM},                               /* type */
		{end[0] + 1, IPCCONF_FRAME_EMAGIC},                                  /* magic */
		{end[0] + 4, IPCCONF_FRAME_EVERSION},                                /* version */
		{end[0] + 11, IPCCONF_FRAME_ETOOBIG},                                /* length */
	};

	for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		buf[cases[c].at] ^= 0x40;
		int r = pipe_holding(buf, len);
		buf[cases[c].at] ^= 0x40;
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), 1);
		CU_ASSERT_EQUAL(f.type, 0);
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), -EBADMSG);
		CU_ASSERT_EQUAL(ipcconf_channel_frame_error(&ch), cases[c].code);
		CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, r, &f), -EBADMSG); /* sticky */
		CU_ASSERT_EQUAL(iut->handle->close(iut, r), 0);
	}
}

static void test_send_errors(void)
{
	int e[2];

	CU_ASSERT_FATAL(iut->pipe->create(iut, e, 0) == 0);
	CU_ASSERT_EQUAL(ipcconf_channel_send(iut, e[1], 0, 0, pattern, IPCCONF_FRAME_MAX_PAYLOAD + 1),
	                -EMSGSIZE);
	CU_ASSERT_EQUAL(ipcconf_channel_send(iut, e[1], 0, 0, NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(ipcconf_channel_send(iut, e[0], 0, 0, "x", 1), -EBADF);
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[0]), 0);
	CU_ASSERT_EQUAL(ipcconf_channel_send(iut, e[1], 0, 0, "x", 1), -EPIPE); /* SIGPIPE ignored */
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[1]), 0);
}

/* A frame the writer has only half sent is not returned; the rest completes it. */
static void test_frame_in_two_writes(void)
{
	uint8_t buf[IPCCONF_FRAME_MAX_SIZE];
	int e[2];
	struct ipcconf_frame f;
	int n = ipcconf_frame_encode(buf, sizeof buf, 9, 0x1234, pattern, 2000);

	CU_ASSERT_FATAL(n == 2016);
	CU_ASSERT_FATAL(iut->pipe->create(iut, e, 0) == 0);
	ipcconf_channel_init(&ch);
	CU_ASSERT_FATAL(write_all(e[1], buf, 1000) == 0);
	CU_ASSERT_EQUAL(iut->handle->set_nonblock(iut, e[0], 1), 0);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, e[0], &f), -EAGAIN);
	CU_ASSERT_FATAL(write_all(e[1], buf + 1000, (size_t)n - 1000) == 0);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, e[0], &f), 1);
	CU_ASSERT_EQUAL(f.type, 9);
	CU_ASSERT_EQUAL(f.flags, 0x1234);
	CU_ASSERT_EQUAL(f.length, 2000);
	CU_ASSERT(memcmp(f.payload, pattern, 2000) == 0);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, e[0], &f), -EAGAIN);
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[1]), 0);
	CU_ASSERT_EQUAL(ipcconf_channel_recv(&ch, iut, e[0], &f), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[0]), 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"many messages from a child, in order", test_many_messages},
		{"frames split across odd-sized writes", test_odd_chunks},
		{"half a frame waits for the rest", test_frame_in_two_writes},
		{"truncated stream at end of file", test_truncated_at_eof},
		{"corrupted byte detected", test_corrupted_byte},
		{"send errors", test_send_errors},
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"os pipes", use_os, NULL, NULL, NULL, tests},
		{"ref pipes", use_ref, NULL, NULL, NULL, tests},
		{"ref-small pipes", use_ref_small, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	unsigned failures;

	signal(SIGPIPE, SIG_IGN);
	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
