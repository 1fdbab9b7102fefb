/*
 * Broken: msgrcv with msgtyp < 0 takes the oldest message of the HIGHEST
 * type <= |msgtyp| instead of the lowest (seed:Q4, XSH msgrcv()).
 */
#define _GNU_SOURCE
#include <errno.h>

#include "conformance/broken/wrap.h"

/* Beyond this |msgtyp| the scan would be slow: left to os (the clauses use small types). */
#define SCAN_MAX 4096

static ssize_t receive_highest(const struct ipcconf_iut *self, int id, void *msg, size_t size,
			       long type, int flags)
{
	(void)self;
	if (type >= 0 || type < -SCAN_MAX || (flags & (MSG_COPY | MSG_EXCEPT)))
		return OS->msgq->receive(OS, id, msg, size, type, flags);
	/* The highest type first: the oldest message of each type, from |msgtyp| down. */
	for (long k = -type; k >= 1; k--) {
		ssize_t n = OS->msgq->receive(OS, id, msg, size, k, flags | IPC_NOWAIT);
		if (n != -ENOMSG)
			return n;
	}
	return OS->msgq->receive(OS, id, msg, size, type, flags);
}

const struct ipcconf_iut *broken_msgq_negative_type_highest_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-negative-type-highest",
		       "msgrcv with msgtyp < 0 takes the highest type <= |msgtyp|, not the lowest");
	b.msgq.receive = receive_highest;
	return &b.iut;
}
