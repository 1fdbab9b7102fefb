/*
 * Broken: msgrcv truncates a message longer than the buffer (and drops
 * the rest) even without MSG_NOERROR, instead of failing with -E2BIG and
 * leaving it queued (XSH msgrcv() ERRORS [E2BIG]).
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static ssize_t receive_truncating(const struct ipcconf_iut *self, int id, void *msg, size_t size,
				  long type, int flags)
{
	(void)self;
	/* Not for MSG_COPY, whose truncation removes nothing: the rule is about removal. */
	if (!(flags & MSG_COPY))
		flags |= MSG_NOERROR;
	return OS->msgq->receive(OS, id, msg, size, type, flags);
}

const struct ipcconf_iut *broken_msgq_silent_truncation_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-silent-truncation",
		       "msgrcv truncates a long message without MSG_NOERROR (never -E2BIG)");
	b.msgq.receive = receive_truncating;
	return &b.iut;
}
