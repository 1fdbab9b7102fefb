/*
 * Fuzz target: AF_UNIX socketpairs (SOCK_STREAM, SOCK_SEQPACKET,
 * SOCK_DGRAM), `os` (the kernel, ipcconf_os_iut()) against `ref`
 * (impl/ref, ipcconf_ref_iut()): the same calls on both, results compared
 * call by call through the differential driver
 * (fuzz/differential/differential.h).
 *
 * Calls: socketpair of an input-chosen type (always SOCK_NONBLOCK, with
 * or without SOCK_CLOEXEC), send of input-chosen length on either end
 * (always MSG_NOSIGNAL; SIGPIPE is ignored besides), recv of input-chosen
 * length with flags 0, MSG_PEEK and, on message types, MSG_TRUNC and
 * MSG_PEEK|MSG_TRUNC, shutdown (SHUT_RD, SHUT_WR, SHUT_RDWR, an invalid
 * `how`), close of either end, poll with timeout 0, set/get O_NONBLOCK,
 * getsockopt(SO_TYPE).  Nothing may block: before any send or recv the
 * harness puts that end back in O_NONBLOCK (on both sides, itself a
 * compared call).  Every run closes what it opened, on both sides, so no
 * descriptor or ref handle outlives its input.  Only the types both sides
 * declare (IPCCONF_SOCKET_CAP_SEQPACKET, _DGRAM) are ever made.
 *
 * Both pairs are sent the same byte sequence: a send towards an end
 * takes its bytes from a fixed prime-period pattern at that direction's
 * own position, so whatever counts the two accept, each direction holds
 * a stretch of one sequence, and every byte received is checked against
 * it exactly: in order, none lost, none duplicated, and for messages the
 * boundaries (each message is one record of the model, its bytes and its
 * length).
 *
 * THE RULES, and why they are these: `os` is judged only by what POSIX
 * and the Linux manual pages fix (sock_rule_posix.h states them in
 * full), never by a model of this kernel's socket buffers, so a replayed
 * input gives the same verdict with any buffer sizes or kernel; `ref` by
 * its own documented rules (impl/ref/ref_iut.h, SOCKETS), exactly, since
 * they are ours (sock_rule_ref.h).  The one system parameter the POSIX
 * rule uses, SO_SNDBUF (how long a message may be refused as too long),
 * is read from each new pair, not assumed.
 * Nothing depends on timing: every call is non-blocking and the run is
 * one thread.
 *
 * TOLERATED DIFFERENCES, each only where both results are allowed by
 * their own side's rules:
 *   1. Send counts and -EAGAIN.  Socket room is the system's to count:
 *      when a direction already holds data, a stream send may take
 *      fewer bytes and any send may give -EAGAIN; ref computes its own
 *      from its ring, exactly.
 *   2. Stream recv counts: a system may return fewer bytes than it holds.
 *   3. After such a send or recv the sides hold different amounts (of the
 *      same sequence), so later counts, -EAGAIN and POLLIN/POLLOUT may
 *      differ too, each being what its own side holds.
 *   4. Poll bits the system may set or not (POLLOUT and POLLWRBAND
 *      while data is in flight, POLLIN at end of file, POLLHUP once
 *      neither direction can carry data, POLLERR with a pending reset).
 *   5. Where the pages fix no single error or outcome (a send to a
 *      closed datagram peer, a send after the peer's SHUT_RD, a recv
 *      after the own SHUT_RD, ECONNRESET after a close with data unread,
 *      MSG_TRUNC on seqpacket, shutdown once the peer is gone), each
 *      allowed result of the system against ref's documented one.
 * Everything else must be identical: -EBADF, -EPIPE, end of file (0),
 * -EAGAIN on an empty queue, message boundaries and MSG_TRUNC lengths,
 * O_NONBLOCK flags, SO_TYPE, POLLNVAL, close, and every byte received.
 * A result its rules do not allow, on either side, is a finding: the op's
 * index, the op, both results and what each side's rules allow are
 * printed, and the run aborts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz/differential/differential.h"
#include "fuzz/socket_differential/sock_allow.h"
#include "fuzz/socket_differential/sock_model.h"
#include "fuzz/socket_differential/sock_rule_posix.h"
#include "fuzz/socket_differential/sock_rule_ref.h"
#include "fuzz/socket_differential/socket_differential.h"
#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"

#define IO_MAX 65535u  /* the largest send or recv: a 2-byte length */
#define PERIOD 65521u  /* prime: no power-of-two offset repeats the pattern */
#define MAX_OPS 64     /* bounds one run: up to 4 MiB copied per side */

