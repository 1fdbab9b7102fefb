/*
 * view_judge.h -- shm_ring_adaptive's judgements of the views themselves:
 * what holds whatever a hostile peer did (a view's geometry lies inside
 * the region, a result is a documented error or a count within bounds),
 * and, while the model holds, every view's ring_adaptive_exclusive()
 * answer against mode_model.h.
 *
 * A library of its own so that, like the models, it is compiled without
 * coverage under libFuzzer (see BUILD): these are checks, not what is
 * fuzzed.
 */
#ifndef IPCCONF_FUZZ_VIEW_JUDGE_H
#define IPCCONF_FUZZ_VIEW_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz/shm_ring_adaptive/mode_model.h"
#include "impl/ring/ring_adaptive.h"

/* The ring's name of a side. */
enum ring_spsc_side judge_ring_side(enum mode_side s);

/* A view of the len-byte region: its geometry. */
void judge_view(const struct ring_adaptive *a, const unsigned char *region, size_t len);

/* Its SPSC views, those of the sides it owns (only a claim attaches them). */
void judge_view_claims(const struct ring_adaptive *a, const unsigned char *region, size_t len);

/*
 * Under a hostile peer: -EAGAIN, -EUCLEAN, 0 for nothing asked, or a count
 * of at most n and at most limit.
 */
void judge_bounded(long ret, size_t n, uint64_t limit);

/* ring_adaptive_exclusive() of view number v on `side` is what the model says. */
void judge_exclusive(const struct mode_model *m, const struct ring_adaptive *a, int v,
		     enum mode_side side);

#endif
