/*
 * pipe_differential.h -- the input encoding of the pipe_differential fuzz
 * target, shared by the harness and make_corpus.c.
 *
 * Byte 0: the flags of the first pipe2() (bit 0: O_NONBLOCK).  Then ops:
 * a code byte, the op being (code & 0x7f) % OP_COUNT and bit 7 the end it
 * acts on (0: the read end's handle, 1: the write end's, whichever the op
 * is), followed by the op's argument.
 */
#ifndef IPCCONF_FUZZ_PIPE_DIFFERENTIAL_H
#define IPCCONF_FUZZ_PIPE_DIFFERENTIAL_H

enum pipe_op {
	OP_WRITE,         /* argument: length, 2 bytes little-endian */
	OP_READ,          /* argument: length, 2 bytes little-endian */
	OP_SET_NONBLOCK,  /* argument: 1 byte, bit 0 on/off */
	OP_GET_NONBLOCK,  /* no argument */
	OP_CLOSE,         /* no argument */
	OP_GET_CAPACITY,  /* no argument */
	OP_NREAD,         /* no argument */
	OP_POLL,          /* argument: 1 byte of event bits, see poll_events() */
	OP_RECREATE,      /* argument: 1 byte, pipe2() flags as byte 0 */
	OP_COUNT
};

#define OP_WRITE_END 0x80

#endif
