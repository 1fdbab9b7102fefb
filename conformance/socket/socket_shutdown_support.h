/*
 * socket_shutdown_support.h -- what the shutdown and close clauses
 * (socket_shutdown_test.c, socket_close_test.c) share: rows over the two
 * connection-mode AF_UNIX types, receiving one message whatever the type,
 * and end of file.
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_SHUTDOWN_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_SHUTDOWN_SUPPORT_H

#include <stddef.h>
#include <sys/socket.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_support.h"

/* A row's argument: the socket type it runs over. */
extern const int shutdown_type_stream;
extern const int shutdown_type_seqpacket;

/*
 * Two rows of one rule, one per connection-mode type: ids `slug`_stream and
 * `slug`_seqpacket, the type named at the end of the title, the seqpacket
 * row using IPCCONF_SOCKET_CAP_SEQPACKET.  The trailing arguments (.needs,
 * USES of other tables) go into both rows.
 */
#define SHUTDOWN_TYPE_ROWS(slug, title_, cites_, ...)                          \
	ROW(.id = slug "_stream", .title = title_ " (SOCK_STREAM)",            \
	    .cites = cites_, .arg = &shutdown_type_stream, __VA_ARGS__),       \
	ROW(.id = slug "_seqpacket", .title = title_ " (SOCK_SEQPACKET)",      \
	    .cites = cites_, .arg = &shutdown_type_seqpacket,                  \
	    USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET), __VA_ARGS__)

/* The socket type of the running row. */
static inline int shutdown_row_type(struct ipcconf_t *t)
{
	return *(const int *)t->clause->arg;
}

/*
 * Receives `len` bytes that the peer sent in one send and checks they are
 * `expected`: on a stream, in as many receives as the stream needs (short
 * receives are legal); on a seqpacket socket, as one whole record.  A
 * receive that fails or reaches end of file first ends the caller.
 */
void shutdown_recv_sent(struct ipcconf_t *t, int h, int type, const void *expected, size_t len,
			const char *what);

/*
 * A blocking receive that must report end of file (0), as recv(2) does
 * once the peer can send no more and nothing is left.
 */
void shutdown_expect_eof(struct ipcconf_t *t, int h, const char *what);

#endif /* IPCCONF_CONFORMANCE_SOCKET_SHUTDOWN_SUPPORT_H */
