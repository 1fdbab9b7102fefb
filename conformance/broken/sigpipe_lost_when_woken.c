/*
 * Broken: a blocking write that finds the pipe full (and so must sleep)
 * raises no SIGPIPE if the reader leaves meanwhile: it returns -EPIPE
 * with the signal swallowed (breaks pipe(7)/POSIX write() [EPIPE]: SIGPIPE
 * is sent as well).  Writes that do not sleep are untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>

#include "conformance/broken/wrap.h"

static ssize_t write_woken_without_sigpipe(const struct ipcconf_iut *self, int h, const void *buf,
					   size_t len)
{
	int fl = fcntl(h, F_GETFL), cap = fcntl(h, F_GETPIPE_SZ), queued = 0;
	if (fl < 0 || (fl & O_NONBLOCK) || cap <= 0 || ioctl(h, FIONREAD, &queued) != 0 || queued < cap)
		return OS->stream->write(OS, h, buf, len);
	sigset_t pipe_only, old, pending;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_only, &old);
	sigpending(&pending);
	int was_pending = sigismember(&pending, SIGPIPE);
	ssize_t n = OS->stream->write(OS, h, buf, len);
	if (n == -EPIPE && !was_pending) {
		struct timespec now = { 0, 0 };
		sigtimedwait(&pipe_only, NULL, &now);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return n;
}

const struct ipcconf_iut *broken_sigpipe_lost_when_woken_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sigpipe-lost-when-woken",
		       "a writer asleep on a full pipe gets -EPIPE but no SIGPIPE when the reader leaves");
	b.stream.write = write_woken_without_sigpipe;
	return &b.iut;
}
