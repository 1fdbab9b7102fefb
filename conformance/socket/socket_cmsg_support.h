/*
 * socket_cmsg_support.h -- what the SCM_RIGHTS and SCM_CREDENTIALS clauses
 * share: a rendezvous that lets a helper forked before anything else was
 * made reach the clause process by a socket path (so it inherits nothing
 * the clause passes it later), pipes made through the implementation's
 * pipe table, and one data byte sent or received with control messages
 * laid out as cmsg(3) describes.
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_CMSG_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_CMSG_SUPPORT_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "conformance/harness/clause.h"

/* The most descriptors a clause passes in one message. */
#define CMSG_MAX_HANDLES 8

/* A pipe through the implementation's pipe table (USES(PIPE, 0)); a failure ends the caller. */
void cmsg_pipe(struct ipcconf_t *t, int ends[2]);

/*
 * A listening AF_UNIX stream socket at a fresh path.  Made in the clause
 * process before it forks the helper; the helper reaches it by the path,
 * not by inheriting a handle, so the clause needs no IPCCONF_CAP_FORK_INHERIT.
 */
struct cmsg_rendezvous {
	struct sockaddr_un sa;
	socklen_t len;
	int listener;
};

void cmsg_rendezvous_open(struct ipcconf_t *t, struct cmsg_rendezvous *rv);

/* In the helper: a new socket connected to the rendezvous.  A failure ends the helper. */
int cmsg_rendezvous_connect(struct ipcconf_t *t, const struct cmsg_rendezvous *rv);

/*
 * In the clause process: the helper's connection, accepted; the listener
 * is closed.  A failure ends the clause.
 */
int cmsg_rendezvous_accept(struct ipcconf_t *t, struct cmsg_rendezvous *rv);

/*
 * Sends the one data byte `tag` on `sock` with an SCM_RIGHTS message
 * carrying handles[0..n) (a stream socket carries control data only with
 * data).  Anything but a send of that byte ends the caller, naming `what`.
 */
void cmsg_send_rights(struct ipcconf_t *t, int sock, char tag, const int *handles, unsigned n,
		      const char *what);

/* What one recvmsg of a single data byte brought. */
struct cmsg_received {
	char tag;                          /* the data byte */
	int flags;                         /* msg_flags: MSG_CTRUNC, MSG_TRUNC */
	unsigned nhandles;                 /* handles found in SCM_RIGHTS messages */
	int handles[CMSG_MAX_HANDLES];
	int has_creds;                     /* an SCM_CREDENTIALS message came */
	struct ucred creds;
};

/*
 * recvmsg of one data byte from `sock` with a control buffer of exactly
 * `control_len` bytes (at most CMSG_SPACE(CMSG_MAX_HANDLES * sizeof(int)),
 * aligned for cmsghdr), and parses what came.  Anything but one byte
 * received ends the caller, naming `what`; more than CMSG_MAX_HANDLES
 * handles is a FAIL (they cannot fit the buffer).
 */
void cmsg_recv(struct ipcconf_t *t, int sock, size_t control_len, struct cmsg_received *got,
	       const char *what);

#endif /* IPCCONF_CONFORMANCE_SOCKET_CMSG_SUPPORT_H */
