/* Median, min and max of a series of runs (bench_stats.h). */
#include "bench/bench_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void series_add(struct series *s, double v)
{
	if (s->n < BENCH_MAX_RUNS)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double series_median(const struct series *s)
{
	double sorted[BENCH_MAX_RUNS];

	if (s->n == 0)
		return NAN;
	memcpy(sorted, s->v, sizeof(double) * (size_t)s->n);
	qsort(sorted, (size_t)s->n, sizeof(double), cmp_double);
	if (s->n % 2)
		return sorted[s->n / 2];
	return (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2;
}

double series_min(const struct series *s)
{
	double m = NAN;

	for (int i = 0; i < s->n; i++)
		if (i == 0 || s->v[i] < m)
			m = s->v[i];
	return m;
}

double series_max(const struct series *s)
{
	double m = NAN;

	for (int i = 0; i < s->n; i++)
		if (i == 0 || s->v[i] > m)
			m = s->v[i];
	return m;
}
