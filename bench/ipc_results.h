/*
 * ipc_results.h -- what ipc_bench measures, per transport and message
 * size, with both ends on two CPUs and on one; and what it reports from
 * it (ipc_table.c, ipc_csv.c, ipc_svg.c).
 *
 * Each cell keeps one figure per run, so that a report gives the median
 * with min and max, and one speed-up over the pipe per run, taken from
 * the pipe's figure of the same run (runs are interleaved: run 1 of
 * everything, then run 2, ...).  A speed-up above 1 means faster than the
 * pipe, for latency (pipe's / transport's) as for throughput (transport's
 * / pipe's).
 */
#ifndef IPCCONF_BENCH_IPC_RESULTS_H
#define IPCCONF_BENCH_IPC_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/bench_chan.h"
#include "bench/bench_stats.h"

#define IPC_MAX_T 16 /* transports */
#define IPC_MAX_S 12 /* message sizes */

enum ipc_cpus { CPUS_TWO, CPUS_ONE, NCPUS };
enum ipc_pct { P50, P99, P999, NPCT };

extern const double ipc_pct_value[NPCT];     /* 0.5, 0.99, 0.999 */
extern const char *const ipc_pct_name[NPCT]; /* "p50", "p99", "p99.9" */

struct ipc_transport {
	const struct chan_ops *ops; /* its name is the transport's name */
	const char *what;           /* one line for the legend */
	/* Whether one message of msg bytes passes; NULL: any size. */
	int (*fits)(size_t msg, char *why, size_t len);
	int shm; /* data through shared memory (a solid line in the plot) */
};

struct ipc_cell {
	struct series v;       /* each run's figure: ns, or messages per second */
	struct series speedup; /* each run's speed-up over that run's pipe */
	uint64_t fewest;       /* round trips: the fewest timed in one run */
	int failed;            /* runs whose measurement failed (stderr says why) */
	int few;               /* runs with too few round trips for this percentile */
};

struct ipc_results {
	const struct ipc_transport *t; /* t[pipe] is the pipe */
	int nt, pipe;
	int ns;
	size_t size[IPC_MAX_S]; /* ascending */
	/* "" when transport t carries size s in one message; else why not ("limit 8192: ..."). */
	char na[IPC_MAX_T][IPC_MAX_S][128];
	struct ipc_cell rt[NCPUS][IPC_MAX_T][IPC_MAX_S][NPCT]; /* round trip, ns */
	struct ipc_cell stream[NCPUS][IPC_MAX_T][IPC_MAX_S];   /* messages per second */
	int latency, streaming;                                /* which were measured */
	int two_cpus;                                          /* 0: only one CPU, rows skipped */
	int cpu_a, cpu_b;
	int runs, dur_ms;
	char load_before[96], load_after[96]; /* /proc/loadavg */
};

/* Round trips a run needs for percentile p to mean anything: 1 / (1 - p). */
uint64_t ipc_pct_needs(enum ipc_pct p);

/* "8 B", "4 KiB", "1 MiB", "1536 B". */
void ipc_size_name(char *out, size_t len, size_t bytes);

/* Three significant digits, no exponent: 0.0123, 0.123, 1.23, 12.3, 123, 1234. */
void ipc_fmt3(char *out, size_t len, double v);

/* The reports; 0, or -1 when writing failed. */
void ipc_report_table(const struct ipc_results *r, FILE *f);
int ipc_report_csv(const struct ipc_results *r, FILE *f);
int ipc_report_svg(const struct ipc_results *r, FILE *f);

#endif /* IPCCONF_BENCH_IPC_RESULTS_H */
