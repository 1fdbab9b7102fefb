/*
 * sock_allow.h -- what one side's rules allow for one socket call, when
 * that is more than differential.h's diff_allow holds: a count range (or
 * one value, or a poll mask) plus any of a few error values.  POSIX lets
 * a call that meets several error conditions report any one of them (XSH
 * 2.3, "Error Numbers": the order of detection is undefined), and the
 * socket rules often leave two or three errors open at once, which no
 * single range can hold without letting in the errors between them.
 *
 * sock_judge() decides with these sets and hands diff_judge() the verdict,
 * so that tolerated differences are counted and findings are reported
 * and abort exactly as for every differential target; the errors a side
 * also allowed are printed just before diff_judge()'s report.
 */
#ifndef IPCCONF_FUZZ_SOCK_ALLOW_H
#define IPCCONF_FUZZ_SOCK_ALLOW_H

#include <stdbool.h>
#include <stdio.h>

#include "fuzz/differential/differential.h"

#define SOCK_ALLOW_ALTS 6

struct sock_allow {
	struct diff_allow base;
	long long alt[SOCK_ALLOW_ALTS];
	int nalt;
};

static inline struct sock_allow sa_exactly(long long v)
{
	return (struct sock_allow){ .base = diff_exactly(v) };
}

static inline struct sock_allow sa_between(long long lo, long long hi)
{
	return (struct sock_allow){ .base = diff_between(lo, hi) };
}

/* Nothing yet: an empty range, for building a set of errors alone. */
static inline struct sock_allow sa_none(void)
{
	return (struct sock_allow){ .base = diff_between(1, 0) };
}

static inline struct sock_allow sa_bits(long long must, long long may)
{
	return (struct sock_allow){ .base = diff_bits(must, may) };
}

static inline bool sa_allows(const struct sock_allow *s, long long v)
{
	if (diff_allows(&s->base, v))
		return true;
	for (int i = 0; i < s->nalt; i++)
		if (s->alt[i] == v)
			return true;
	return false;
}

/* Adds v to the set (a no-op when it is in already). */
static inline void sa_add(struct sock_allow *s, long long v)
{
	if (sa_allows(s, v))
		return;
	if (s->nalt == SOCK_ALLOW_ALTS) {
		fprintf(stderr, "sock_allow: more than %d alternatives\n", SOCK_ALLOW_ALTS);
		abort();
	}
	s->alt[s->nalt++] = v;
}

/* Adds every value of `from` (its range only when that is a single value or empty). */
static inline void sa_merge(struct sock_allow *s, const struct sock_allow *from)
{
	if (from->base.lo == from->base.hi)
		sa_add(s, from->base.lo);
	else if (from->base.lo < from->base.hi) {
		fprintf(stderr, "sock_allow: cannot merge a range\n");
		abort();
	}
	for (int i = 0; i < from->nalt; i++)
		sa_add(s, from->alt[i]);
}

static inline void sa_print_alts(const struct diff_ctx *c, int side, const struct sock_allow *s)
{
	if (s->nalt == 0)
		return;
	fprintf(stderr, "%s: besides what follows, %s's rules allow", c->target, c->impl[side]);
	for (int i = 0; i < s->nalt; i++)
		fprintf(stderr, " %lld", s->alt[i]);
	fprintf(stderr, "\n");
}

/* Judges one call like diff_judge(), with sock_allow sets. */
static inline void sock_judge(struct diff_ctx *c, const char *what, long long got0,
			      long long got1, const struct sock_allow *allow0,
			      const struct sock_allow *allow1)
{
	const struct sock_allow *a[2] = { allow0, allow1 };
	long long got[2] = { got0, got1 };
	struct diff_allow d[2];

	for (int i = 0; i < 2; i++) {
		/* allowed as one of the alternatives: tell diff_judge() so */
		if (diff_allows(&a[i]->base, got[i]) || !sa_allows(a[i], got[i]))
			d[i] = a[i]->base;
		else
			d[i] = diff_exactly(got[i]);
	}
	if (!sa_allows(a[0], got0) || !sa_allows(a[1], got1)) {
		sa_print_alts(c, 0, a[0]);
		sa_print_alts(c, 1, a[1]);
	}
	diff_judge(c, what, got0, got1, d[0], d[1]);
}

#endif
