/*
 * Broken: shutdown on a socket returns 0 and does nothing, whatever `how`
 * (shutdown(2)): a shut end still sends, its peer never sees end of file,
 * a read-shut end still receives, and an invalid `how` or an unconnected
 * socket is not refused.  A handle that is not an open socket still gets
 * its error (-EBADF, -ENOTSOCK), found by asking os for the socket's type:
 * those are the handle's rules, not shutdown's.
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static int shutdown_noop(const struct ipcconf_iut *self, int h, int how)
{
	(void)self;
	(void)how;
	int type;
	socklen_t len = sizeof type;
	int r = OS->socket->get_option(OS, h, SOL_SOCKET, SO_TYPE, &type, &len);
	return r < 0 ? r : 0;
}

const struct ipcconf_iut *broken_sock_shutdown_noop_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sock-shutdown-noop",
		       "shutdown on a socket returns 0 and does nothing");
	b.socket.shutdown = shutdown_noop;
	return &b.iut;
}
