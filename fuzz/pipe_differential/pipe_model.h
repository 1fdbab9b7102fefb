/*
 * pipe_model.h -- what a pipe may return, by the rules of one side, for
 * the calls pipe_differential makes (all non-blocking), and the state
 * those rules need: which handles are open, their O_NONBLOCK flags, and
 * the stream positions (written - read is what the pipe holds).
 *
 * Both rules fix exactly what POSIX and the interface (ipcconf/iut.h) fix
 * for any system: -EBADF on a closed handle or the wrong end, -EPIPE for a
 * write without readers, end of file (0) on an empty pipe without
 * writers, -EAGAIN on an empty one with writers, reads of
 * min(asked, held), FIONREAD = held, the O_NONBLOCK flags, POLLNVAL, and
 * POLLIN/POLLRDNORM when data is held, POLLHUP when no writer is left.
 * They differ in how much room a pipe has, which decides write counts and
 * POLLOUT:
 *
 * PIPE_RULE_POSIX, for `os`, the system under test, whatever kernel or
 * sandbox it is.  Nothing about how the system keeps its buffer (Linux
 * keeps page buffers and merges small writes into the newest page;
 * gVisor, and older or newer kernels, do otherwise): only what POSIX
 * (XSH write(), read(), poll()) fixes, so a finding means the system broke
 * POSIX, not that it differs from this machine's kernel.  Two parameters
 * are read from each pipe when it is made, never assumed: PIPE_BUF
 * (fpathconf(_PC_PIPE_BUF), at least _POSIX_PIPE_BUF) and the capacity
 * (F_GETPIPE_SZ, which per-user limits such as pipe-user-pages-soft may
 * shrink), the latter used only as an upper bound on what the pipe holds.
 * Allowed, with `held` bytes in a pipe of capacity `cap`:
 *   write n <= PIPE_BUF  all or nothing: n or -EAGAIN; n if the pipe is
 *                        empty; -EAGAIN if held + n > cap;
 *   write n > PIPE_BUF   1..min(n, cap - held) bytes, or -EAGAIN; on an
 *                        empty pipe at least PIPE_BUF, never -EAGAIN;
 *   write 0, read 0      0 (zero-length writes to a pipe are unspecified;
 *                        -EPIPE without readers is allowed as well, and
 *                        a zero-length read may report -EAGAIN);
 *   POLLOUT              set on an empty pipe with a reader, clear on a
 *                        full one (held = cap), either in between (a
 *                        system may refuse small writes with room left);
 *   POLLERR              may be set when no reader is left, never else;
 *   POLLIN               also allowed at end of file (a read would not
 *                        block there).
 * Bytes in order, none lost or duplicated, is checked by the harness on
 * the data it reads.
 *
 * PIPE_RULE_REF_BYTES, for `ref`: its documented rules, exactly
 * (impl/ref/ref_iut.h): a byte ring of `cap` bytes.  A write of at most
 * PIPE_BUF bytes goes in whole or not at all; a larger one takes every
 * free byte.  POLLOUT: at least PIPE_BUF bytes free.  POLLERR: no reader.
 *
 * Header-only, as differential.h explains.
 */
#ifndef IPCCONF_FUZZ_PIPE_MODEL_H
#define IPCCONF_FUZZ_PIPE_MODEL_H

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "fuzz/differential/differential.h"

#define PIPE_MODEL_POSIX_PIPE_BUF 512 /* _POSIX_PIPE_BUF: the least PIPE_BUF POSIX allows */

enum pipe_rule { PIPE_RULE_POSIX, PIPE_RULE_REF_BYTES };

enum { PIPE_END_READ, PIPE_END_WRITE };

struct pipe_model {
	enum pipe_rule rule;
	long long capacity; /* as the pipe reported it; PIPE_RULE_POSIX: < 0 when it could not */
	long long pipe_buf;
	bool open[2];       /* this side's read and write handles */
	bool nonblock[2];
	uint64_t written;   /* stream positions: written - read is held */
	uint64_t read;
};

static inline void pipe_model_init(struct pipe_model *m, enum pipe_rule rule, long long capacity,
				   long long pipe_buf, bool nonblock)
{
	m->rule = rule;
	m->capacity = capacity;
	m->pipe_buf = pipe_buf;
	m->open[PIPE_END_READ] = m->open[PIPE_END_WRITE] = true;
	m->nonblock[PIPE_END_READ] = m->nonblock[PIPE_END_WRITE] = nonblock;
	m->written = m->read = 0;
}

static inline long long pipe_model_held(const struct pipe_model *m)
{
	return (long long)(m->written - m->read);
}

/* Free bytes by the capacity the pipe reported; unbounded when it reported none. */
static inline long long pipe_model_room(const struct pipe_model *m)
{
	return m->capacity < 0 ? LLONG_MAX : m->capacity - pipe_model_held(m);
}

/* -EBADF unless handle `end` is open and, for read/write, is that end. */
static inline int pipe_model_badf(const struct pipe_model *m, int end, int need)
{
	return !m->open[end] || (need >= 0 && end != need) ? -EBADF : 0;
}

static inline long long pipe_model_min(long long a, long long b)
{
	return a < b ? a : b;
}

