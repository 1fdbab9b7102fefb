/*
 * Broken: msgrcv ignores MSG_EXCEPT and takes a message OF the type
 * instead of one of any other type (msgop(2) MSG_EXCEPT).  The table
 * still claims the EXCEPT capability.
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static ssize_t receive_no_except(const struct ipcconf_iut *self, int id, void *msg, size_t size,
				 long type, int flags)
{
	(void)self;
	return OS->msgq->receive(OS, id, msg, size, type, flags & ~MSG_EXCEPT);
}

const struct ipcconf_iut *broken_msgq_except_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-except-ignored",
		       "msgrcv ignores MSG_EXCEPT: it takes the type instead of any other");
	b.msgq.receive = receive_no_except;
	return &b.iut;
}
