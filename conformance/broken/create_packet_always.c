/*
 * Broken: every pipe keeps write boundaries (is made in packet mode,
 * O_DIRECT), so a read never returns more than one write's data (breaks
 * seed:P9: a pipe is an unformatted byte stream).
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "conformance/broken/wrap.h"

static int create_packets(const struct ipcconf_iut *self, int ends[2], int flags)
{
	return OS->pipe->create(OS, ends, flags | O_DIRECT);
}

const struct ipcconf_iut *broken_create_packet_always_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-create-packet-always", "every pipe keeps message boundaries");
	b.pipe.create = create_packets;
	return &b.iut;
}
