/*
 * The `socket` mechanism and the `socket` table, as the harness sees them
 * (conformance/harness/mechanism.h).  Socket paths are removed by the
 * harness itself (IPCCONF_OBJ_SOCKET_PATH); abstract names vanish with
 * their sockets.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

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

/*
 * A socket a clause bound is gone with the clause's processes, but an
 * implementation that keeps its state outside the kernel cannot know
 * that until someone looks.  Connecting to the path is looking: the
 * kernel refuses it, and an implementation such as ref, finding nobody
 * holds the socket, forgets it (ref_iut.h, SOCKETS).  Runs before the
 * harness unlinks the path.
 */
static void socket_cleanup(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			   const struct ipcconf_object *obj)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;

	if (obj->kind != IPCCONF_OBJ_SOCKET_PATH || !iut->socket || !iut->handle)
		return;
	n = strlen(obj->name);
	if (n >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, obj->name, n + 1);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		int h = iut->socket->open(self, AF_UNIX, types[i] | SOCK_NONBLOCK, 0);
		if (h < 0)
			continue;
		iut->socket->connect(self, h, (const struct sockaddr *)&sa,
				     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1));
		iut->handle->close(self, h);
	}
}

MECHANISM(socket,
	  .title = "sockets",
	  .order = 80,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(STREAM) |
		    IPCCONF_TABLE_BIT(SOCKET),
	  .cleanup = socket_cleanup);
