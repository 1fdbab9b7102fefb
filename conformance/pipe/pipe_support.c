/* pipe_support.c -- limits, filling and draining (pipe_support.h). */
#include "conformance/pipe/pipe_support.h"

#include <errno.h>

long ipcconf_pipe_buf(struct ipcconf_t *t, int h)
{
	if (!t->iut->pipe->pipe_buf)
		BROKEN(t, "the clause reads PIPE_BUF but does not declare USES(PIPE, IPCCONF_PIPE_CAP_PIPE_BUF)");
	long pb = t->iut->pipe->pipe_buf(t->self, h);
	char b[32];
	REQUIRE(t, pb >= 512,
		"pipe_buf (fpathconf _PC_PIPE_BUF): expected at least 512 (_POSIX_PIPE_BUF), got %s",
		ipcconf_result_name(pb, b));
	return pb;
}

/* Used only when the implementation cannot report its capacity. */
#define UNREPORTED_CAPACITY_BOUND (64L << 20)

long ipcconf_fill(struct ipcconf_t *t, int w)
{
	static const char chunk[4096];
	long bound = UNREPORTED_CAPACITY_BOUND;
	const char *bound_is = "64 MiB (the implementation reports no capacity)";
	if (t->iut->pipe && t->iut->pipe->get_capacity) {
		long cap = iut_get_capacity(t, w);
		char b[32];
		REQUIRE(t, cap > 0, "get_capacity of the write end: expected a size, got %s",
			ipcconf_result_name(cap, b));
		bound = cap;
		bound_is = "its reported capacity";
	}
	STEP(t, "filling the pipe with O_NONBLOCK writes");
	REQUIRE_OK(t, iut_set_nonblock(t, w, 1), "set_nonblock(write end, 1)");
	long total = 0;
	size_t size = sizeof chunk;
	for (;;) {
		ssize_t n = iut_write(t, w, chunk, size);
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
		REQUIRE(t, total <= bound,
			"filling: the pipe accepted %ld bytes without -EAGAIN, more than %ld, %s (seed:P8: bounded)",
			total, bound, bound_is);
	}
}

long ipcconf_fill_then_block(struct ipcconf_t *t, int w)
{
	long cap = ipcconf_fill(t, w);
	REQUIRE_OK(t, iut_set_nonblock(t, w, 0), "set_nonblock(write end, 0) after filling");
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
