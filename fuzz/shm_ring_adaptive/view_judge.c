/* The view judgements of view_judge.h, by ring.h's documented geometry. */
#include "fuzz/shm_ring_adaptive/view_judge.h"

#include <errno.h>
#include <stdbool.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

enum ring_spsc_side judge_ring_side(enum mode_side s)
{
	return s == MODE_PRODUCERS ? RING_SPSC_PRODUCER : RING_SPSC_CONSUMER;
}

/* A ring view's geometry: the header at the region's start, data[] after it, inside the region. */
static void judge_geometry(const struct ring *r, const unsigned char *region, size_t len)
{
	FUZZ_CHECK(r->hdr == (const struct ring_hdr *)region && r->data == region + LAYOUT_HDR_SIZE);
	FUZZ_CHECK(pow2(r->data_size) && LAYOUT_HDR_SIZE + (uint64_t)r->data_size <= len);
	FUZZ_CHECK(r->mode == LAYOUT_MODE_BYTES);
}

void judge_view(const struct ring_adaptive *a, const unsigned char *region, size_t len)
{
	FUZZ_CHECK(a->mem == region && a->len == len);
	judge_geometry(&a->r, region, len);
}

void judge_view_claims(const struct ring_adaptive *a, const unsigned char *region, size_t len)
{
	for (int i = 0; i < MODE_SIDES; i++) {
		enum ring_spsc_side side = judge_ring_side((enum mode_side)i);
		const struct ring_spsc *p = &a->side[i].spsc;

		/* The SPSC view is valid while the claim holds (ring_adaptive.h). */
		if (!ring_adaptive_exclusive(a, side))
			continue;
		FUZZ_CHECK(p->side == side);
		judge_geometry(&p->r, region, len);
		FUZZ_CHECK(pow2(p->cap) && p->cap <= p->r.data_size);
	}
}

void judge_bounded(long ret, size_t n, uint64_t limit)
{
	FUZZ_CHECK(ret == -EAGAIN || ret == -EUCLEAN || (ret == 0 && n == 0) ||
		   (ret > 0 && (size_t)ret <= n && (uint64_t)ret <= limit));
}

void judge_exclusive(const struct mode_model *m, const struct ring_adaptive *a, int v,
		     enum mode_side side)
{
	FUZZ_CHECK(ring_adaptive_exclusive(a, judge_ring_side(side)) ==
		   mode_expect_exclusive(m, side, v));
}
