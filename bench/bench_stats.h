/* bench_stats.h -- the figures of several runs: median, min, max. */
#ifndef IPCCONF_BENCH_STATS_H
#define IPCCONF_BENCH_STATS_H

#define BENCH_MAX_RUNS 99

struct series {
	double v[BENCH_MAX_RUNS];
	int n;
};

/* Adds one run's figure (ignored beyond BENCH_MAX_RUNS). */
void series_add(struct series *s, double v);

/* NAN when there is no figure.  The median of an even count is the mean of the middle two. */
double series_median(const struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);

#endif /* IPCCONF_BENCH_STATS_H */
