/*
 * streams.c -- small building blocks clauses share: names in the private
 * directory, limits read from the IUT, whole-buffer I/O, and filling and
 * draining a stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/page.h"

const char *ipcconf_path(struct ipcconf_t *t, const char *leaf)
{
	unsigned i = atomic_fetch_add(&t->page->npaths, 1);
	if (i >= IPCCONF_MAX_PATHS)
		BROKEN(t, "more than %d paths in one clause", IPCCONF_MAX_PATHS);
	char *p = t->page->paths[i];
	int n = snprintf(p, sizeof t->page->paths[i], "%s/%s", t->dir, leaf);
	if (n < 0 || (size_t)n >= sizeof t->page->paths[i])
		BROKEN(t, "path too long: %s/%s", t->dir, leaf);
	return p;
}

long ipcconf_pipe_buf(struct ipcconf_t *t, int h)
{
	long pb = t->stream->pipe_buf ? t->stream->pipe_buf(h) : -ENOSYS;
	char b[32];
	REQUIRE(t, pb >= 512,
		"pipe_buf (fpathconf _PC_PIPE_BUF): expected at least 512 (_POSIX_PIPE_BUF), got %s",
		ipcconf_result_name(pb, b));
	return pb;
}

#define FILL_LIMIT (64L << 20)

long ipcconf_fill(struct ipcconf_t *t, int w)
{
	static const char chunk[4096];
	STEP(t, "filling the stream with O_NONBLOCK writes");
	REQUIRE_OK(t, t->stream->set_nonblock(w, 1), "set_nonblock(write end, 1)");
	long total = 0;
	size_t size = sizeof chunk;
	for (;;) {
		ssize_t n = t->stream->write(w, chunk, size);
		char b[32];
		if (n == -EAGAIN) {
			if (size == 1)
				return total;
			size = 1; /* top up whatever room a whole chunk did not fit */
			continue;
		}
		REQUIRE(t, n > 0, "filling: write(%zu bytes) with O_NONBLOCK: expected a count or -EAGAIN, got %s",
			size, ipcconf_result_name(n, b));
		total += n;
		REQUIRE(t, total <= FILL_LIMIT,
			"filling: the stream accepted over %ld bytes without -EAGAIN; its buffer must be bounded (seed:P8)",
			FILL_LIMIT);
	}
}

void ipcconf_read_exact(struct ipcconf_t *t, int r, void *buf, size_t len, const char *what)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = t->stream->read(r, (char *)buf + got, len - got);
		char b[32];
		if (n == -EINTR)
			continue;
		REQUIRE(t, n > 0, "%s: read after %zu of %zu bytes: expected more data, got %s",
			what, got, len, ipcconf_result_name(n, b));
		REQUIRE(t, (size_t)n <= len - got, "%s: read returned %zd, more than the %zu asked",
			what, n, len - got);
		got += (size_t)n;
	}
}

void ipcconf_write_all(struct ipcconf_t *t, int w, const void *buf, size_t len, const char *what)
{
	size_t put = 0;
	while (put < len) {
		ssize_t n = t->stream->write(w, (const char *)buf + put, len - put);
		char b[32];
		if (n == -EINTR)
			continue;
		REQUIRE(t, n > 0, "%s: write after %zu of %zu bytes: expected a count, got %s",
			what, put, len, ipcconf_result_name(n, b));
		REQUIRE(t, (size_t)n <= len - put, "%s: write returned %zd, more than the %zu given",
			what, n, len - put);
		put += (size_t)n;
	}
}

long ipcconf_fill_then_block(struct ipcconf_t *t, int w)
{
	long cap = ipcconf_fill(t, w);
	REQUIRE_OK(t, t->stream->set_nonblock(w, 0), "set_nonblock(write end, 0) after filling");
	return cap;
}

#define FILL_PIECE 4096

void ipcconf_read_fill_by(struct ipcconf_t *t, int r, long n, size_t piece, const char *what)
{
	char buf[FILL_PIECE];
	if (piece == 0 || piece > sizeof buf)
		BROKEN(t, "ipcconf_read_fill_by: a piece of %zu bytes (1 to %zu)", piece, sizeof buf);
	for (long done = 0; done < n;) {
		size_t len = n - done < (long)piece ? (size_t)(n - done) : piece;
		ipcconf_read_exact(t, r, buf, len, what);
		for (size_t i = 0; i < len; i++)
			REQUIRE(t, buf[i] == 0,
				"%s: byte %ld is 0x%02x; expected 0, the filler written before (bytes out of order, or bytes that should not be there)",
				what, done + (long)i, (unsigned char)buf[i]);
		done += (long)len;
	}
}

void ipcconf_read_fill(struct ipcconf_t *t, int r, long n, const char *what)
{
	ipcconf_read_fill_by(t, r, n, FILL_PIECE, what);
}

size_t ipcconf_drain_now(struct ipcconf_t *t, int h, char *buf, size_t cap, const char *what)
{
	size_t got = 0;
	for (;;) {
		char spill[64];
		char *dst = got < cap ? buf + got : spill;
		size_t room = got < cap ? cap - got : sizeof spill;
		ssize_t n = t->stream->read(h, dst, room);
		if (n == -EAGAIN)
			return got;
		char b[32];
		REQUIRE(t, n > 0, "%s: read after %zu bytes: expected data or -EAGAIN, got %s", what,
			got, ipcconf_result_name(n, b));
		got += (size_t)n;
		REQUIRE(t, got <= (1u << 20), "%s: more than 1 MiB read without -EAGAIN from a stream "
			"holding a few bytes", what);
	}
}

void ipcconf_expect_empty(struct ipcconf_t *t, int r, const char *what)
{
	REQUIRE_OK(t, t->stream->set_nonblock(r, 1), "set_nonblock(read end, 1)");
	char c;
	CHECK_EQ(t, t->stream->read(r, &c, 1), -EAGAIN, what);
}
