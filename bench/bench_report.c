/* The table, the verdicts and the CSV of ring_bench (bench_report.h). */
#include "bench/bench_report.h"

#include <math.h>
#include <stdio.h>

#define LABEL_W 24
#define CELL_W 22
/* Room for "median (min-max)" with three figures of fmt3(). */
#define CELL_LEN 112

/* Three significant digits, no exponent down to 1e-4: 0.0123, 0.123, 1.23, 12.3, 123, 1234. */
static void fmt3(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "-");
	else if (fabs(v) >= 100)
		snprintf(out, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(out, len, "%.1f", v);
	else if (fabs(v) >= 1)
		snprintf(out, len, "%.2f", v);
	else
		snprintf(out, len, "%.3g", v);
}

/* "median (min-max)", each figure multiplied by scale. */
static void cell(char out[CELL_LEN], const struct series *s, double scale)
{
	char med[32], lo[32], hi[32];

	if (s->n == 0) {
		snprintf(out, CELL_LEN, "-"); /* not measured, or failed (said on stderr) */
		return;
	}
	fmt3(med, sizeof(med), series_median(s) * scale);
	fmt3(lo, sizeof(lo), series_min(s) * scale);
	fmt3(hi, sizeof(hi), series_max(s) * scale);
	snprintf(out, CELL_LEN, "%s (%s-%s)", med, lo, hi);
}

static void row(const char *label, const struct series *s, double scale)
{
	printf("  %-*s", LABEL_W - 2, label);
	for (int t = 0; t < NTRANSPORTS; t++) {
		char c[CELL_LEN];

		cell(c, &s[t], scale);
		printf(" %-*s", CELL_W - 1, c);
	}
	printf("\n");
}

static const char *size_name(size_t size)
{
	switch (size) {
	case 64:
		return "64 B";
	case 4096:
		return "4 KiB";
	case 65536:
		return "64 KiB";
	case 1048576:
		return "1 MiB";
	default:
		return "?";
	}
}

/* The transports the targets judge: every variant of our ring the table shows. */
static const int variants[] = { T_RING, T_LOCKED, T_REF };
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

/* One target, the way it is judged: a figure of a variant against a reference. */
struct target {
	const char *what;
	double limit;
	int at_most;      /* the figure must be <= limit (else >=) */
	const char *unit; /* "x" (a ratio) or "%" (a share) */
};

/* "2.58x meets" for one variant; "-" when it or the reference was not measured. */
static void verdict_cell(const struct target *t, double v)
{
	char c[32];

	if (isnan(v))
		snprintf(c, sizeof(c), "-");
	else
		snprintf(c, sizeof(c), "%.2f%s %s", v, t->unit,
			 (t->at_most ? v <= t->limit : v >= t->limit) ? "meets" : "MISSES");
	printf(" %-*s", CELL_W - 1, c);
}

static void verdict_row(const struct target *t, const double v[NVARIANTS])
{
	char lim[16];

	snprintf(lim, sizeof(lim), "%s %.1f%s", t->at_most ? "<=" : ">=", t->limit, t->unit);
	printf("  %-33s %-9s", t->what, lim);
	for (int i = 0; i < NVARIANTS; i++)
		verdict_cell(t, v[i]);
	printf("\n");
}

/*
 * Every target for every ring variant, from the medians: a figure of the
 * variant divided by the reference's (ck_ring, memcpy, the kernel pipe),
 * or the receiver's share of a CPU while idle.
 */
