/*
 * Fuzz target: anonymous pipes, `os` (the kernel, ipcconf_os_iut()) against
 * `ref` (impl/ref, ipcconf_ref_iut()): the same calls on both, results
 * compared call by call through the differential driver
 * (fuzz/differential/differential.h).
 *
 * Calls: pipe2, write and read of fuzzer-chosen sizes, set/get O_NONBLOCK
 * on either end, close of either end, F_GETPIPE_SZ, FIONREAD, poll with
 * timeout 0.  Nothing may block: before any read or write the harness puts
 * that end in O_NONBLOCK (on both sides, itself a compared call).  SIGPIPE
 * is ignored, so a write without readers returns -EPIPE.  Every run closes
 * what it opened, on both sides, so no descriptor or ref handle outlives
 * its input.
 *
 * Both pipes receive the same byte sequence: a write sends the bytes of a
 * fixed prime-period pattern from that pipe's own write position, so
 * whatever counts the two accept, each pipe holds a stretch of one
 * sequence, and the bytes read are checked against it exactly: in order,
 * none lost, none duplicated.
 *
 * THE RULES, and why they are these (pipe_model.h states them in full):
 * `os` is judged only by what POSIX and the interface fix, never by a
 * model of this machine's kernel, so a replayed input gives the same
 * verdict on another kernel, under gVisor, or as another user; `ref` by
 * its own documented rules, exactly, since they are ours.  The system's
 * parameters are read when each pipe is made, not assumed: PIPE_BUF by
 * fpathconf(), the capacity by F_GETPIPE_SZ (which per-user pipe limits
 * can shrink; it serves only as an upper bound on what the pipe holds).
 * Nothing depends on timing or on thread ids: every call is non-blocking
 * and the run is one thread.
 *
 * TOLERATED DIFFERENCES, each only where both results are allowed by
 * their own side's rules:
 *   1. Write counts.  A system may count room as it likes (Linux in page
 *      buffers, refusing a small write that ref, counting bytes, takes),
 *      and a non-blocking write larger than PIPE_BUF may go in part; POSIX
 *      fixes only all-or-nothing up to PIPE_BUF, at least PIPE_BUF into
 *      an empty pipe, and never more than fits.
 *   2. POLLOUT on the write end between empty and full; POLLERR without a
 *      reader; POLLIN at end of file.
 *   3. After such a write the pipes hold different amounts (of the same
 *      sequence), so read counts, FIONREAD and POLLIN may differ too, each
 *      being what its own pipe holds, until the contents line up again.
 *   4. F_GETPIPE_SZ: the system's own value, as it reported it at pipe2()
 *      (it must not change afterwards), against ref's documented 65536.
 * Everything else must be identical: -EBADF on a closed handle or the
 * wrong end, -EPIPE, end of file, -EAGAIN on an empty pipe, O_NONBLOCK
 * flags, POLLHUP, POLLNVAL, close, and every byte read.  A result its
 * rules do not allow, on either side, is a finding: the op's index, the
 * op, both results and what each side's rules allow are printed, and the
 * run aborts.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/differential/differential.h"
#include "fuzz/pipe_differential/pipe_differential.h"
#include "fuzz/pipe_differential/pipe_model.h"
#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"

#define IO_MAX 65535u    /* the largest write or read: a 2-byte length */
#define PERIOD 65521u    /* prime: no power-of-two offset repeats the pattern */
#define REF_CAPACITY 65536 /* ref_iut.h, LIMITS: default capacity 65536, as Linux */
#define REF_PIPE_BUF 4096  /* ref_iut.h, LIMITS: PIPE_BUF 4096 */
#define MAX_OPS 64       /* bounds one run: up to 4 MiB copied per side */

static const struct ipcconf_iut *side[2];
static int h[2][2];                /* [side][end] */
static struct pipe_model model[2]; /* [side]: each side's own rules */
static unsigned char pattern[PERIOD + IO_MAX];
static unsigned char got[2][IO_MAX];

