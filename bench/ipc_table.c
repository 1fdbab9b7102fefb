/*
 * ipc_bench's table on stdout: one block per measure (round-trip
 * percentiles, streaming rates, speed-ups over the pipe), a row per
 * transport, a column per message size, each cell "median (min-max)".
 */
#include <math.h>
#include <string.h>

#include "bench/ipc_results.h"

#define LABEL_W 16
#define CELL_W 21
#define CELL_LEN 128 /* room for three 31-character figures and a unit */

enum unit { U_TIME, U_RATE, U_BYTES, U_SPEEDUP };

struct block {
	const char *title;
	enum ipc_cpus cpus;
	int rt;          /* a round-trip percentile, else streaming */
	enum ipc_pct pct;
	enum unit unit;
	int speedup;     /* the speed-ups over the pipe rather than the figures */
};

static const struct ipc_cell *cell_of(const struct ipc_results *r, const struct block *b, int t,
				      int s)
{
	return b->rt ? &r->rt[b->cpus][t][s][b->pct] : &r->stream[b->cpus][t][s];
}

/* A unit that suits the median: the divisor, and its name. */
static double unit_for(enum unit u, double med, const char **name)
{
	static const struct {
		double div;
		const char *name;
	} time[] = { { 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" } },
	  rate[] = { { 1, "" }, { 1e3, "k" }, { 1e6, "M" }, { 1e9, "G" } },
	  bytes[] = { { 1, "B/s" }, { 1e3, "kB/s" }, { 1e6, "MB/s" }, { 1e9, "GB/s" } };
	int i = 0;

	switch (u) {
	case U_TIME:
		while (i < 3 && med >= time[i + 1].div)
			i++;
		*name = time[i].name;
		return time[i].div;
	case U_RATE:
		while (i < 3 && med >= rate[i + 1].div)
			i++;
		*name = rate[i].name;
		return rate[i].div;
	case U_BYTES:
		while (i < 3 && med >= bytes[i + 1].div)
			i++;
		*name = bytes[i].name;
		return bytes[i].div;
	case U_SPEEDUP:
	default:
		*name = "x";
		return 1;
	}
}

/* "51.0us (46.5-57.6)": min and max in the median's unit. */
static void figure(char out[CELL_LEN], const struct series *s, double factor, enum unit u)
{
	double med = series_median(s) * factor;
	const char *name;
	double div = unit_for(u, med, &name);
	char m[32], lo[32], hi[32];

	ipc_fmt3(m, sizeof(m), med / div);
	ipc_fmt3(lo, sizeof(lo), series_min(s) * factor / div);
	ipc_fmt3(hi, sizeof(hi), series_max(s) * factor / div);
	snprintf(out, CELL_LEN, "%s%s (%s-%s)", m, name, lo, hi);
}

static void cell(char out[CELL_LEN], const struct ipc_results *r, const struct block *b, int t,
		 int s)
{
	const struct ipc_cell *c = cell_of(r, b, t, s);
	const struct series *v = b->speedup ? &c->speedup : &c->v;
	const char *why = r->na[t][s];

	if (why[0] != '\0') {
		/* The limit only ("limit 8192"); the notes below say where it comes from. */
		snprintf(out, CELL_LEN, "n/a (%.*s)", (int)strcspn(why, ":"), why);
	} else if (v->n > 0) {
		figure(out, v, b->unit == U_BYTES ? (double)r->size[s] : 1, b->unit);
	} else if (c->failed > 0) {
		snprintf(out, CELL_LEN, "failed");
	} else if (c->few > 0) {
		snprintf(out, CELL_LEN, "few (n=%llu)", (unsigned long long)c->fewest);
	} else {
		snprintf(out, CELL_LEN, "-");
	}
}

static void print_block(FILE *f, const struct ipc_results *r, const struct block *b)
{
	char name[32];

	fprintf(f, "\n%s\n%-*s", b->title, LABEL_W, "");
	for (int s = 0; s < r->ns; s++) {
		ipc_size_name(name, sizeof(name), r->size[s]);
		fprintf(f, " %-*s", CELL_W - 1, name);
	}
	fprintf(f, "\n");
	for (int t = 0; t < r->nt; t++) {
		if (b->speedup && t == r->pipe)
			continue; /* 1x by definition */
		fprintf(f, "%-*s", LABEL_W, r->t[t].ops->name);
		for (int s = 0; s < r->ns; s++) {
			char c[CELL_LEN];

			cell(c, r, b, t, s);
			fprintf(f, " %-*s", CELL_W - 1, c);
		}
		fprintf(f, "\n");
	}
}

static void print_blocks(FILE *f, const struct ipc_results *r, enum ipc_cpus cpus)
{
	const char *where = cpus == CPUS_TWO ? "two CPUs" : "one CPU";
	char title[160];

	for (int p = 0; p < NPCT && r->latency; p++) {
		struct block b = { title, cpus, 1, (enum ipc_pct)p, U_TIME, 0 };

		snprintf(title, sizeof(title), "round trip %s, %s (lower is better)", ipc_pct_name[p],
			 where);
		print_block(f, r, &b);
	}
	if (r->streaming) {
		struct block rate = { title, cpus, 0, P50, U_RATE, 0 };
		struct block bytes = { title, cpus, 0, P50, U_BYTES, 0 };

		snprintf(title, sizeof(title), "streaming, %s, messages/s (higher is better)", where);
		print_block(f, r, &rate);
		snprintf(title, sizeof(title), "streaming, %s, bytes/s (MB/s, GB/s: 10^6, 10^9 bytes/s)",
			 where);
		print_block(f, r, &bytes);
	}
}

static void print_speedups(FILE *f, const struct ipc_results *r, enum ipc_cpus cpus)
{
	const char *where = cpus == CPUS_TWO ? "two CPUs" : "one CPU";
	char title[200];

	if (r->latency) {
		struct block b = { title, cpus, 1, P50, U_SPEEDUP, 1 };

		snprintf(title, sizeof(title),
			 "speed-up over the pipe of the same run, round trip p50, %s (>1: faster)", where);
		print_block(f, r, &b);
	}
	if (r->streaming) {
		struct block b = { title, cpus, 0, P50, U_SPEEDUP, 1 };

		snprintf(title, sizeof(title),
			 "speed-up over the pipe of the same run, streaming messages/s, %s (>1: faster)",
			 where);
		print_block(f, r, &b);
	}
}

/* Each distinct reason a transport cannot carry a size, once. */
static void print_limits(FILE *f, const struct ipc_results *r)
{
	int any = 0;

	for (int t = 0; t < r->nt; t++)
		for (int s = 0; s < r->ns; s++) {
			const char *why = r->na[t][s];

			if (why[0] == '\0' || (s > 0 && strcmp(why, r->na[t][s - 1]) == 0))
				continue;
			if (!any)
				fprintf(f, "\nn/a: a message of that size does not pass in one piece:\n");
			any = 1;
			fprintf(f, "  %-*s %s\n", LABEL_W - 2, r->t[t].ops->name, why);
		}
}

static int failures(const struct ipc_results *r)
{
	int n = 0;

	for (int c = 0; c < NCPUS; c++)
		for (int t = 0; t < r->nt; t++)
			for (int s = 0; s < r->ns; s++)
				n += r->rt[c][t][s][P50].failed + r->stream[c][t][s].failed;
	return n;
}

void ipc_report_table(const struct ipc_results *r, FILE *f)
{
	fprintf(f, "ipc_bench: median (min-max) of %d runs of %d ms each; ", r->runs, r->dur_ms);
	if (r->two_cpus)
		fprintf(f, "CPUs %d and %d, and both ends on CPU %d\n", r->cpu_a, r->cpu_b, r->cpu_a);
	else
		fprintf(f, "only CPU %d available: the two-CPU rows are skipped\n", r->cpu_a);
	fprintf(f, "load average before: %s\n", r->load_before);
	fprintf(f, "load average after:  %s\n", r->load_after);
	fprintf(f, "round trips: each one timed; a percentile needs 100 (p99) or 1000 (p99.9) of them\n"
		   "in a run, \"few (n=N)\" when no run had enough (N: the fewest in a run)\n");
	if (r->two_cpus)
		print_blocks(f, r, CPUS_TWO);
	print_blocks(f, r, CPUS_ONE);
	if (r->two_cpus)
		print_speedups(f, r, CPUS_TWO);
	print_speedups(f, r, CPUS_ONE);
	print_limits(f, r);
	fprintf(f, "\ntransports:\n");
	for (int t = 0; t < r->nt; t++)
		fprintf(f, "  %-*s %s\n", LABEL_W - 2, r->t[t].ops->name, r->t[t].what);
	if (failures(r) > 0)
		fprintf(f, "\n%d measurements failed (the messages on stderr say which and why)\n",
			failures(r));
}
