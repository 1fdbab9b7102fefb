/* Broken: pipe creation drops O_DIRECT but still declares packet mode (breaks pipe(2) O_DIRECT). */
#define _GNU_SOURCE
#include <fcntl.h>

#include "conformance/broken/wrap.h"

static int create_without_packets(const struct ipcconf_iut *self, int ends[2], int flags)
{
	return OS->pipe->create(OS, ends, flags & ~O_DIRECT);
}

const struct ipcconf_iut *broken_packet_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-packet-ignored", "O_DIRECT is accepted but makes an ordinary pipe");
	b.pipe.create = create_without_packets;
	return &b.iut;
}
