/*
 * ipc_bench -- the seed's G1 claim ("shared memory is the fastest IPC")
 * measured: the same messages between two processes over every mechanism
 * the suite covers, from 8 B to 1 MiB, as round-trip latency (p50, p99,
 * p99.9) and streaming throughput, with both ends on two CPUs and on one.
 *
 *     bazel run -c opt //bench:ipc_bench -- [--runs N] [--quick] [--only latency|stream]
 *         [--sizes LIST] [--duration-ms D] [--transports LIST] [--csv FILE] [--svg FILE]
 *
 * Runs are interleaved (run 1 of every transport and size, then run 2,
 * ...), so that a burst of load from elsewhere spreads over all of them;
 * each figure is the median of the runs with min and max, and each
 * speed-up over the pipe is taken within one run.  bench/README.md says
 * what is measured and what the figures show.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/bench_proc.h"
#include "bench/ipc_chan.h"
#include "bench/ipc_clean.h"
#include "bench/ipc_hist.h"
#include "bench/ipc_results.h"
#include "bench/ipc_run.h"

/* Buffering per channel: ring capacity, ck_ring pool, semaphore slots, pipe and socket sizes. */
size_t bench_buf = 4u << 20;

#define MIN_MSG 8           /* the sequence number */
#define MAX_MSG (1u << 20)  /* a quarter of bench_buf: ck_ring needs room for 3 records */

static const struct ipc_transport transports[] = {
	{ &chan_pipe, "pipe(2), blocking write/read, F_SETPIPE_SZ 4 MiB (or pipe-max-size)", NULL, 0 },
	{ &chan_fifo, "mkfifo(3) in a private directory, as the pipe", NULL, 0 },
	{ &chan_unix_stream, "AF_UNIX SOCK_STREAM, SO_SNDBUF 4 MiB (or wmem_max)", NULL, 0 },
	{ &chan_unix_dgram, "AF_UNIX SOCK_DGRAM, one datagram a message", chan_unix_dgram_fits, 0 },
	{ &chan_unix_seqpacket, "AF_UNIX SOCK_SEQPACKET, one record a message",
	  chan_unix_seqpacket_fits, 0 },
	{ &chan_tcp, "TCP over 127.0.0.1, TCP_NODELAY, autotuned buffers", NULL, 0 },
	{ &chan_msgq, "System V msgsnd/msgrcv, default msg_qbytes (kernel.msgmnb)", chan_msgq_fits, 0 },
	{ &chan_mq, "POSIX mq_timedsend/mq_timedreceive, mq_maxmsg fs.mqueue.msg_max", chan_mq_fits,
	  0 },
	{ &chan_shm_sem, "shared slots (4 MiB) + POSIX semaphores, sem_wait/sem_post per message",
	  NULL, 1 },
	{ &chan_ring_poll, "our SPSC ring (4 MiB), try_push/try_pop busy-polled, no system call",
	  NULL, 1 },
	{ &chan_ring, "our SPSC ring (4 MiB), ring_spsc_push/pop: spin, yield, then futex sleep",
	  NULL, 1 },
	{ &chan_ck_pow2, "Concurrency Kit ck_ring SPSC (4 MiB of records), busy-polled",
	  chan_ck_pow2_fits, 1 },
};
#define NTRANSPORTS (int)(sizeof(transports) / sizeof(transports[0]))
_Static_assert(sizeof(transports) / sizeof(transports[0]) <= IPC_MAX_T, "raise IPC_MAX_T");

static const size_t default_sizes[] = { 8, 64, 512, 4096, 65536, 1048576 };

struct opts {
	int runs, dur_ms;
	int latency, streaming;
	size_t sizes[IPC_MAX_S];
	int nsizes;
	int use[NTRANSPORTS]; /* by index into transports[] */
	int verbose;
	const char *csv, *svg;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipc_bench [--runs N] [--quick] [--only latency|stream] [--sizes LIST]\n"
		"                 [--duration-ms D] [--transports LIST] [--csv FILE] [--svg FILE]\n"
		"  --runs N            runs per figure (default 5, at most %d): the median, min and max\n"
		"  --quick             2 runs of 20 ms: a smoke test, not figures\n"
		"  --only KIND         latency (round trips) or stream (throughput) only\n"
		"  --sizes LIST        message sizes, e.g. 8,64,512,4K,64K,1M (default); %u B to 1 MiB,\n"
		"                      at most %d of them\n"
		"  --duration-ms D     length of each measurement (default 200)\n"
		"  --transports LIST   only these (names as in --list); the pipe is always measured,\n"
		"                      for the speed-ups\n"
		"  --list              the transports, then exit\n"
		"  --verbose           each measurement on stderr as it starts\n"
		"  --csv FILE          also write the figures as CSV\n"
		"  --svg FILE          also write a plot (SVG)\n"
		"Relative paths are taken from the directory bazel run was called in.\n",
		BENCH_MAX_RUNS, (unsigned)MIN_MSG, IPC_MAX_S);
}

