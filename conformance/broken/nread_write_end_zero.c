/* Broken: FIONREAD on a write end reports 0 (breaks pipe(7): it counts the pipe's bytes on either end). */
#include <fcntl.h>

#include "conformance/broken/wrap.h"

static long nread_zero_on_write_end(const struct ipcconf_iut *self, int h)
{
	int fl = fcntl(h, F_GETFL);
	if (fl >= 0 && (fl & O_ACCMODE) == O_WRONLY)
		return 0;
	return OS->stream->nread(OS, h);
}

const struct ipcconf_iut *broken_nread_write_end_zero_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-nread-write-end-zero", "FIONREAD on a write end reports 0");
	b.stream.nread = nread_zero_on_write_end;
	return &b.iut;
}
