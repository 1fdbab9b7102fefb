/*
 * The `socket` mechanism and the `socket` table, as the harness sees them
 * (conformance/harness/mechanism.h).  Socket paths are removed by the
 * harness itself (IPCCONF_OBJ_SOCKET_PATH); abstract names vanish with
 * their sockets.
 */
#define _GNU_SOURCE
#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_socket_ops, member)

static const struct ipcconf_member socket_required[] = {
	M(open), M(pair), M(bind), M(listen), M(accept), M(connect), M(send), M(recv),
	M(shutdown), M(local_name), M(peer_name), M(get_option), { 0 },
};

static const struct ipcconf_cap_ops socket_caps[] = {
	{ IPCCONF_SOCKET_CAP_DGRAM, "DGRAM", { { 0 } } },
	{ IPCCONF_SOCKET_CAP_SEQPACKET, "SEQPACKET", { { 0 } } },
	{ IPCCONF_SOCKET_CAP_ABSTRACT, "ABSTRACT", { { 0 } } },
	{ IPCCONF_SOCKET_CAP_INET, "INET", { { 0 } } },
	{ IPCCONF_SOCKET_CAP_INET6, "INET6", { { 0 } } },
	{ IPCCONF_SOCKET_CAP_PEERCRED, "PEERCRED", { { 0 } } },
	{ IPCCONF_SOCKET_CAP_RIGHTS, "RIGHTS", { M(send_msg), M(recv_msg), { 0 } } },
	{ IPCCONF_SOCKET_CAP_CREDENTIALS, "CREDENTIALS",
	  { M(set_option), M(send_msg), M(recv_msg), { 0 } } },
	{ 0 },
};

TABLE(socket, .id = IPCCONF_TABLE_SOCKET, .size = sizeof(struct ipcconf_socket_ops),
      .required = socket_required, .caps = socket_caps);

MECHANISM(socket,
	  .title = "sockets",
	  .order = 80,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(STREAM) |
		    IPCCONF_TABLE_BIT(SOCKET));
