/* The `handle` table as the loader checks it (mechanism.h). */
#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_handle_ops, member)

static const struct ipcconf_member handle_required[] = { M(close), { 0 } };

static const struct ipcconf_cap_ops handle_caps[] = {
	{ IPCCONF_HANDLE_CAP_DUP, "DUP", { M(dup) } },
	{ IPCCONF_HANDLE_CAP_NONBLOCK, "NONBLOCK", { M(get_nonblock), M(set_nonblock) } },
	{ IPCCONF_HANDLE_CAP_POLL, "POLL", { M(poll) } },
	{ 0 },
};

TABLE(handle, .id = IPCCONF_TABLE_HANDLE, .size = sizeof(struct ipcconf_handle_ops),
      .required = handle_required, .caps = handle_caps);
