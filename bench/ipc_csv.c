/*
 * ipc_bench's CSV: one row per measure, CPU placement, message size and
 * transport, with the median, min and max of the runs and the speed-up
 * over the pipe of the same run.  Columns:
 *
 *   metric      rt_p50, rt_p99, rt_p99.9 (ns), stream_rate (messages/s), stream_gbps (GB/s)
 *   cpus        2 or 1
 *   size        the message size in bytes
 *   transport   the transport's name
 *   unit        ns, msg/s or GB/s
 *   median,min,max,runs          over the runs that gave a figure
 *   speedup_median,speedup_min,speedup_max   >1: faster than the pipe
 *   fewest_round_trips           round trips timed in the shortest run
 *   failed_runs                  runs whose measurement failed
 *   note        n/a and why, or "few round trips"
 */
#include <math.h>

#include "bench/ipc_results.h"

/* A number, or nothing when there is none. */
static void num(FILE *f, double v)
{
	if (isnan(v))
		fputc(',', f);
	else
		fprintf(f, ",%.6g", v);
}

static void row(FILE *f, const struct ipc_results *r, const char *metric, int cpus, int t, int s,
		const char *unit, const struct ipc_cell *c, double factor, int rt)
{
	const char *why = r->na[t][s];

	fprintf(f, "%s,%d,%zu,%s,%s", metric, cpus == CPUS_TWO ? 2 : 1, r->size[s], r->t[t].ops->name,
		unit);
	num(f, series_median(&c->v) * factor);
	num(f, series_min(&c->v) * factor);
	num(f, series_max(&c->v) * factor);
	fprintf(f, ",%d", c->v.n);
	num(f, series_median(&c->speedup));
	num(f, series_min(&c->speedup));
	num(f, series_max(&c->speedup));
	if (rt && why[0] == '\0')
		fprintf(f, ",%llu", (unsigned long long)c->fewest);
	else
		fputc(',', f);
	fprintf(f, ",%d,", c->failed);
	/* The reasons contain no comma or quote, but are quoted all the same. */
	if (why[0] != '\0')
		fprintf(f, "\"n/a (%s)\"", why);
	else if (c->v.n == 0 && c->few > 0)
		fprintf(f, "few round trips");
	fputc('\n', f);
}

int ipc_report_csv(const struct ipc_results *r, FILE *f)
{
	static const char *const rt_metric[NPCT] = { "rt_p50", "rt_p99", "rt_p99.9" };

	fprintf(f, "metric,cpus,size,transport,unit,median,min,max,runs,speedup_median,speedup_min,"
		   "speedup_max,fewest_round_trips,failed_runs,note\n");
	for (int cpus = 0; cpus < NCPUS; cpus++) {
		if (cpus == CPUS_TWO && !r->two_cpus)
			continue;
		for (int t = 0; t < r->nt; t++)
			for (int s = 0; s < r->ns; s++) {
				for (int p = 0; p < NPCT && r->latency; p++)
					row(f, r, rt_metric[p], cpus, t, s, "ns", &r->rt[cpus][t][s][p], 1, 1);
				if (!r->streaming)
					continue;
				row(f, r, "stream_rate", cpus, t, s, "msg/s", &r->stream[cpus][t][s], 1, 0);
				row(f, r, "stream_gbps", cpus, t, s, "GB/s", &r->stream[cpus][t][s],
				    (double)r->size[s] / 1e9, 0);
			}
	}
	fflush(f);
	return ferror(f) ? -1 : 0;
}
