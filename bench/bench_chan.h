/*
 * bench_chan.h -- one transport under test, seen as a one-way channel of
 * whole messages between two processes.
 *
 * The parent creates the channel in a zero-filled MAP_SHARED region
 * before fork(); afterwards each process attaches as the sender or the
 * receiver and moves whole messages.  Every transport gets the same
 * amount of buffering (bench_buf bytes; the pipe as much of it as the
 * system allows, bench_pipe_buf) and every byte of every message is
 * copied twice: from the sender's buffer into the shared buffer, and
 * from there into the receiver's buffer.
 */
#ifndef IPCCONF_BENCH_CHAN_H
#define IPCCONF_BENCH_CHAN_H

#include <stddef.h>
#include <sys/types.h>

#include "impl/ring/ring.h"
#include "impl/ring/ring_spsc.h"

/* Bytes of buffering every transport gets: ring capacity, ck_ring pool, pipe size. */
extern size_t bench_buf;
/* The pipe's size as F_SETPIPE_SZ granted it: bench_buf, or pipe-max-size without CAP_SYS_RESOURCE. */
extern size_t bench_pipe_buf;
/* ref's pipe's size as its set_capacity granted it: bench_buf, or at most its pipe-max-size (1 MiB). */
extern size_t bench_ref_buf;

struct chan_ops;

struct chan {
	const struct chan_ops *ops;
	void *shm;        /* the channel's part of the shared region, zero-filled */
	size_t shm_len;
	size_t msg;       /* the message size of this measurement */
	int fd[2];        /* pipe, ref: created before fork, so both processes have them */
	pid_t peer_pid;   /* the other process: a blocked call gives up when it is gone */
	int sender;       /* set by attach */
	union {           /* per-process state, set by attach */
		struct ring_spsc spsc;
		struct ring ring;
		void *ck;
	} u;
};

struct chan_ops {
	const char *name;
	/* Shared bytes one channel needs for messages of msg bytes. */
	size_t (*shm_size)(size_t msg);
	/* In the parent, before fork: 0 or -errno. */
	int (*create)(struct chan *c);
	/* In each process after fork: 0 or -errno. */
	int (*attach)(struct chan *c, int sender);
	/* All n bytes of one message: 0 or -errno. */
	int (*send)(struct chan *c, const void *buf, size_t n);
	/* Exactly n bytes (one message): 0 or -errno. */
	int (*recv)(struct chan *c, void *buf, size_t n);
	/* Waits for a message that never comes: -ETIMEDOUT after timeout_ms, as the transport waits. */
	int (*recv_idle)(struct chan *c, void *buf, size_t n, int timeout_ms);
	/* In the parent, after the children are gone. */
	void (*destroy)(struct chan *c);
};

extern const struct chan_ops chan_ring;        /* ring_spsc.h: our lock-free fast path */
extern const struct chan_ops chan_ring_locked; /* ring_push/ring_pop: the general locked path */
extern const struct chan_ops chan_ref;         /* ref's pipe through its iut.h table */
extern const struct chan_ops chan_pipe;        /* pipe(2), F_SETPIPE_SZ = bench_buf */
extern const struct chan_ops chan_ck;          /* ck_ring SPSC, busy-polled */

/* ipc_bench's further transports (ipc_chan.h). */
extern const struct chan_ops chan_fifo;           /* mkfifo(3), sized as the pipe */
extern const struct chan_ops chan_unix_stream;    /* AF_UNIX SOCK_STREAM */
extern const struct chan_ops chan_unix_dgram;     /* AF_UNIX SOCK_DGRAM, one datagram a message */
extern const struct chan_ops chan_unix_seqpacket; /* AF_UNIX SOCK_SEQPACKET, one record a message */
extern const struct chan_ops chan_tcp;            /* TCP over 127.0.0.1, TCP_NODELAY */
extern const struct chan_ops chan_msgq;           /* System V message queue */
extern const struct chan_ops chan_mq;             /* POSIX message queue */
extern const struct chan_ops chan_shm_sem;        /* shared slots, a POSIX semaphore per message */
extern const struct chan_ops chan_ring_poll;      /* ring_spsc try_push/try_pop, busy-polled */
extern const struct chan_ops chan_ck_pow2;        /* ck_ring, every power-of-two size */

#endif /* IPCCONF_BENCH_CHAN_H */
