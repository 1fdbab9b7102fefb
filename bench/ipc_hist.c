/* A log-linear latency histogram (ipc_hist.h). */
#include "bench/ipc_hist.h"

#include <math.h>
#include <string.h>

/* Values below this many ns get a bucket each. */
#define EXACT (2 * HIST_SUB)

static int index_of(uint64_t v)
{
	int msb, shift;

	if (v < EXACT)
		return (int)v;
	msb = 63 - __builtin_clzll(v);
	if (msb > HIST_TOP_MSB)
		return HIST_BUCKETS - 1;
	/* The top 6 bits of v: 1 and the 5 bits that pick one of 32 buckets in its octave. */
	shift = msb - 5;
	return EXACT + (msb - 6) * HIST_SUB + (int)((v >> shift) - HIST_SUB);
}

/* The middle of the values that fall into bucket i. */
static double middle_of(int i)
{
	int k, msb;
	uint64_t width, low;

	if (i < EXACT)
		return i;
	k = i - EXACT;
	msb = 6 + k / HIST_SUB;
	width = (uint64_t)1 << (msb - 5);
	low = (uint64_t)(HIST_SUB + k % HIST_SUB) << (msb - 5);
	return (double)low + (double)(width - 1) / 2;
}

void hist_clear(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void hist_add(struct hist *h, uint64_t ns)
{
	h->bucket[index_of(ns)]++;
	h->count++;
}

double hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return NAN;
	/* The slack keeps 0.999 * 1000 (998.99999...) or (999.00...1) at rank 999. */
	rank = (uint64_t)ceil(p * (double)h->count - 1e-6);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			return middle_of(i);
	}
	return middle_of(HIST_BUCKETS - 1);
}
