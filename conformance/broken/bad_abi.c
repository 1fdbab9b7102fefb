/*
 * Not an implementation: a plug-in that exports this version's symbol but
 * claims a future ABI in its table, to test the loader's refusal.
 */
#include "ipcconf/iut.h"

static const struct ipcconf_iut future = {
	.abi_version = IPCCONF_IUT_ABI_VERSION + 1,
	.struct_size = sizeof(struct ipcconf_iut),
	.name = "future",
};

const struct ipcconf_iut *broken_bad_abi_iut(void) { return &future; }
