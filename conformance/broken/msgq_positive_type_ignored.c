/*
 * Broken: msgrcv ignores a positive msgtyp and takes the oldest message
 * of any type, as if msgtyp were 0 (seed:Q4, XSH msgrcv()).
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static ssize_t receive_any(const struct ipcconf_iut *self, int id, void *msg, size_t size,
			   long type, int flags)
{
	(void)self;
	/* MSG_COPY's msgtyp is a position and MSG_EXCEPT's a type to avoid: left alone. */
	if (type > 0 && !(flags & (MSG_COPY | MSG_EXCEPT)))
		type = 0;
	return OS->msgq->receive(OS, id, msg, size, type, flags);
}

const struct ipcconf_iut *broken_msgq_positive_type_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-positive-type-ignored",
		       "msgrcv with msgtyp > 0 takes the oldest message of any type");
	b.msgq.receive = receive_any;
	return &b.iut;
}
