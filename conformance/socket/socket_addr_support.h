/*
 * socket_addr_support.h -- what the socket.addr, socket.listen and
 * socket.errors clauses share: AF_UNIX addresses compared the way unix(7)
 * says they come back, sockets bound or connected to a path in one step,
 * and a look at the file system beside the implementation (stat from the
 * clause itself: the file system is not the implementation under test).
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_ADDR_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_ADDR_SUPPORT_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "conformance/harness/clause.h"

/* The length unix(7) gives a returned pathname address: offsetof(sun_path) + strlen + 1. */
socklen_t addr_path_len(const char *path);

/*
 * An address a call returned (`got`, `got_len` as the call left it) must be
 * the pathname address of `path`: family AF_UNIX, length
 * offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1, and sun_path
 * the NUL-terminated path (unix(7), "pathname").  A difference is a FAIL
 * naming `what`.
 */
void addr_expect_path(struct ipcconf_t *t, const struct sockaddr_un *got, socklen_t got_len,
		      const char *path, const char *what);

/*
 * An address a call returned must be exactly `want` (`want_len` bytes):
 * for abstract names, whose length is part of the name (unix(7),
 * "abstract").  A difference is a FAIL naming `what`.
 */
void addr_expect_same(struct ipcconf_t *t, const struct sockaddr_un *got, socklen_t got_len,
		      const struct sockaddr_un *want, socklen_t want_len, const char *what);

/*
 * An address a call returned must be the unnamed address: length
 * sizeof(sa_family_t) and family AF_UNIX (unix(7), "unnamed").  A
 * difference is a FAIL naming `what`.
 */
void addr_expect_unnamed(struct ipcconf_t *t, const struct sockaddr_un *got, socklen_t got_len,
			 const char *what);

/*
 * A new AF_UNIX socket of `type` bound to `sa` (`len` bytes), not
 * listening.  A failure ends the caller.
 */
int addr_bound(struct ipcconf_t *t, int type, const struct sockaddr_un *sa, socklen_t len);

/* A new AF_UNIX stream socket connected to `sa`.  A failure ends the caller. */
int addr_connected_to(struct ipcconf_t *t, const struct sockaddr_un *sa, socklen_t len);

/*
 * lstat(2) of `path` by the clause: the st_mode of what is there (a
 * symbolic link itself, not its target), or -errno (-ENOENT when nothing
 * is there).
 */
long long addr_file_mode(const char *path);

/*
 * Makes an empty regular file at `path` (the clause's own file system
 * call); a failure is BROKEN.
 */
void addr_make_regular_file(struct ipcconf_t *t, const char *path);

/* Makes a symbolic link at `path` to `target`; a failure is BROKEN. */
void addr_make_symlink(struct ipcconf_t *t, const char *target, const char *path);

#endif /* IPCCONF_CONFORMANCE_SOCKET_ADDR_SUPPORT_H */