/* A message about bad input on stderr; -1. */
__attribute__((format(printf, 1, 2))) static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ipc_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (--help for usage)\n");
	return -1;
}

/* A whole number in [lo, hi], all of s. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* "4096", "4K", "4KiB", "1M", "1MiB", "8B". */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned long long mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	if (strcasecmp(end, "K") == 0 || strcasecmp(end, "KiB") == 0)
		mul = 1024;
	else if (strcasecmp(end, "M") == 0 || strcasecmp(end, "MiB") == 0)
		mul = 1048576;
	else if (*end != '\0' && strcasecmp(end, "B") != 0)
		return -1;
	if (v > MAX_MSG / mul + 1)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static int parse_sizes(char *list, struct opts *o)
{
	char *save = NULL;

	o->nsizes = 0;
	for (char *tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		size_t v;
		int dup = 0;

		if (parse_size(tok, &v) < 0)
			return bad("--sizes: '%s' is not a size (a number, optionally K or M)", tok);
		if (v < MIN_MSG || v > MAX_MSG)
			return bad("--sizes: '%s' is outside 8 B to 1 MiB (a message carries an 8-byte "
				   "sequence number; ck_ring needs 4 records in its 4 MiB)",
				   tok);
		for (int i = 0; i < o->nsizes; i++)
			dup |= o->sizes[i] == v;
		if (dup)
			continue;
		if (o->nsizes == IPC_MAX_S)
			return bad("--sizes: more than %d sizes", IPC_MAX_S);
		o->sizes[o->nsizes++] = v;
	}
	if (o->nsizes == 0)
		return bad("--sizes: no size in '%s'", list);
	qsort(o->sizes, (size_t)o->nsizes, sizeof(size_t), cmp_size);
	return 0;
}

static int find_transport(const char *name)
{
	for (int t = 0; t < NTRANSPORTS; t++)
		if (strcmp(transports[t].ops->name, name) == 0)
			return t;
	return -1;
}

static int parse_transports(char *list, struct opts *o)
{
	char *save = NULL;

	memset(o->use, 0, sizeof(o->use));
	o->use[0] = 1; /* the pipe: every speed-up is measured against it */
	for (char *tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		int t = find_transport(tok);

		if (t < 0)
			return bad("--transports: no transport '%s' (--list names them)", tok);
		o->use[t] = 1;
	}
	return 0;
}

static void list_transports(void)
{
	for (int t = 0; t < NTRANSPORTS; t++)
		printf("%-16s %s\n", transports[t].ops->name, transports[t].what);
}

static int parse(int argc, char **argv, struct opts *o)
{
	long v;

	*o = (struct opts){ .runs = 5, .dur_ms = 200, .latency = 1, .streaming = 1 };
	o->nsizes = (int)(sizeof(default_sizes) / sizeof(default_sizes[0]));
	memcpy(o->sizes, default_sizes, sizeof(default_sizes));
	for (int t = 0; t < NTRANSPORTS; t++)
		o->use[t] = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = strcmp(a, "--runs") == 0 || strcmp(a, "--only") == 0 ||
			    strcmp(a, "--sizes") == 0 || strcmp(a, "--duration-ms") == 0 ||
			    strcmp(a, "--transports") == 0 || strcmp(a, "--csv") == 0 ||
			    strcmp(a, "--svg") == 0;

		if (takes && val == NULL)
			return bad("%s needs a value", a);
		if (takes)
			i++;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--list") == 0) {
			list_transports();
			exit(0);
		} else if (strcmp(a, "--verbose") == 0) {
			o->verbose = 1;
		} else if (strcmp(a, "--quick") == 0) {
			o->runs = 2;
			o->dur_ms = 20;
		} else if (strcmp(a, "--runs") == 0) {
			if (parse_int(val, 1, BENCH_MAX_RUNS, &v) < 0)
				return bad("--runs: '%s' is not a number from 1 to 99", val);
			o->runs = (int)v;
		} else if (strcmp(a, "--duration-ms") == 0) {
			if (parse_int(val, 1, 60000, &v) < 0)
				return bad("--duration-ms: '%s' is not a number from 1 to 60000", val);
			o->dur_ms = (int)v;
		} else if (strcmp(a, "--only") == 0) {
			o->latency = strcmp(val, "latency") == 0;
			o->streaming = strcmp(val, "stream") == 0;
			if (!o->latency && !o->streaming)
				return bad("--only: '%s' is neither latency nor stream", val);
		} else if (strcmp(a, "--sizes") == 0) {
			if (parse_sizes(val, o) < 0)
				return -1;
		} else if (strcmp(a, "--transports") == 0) {
			if (parse_transports(val, o) < 0)
				return -1;
		} else if (strcmp(a, "--csv") == 0) {
			o->csv = val;
		} else if (strcmp(a, "--svg") == 0) {
			o->svg = val;
		} else {
			return bad("unknown option '%s'", a);
		}
	}
	return 0;
}

