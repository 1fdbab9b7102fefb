/*
 * Broken: msgget ignores IPC_EXCL, so IPC_CREAT | IPC_EXCL on a key that
 * has a queue returns that queue instead of failing with -EEXIST (XSH
 * msgget() ERRORS [EEXIST]).
 */
#define _GNU_SOURCE
#include "conformance/broken/wrap.h"

static int get_no_excl(const struct ipcconf_iut *self, key_t key, int flags)
{
	(void)self;
	return OS->msgq->get(OS, key, flags & ~IPC_EXCL);
}

const struct ipcconf_iut *broken_msgq_excl_ignored_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-excl-ignored",
		       "msgget ignores IPC_EXCL: an existing key's queue is returned, never -EEXIST");
	b.msgq.get = get_no_excl;
	return &b.iut;
}
