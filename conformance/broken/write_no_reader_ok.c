/* Broken: a write with no reader left "succeeds" (breaks seed:P10). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "conformance/broken/wrap.h"

static ssize_t write_swallowing_epipe(const struct ipcconf_iut *self, int h, const void *buf,
				      size_t len)
{
	sigset_t pipe_sig, old;
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
	ssize_t n = OS->stream->write(OS, h, buf, len);
	if (n == -EPIPE) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_sig, NULL, &zero); /* drop the SIGPIPE the kernel queued */
		n = (ssize_t)len;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return n;
}

const struct ipcconf_iut *broken_write_no_reader_ok_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-write-no-reader", "writes with no reader succeed silently");
	b.stream.write = write_swallowing_epipe;
	return &b.iut;
}
