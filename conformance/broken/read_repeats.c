/*
 * Broken: every 16th read in a process is followed by a read that returns
 * the same bytes again (breaks seed:P4: data is read once, then gone).
 * The repeat happens only while more data waits in the stream, so a
 * reader that stops at the data it expects sees nothing odd.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "conformance/broken/wrap.h"

static unsigned char last[65536];
static size_t last_len;
static unsigned reads;
static int repeat_next;

static ssize_t read_repeating(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	if (repeat_next && last_len <= len) {
		repeat_next = 0;
		memcpy(buf, last, last_len);
		return (ssize_t)last_len;
	}
	repeat_next = 0;
	ssize_t n = OS->stream->read(OS, h, buf, len);
	int queued = 0;
	if (n > 0 && (size_t)n <= sizeof last && ++reads % 16 == 0 &&
	    ioctl(h, FIONREAD, &queued) == 0 && queued > 0) {
		memcpy(last, buf, (size_t)n);
		last_len = (size_t)n;
		repeat_next = 1;
	}
	return n;
}

const struct ipcconf_iut *broken_read_repeats_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-repeats", "every 16th read is delivered twice");
	b.stream.read = read_repeating;
	return &b.iut;
}
