/*
 * Broken: msgsnd accepts an mtype below 1, queueing the message as type 1
 * instead of failing with -EINVAL (XSH msgsnd() ERRORS [EINVAL]).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "conformance/broken/wrap.h"

static int send_any_type(const struct ipcconf_iut *self, int id, const void *msg, size_t size,
			 int flags)
{
	(void)self;
	long type;
	memcpy(&type, msg, sizeof type);
	if (type >= 1 || size > 65536)
		return OS->msgq->send(OS, id, msg, size, flags);
	struct {
		long mtype;
		char mtext[65536];
	} *copy = malloc(sizeof *copy);
	if (!copy)
		return OS->msgq->send(OS, id, msg, size, flags);
	copy->mtype = 1;
	memcpy(copy->mtext, (const char *)msg + sizeof(long), size);
	int r = OS->msgq->send(OS, id, copy, size, flags);
	free(copy);
	return r;
}

const struct ipcconf_iut *broken_msgq_type_zero_accepted_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-type-zero-accepted",
		       "msgsnd accepts mtype < 1 (queued as type 1) instead of -EINVAL");
	b.msgq.send = send_any_type;
	return &b.iut;
}
