/*
 * ipc_hist.h -- a histogram of latencies in nanoseconds, for percentiles
 * without keeping every sample.
 *
 * Log-linear buckets: exact below 64 ns, then 32 buckets per power of
 * two, so a percentile is off by at most 1/64 of its value (the bucket's
 * middle is reported).  Values beyond 2^41 ns (about 37 minutes) count in
 * the last bucket.
 */
#ifndef IPCCONF_BENCH_IPC_HIST_H
#define IPCCONF_BENCH_IPC_HIST_H

#include <stdint.h>

#define HIST_SUB 32     /* buckets per power of two */
#define HIST_TOP_MSB 41 /* the highest power of two with buckets of its own */
#define HIST_BUCKETS (2 * HIST_SUB + (HIST_TOP_MSB - 5) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_clear(struct hist *h);
void hist_add(struct hist *h, uint64_t ns);

/*
 * The value at or below which a fraction p (0 < p <= 1) of the samples
 * lie: the middle of the bucket holding the ceil(p * count)-th smallest.
 * NAN for an empty histogram.
 */
double hist_percentile(const struct hist *h, double p);

#endif /* IPCCONF_BENCH_IPC_HIST_H */