static const struct ipcconf_iut *side[2];
static int h[2][2];                /* [side][end] */
static struct sock_model model[2]; /* [side]: each side's own rules */
static int types[3];               /* the types both sides declare */
static int ntypes;
static unsigned char pattern[PERIOD + IO_MAX];
static unsigned char got[2][IO_MAX];

static bool declares(const struct ipcconf_iut *impl, uint64_t cap)
{
	return (impl->socket->head.caps & cap) != 0;
}

static void setup_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	side[0] = ipcconf_os_iut();
	side[1] = ipcconf_ref_iut();
	for (int i = 0; i < 2; i++) {
		if (side[i]->socket == NULL) {
			fprintf(stderr, "socket_differential: %s has no socket table\n", side[i]->name);
			abort();
		}
	}
	/* send(2): without MSG_NOSIGNAL a broken connection raises SIGPIPE; we want -EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	types[ntypes++] = SOCK_STREAM; /* the one type every implementation has (iut.h) */
	if (declares(side[0], IPCCONF_SOCKET_CAP_SEQPACKET) &&
	    declares(side[1], IPCCONF_SOCKET_CAP_SEQPACKET))
		types[ntypes++] = SOCK_SEQPACKET;
	if (declares(side[0], IPCCONF_SOCKET_CAP_DGRAM) &&
	    declares(side[1], IPCCONF_SOCKET_CAP_DGRAM))
		types[ntypes++] = SOCK_DGRAM;
	for (uint32_t i = 0; i < sizeof pattern; i++) {
		uint32_t x = (i % PERIOD) * 2654435761u;

		pattern[i] = (unsigned char)(x >> 24 ^ x >> 13);
	}
}

/* The rules of model m, whichever side it is. */
static struct sock_allow allow_send(const struct sock_model *m, int e, long long n)
{
	return m->rule == SOCK_RULE_POSIX ? sock_posix_send(m, e, n) : sock_ref_send(m, e, n);
}

static struct sock_allow allow_recv(const struct sock_model *m, int e, long long n, int flags)
{
	return m->rule == SOCK_RULE_POSIX ? sock_posix_recv(m, e, n, flags)
					  : sock_ref_recv(m, e, n, flags);
}

static struct sock_allow allow_shutdown(const struct sock_model *m, int e, int how)
{
	return m->rule == SOCK_RULE_POSIX ? sock_posix_shutdown(m, e, how)
					  : sock_ref_shutdown(m, e, how);
}

static struct sock_allow allow_poll(const struct sock_model *m, int e, short events)
{
	return m->rule == SOCK_RULE_POSIX ? sock_posix_poll(m, e, events)
					  : sock_ref_poll(m, e, events);
}

/*
 * The longest message the system promises to take: half of SO_SNDBUF
 * (socket(7): the value read back is doubled for bookkeeping), the
 * smaller of the two ends'.  Read from each pair, as the system reports it.
 */
static long long os_msg_max(struct diff_ctx *c, const struct ipcconf_iut *impl, const int ends[2])
{
	long long least = -1;

	for (int e = 0; e < 2; e++) {
		int v = 0;
		socklen_t len = sizeof v;

		if (impl->socket->get_option(impl, ends[e], SOL_SOCKET, SO_SNDBUF, &v, &len) != 0 ||
		    len != sizeof v || v <= 0)
			diff_fail(c, "getsockopt(SO_SNDBUF)", "os reports no send buffer size");
		if (least < 0 || v / 2 < least)
			least = v / 2;
	}
	return least;
}

