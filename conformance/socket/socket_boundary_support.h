/*
 * socket_boundary_support.h -- what the pair and boundary clauses share:
 * one message each way over a connected pair, single messages sent and
 * received with the checks a message socket owes, and the bulk transfer
 * whose bytes say which direction they travelled and where they belong.
 */
#ifndef IPCCONF_CONFORMANCE_SOCKET_BOUNDARY_SUPPORT_H
#define IPCCONF_CONFORMANCE_SOCKET_BOUNDARY_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "conformance/harness/clause.h"

/*
 * Sends one message of `len` bytes with MSG_NOSIGNAL.  A datagram or
 * seqpacket send transfers the whole message or nothing (XSH send():
 * "the message shall be sent atomically"), so anything but `len` is a
 * FAIL naming `what`, and the caller ends.  For stream sockets use
 * socket_send_all, which accepts short sends.
 */
void boundary_send_message(struct ipcconf_t *t, int h, const void *buf, size_t len,
			   const char *what);

/* One receive into `buf` (room `cap`) with `flags`; an error is a FAIL naming `what`. */
ssize_t boundary_recv_once(struct ipcconf_t *t, int h, void *buf, size_t cap, int flags,
			   const char *what);

/*
 * Over the connected pair `e` of `type`: end 0 sends one message and end
 * 1 another, and each receives exactly the other's (stream: bytes gathered
 * over any short receives; datagram and seqpacket: one receive, the exact
 * length).
 */
void boundary_exchange(struct ipcconf_t *t, int type, const int e[2]);

/*
 * Bytes for a bulk transfer in each direction of the pair `e`: 4 MiB, or
 * four times everything both ends' send and receive buffers say they hold
 * (SO_SNDBUF, SO_RCVBUF, where the implementation reports them) if that
 * is more, so that no sender can finish before its reader has read.
 * Bounded at 64 MiB; a multiple of BOUNDARY_BULK_CHUNK.
 */
#define BOUNDARY_BULK_CHUNK 65536u
size_t boundary_bulk_size(struct ipcconf_t *t, const int e[2]);

/*
 * Sends `total` bytes of direction `dir`'s pattern on stream socket `h`
 * (byte i of direction 0 and byte i of direction 1 always differ, so a
 * byte that crossed to the wrong reader or arrived out of place shows).
 */
void boundary_bulk_send(struct ipcconf_t *t, int h, int dir, size_t total, const char *what);

/*
 * Receives `total` bytes from stream socket `h` and checks they are
 * direction `dir`'s pattern, in order; the first wrong byte is a FAIL
 * naming its offset, and the caller ends.
 */
void boundary_bulk_recv(struct ipcconf_t *t, int h, int dir, size_t total, const char *what);

/* Fills `buf` with `len` bytes of a pattern (byte i of message `seed`). */
void boundary_fill(void *buf, size_t len, unsigned seed);

#endif /* IPCCONF_CONFORMANCE_SOCKET_BOUNDARY_SUPPORT_H */
