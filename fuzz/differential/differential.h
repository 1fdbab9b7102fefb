/*
 * differential.h -- the differential driver: one sequence of operations,
 * read from a fuzz input, performed on two implementations of the same
 * interface (`os` and `ref`, say), results compared call by call.
 *
 * Two implementations may legally differ where the specification leaves
 * room (a pipe's capacity counted in pages or in bytes).  Such differences
 * are modelled, not hidden: for every call the target states what each
 * implementation's own rules allow -- one exact value (diff_exactly()),
 * or, where the rules leave room, a range, a range or one other value,
 * or a bit mask with bits that must and bits that may be set -- and
 * diff_judge() accepts
 *   - equal results that both rules allow, and
 *   - different results when each is allowed by its own rules (counted in
 *     diff_ctx.tolerated);
 * anything else is a finding: the op's index, name and arguments, both
 * results and what each side's rules allow are printed, and the run
 * aborts, which every engine records as a crash.  diff_result() is the
 * common case of two exact predictions.
 *
 * A mechanism adds its differential target as fuzz/<mech>_differential/
 * does for pipes: a state, a model of each side's rules, and a
 * struct diff_target whose step() decodes one op from the input, calls
 * both sides, and judges each result with diff_result().  finish() must
 * release everything the run created (descriptors, handles), so that no
 * run leaks into the next.
 *
 * Header-only: a harness includes it and links nothing more.
 */
#ifndef IPCCONF_FUZZ_DIFFERENTIAL_H
#define IPCCONF_FUZZ_DIFFERENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The fuzz input, read front to back; past its end every read is 0. */
struct diff_input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t diff_u8(struct diff_input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t diff_u16(struct diff_input *in)
{
	uint16_t lo = diff_u8(in);

	return (uint16_t)(lo | diff_u8(in) << 8);
}

/* The run in progress, for the judgement and for the report. */
struct diff_ctx {
	const char *target;
	const char *impl[2];   /* the two implementations' names */
	size_t index;          /* the current op, counted from 0 in this input */
	const char *op;        /* its name ... */
	long long arg[2];      /* ... and arguments, formatted only on a finding */
	int nargs;
	unsigned long tolerated; /* differences the rules explained, this input */
};

/* Names the next op; called by step() before it calls either side. */
static inline void diff_begin(struct diff_ctx *c, const char *op, int nargs, long long a0,
			      long long a1)
{
	c->index++;
	c->op = op;
	c->nargs = nargs;
	c->arg[0] = a0;
	c->arg[1] = a1;
}

static inline void diff_print_op(const struct diff_ctx *c)
{
	fprintf(stderr, "%s: op #%zu %s(", c->target, c->index, c->op);
	for (int i = 0; i < c->nargs; i++)
		fprintf(stderr, "%s%lld", i ? ", " : "", c->arg[i]);
	fprintf(stderr, ")");
}

/* A finding: says what and where, then aborts like a crash. */
__attribute__((noreturn)) static inline void diff_fail(const struct diff_ctx *c, const char *what,
							const char *why)
{
	diff_print_op(c);
	fprintf(stderr, ": %s: %s\n", what, why);
	abort();
}

/*
 * What one side's rules allow as the result of one call: a value in
 * [lo, hi] (an empty range when lo > hi) or, when has_alt, exactly alt;
 * or, when is_mask, a bit mask holding every bit of `must` and no bit
 * outside must | may.
 */
struct diff_allow {
	long long lo, hi;
	long long alt;
	bool has_alt;
	bool is_mask;
	long long must, may;
};

static inline struct diff_allow diff_exactly(long long v)
{
	return (struct diff_allow){ .lo = v, .hi = v };
}

static inline struct diff_allow diff_between(long long lo, long long hi)
{
	return (struct diff_allow){ .lo = lo, .hi = hi };
}

/* a, or else exactly v (e.g. a count range, or -EAGAIN). */
static inline struct diff_allow diff_or(struct diff_allow a, long long v)
{
	a.alt = v;
	a.has_alt = true;
	return a;
}

static inline struct diff_allow diff_bits(long long must, long long may)
{
	return (struct diff_allow){ .is_mask = true, .must = must, .may = may };
}

static inline bool diff_allows(const struct diff_allow *a, long long v)
{
	if (a->is_mask)
		return (v & a->must) == a->must && (v & ~(a->must | a->may)) == 0;
	return (v >= a->lo && v <= a->hi) || (a->has_alt && v == a->alt);
}

static inline void diff_print_allow(const struct diff_allow *a)
{
	if (a->is_mask) {
		fprintf(stderr, "bits 0x%llx, maybe 0x%llx", a->must, a->may & ~a->must);
		return;
	}
	if (a->lo == a->hi)
		fprintf(stderr, "%lld", a->lo);
	else if (a->lo < a->hi)
		fprintf(stderr, "[%lld, %lld]", a->lo, a->hi);
	if (a->has_alt)
		fprintf(stderr, "%s%lld", a->lo <= a->hi ? " or " : "", a->alt);
}

/*
 * Judges one call: got[i] is what implementation i returned, allow[i]
 * what its rules allow.
 */
static inline void diff_judge(struct diff_ctx *c, const char *what, long long got0,
			      long long got1, struct diff_allow allow0, struct diff_allow allow1)
{
	bool ok0 = diff_allows(&allow0, got0), ok1 = diff_allows(&allow1, got1);
	const char *why;

	if (ok0 && ok1) {
		if (got0 != got1)
			c->tolerated++;
		return;
	}
	if (got0 != got1)
		why = "the implementations differ, and their rules do not explain it";
	else
		why = "both implementations agree, against the rules the harness models";
	diff_print_op(c);
	fprintf(stderr, ": %s: %s=%lld %s=%lld; rules allow %s: ", what, c->impl[0], got0,
		c->impl[1], got1, c->impl[0]);
	diff_print_allow(&allow0);
	fprintf(stderr, ", %s: ", c->impl[1]);
	diff_print_allow(&allow1);
	fprintf(stderr, "; outside its rules: %s%s%s: %s\n", ok0 ? "" : c->impl[0],
		ok0 || ok1 ? "" : " and ", ok1 ? "" : c->impl[1], why);
	abort();
}

/* Judges one call whose result each side's rules predict exactly. */
static inline void diff_result(struct diff_ctx *c, const char *what, long long got0,
			       long long got1, long long want0, long long want1)
{
	diff_judge(c, what, got0, got1, diff_exactly(want0), diff_exactly(want1));
}

struct diff_target {
	const char *name;
	const char *impl[2];
	int max_ops;  /* bounds one run's cost */
	void (*start)(struct diff_ctx *c, struct diff_input *in);
	void (*step)(struct diff_ctx *c, struct diff_input *in);
	void (*finish)(struct diff_ctx *c);
};

/* One fuzz input: start, at most max_ops steps while input is left, finish. */
static inline void diff_run(const struct diff_target *t, const uint8_t *data, size_t size)
{
	struct diff_input in = { data, size };
	struct diff_ctx c = { .target = t->name, .impl = { t->impl[0], t->impl[1] } };

	c.index = (size_t)-1; /* the first diff_begin() makes it 0 */
	t->start(&c, &in);
	for (int ops = 0; in.left > 0 && ops < t->max_ops; ops++)
		t->step(&c, &in);
	t->finish(&c);
}

#endif