/* poll(2) of one handle with no wait: its revents, or -errno. */
static long long poll_one(const struct ipcconf_iut *impl, int fd, short events)
{
	struct ipcconf_poll_item item = { .handle = fd, .events = events };
	int r = impl->handle->poll(impl, &item, 1, 0);

	return r < 0 ? r : item.revents;
}

static void setup_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	side[0] = ipcconf_os_iut();
	side[1] = ipcconf_ref_iut();
	/* pipe(7): without a reader, write raises SIGPIPE; we want its -EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	for (uint32_t i = 0; i < sizeof pattern; i++) {
		uint32_t x = (i % PERIOD) * 2654435761u;

		pattern[i] = (unsigned char)(x >> 24 ^ x >> 13);
	}
}

static void op_create(struct diff_ctx *c, uint8_t arg)
{
	int flags = arg & 1 ? O_NONBLOCK : 0;
	long long r[2], cap, pipe_buf;

	diff_begin(c, "pipe2", 1, flags, 0);
	for (int i = 0; i < 2; i++)
		r[i] = side[i]->pipe->create(side[i], h[i], flags);
	diff_result(c, "pipe2", r[0], r[1], 0, 0);
	/* The system's parameters for this pipe, as it reports them now. */
	pipe_buf = side[0]->pipe->pipe_buf(side[0], h[0][PIPE_END_WRITE]);
	if (pipe_buf < PIPE_MODEL_POSIX_PIPE_BUF)
		diff_fail(c, "fpathconf(_PC_PIPE_BUF)", "os reports no PIPE_BUF of at least 512");
	cap = side[0]->pipe->get_capacity(side[0], h[0][PIPE_END_WRITE]);
	if (cap >= 0 && cap < pipe_buf)
		diff_fail(c, "F_GETPIPE_SZ", "os reports a capacity below its PIPE_BUF");
	pipe_model_init(&model[0], PIPE_RULE_POSIX, cap, pipe_buf, flags != 0);
	pipe_model_init(&model[1], PIPE_RULE_REF_BYTES, REF_CAPACITY, REF_PIPE_BUF, flags != 0);
}

static void op_set_nonblock(struct diff_ctx *c, int end, bool on)
{
	long long r[2], want[2];

	diff_begin(c, "set_nonblock", 2, end, on);
	for (int i = 0; i < 2; i++) {
		want[i] = pipe_model_set_nonblock(&model[i], end, on);
		r[i] = side[i]->handle->set_nonblock(side[i], h[i][end], on);
	}
	diff_result(c, "set_nonblock", r[0], r[1], want[0], want[1]);
}

/* Reads and writes never block: the end goes non-blocking first (models agree on flags). */
static void ensure_nonblock(struct diff_ctx *c, int end)
{
	if (model[0].open[end] && !model[0].nonblock[end])
		op_set_nonblock(c, end, true);
}

static void op_write(struct diff_ctx *c, int end, uint16_t n)
{
	struct diff_allow allow[2];
	long long r[2];

	ensure_nonblock(c, end);
	diff_begin(c, "write", 2, end, n);
	for (int i = 0; i < 2; i++) {
		const unsigned char *src = pattern + model[i].written % PERIOD;

		allow[i] = pipe_model_write(&model[i], end, n);
		r[i] = side[i]->stream->write(side[i], h[i][end], src, n);
	}
	diff_judge(c, "write", r[0], r[1], allow[0], allow[1]);
	for (int i = 0; i < 2; i++)
		pipe_model_wrote(&model[i], r[i]);
}

static void op_read(struct diff_ctx *c, int end, uint16_t n)
{
	struct diff_allow allow[2];
	long long r[2];

	ensure_nonblock(c, end);
	diff_begin(c, "read", 2, end, n);
	for (int i = 0; i < 2; i++) {
		allow[i] = pipe_model_read(&model[i], end, n);
		r[i] = side[i]->stream->read(side[i], h[i][end], got[i], n);
	}
	diff_judge(c, "read", r[0], r[1], allow[0], allow[1]);
	for (int i = 0; i < 2; i++) {
		if (r[i] > 0 && memcmp(got[i], pattern + model[i].read % PERIOD, (size_t)r[i]) != 0)
			diff_fail(c, "read", i == 0 ? "os returned bytes other than those written"
						    : "ref returned bytes other than those written");
		pipe_model_did_read(&model[i], r[i]);
	}
}