/* An output file, opened now so that a bad path fails before minutes of measuring. */
static FILE *open_output(const char *path)
{
	const char *wd = getenv("BUILD_WORKING_DIRECTORY");
	char full[PATH_MAX];
	FILE *f;

	if (path[0] != '/' && wd != NULL && wd[0] != '\0') {
		if (snprintf(full, sizeof(full), "%s/%s", wd, path) >= (int)sizeof(full)) {
			fprintf(stderr, "ipc_bench: %s: path too long\n", path);
			return NULL;
		}
		path = full;
	}
	f = fopen(path, "w");
	if (f == NULL)
		fprintf(stderr, "ipc_bench: cannot write %s: %s\n", path, strerror(errno));
	return f;
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

/* The figures of the current run, for the speed-ups over the same run's pipe. */
static double run_rt[NCPUS][IPC_MAX_T][IPC_MAX_S][NPCT];
static double run_stream[NCPUS][IPC_MAX_T][IPC_MAX_S];

/* ipc_run.h's errors in words; the transport's own as strerror() says them. */
static const char *reason(int err)
{
	switch (-err) {
	case EBADMSG:
		return "a message arrived out of order or damaged";
	case EPIPE:
		return "the other process went away";
	case ECHILD:
		return "the child process failed or was killed";
	default:
		return strerror(-err);
	}
}

static void note_failure(int err, const char *what, const struct ipc_results *r, int t, int s,
			 int cpus)
{
	char size[32];

	ipc_size_name(size, sizeof(size), r->size[s]);
	fprintf(stderr, "ipc_bench: %s, %s, %s, %s: %s\n", what, r->t[t].ops->name, size,
		cpus == CPUS_TWO ? "two CPUs" : "one CPU", reason(err));
}

static int verbose;

static void measure(struct ipc_results *r, int t, int s, enum ipc_cpus cpus, int64_t dur)
{
	static struct hist h;
	const struct chan_ops *ops = r->t[t].ops;
	int cpu_b = cpus == CPUS_TWO ? r->cpu_b : r->cpu_a;
	double rate;
	int err;

	if (verbose) {
		char size[32];

		ipc_size_name(size, sizeof(size), r->size[s]);
		fprintf(stderr, "ipc_bench: %s, %s, %s\n", ops->name, size,
			cpus == CPUS_TWO ? "two CPUs" : "one CPU");
	}
	if (r->latency) {
		err = ipc_roundtrip(ops, r->size[s], r->cpu_a, cpu_b, dur, &h);
		for (int p = 0; p < NPCT; p++) {
			struct ipc_cell *c = &r->rt[cpus][t][s][p];

			if (err < 0) {
				c->failed++;
				continue;
			}
			if (c->v.n + c->few == 0 || h.count < c->fewest)
				c->fewest = h.count;
			if (h.count < ipc_pct_needs((enum ipc_pct)p)) {
				c->few++;
				continue;
			}
			run_rt[cpus][t][s][p] = hist_percentile(&h, ipc_pct_value[p]);
			series_add(&c->v, run_rt[cpus][t][s][p]);
		}
		if (err < 0)
			note_failure(err, "round trip", r, t, s, cpus);
	}
	if (r->streaming) {
		err = ipc_stream(ops, r->size[s], r->cpu_a, cpu_b, dur, &rate);
		if (err < 0) {
			r->stream[cpus][t][s].failed++;
			note_failure(err, "streaming", r, t, s, cpus);
		} else {
			run_stream[cpus][t][s] = rate;
			series_add(&r->stream[cpus][t][s].v, rate);
		}
	}
}

/* Each figure of this run against the pipe's of this run. */
static void add_speedups(struct ipc_results *r)
{
	for (int c = 0; c < NCPUS; c++)
		for (int t = 0; t < r->nt; t++)
			for (int s = 0; s < r->ns; s++) {
				double pipe_rate = run_stream[c][r->pipe][s], rate = run_stream[c][t][s];

				for (int p = 0; p < NPCT; p++) {
					double pipe = run_rt[c][r->pipe][s][p], mine = run_rt[c][t][s][p];

					if (!isnan(pipe) && !isnan(mine) && mine > 0)
						series_add(&r->rt[c][t][s][p].speedup, pipe / mine);
				}
				if (!isnan(pipe_rate) && !isnan(rate) && pipe_rate > 0)
					series_add(&r->stream[c][t][s].speedup, rate / pipe_rate);
			}
}

static void one_run(struct ipc_results *r, const struct opts *o)
{
	int64_t dur = (int64_t)o->dur_ms * 1000000;

	for (int c = 0; c < NCPUS; c++)
		for (int t = 0; t < IPC_MAX_T; t++)
			for (int s = 0; s < IPC_MAX_S; s++) {
				run_stream[c][t][s] = NAN;
				for (int p = 0; p < NPCT; p++)
					run_rt[c][t][s][p] = NAN;
			}
	for (int t = 0; t < r->nt; t++)
		for (int s = 0; s < r->ns; s++) {
			if (r->na[t][s][0] != '\0')
				continue;
			if (r->two_cpus)
				measure(r, t, s, CPUS_TWO, dur);
			measure(r, t, s, CPUS_ONE, dur);
		}
	add_speedups(r);
}

int main(int argc, char **argv)
{
	static struct ipc_results r;
	static struct ipc_transport chosen[NTRANSPORTS];
	struct opts o;
	FILE *csv = NULL, *svg = NULL;
	int err, measurements = 0;

	if (parse(argc, argv, &o) < 0)
		return 2;
	if ((o.csv != NULL && (csv = open_output(o.csv)) == NULL) ||
	    (o.svg != NULL && (svg = open_output(o.svg)) == NULL))
		return 2;
	/* A socket or pipe whose reader died must fail the measurement, not kill the benchmark. */
	signal(SIGPIPE, SIG_IGN);
	err = ipc_clean_init();
	if (err < 0) {
		fprintf(stderr, "ipc_bench: cannot make a private directory for FIFOs and sockets: %s\n",
			strerror(-err));
		return 1;
	}
	for (int t = 0; t < NTRANSPORTS; t++)
		if (o.use[t])
			chosen[r.nt++] = transports[t];
	r.t = chosen;
	r.pipe = 0;
	r.ns = o.nsizes;
	memcpy(r.size, o.sizes, sizeof(o.sizes));
	r.runs = o.runs;
	r.dur_ms = o.dur_ms;
	r.latency = o.latency;
	r.streaming = o.streaming;
	verbose = o.verbose;
	bench_cpus(&r.cpu_a, &r.cpu_b);
	if (r.cpu_a < 0) {
		fprintf(stderr, "ipc_bench: sched_getaffinity gives no CPU to run on\n");
		return 1;
	}
	r.two_cpus = r.cpu_b >= 0;
	if (!r.two_cpus)
		fprintf(stderr, "ipc_bench: only one CPU (%d) available: two-CPU rows skipped\n",
			r.cpu_a);
	for (int t = 0; t < r.nt; t++)
		for (int s = 0; s < r.ns; s++) {
			if (r.t[t].fits != NULL &&
			    !r.t[t].fits(r.size[s], r.na[t][s], sizeof(r.na[t][s])) &&
			    r.na[t][s][0] == '\0')
				snprintf(r.na[t][s], sizeof(r.na[t][s]), "not carried");
			measurements += r.na[t][s][0] == '\0';
		}
	fprintf(stderr, "ipc_bench: %d runs of %d transport/size pairs, %d ms per measurement: "
			"about %.0f s\n",
		o.runs, measurements, o.dur_ms,
		o.runs * measurements * (r.two_cpus ? 2 : 1) * (o.latency + o.streaming) *
			(o.dur_ms * 1.1 + 5) / 1000);
	read_loadavg(r.load_before, sizeof(r.load_before));
	for (int i = 0; i < o.runs; i++) {
		fprintf(stderr, "ipc_bench: run %d of %d\n", i + 1, o.runs);
		one_run(&r, &o);
	}
	read_loadavg(r.load_after, sizeof(r.load_after));
	ipc_report_table(&r, stdout);
	err = 0;
	if (csv != NULL && (ipc_report_csv(&r, csv) < 0 || fclose(csv) != 0)) {
		fprintf(stderr, "ipc_bench: writing %s failed\n", o.csv);
		err = 1;
	}
	if (svg != NULL && (ipc_report_svg(&r, svg) < 0 || fclose(svg) != 0)) {
		fprintf(stderr, "ipc_bench: writing %s failed\n", o.svg);
		err = 1;
	}
	return err;
}
