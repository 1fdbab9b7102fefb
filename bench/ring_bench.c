/*
 * ring_bench -- the shared-memory ring against the kernel pipe and
 * Concurrency Kit's ck_ring, between two processes (seed claim G1).
 *
 *     bazel run -c opt //bench:ring_bench -- [--runs N] [--quick] [--csv]
 *                                             [--duration-ms D] [--buf-kib K]
 *
 * Per run: memcpy of 1 MiB by one thread; for every transport, streaming
 * at 64 B, 4 KiB, 64 KiB and 1 MiB on two CPUs, and the 64 B round trip on
 * two CPUs and on one.  Runs are interleaved (run 1 of everything, then
 * run 2, ...) so that a burst of load from elsewhere spreads over all
 * transports instead of one.  Then, once per transport, the CPU time of a
 * receiver that waits for a second with nothing to read.  See
 * bench/README.md for what is measured and how to read it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_proc.h"
#include "bench/bench_report.h"
#include "bench/bench_run.h"

const struct chan_ops *const bench_transports[NTRANSPORTS] = {
	[T_RING] = &chan_ring,
	[T_LOCKED] = &chan_ring_locked,
	[T_REF] = &chan_ref,
	[T_PIPE] = &chan_pipe,
	[T_CK] = &chan_ck,
};

const size_t bench_sizes[NSIZES] = { 64, 4096, 65536, 1048576 };

size_t bench_buf = 4u << 20;

struct opts {
	int runs;
	int quick;
	int csv;
	int dur_ms;
	int idle_ms;
	const char *only; /* NULL, "stream", "roundtrip" or "idle" */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ring_bench [--runs N] [--quick] [--csv] [--duration-ms D] [--buf-kib K]\n"
		   "  --runs N         runs per figure (default 5, at most %d); figures are\n"
		   "                   the median of the runs, with min and max\n"
		   "  --quick          3 runs of 50 ms, idle wait 200 ms: a smoke test, not figures\n"
		   "  --csv            print CSV (metric,size,transport,unit,median,min,max,runs)\n"
		   "  --duration-ms D  length of each measurement (default 250)\n"
		   "  --buf-kib K      buffering per channel, a power of two >= 64 (default 4096):\n"
		   "                   ring capacity, ck_ring pool, pipe size (capped by the system)\n"
		   "  --only KIND      only stream, roundtrip or idle (and the memcpy reference)\n",
		BENCH_MAX_RUNS);
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .runs = 5, .dur_ms = 250, .idle_ms = 1000 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			o->quick = 1;
			o->runs = 3;
			o->dur_ms = 50;
			o->idle_ms = 200;
		} else if (strcmp(argv[i], "--csv") == 0) {
			o->csv = 1;
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			o->runs = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--duration-ms") == 0 && i + 1 < argc) {
			o->dur_ms = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			o->only = argv[++i];
		} else if (strcmp(argv[i], "--buf-kib") == 0 && i + 1 < argc) {
			bench_buf = (size_t)strtoul(argv[++i], NULL, 10) * 1024;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			return -1;
		}
	}
	/* Powers of two (ring, ck_ring), and room for a few 16 KiB ck_ring records. */
	if (o->runs < 1 || o->runs > BENCH_MAX_RUNS || o->dur_ms < 1 || bench_buf < 65536 ||
	    bench_buf > RING_DATA_MAX || (bench_buf & (bench_buf - 1)) != 0) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int wanted(const struct opts *o, const char *kind)
{
	return o->only == NULL || strcmp(o->only, kind) == 0;
}

static void read_loadavg(char *out, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(out, len, "unknown");
	if (f != NULL) {
		if (fgets(out, (int)len, f) != NULL)
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

/* A failed measurement leaves its series one figure short, and says so. */
static void note(int err, const char *what, const struct chan_ops *ops, size_t size)
{
	if (err < 0)
		fprintf(stderr, "ring_bench: %s, %s, %zu B: %s\n", what, ops->name, size,
			strerror(-err));
}

static void one_run(struct results *r, const struct opts *o)
{
	int64_t dur = (int64_t)o->dur_ms * 1000000;

	series_add(&r->memcpy_rate, bench_memcpy(bench_sizes[NSIZES - 1], r->cpu_a, dur));
	for (int t = 0; t < NTRANSPORTS; t++) {
		const struct chan_ops *ops = bench_transports[t];
		double v = 0;
		int err;

		for (int i = 0; i < NSIZES && wanted(o, "stream"); i++) {
			err = bench_stream(ops, bench_sizes[i], r->cpu_a, r->cpu_b, dur, &v);
			note(err, "streaming", ops, bench_sizes[i]);
			if (err == 0)
				series_add(&r->stream[i][t], v);
		}
		if (!wanted(o, "roundtrip"))
			continue;
		err = bench_roundtrip(ops, 64, r->cpu_a, r->cpu_b, dur, &v);
		note(err, "round trip, two CPUs", ops, 64);
		if (err == 0)
			series_add(&r->rt2[t], v);
		err = bench_roundtrip(ops, 64, r->cpu_a, r->cpu_a, dur, &v);
		note(err, "round trip, one CPU", ops, 64);
		if (err == 0)
			series_add(&r->rt1[t], v);
	}
}

int main(int argc, char **argv)
{
	static struct results r;
	struct opts o;

	if (parse(argc, argv, &o) < 0)
		return 2;
	/* A pipe whose reader died must fail the measurement, not kill the benchmark. */
	signal(SIGPIPE, SIG_IGN);
	bench_cpus(&r.cpu_a, &r.cpu_b);
	if (r.cpu_b < 0) {
		fprintf(stderr, "ring_bench: needs two CPUs to run on\n");
		return 2;
	}
	r.runs = o.runs;
	r.dur_ms = o.dur_ms;
	r.idle_ms = o.idle_ms;
	read_loadavg(r.load_before, sizeof(r.load_before));
	for (int i = 0; i < o.runs; i++) {
		fprintf(stderr, "ring_bench: run %d of %d\n", i + 1, o.runs);
		one_run(&r, &o);
	}
	if (wanted(&o, "idle"))
		fprintf(stderr, "ring_bench: idle receivers, %d ms each\n", o.idle_ms);
	for (int t = 0; t < NTRANSPORTS && wanted(&o, "idle"); t++) {
		double v = 0;
		int err = bench_idle(bench_transports[t], r.cpu_a, r.cpu_b, o.idle_ms, &v);

		note(err, "idle", bench_transports[t], 64);
		if (err == 0)
			series_add(&r.idle[t], v);
	}
	read_loadavg(r.load_after, sizeof(r.load_after));
	if (o.csv)
		report_csv(&r);
	else
		report_table(&r);
	return 0;
}
