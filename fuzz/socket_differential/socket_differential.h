/*
 * socket_differential.h -- the input encoding of the socket_differential
 * fuzz target, shared by the harness and make_corpus.c.
 *
 * Byte 0: the first socketpair()'s argument byte (see OP_RECREATE).  Then
 * ops: a code byte, the op being (code & 0x7f) % OP_COUNT and bit 7 the
 * end it acts on (0: ends[0], 1: ends[1]), followed by the op's argument.
 */
#ifndef IPCCONF_FUZZ_SOCKET_DIFFERENTIAL_H
#define IPCCONF_FUZZ_SOCKET_DIFFERENTIAL_H

enum sock_op {
	OP_SEND,          /* argument: length, 2 bytes little-endian */
	OP_RECV,          /* argument: length, 2 bytes little-endian; 1 byte, see RECV_* */
	OP_SHUTDOWN,      /* argument: 1 byte, % 4: SHUT_RD, SHUT_WR, SHUT_RDWR, an invalid `how` */
	OP_CLOSE,         /* no argument */
	OP_POLL,          /* argument: 1 byte of event bits, see poll_events() */
	OP_SET_NONBLOCK,  /* argument: 1 byte, bit 0 on/off */
	OP_GET_NONBLOCK,  /* no argument */
	OP_GET_TYPE,      /* no argument: getsockopt(SOL_SOCKET, SO_TYPE) */
	OP_RECREATE,      /* argument: 1 byte: bits 0-1 % (types both sides have) pick the
			     type (stream, seqpacket, dgram, in that order, less those
			     missing), bit 2 adds SOCK_CLOEXEC; SOCK_NONBLOCK always */
	OP_COUNT
};

#define OP_END1 0x80

/* The recv argument's flag byte: bit 0 MSG_PEEK, bit 1 MSG_TRUNC (message types only). */
#define RECV_PEEK 1
#define RECV_TRUNC 2

#endif
