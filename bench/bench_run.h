/*
 * bench_run.h -- the measurements.  Each one forks a child, pins the two
 * processes, runs for about dur_ns after a common start line, and returns
 * one figure (or a negative errno when a transport call failed or a
 * message arrived out of order).
 *
 * Messages carry a sequence number in their first 8 bytes; the receiver
 * checks it, so a figure is only returned for a stream that arrived
 * whole and in order.
 */
#ifndef IPCCONF_BENCH_RUN_H
#define IPCCONF_BENCH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench_chan.h"

/*
 * Streaming: the parent on cpu_a sends msg-byte messages as fast as the
 * transport takes them, the child on cpu_b receives them.  *rate is
 * messages per second, from the start line to the child's last receive.
 */
int bench_stream(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
		 double *rate);

/*
 * Ping-pong: the parent sends a msg-byte message, the child sends it
 * back, over two channels.  *ns is the mean round trip, after a warm-up.
 * cpu_a == cpu_b puts both processes on one CPU.
 */
int bench_roundtrip(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
		    double *ns);

/*
 * Idle: the child waits wait_ms for a message that never comes, as the
 * transport waits.  *cpu_ns is the CPU time (getrusage) it used meanwhile.
 */
int bench_idle(const struct chan_ops *ops, int cpu_a, int cpu_b, int wait_ms, double *cpu_ns);

/* One thread copying len bytes with memcpy() over and over: bytes per second. */
double bench_memcpy(size_t len, int cpu, int64_t dur_ns);

#endif /* IPCCONF_BENCH_RUN_H */