static void verdicts(const struct results *r)
{
	static const struct target stream64 = { "streaming 64 B vs ck_ring", 1.0, 0, "x" };
	static const struct target stream1m = { "streaming 1 MiB vs memcpy", 0.8, 0, "x" };
	static const struct target rt2 = { "round trip, two CPUs vs ck_ring", 1.2, 1, "x" };
	static const struct target rt1 = { "round trip, one CPU vs pipe", 1.0, 1, "x" };
	static const struct target idle = { "idle receiver blocks", 1.0, 1, "%" };
	double ck64 = series_median(&r->stream[0][T_CK]);
	double mc = series_median(&r->memcpy_rate);
	double rt2_ck = series_median(&r->rt2[T_CK]), rt1_pipe = series_median(&r->rt1[T_PIPE]);
	double big = (double)bench_sizes[NSIZES - 1];
	double v[5][NVARIANTS];

	for (int i = 0; i < NVARIANTS; i++) {
		int t = variants[i];

		v[0][i] = series_median(&r->stream[0][t]) / ck64;
		v[1][i] = series_median(&r->stream[NSIZES - 1][t]) * big / mc;
		v[2][i] = series_median(&r->rt2[t]) / rt2_ck;
		v[3][i] = series_median(&r->rt1[t]) / rt1_pipe;
		/* Blocking when idle: the receiver's CPU time is at most 1% of the wait. */
		v[4][i] = series_median(&r->idle[t]) / (r->idle_ms * 1e6) * 100;
	}
	printf("\ntargets (medians), per ring variant:\n  %-33s %-9s", "", "target");
	for (int i = 0; i < NVARIANTS; i++)
		printf(" %-*s", CELL_W - 1, bench_transports[variants[i]]->name);
	printf("\n");
	verdict_row(&stream64, v[0]);
	verdict_row(&stream1m, v[1]);
	verdict_row(&rt2, v[2]);
	verdict_row(&rt1, v[3]);
	verdict_row(&idle, v[4]);
	printf("  references: ck_ring %.1f M msg/s at 64 B and %.0f ns per round trip; memcpy %.1f GB/s;\n"
	       "  pipe %.2f us per round trip on one CPU\n",
	       ck64 / 1e6, rt2_ck, mc / 1e9, rt1_pipe / 1e3);
}

void report_table(const struct results *r)
{
	char c[CELL_LEN];

	printf("ring_bench: median (min-max) of %d runs of %.0f ms each; CPUs %d and %d\n", r->runs,
	       r->dur_ms, r->cpu_a, r->cpu_b);
	printf("load average before: %s\n", r->load_before);
	printf("load average after:  %s\n", r->load_after);
	printf("buffering per channel: %zu KiB (pipe: %zu KiB, ref: %zu KiB); every byte is copied\n"
	       "into the buffer and out again\n\n",
	       bench_buf / 1024, bench_pipe_buf / 1024, bench_ref_buf / 1024);
	printf("%-*s", LABEL_W, "");
	for (int t = 0; t < NTRANSPORTS; t++)
		printf(" %-*s", CELL_W - 1, bench_transports[t]->name);
	printf("\nstreaming, two CPUs, thousand messages/s\n");
	for (int i = 0; i < NSIZES; i++)
		row(size_name(bench_sizes[i]), r->stream[i], 1e-3);
	printf("streaming, two CPUs, GB/s\n");
	for (int i = 0; i < NSIZES; i++)
		row(size_name(bench_sizes[i]), r->stream[i], (double)bench_sizes[i] / 1e9);
	printf("round trip, 64 B\n");
	row("two CPUs, ns", r->rt2, 1);
	row("one CPU, us", r->rt1, 1e-3);
	snprintf(c, sizeof(c), "idle receiver, %d ms", r->idle_ms);
	printf("%s\n", c);
	row("CPU time, ms (1 run)", r->idle, 1e-6);
	cell(c, &r->memcpy_rate, 1e-9);
	printf("reference: memcpy of 1 MiB, one thread, GB/s: %s\n", c);
	verdicts(r);
}

static void csv_row(const char *metric, const char *size, const char *transport,
		    const char *unit, const struct series *s, double scale)
{
	printf("%s,%s,%s,%s,%.6g,%.6g,%.6g,%d\n", metric, size, transport, unit,
	       series_median(s) * scale, series_min(s) * scale, series_max(s) * scale, s->n);
}

void report_csv(const struct results *r)
{
	printf("metric,size,transport,unit,median,min,max,runs\n");
	for (int i = 0; i < NSIZES; i++)
		for (int t = 0; t < NTRANSPORTS; t++) {
			csv_row("stream", size_name(bench_sizes[i]), bench_transports[t]->name,
				"msg/s", &r->stream[i][t], 1);
			csv_row("stream", size_name(bench_sizes[i]), bench_transports[t]->name,
				"GB/s", &r->stream[i][t], (double)bench_sizes[i] / 1e9);
		}
	for (int t = 0; t < NTRANSPORTS; t++) {
		csv_row("roundtrip_2cpu", "64 B", bench_transports[t]->name, "ns", &r->rt2[t], 1);
		csv_row("roundtrip_1cpu", "64 B", bench_transports[t]->name, "ns", &r->rt1[t], 1);
		csv_row("idle_cpu", "-", bench_transports[t]->name, "ms", &r->idle[t], 1e-6);
	}
	csv_row("memcpy", "1 MiB", "memcpy", "GB/s", &r->memcpy_rate, 1e-9);
}
