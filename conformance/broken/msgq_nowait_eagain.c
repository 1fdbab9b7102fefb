/*
 * Broken: msgrcv with IPC_NOWAIT and nothing to take fails with -EAGAIN
 * (send's error) instead of -ENOMSG (XSH msgrcv() ERRORS [ENOMSG]).
 */
#define _GNU_SOURCE
#include <errno.h>

#include "conformance/broken/wrap.h"

static ssize_t receive_eagain(const struct ipcconf_iut *self, int id, void *msg, size_t size,
			      long type, int flags)
{
	(void)self;
	ssize_t n = OS->msgq->receive(OS, id, msg, size, type, flags);
	return n == -ENOMSG ? -EAGAIN : n;
}

const struct ipcconf_iut *broken_msgq_nowait_eagain_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-nowait-eagain",
		       "msgrcv with IPC_NOWAIT and no matching message fails with -EAGAIN, not -ENOMSG");
	b.msgq.receive = receive_eagain;
	return &b.iut;
}
