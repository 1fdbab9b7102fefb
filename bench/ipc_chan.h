/*
 * ipc_chan.h -- what ipc_bench's transports (chan_*.c beyond ring_bench's
 * four) share: whole messages over a descriptor, waits bounded by the
 * peer's life, system limits, and which message sizes each one carries.
 *
 * BOUNDED WAITS.  A transport whose blocking call would not notice a dead
 * peer by itself (a datagram socket, a POSIX queue, a semaphore, a
 * busy-poll loop) waits at most IPC_PEER_CHECK_MS at a time and then asks
 * whether the peer still lives; System V queues are woken by ipc_clean.h
 * instead.  Stream descriptors see end of file.
 */
#ifndef IPCCONF_BENCH_IPC_CHAN_H
#define IPCCONF_BENCH_IPC_CHAN_H

#include <stddef.h>
#include <time.h>

#include "bench/bench_chan.h"

#define IPC_PEER_CHECK_MS 500

/*
 * ipc_run.c allocates every message buffer with this many writable bytes
 * in front of it: chan_msgq builds its struct msgbuf there (the type
 * field before the text), as an application would build the message in
 * place, rather than copying every message once more.
 */
#define IPC_BUF_HEADROOM 64

/* 0 while c->peer_pid lives; -EPIPE once it is gone. */
int ipc_peer_gone(const struct chan *c);

/* A CLOCK_REALTIME or CLOCK_MONOTONIC deadline ms from now. */
struct timespec ipc_deadline(clockid_t clock, int ms);

/* All n bytes to a blocking byte-stream descriptor: 0, -EPIPE, or -errno. */
int ipc_write_all(int fd, const void *buf, size_t n);

/* Exactly n bytes from one: 0, -EPIPE at end of file, or -errno. */
int ipc_read_exact(int fd, void *buf, size_t n);

/* A number from a /proc/sys file, or dflt when it cannot be read. */
long ipc_sysctl(const char *path, long dflt);

/* F_SETPIPE_SZ: bench_buf, or the most pipe-max-size allows.  The size set, or -errno. */
int ipc_pipe_size(int fd);

/*
 * Whether a transport carries a msg-byte message in one message.  If not,
 * why gets the limit ("limit 8192") and where it comes from.
 */
int chan_msgq_fits(size_t msg, char *why, size_t len);
int chan_mq_fits(size_t msg, char *why, size_t len);
int chan_unix_dgram_fits(size_t msg, char *why, size_t len);
int chan_unix_seqpacket_fits(size_t msg, char *why, size_t len);
int chan_ck_pow2_fits(size_t msg, char *why, size_t len);

#endif /* IPCCONF_BENCH_IPC_CHAN_H */
