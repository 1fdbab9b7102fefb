/* Broken: every write hangs forever.  The suite must report timeouts, not hang. */
#include <unistd.h>

#include "conformance/broken/wrap.h"

static ssize_t write_forever(const struct ipcconf_iut *self, int h, const void *buf, size_t len)
{
	for (;;)
		pause();
	return -1; /* not reached; gcc -O0 wants it said */
}

const struct ipcconf_iut *broken_write_hangs_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-write-hangs", "every write blocks forever");
	b.stream.write = write_forever;
	return &b.iut;
}
