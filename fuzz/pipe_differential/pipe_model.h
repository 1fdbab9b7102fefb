/*
 * pipe_model.h -- what a pipe returns, by the rules of one implementation,
 * for the calls pipe_differential makes (all non-blocking).
 *
 * Both rules share everything POSIX and pipe(7) fix: -EBADF on a closed
 * handle or the wrong end, 0 for zero-length calls, -EPIPE without
 * readers, end of file (0) on an empty pipe without writers, -EAGAIN on an
 * empty one with writers, reads of min(asked, buffered), FIONREAD,
 * POLLIN/POLLHUP/POLLERR/POLLNVAL.  They differ only in how room is
 * counted, which decides write counts and POLLOUT:
 *
 * PIPE_RULE_LINUX_PAGES, Linux fs/pipe.c: data sits in page buffers, one
 * per slot, capacity / 4096 slots.  pipe_write() first appends the write's
 * last (n mod 4096) bytes to the newest buffer if they fit in its page
 * (behind the data a reader left there), then fills new pages, one per
 * free slot; no free slot: -EAGAIN if nothing went in, else the count.
 * pipe_read() frees a buffer when it empties it.  POLLOUT: a free slot.
 * (Checked against this kernel over millions of random calls before use.)
 *
 * PIPE_RULE_REF_BYTES, impl/ref: a byte ring of `capacity` bytes.  A write
 * of at most PIPE_BUF bytes goes in whole or not at all; a larger one
 * takes every free byte.  POLLOUT: at least PIPE_BUF bytes free.
 *
 * Each call's function both predicts the result and applies it to the
 * model.  Header-only, as differential.h explains.
 */
#ifndef IPCCONF_FUZZ_PIPE_MODEL_H
#define IPCCONF_FUZZ_PIPE_MODEL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#define PIPE_MODEL_PAGE 4096u
#define PIPE_MODEL_PIPE_BUF 4096u
#define PIPE_MODEL_SLOTS_MAX 256u /* 1 MiB, Linux's default pipe-max-size */

enum pipe_rule { PIPE_RULE_LINUX_PAGES, PIPE_RULE_REF_BYTES };

enum { PIPE_END_READ, PIPE_END_WRITE };

/* One Linux pipe_buffer: `len` bytes of data from `offset` in its page. */
struct pipe_model_buf {
	uint32_t offset, len;
};

struct pipe_model {
	enum pipe_rule rule;
	uint32_t capacity;
	bool open[2];      /* this side's read and write handles */
	bool nonblock[2];
	uint64_t written;  /* stream positions: written - read is buffered */
	uint64_t read;
	/* PIPE_RULE_LINUX_PAGES: the kernel's ring of page buffers, oldest first. */
	struct pipe_model_buf buf[PIPE_MODEL_SLOTS_MAX];
	uint32_t first, nbufs, slots;
};

static inline void pipe_model_init(struct pipe_model *m, enum pipe_rule rule, uint32_t capacity,
				   bool nonblock)
{
	m->rule = rule;
	m->capacity = capacity;
	m->open[PIPE_END_READ] = m->open[PIPE_END_WRITE] = true;
	m->nonblock[PIPE_END_READ] = m->nonblock[PIPE_END_WRITE] = nonblock;
	m->written = m->read = 0;
	m->first = m->nbufs = 0;
	m->slots = capacity / PIPE_MODEL_PAGE;
	if (m->slots > PIPE_MODEL_SLOTS_MAX)
		m->slots = PIPE_MODEL_SLOTS_MAX;
}

static inline uint64_t pipe_model_buffered(const struct pipe_model *m)
{
	return m->written - m->read;
}

/* -EBADF unless handle `end` is open and, for read/write, is that end. */
static inline int pipe_model_badf(const struct pipe_model *m, int end, int need)
{
	return !m->open[end] || (need >= 0 && end != need) ? -EBADF : 0;
}

#define PIPE_MODEL_BUF(m, i) ((m)->buf[((m)->first + (i)) % PIPE_MODEL_SLOTS_MAX])

