/*
 * bench_report.h -- what ring_bench collects, and how it is printed: a
 * table of medians with min and max side by side, a verdict per target,
 * or the same figures as CSV.
 */
#ifndef IPCCONF_BENCH_REPORT_H
#define IPCCONF_BENCH_REPORT_H

#include <stddef.h>

#include "bench/bench_chan.h"
#include "bench/bench_stats.h"

enum { T_RING, T_LOCKED, T_REF, T_PIPE, T_CK, NTRANSPORTS };
enum { NSIZES = 4 };

extern const struct chan_ops *const bench_transports[NTRANSPORTS];
extern const size_t bench_sizes[NSIZES];

struct results {
	struct series stream[NSIZES][NTRANSPORTS]; /* messages per second, two CPUs */
	struct series rt2[NTRANSPORTS];            /* round trip, ns, two CPUs */
	struct series rt1[NTRANSPORTS];            /* round trip, ns, one CPU */
	struct series idle[NTRANSPORTS];           /* receiver CPU time, ns, over idle_ms */
	struct series memcpy_rate;                 /* bytes per second, one thread, 1 MiB */
	int runs, idle_ms, cpu_a, cpu_b;
	double dur_ms;
	char load_before[64], load_after[64];      /* /proc/loadavg */
};

void report_table(const struct results *r);
void report_csv(const struct results *r);

#endif /* IPCCONF_BENCH_REPORT_H */