/* Byte of the input -> poll events: each bit one event pipes may or may not report. */
static short poll_events(uint8_t b)
{
	static const short bit[] = { POLLIN, POLLPRI, POLLOUT, POLLRDNORM,
				     POLLWRNORM, POLLRDBAND, POLLWRBAND };
	short events = 0;

	for (unsigned i = 0; i < sizeof bit / sizeof bit[0]; i++)
		if (b & (1u << i))
			events |= bit[i];
	return events;
}

/* The calls with no side effect on the data, judged alike. */
static void op_query(struct diff_ctx *c, enum pipe_op op, int end, uint8_t arg)
{
	static const char *const name[OP_COUNT] = {
		[OP_GET_NONBLOCK] = "get_nonblock", [OP_CLOSE] = "close",
		[OP_GET_CAPACITY] = "get_capacity", [OP_NREAD] = "nread", [OP_POLL] = "poll",
	};
	short events = poll_events(arg);
	struct diff_allow allow[2];
	long long r[2];

	diff_begin(c, name[op], op == OP_POLL ? 2 : 1, end, events);
	for (int i = 0; i < 2; i++) {
		int fd = h[i][end];

		switch (op) {
		case OP_GET_NONBLOCK:
			allow[i] = diff_exactly(pipe_model_get_nonblock(&model[i], end));
			r[i] = side[i]->handle->get_nonblock(side[i], fd);
			break;
		case OP_CLOSE:
			allow[i] = diff_exactly(pipe_model_close(&model[i], end));
			r[i] = side[i]->handle->close(side[i], fd);
			break;
		case OP_GET_CAPACITY:
			allow[i] = diff_exactly(pipe_model_capacity(&model[i], end));
			r[i] = side[i]->pipe->get_capacity(side[i], fd);
			break;
		case OP_NREAD:
			allow[i] = pipe_model_nread(&model[i], end);
			r[i] = side[i]->stream->nread(side[i], fd);
			break;
		default:
			allow[i] = pipe_model_poll(&model[i], end, events);
			r[i] = poll_one(side[i], fd, events);
			break;
		}
	}
	diff_judge(c, name[op], r[0], r[1], allow[0], allow[1]);
}

/* Closes every handle still open, on both sides (compared like any close). */
static void close_all(struct diff_ctx *c)
{
	for (int end = 0; end < 2; end++)
		if (model[0].open[end] || model[1].open[end])
			op_query(c, OP_CLOSE, end, 0);
}

static void start(struct diff_ctx *c, struct diff_input *in)
{
	setup_once();
	op_create(c, diff_u8(in));
}

static void step(struct diff_ctx *c, struct diff_input *in)
{
	uint8_t code = diff_u8(in);
	int end = code & OP_WRITE_END ? PIPE_END_WRITE : PIPE_END_READ;
	enum pipe_op op = (enum pipe_op)((code & ~OP_WRITE_END) % OP_COUNT);

	switch (op) {
	case OP_WRITE: op_write(c, end, diff_u16(in)); break;
	case OP_READ: op_read(c, end, diff_u16(in)); break;
	case OP_SET_NONBLOCK: op_set_nonblock(c, end, diff_u8(in) & 1); break;
	case OP_POLL: op_query(c, op, end, diff_u8(in)); break;
	case OP_RECREATE:
		close_all(c);
		op_create(c, diff_u8(in));
		break;
	default: op_query(c, op, end, 0); break;
	}
}

static const struct diff_target pipes = {
	.name = "pipe_differential",
	.impl = { "os", "ref" },
	.max_ops = MAX_OPS,
	.start = start,
	.step = step,
	.finish = close_all,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diff_run(&pipes, data, size);
	return 0;
}
