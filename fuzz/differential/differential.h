/*
 * differential.h -- the differential driver: one sequence of operations,
 * read from a fuzz input, performed on two implementations of the same
 * interface (`os` and `ref`, say), results compared call by call.
 *
 * Two implementations may legally differ where the specification leaves
 * room (a pipe's capacity counted in pages or in bytes).  Such differences
 * are modelled, not hidden: for every call the target states what each
 * implementation's own rules predict, and diff_result() accepts
 *   - equal results that are what the rules predict, and
 *   - different results when each is exactly what its own rules predict
 *     (counted in diff_ctx.tolerated);
 * anything else is a finding: the op's index, name and arguments, both
 * results and both predictions are printed, and the run aborts, which
 * every engine records as a crash.
 *
 * A mechanism adds its differential target as fuzz/<mech>_differential/
 * does for pipes: a state, a model of each side's rules, and a
 * struct diff_target whose step() decodes one op from the input, calls
 * both sides, and judges each result with diff_result().  finish() must
 * release everything the run created (descriptors, handles), so that no
 * run leaks into the next.
 *
 * Header-only: ci/clusterfuzzlite/build.sh compiles a target's harness
 * file and the //impl libraries, nothing else of fuzz/.
 */
#ifndef IPCCONF_FUZZ_DIFFERENTIAL_H
#define IPCCONF_FUZZ_DIFFERENTIAL_H

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
 * Judges one call: got[i] is what implementation i returned, want[i]
 * what its rules predict.
 */
static inline void diff_result(struct diff_ctx *c, const char *what, long long got0,
			       long long got1, long long want0, long long want1)
{
	const char *why;

	if (got0 == want0 && got1 == want1) {
		if (got0 != got1)
			c->tolerated++;
		return;
	}
	if (got0 != got1)
		why = "the implementations differ, and their rules do not explain it";
	else
		why = "both implementations agree, against the rules the harness models";
	diff_print_op(c);
	fprintf(stderr, ": %s: %s=%lld %s=%lld; rules predict %s=%lld %s=%lld: %s\n", what,
		c->impl[0], got0, c->impl[1], got1, c->impl[0], want0, c->impl[1], want1, why);
	abort();
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
