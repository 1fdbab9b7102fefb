/* Broken: a read returns the data but leaves it in place (breaks seed:P4). */
#include <string.h>

#include "conformance/broken/wrap.h"

/* The bytes a first read returned, per handle, handed out again forever. */
static char kept[1024][64];
static size_t kept_len[1024];

static ssize_t read_keeps_data(const struct ipcconf_iut *self, int h, void *buf, size_t len)
{
	if (h < 0 || h >= 1024 || len == 0)
		return OS->stream->read(OS, h, buf, len);
	if (kept_len[h] == 0) {
		ssize_t n = OS->stream->read(OS, h, kept[h], len < 64 ? len : 64);
		if (n <= 0)
			return n;
		kept_len[h] = (size_t)n;
	}
	size_t n = kept_len[h] < len ? kept_len[h] : len;
	memcpy(buf, kept[h], n);
	return (ssize_t)n;
}

const struct ipcconf_iut *broken_read_no_consume_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-read-no-consume", "reads do not consume the data");
	b.stream.read = read_keeps_data;
	return &b.iut;
}