/* PIPE_RULE_POSIX, readers present, n > 0: see the header comment. */
static inline struct diff_allow pipe_model_posix_write(const struct pipe_model *m, long long n)
{
	long long room = pipe_model_room(m);

	if (n <= m->pipe_buf) {
		if (pipe_model_held(m) == 0)
			return diff_exactly(n);
		if (n > room)
			return diff_exactly(-EAGAIN);
		return diff_or(diff_exactly(n), -EAGAIN);
	}
	if (pipe_model_held(m) == 0)
		return diff_between(m->pipe_buf, pipe_model_min(n, room));
	return diff_or(diff_between(1, pipe_model_min(n, room)), -EAGAIN);
}

/* PIPE_RULE_REF_BYTES: ref's ring_push() with atomic_max = PIPE_BUF, n > 0. */
static inline struct diff_allow pipe_model_ref_write(const struct pipe_model *m, long long n)
{
	long long room = pipe_model_room(m);

	if (room == 0 || (n <= m->pipe_buf && room < n))
		return diff_exactly(-EAGAIN);
	return diff_exactly(pipe_model_min(n, room));
}

/* What a non-blocking write of n bytes on handle `end` may return. */
static inline struct diff_allow pipe_model_write(const struct pipe_model *m, int end, long long n)
{
	int badf = pipe_model_badf(m, end, PIPE_END_WRITE);

	if (badf < 0)
		return diff_exactly(badf);
	if (n == 0) {
		if (m->rule == PIPE_RULE_POSIX && !m->open[PIPE_END_READ])
			return diff_or(diff_exactly(0), -EPIPE);
		return diff_exactly(0);
	}
	if (!m->open[PIPE_END_READ])
		return diff_exactly(-EPIPE);
	return m->rule == PIPE_RULE_POSIX ? pipe_model_posix_write(m, n) : pipe_model_ref_write(m, n);
}

/* The write returned r, judged allowed. */
static inline void pipe_model_wrote(struct pipe_model *m, long long r)
{
	if (r > 0)
		m->written += (uint64_t)r;
}

/* What a non-blocking read of n bytes on handle `end` may return. */
static inline struct diff_allow pipe_model_read(const struct pipe_model *m, int end, long long n)
{
	int badf = pipe_model_badf(m, end, PIPE_END_READ);
	bool would_block = pipe_model_held(m) == 0 && m->open[PIPE_END_WRITE];

	if (badf < 0)
		return diff_exactly(badf);
	if (n == 0) {
		if (m->rule == PIPE_RULE_POSIX && would_block)
			return diff_or(diff_exactly(0), -EAGAIN);
		return diff_exactly(0);
	}
	if (would_block)
		return diff_exactly(-EAGAIN);
	return diff_exactly(pipe_model_min(n, pipe_model_held(m)));
}

/* The read returned r, judged allowed. */
static inline void pipe_model_did_read(struct pipe_model *m, long long r)
{
	if (r > 0)
		m->read += (uint64_t)r;
}

static inline struct diff_allow pipe_model_nread(const struct pipe_model *m, int end)
{
	int badf = pipe_model_badf(m, end, -1);

	return diff_exactly(badf < 0 ? badf : pipe_model_held(m));
}

/* poll(2) with timeout 0 on one handle: the revents it may report. */
static inline struct diff_allow pipe_model_poll(const struct pipe_model *m, int end, short events)
{
	bool posix = m->rule == PIPE_RULE_POSIX;
	bool reader = m->open[PIPE_END_READ], writer = m->open[PIPE_END_WRITE];
	long long held = pipe_model_held(m), must = 0, may = 0;
	long long asked = events | POLLHUP | POLLERR; /* these two are reported unasked */

	if (!m->open[end])
		return diff_exactly(POLLNVAL);
	if (end == PIPE_END_READ) {
		if (held > 0)
			must |= POLLIN | POLLRDNORM;
		else if (posix && !writer)
			may |= POLLIN | POLLRDNORM;
		if (!writer)
			must |= POLLHUP;
	} else if (posix) {
		if (reader && held == 0)
			must |= POLLOUT | POLLWRNORM;
		else if (pipe_model_room(m) > 0 || !reader)
			may |= POLLOUT | POLLWRNORM;
		if (!reader)
			may |= POLLERR;
	} else {
		if (pipe_model_room(m) >= m->pipe_buf)
			must |= POLLOUT | POLLWRNORM;
		if (!reader)
			must |= POLLERR;
	}
	return diff_bits(must & asked, may & asked);
}

/* close() of handle `end`: exact, and applied. */
static inline long long pipe_model_close(struct pipe_model *m, int end)
{
	long long ret = pipe_model_badf(m, end, -1);

	if (ret == 0)
		m->open[end] = false;
	return ret;
}

static inline long long pipe_model_set_nonblock(struct pipe_model *m, int end, bool on)
{
	long long ret = pipe_model_badf(m, end, -1);

	if (ret == 0)
		m->nonblock[end] = on;
	return ret;
}

static inline long long pipe_model_get_nonblock(const struct pipe_model *m, int end)
{
	long long ret = pipe_model_badf(m, end, -1);

	return ret < 0 ? ret : m->nonblock[end];
}

/* The capacity the pipe reported when it was made: it does not change. */
static inline long long pipe_model_capacity(const struct pipe_model *m, int end)
{
	long long ret = pipe_model_badf(m, end, -1);

	return ret < 0 ? ret : m->capacity;
}

#endif
