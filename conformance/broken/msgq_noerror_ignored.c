/*
 * Broken: msgrcv ignores MSG_NOERROR, so a message longer than the buffer
 * fails with -E2BIG instead of arriving truncated (XSH msgrcv()).
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static ssize_t receive_strict(const struct ipcconf_iut *self, int id, void *msg, size_t size,
			      long type, int flags)
{
	(void)self;
	return OS->msgq->receive(OS, id, msg, size, type, flags & ~MSG_NOERROR);
}

const struct ipcconf_iut *broken_msgq_noerror_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-noerror-ignored",
		       "msgrcv ignores MSG_NOERROR: a long message fails with -E2BIG");
	b.msgq.receive = receive_strict;
	return &b.iut;
}