static void op_create(struct diff_ctx *c, uint8_t arg)
{
	int type = types[(arg & 3) % ntypes];
	int flags = SOCK_NONBLOCK | (arg & 4 ? SOCK_CLOEXEC : 0);
	long long r[2];

	diff_begin(c, "socketpair", 2, type, flags);
	for (int i = 0; i < 2; i++)
		r[i] = side[i]->socket->pair(side[i], AF_UNIX, type | flags, 0, h[i]);
	diff_result(c, "socketpair", r[0], r[1], 0, 0);
	sock_model_init(&model[0], SOCK_RULE_POSIX, type, os_msg_max(c, side[0], h[0]));
	sock_model_init(&model[1], SOCK_RULE_REF, type, -1);
}

static void op_set_nonblock(struct diff_ctx *c, int end, bool on)
{
	long long r[2], want[2];

	diff_begin(c, "set_nonblock", 2, end, on);
	for (int i = 0; i < 2; i++) {
		want[i] = sock_model_badf(&model[i], end);
		if (want[i] == 0)
			model[i].nonblock[end] = on;
		r[i] = side[i]->handle->set_nonblock(side[i], h[i][end], on);
	}
	diff_result(c, "set_nonblock", r[0], r[1], want[0], want[1]);
}

/* Sends and recvs never block: the end goes non-blocking first (the models agree on flags). */
static void ensure_nonblock(struct diff_ctx *c, int end)
{
	if (model[0].open[end] && !model[0].nonblock[end])
		op_set_nonblock(c, end, true);
}

static void op_send(struct diff_ctx *c, int e, uint16_t n)
{
	struct sock_allow allow[2];
	long long r[2];

	ensure_nonblock(c, e);
	diff_begin(c, "send", 2, e, n);
	for (int i = 0; i < 2; i++) {
		const unsigned char *src = pattern + model[i].q[!e].sent % PERIOD;

		allow[i] = allow_send(&model[i], e, n);
		r[i] = side[i]->socket->send(side[i], h[i][e], src, n, MSG_NOSIGNAL, NULL, 0);
	}
	sock_judge(c, "send", r[0], r[1], &allow[0], &allow[1]);
	for (int i = 0; i < 2; i++)
		sock_model_after_send(&model[i], e, r[i]);
}

static void op_recv(struct diff_ctx *c, int e, uint16_t n, uint8_t fbyte)
{
	static const char *const name[4] = { "recv", "recv_peek", "recv_trunc", "recv_peek_trunc" };
	int flags = (fbyte & RECV_PEEK ? MSG_PEEK : 0);
	struct sock_allow allow[2];
	long long r[2];

	if (fbyte & RECV_TRUNC && !sock_model_stream(&model[0]))
		flags |= MSG_TRUNC;
	ensure_nonblock(c, e);
	diff_begin(c, name[(flags & MSG_PEEK ? 1 : 0) | (flags & MSG_TRUNC ? 2 : 0)], 2, e, n);
	for (int i = 0; i < 2; i++) {
		allow[i] = allow_recv(&model[i], e, n, flags);
		r[i] = side[i]->socket->recv(side[i], h[i][e], got[i], n, flags, NULL, NULL);
	}
	sock_judge(c, "recv", r[0], r[1], &allow[0], &allow[1]);
	for (int i = 0; i < 2; i++) {
		struct sock_taken t = sock_model_after_recv(&model[i], e, n, flags, r[i]);

		if (t.bytes > 0 && memcmp(got[i], pattern + t.pos % PERIOD, (size_t)t.bytes) != 0)
			diff_fail(c, "recv", i == 0 ? "os returned bytes other than those sent"
						    : "ref returned bytes other than those sent");
	}
}

static void op_shutdown(struct diff_ctx *c, int e, uint8_t arg)
{
	static const int hows[4] = { SHUT_RD, SHUT_WR, SHUT_RDWR, SHUT_RDWR + 1 };
	int how = hows[arg % 4];
	struct sock_allow allow[2];
	long long r[2];

	diff_begin(c, "shutdown", 2, e, how);
	for (int i = 0; i < 2; i++) {
		allow[i] = allow_shutdown(&model[i], e, how);
		r[i] = side[i]->socket->shutdown(side[i], h[i][e], how);
	}
	sock_judge(c, "shutdown", r[0], r[1], &allow[0], &allow[1]);
	for (int i = 0; i < 2; i++)
		if (r[i] == 0)
			sock_model_shut(&model[i], e, how);
}

/* Byte of the input -> poll events: each bit one event sockets may or may not report. */
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