/* fs/pipe.c pipe_write(), non-blocking, readers present, n > 0. */
static inline long long pipe_model_linux_write(struct pipe_model *m, uint64_t n)
{
	uint64_t done = 0, tail = n & (PIPE_MODEL_PAGE - 1);

	if (tail != 0 && m->nbufs > 0) {
		struct pipe_model_buf *last = &PIPE_MODEL_BUF(m, m->nbufs - 1);

		if (last->offset + last->len + tail <= PIPE_MODEL_PAGE) {
			last->len += (uint32_t)tail;
			done = tail;
		}
	}
	while (done < n && m->nbufs < m->slots) {
		uint64_t k = n - done < PIPE_MODEL_PAGE ? n - done : PIPE_MODEL_PAGE;

		PIPE_MODEL_BUF(m, m->nbufs).offset = 0;
		PIPE_MODEL_BUF(m, m->nbufs).len = (uint32_t)k;
		m->nbufs++;
		done += k;
	}
	return done > 0 ? (long long)done : -EAGAIN;
}

/* ref's ring_push() with atomic_max = PIPE_BUF, non-blocking, n > 0. */
static inline long long pipe_model_ref_write(const struct pipe_model *m, uint64_t n)
{
	uint64_t room = m->capacity - pipe_model_buffered(m);

	if (room == 0 || (n <= PIPE_MODEL_PIPE_BUF && room < n))
		return -EAGAIN;
	return (long long)(n < room ? n : room);
}

static inline long long pipe_model_write(struct pipe_model *m, int end, uint64_t n)
{
	long long ret = pipe_model_badf(m, end, PIPE_END_WRITE);

	if (ret < 0 || n == 0)
		return ret;
	if (!m->open[PIPE_END_READ])
		return -EPIPE;
	ret = m->rule == PIPE_RULE_LINUX_PAGES ? pipe_model_linux_write(m, n)
					       : pipe_model_ref_write(m, n);
	if (ret > 0)
		m->written += (uint64_t)ret;
	return ret;
}

/* fs/pipe.c pipe_read(): takes from the oldest buffers, frees emptied ones. */
static inline void pipe_model_linux_consume(struct pipe_model *m, uint64_t k)
{
	while (k > 0) {
		struct pipe_model_buf *oldest = &PIPE_MODEL_BUF(m, 0);
		uint32_t take = k < oldest->len ? (uint32_t)k : oldest->len;

		oldest->offset += take;
		oldest->len -= take;
		k -= take;
		if (oldest->len == 0) {
			m->first = (m->first + 1) % PIPE_MODEL_SLOTS_MAX;
			m->nbufs--;
		}
	}
}

static inline long long pipe_model_read(struct pipe_model *m, int end, uint64_t n)
{
	long long ret = pipe_model_badf(m, end, PIPE_END_READ);
	uint64_t have = pipe_model_buffered(m), k;

	if (ret < 0 || n == 0)
		return ret;
	if (have == 0)
		return m->open[PIPE_END_WRITE] ? -EAGAIN : 0;
	k = n < have ? n : have;
	if (m->rule == PIPE_RULE_LINUX_PAGES)
		pipe_model_linux_consume(m, k);
	m->read += k;
	return (long long)k;
}

static inline long long pipe_model_nread(const struct pipe_model *m, int end)
{
	long long ret = pipe_model_badf(m, end, -1);

	return ret < 0 ? ret : (long long)pipe_model_buffered(m);
}

/* poll(2) with timeout 0 on one handle: the revents it reports. */
static inline long long pipe_model_poll(const struct pipe_model *m, int end, short events)
{
	int mask = 0;
	bool room;

	if (!m->open[end])
		return POLLNVAL;
	if (end == PIPE_END_READ) {
		if (pipe_model_buffered(m) > 0)
			mask |= POLLIN | POLLRDNORM;
		if (!m->open[PIPE_END_WRITE])
			mask |= POLLHUP;
	} else {
		if (m->rule == PIPE_RULE_LINUX_PAGES)
			room = m->nbufs < m->slots;
		else
			room = m->capacity - pipe_model_buffered(m) >= PIPE_MODEL_PIPE_BUF;
		if (room)
			mask |= POLLOUT | POLLWRNORM;
		if (!m->open[PIPE_END_READ])
			mask |= POLLERR;
	}
	return mask & (events | POLLHUP | POLLERR);
}

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

static inline long long pipe_model_capacity(const struct pipe_model *m, int end)
{
	long long ret = pipe_model_badf(m, end, -1);

	return ret < 0 ? ret : m->capacity;
}

#endif
