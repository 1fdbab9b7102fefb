#include <stddef.h>

#include "conformance/harness/runner.h"

static const struct {
	uint64_t cap;
	const char *name;
} cap_names[] = {
	{ IPCCONF_CAP_PIPE, "PIPE" },
	{ IPCCONF_CAP_FIFO, "FIFO" },
	{ IPCCONF_CAP_FORK_INHERIT, "FORK_INHERIT" },
	{ IPCCONF_CAP_PEER_DEATH, "PEER_DEATH" },
	{ IPCCONF_CAP_NONBLOCK, "NONBLOCK" },
	{ IPCCONF_CAP_CAPACITY_GET, "CAPACITY_GET" },
	{ IPCCONF_CAP_CAPACITY_SET, "CAPACITY_SET" },
	{ IPCCONF_CAP_NREAD, "NREAD" },
	{ IPCCONF_CAP_POLL, "POLL" },
	{ IPCCONF_CAP_DUP, "DUP" },
	{ IPCCONF_CAP_SEEK, "SEEK" },
	{ IPCCONF_CAP_SIGPIPE, "SIGPIPE" },
	{ IPCCONF_CAP_EINTR, "EINTR" },
	{ IPCCONF_CAP_SIGNAL, "SIGNAL" },
	{ IPCCONF_CAP_MSGQ_SYSV, "MSGQ_SYSV" },
	{ IPCCONF_CAP_MQ_POSIX, "MQ_POSIX" },
	{ IPCCONF_CAP_SHM, "SHM" },
	{ IPCCONF_CAP_SEM, "SEM" },
	{ IPCCONF_CAP_SOCKET, "SOCKET" },
};

const char *ipcconf_cap_name(uint64_t cap)
{
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
		if (cap_names[i].cap == cap)
			return cap_names[i].name;
	return NULL;
}
