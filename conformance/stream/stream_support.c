/* stream_support.c -- whole-buffer I/O over any byte stream (stream_support.h). */
#include "conformance/stream/stream_support.h"

#include <errno.h>

void ipcconf_read_exact(struct ipcconf_t *t, int r, void *buf, size_t len, const char *what)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = iut_read(t, r, (char *)buf + got, len - got);
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
		ssize_t n = iut_write(t, w, (const char *)buf + put, len - put);
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

size_t ipcconf_drain_now(struct ipcconf_t *t, int h, char *buf, size_t cap, size_t limit,
			 const char *what)
{
	size_t got = 0;
	for (;;) {
		char spill[64];
		char *dst = got < cap ? buf + got : spill;
		size_t room = got < cap ? cap - got : sizeof spill;
		ssize_t n = iut_read(t, h, dst, room);
		if (n == -EAGAIN)
			return got;
		char b[32];
		REQUIRE(t, n > 0, "%s: read after %zu bytes: expected data or -EAGAIN, got %s", what,
			got, ipcconf_result_name(n, b));
		got += (size_t)n;
		REQUIRE(t, got <= limit,
			"%s: more than the %zu bytes the stream can hold were read without -EAGAIN",
			what, limit);
	}
}

void ipcconf_expect_empty(struct ipcconf_t *t, int r, const char *what)
{
	REQUIRE_OK(t, iut_set_nonblock(t, r, 1), "set_nonblock(read end, 1)");
	char c;
	CHECK_EQ(t, iut_read(t, r, &c, 1), -EAGAIN, what);
}
