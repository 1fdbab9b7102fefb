/* summary.c -- a line per clause as it finishes, and the closing summary. */
#include <stdio.h>
#include <string.h>

#include "conformance/harness/cli.h"
#include "conformance/harness/output.h"
#include "conformance/harness/registry.h"

static void print_indented(const char *text)
{
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		printf("        %.*s\n", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
}

void ipcconf_print_result(const struct ipcconf_result *r, int verbose)
{
	const char *v = ipcconf_verdict(r);
	printf("%-7s %s  (%.0f ms)\n", v, r->clause->id, (double)r->elapsed_ns / 1e6);
	int quiet = !verbose && !strcmp(v, "PASS");
	if (r->expected_failure)
		printf("        expected to fail: %s\n", r->expected_failure);
	if (!quiet && r->detail[0])
		print_indented(r->detail);
	if (ipcconf_verdict_is_failure(r))
		printf("        rule: %s [%s]\n", r->clause->title, r->clause->cites);
	fflush(stdout);
}

struct tally {
	size_t passed, failed, skipped;
};

static void count(const struct ipcconf_result *r, struct tally *t)
{
	if (ipcconf_verdict_is_failure(r))
		t->failed++;
	else if (!strcmp(ipcconf_verdict(r), "SKIP"))
		t->skipped++;
	else
		t->passed++;
}

static size_t count_verdict(const struct summary_input *in, const char *verdict)
{
	size_t n = 0;
	for (size_t i = 0; i < in->nresults; i++)
		n += !strcmp(ipcconf_verdict(&in->results[i]), verdict);
	return n;
}

size_t ipcconf_summarize(const struct summary_input *in, double seconds)
{
	size_t nm;
	const struct ipcconf_mechanism *const *mechs = ipcconf_all_mechanisms(&nm);
	for (size_t m = 0; m < nm; m++) {
		struct tally t = { 0 };
		for (size_t i = 0; i < in->nresults; i++) {
			char mech[32];
			if (!strcmp(ipcconf_clause_mechanism(in->results[i].clause, mech, sizeof mech),
				    mechs[m]->name))
				count(&in->results[i], &t);
		}
		if (t.passed + t.failed + t.skipped)
			printf("  %-8s %zu passed, %zu failed, %zu skipped\n", mechs[m]->name,
			       t.passed, t.failed, t.skipped);
	}
	struct tally all = { 0 };
	for (size_t i = 0; i < in->nresults; i++)
		count(&in->results[i], &all);
	if (all.failed) {
		printf("failed:");
		for (size_t i = 0; i < in->nresults; i++)
			if (ipcconf_verdict_is_failure(&in->results[i]))
				printf(" %s", in->results[i].clause->id);
		printf("\n");
	}
	size_t xfail = count_verdict(in, "XFAIL"), xpass = count_verdict(in, "XPASS"),
	       broken = count_verdict(in, "BROKEN");
	if (xfail || xpass || broken)
		printf("(%zu expected failures, %zu unexpected passes, %zu broken)\n", xfail, xpass,
		       broken);
	for (int i = 0; i < in->nexpect; i++)
		if (!in->expect[i].used)
			printf("note: --expect lists %s, which was not run\n", in->expect[i].id);
	printf("%zu clauses in %.2f s\n", in->nresults, seconds);
	printf("%zu passed, %zu failed, %zu skipped\n", all.passed, all.failed, all.skipped);
	return all.failed;
}
