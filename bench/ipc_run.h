/*
 * ipc_run.h -- ipc_bench's two measurements, each between two processes
 * (fork), each over one transport (bench_chan.h) at one message size.
 *
 * The parent is pinned to cpu_a and the child to cpu_b (the same CPU for
 * the one-core figures).  Every message carries a sequence number in its
 * first and last 8 bytes; the receiver checks both, so a figure is only
 * returned for a stream that arrived whole, in order and undamaged.  A
 * failure returns a negative errno: -EBADMSG for a message out of order
 * or damaged, -EPIPE for a peer that went away, or the transport's error.
 * The child dies with the parent and is killed by a fatal signal
 * (ipc_clean.h); every wait for it is bounded by its life.
 */
#ifndef IPCCONF_BENCH_IPC_RUN_H
#define IPCCONF_BENCH_IPC_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench_chan.h"
#include "bench/ipc_hist.h"

/*
 * Streaming: the parent sends msg-byte messages as fast as the transport
 * takes them for dur_ns, the child receives them.  *rate is messages per
 * second from the common start line to the child's last receive.
 */
int ipc_stream(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
	       double *rate);

/*
 * Round trips: the parent sends a msg-byte message, the child sends it
 * back over a second channel, for dur_ns after a warm-up of dur_ns / 10.
 * Each round trip is timed on its own (one clock read between two) into
 * h, which is cleared first.
 */
int ipc_roundtrip(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
		  struct hist *h);

#endif /* IPCCONF_BENCH_IPC_RUN_H */
