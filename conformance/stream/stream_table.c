/* The `stream` table as the loader checks it (mechanism.h). */
#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_stream_ops, member)

static const struct ipcconf_member stream_required[] = { M(read), M(write), { 0 } };

static const struct ipcconf_cap_ops stream_caps[] = {
	{ IPCCONF_STREAM_CAP_NREAD, "NREAD", { M(nread) } },
	{ 0 },
};

TABLE(stream, .id = IPCCONF_TABLE_STREAM, .size = sizeof(struct ipcconf_stream_ops),
      .required = stream_required, .caps = stream_caps);