static void op_poll(struct diff_ctx *c, int e, uint8_t arg)
{
	short events = poll_events(arg);
	struct sock_allow allow[2];
	long long r[2];

	diff_begin(c, "poll", 2, e, events);
	for (int i = 0; i < 2; i++) {
		struct ipcconf_poll_item item = { .handle = h[i][e], .events = events };
		int n;

		allow[i] = allow_poll(&model[i], e, events);
		n = side[i]->handle->poll(side[i], &item, 1, 0);
		r[i] = n < 0 ? n : item.revents;
		if (n >= 0 && n != (item.revents != 0))
			diff_fail(c, "poll", i == 0 ? "os counts items other than those with revents"
						    : "ref counts items other than those with revents");
	}
	sock_judge(c, "poll", r[0], r[1], &allow[0], &allow[1]);
	for (int i = 0; i < 2; i++)
		sock_model_after_poll(&model[i], e, events, r[i]);
}

/* The calls whose results are exact on both sides. */
static void op_exact(struct diff_ctx *c, enum sock_op op, int e)
{
	static const char *const name[OP_COUNT] = {
		[OP_CLOSE] = "close", [OP_GET_NONBLOCK] = "get_nonblock", [OP_GET_TYPE] = "get_type",
	};
	long long r[2], want[2];

	diff_begin(c, name[op], 1, e, 0);
	for (int i = 0; i < 2; i++) {
		struct sock_model *m = &model[i];
		int fd = h[i][e];

		want[i] = sock_model_badf(m, e);
		switch (op) {
		case OP_CLOSE:
			r[i] = side[i]->handle->close(side[i], fd);
			if (want[i] == 0)
				sock_model_closed(m, e, m->rule == SOCK_RULE_POSIX || SOCK_REF_RESET);
			break;
		case OP_GET_NONBLOCK:
			if (want[i] == 0)
				want[i] = m->nonblock[e];
			r[i] = side[i]->handle->get_nonblock(side[i], fd);
			break;
		default: {
			int v = -1;
			socklen_t len = sizeof v;

			if (want[i] == 0)
				want[i] = m->type;
			r[i] = side[i]->socket->get_option(side[i], fd, SOL_SOCKET, SO_TYPE, &v, &len);
			if (r[i] == 0 && len != sizeof v)
				diff_fail(c, "get_type", i == 0 ? "os's SO_TYPE is not an int"
								: "ref's SO_TYPE is not an int");
			if (r[i] == 0)
				r[i] = v;
			break;
		}
		}
	}
	diff_result(c, name[op], r[0], r[1], want[0], want[1]);
}

/* Closes every handle still open, on both sides (compared like any close). */
static void close_all(struct diff_ctx *c)
{
	for (int e = 0; e < 2; e++)
		if (model[0].open[e] || model[1].open[e])
			op_exact(c, OP_CLOSE, e);
}

static void start(struct diff_ctx *c, struct diff_input *in)
{
	setup_once();
	op_create(c, diff_u8(in));
}

static void step(struct diff_ctx *c, struct diff_input *in)
{
	uint8_t code = diff_u8(in);
	int e = code & OP_END1 ? 1 : 0;
	enum sock_op op = (enum sock_op)((code & ~OP_END1) % OP_COUNT);

	switch (op) {
	case OP_SEND: op_send(c, e, diff_u16(in)); break;
	case OP_RECV: {
		uint16_t n = diff_u16(in);

		op_recv(c, e, n, diff_u8(in));
		break;
	}
	case OP_SHUTDOWN: op_shutdown(c, e, diff_u8(in)); break;
	case OP_POLL: op_poll(c, e, diff_u8(in)); break;
	case OP_SET_NONBLOCK: op_set_nonblock(c, e, diff_u8(in) & 1); break;
	case OP_RECREATE:
		close_all(c);
		op_create(c, diff_u8(in));
		break;
	default: op_exact(c, op, e); break;
	}
}

static const struct diff_target sockets = {
	.name = "socket_differential",
	.impl = { "os", "ref" },
	.max_ops = MAX_OPS,
	.start = start,
	.step = step,
	.finish = close_all,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diff_run(&sockets, data, size);
	return 0;
}
