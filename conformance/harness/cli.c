/*
 * cli.c -- `ipcconf list` and `ipcconf run`: selection, the CUnit registry
 * (one CUnit test per clause, whose body is only a trampoline into the
 * runner), the report, and the exit status.
 */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/expect.h"
#include "conformance/harness/loader.h"
#include "conformance/harness/output.h"
#include "conformance/harness/registry.h"
#include "conformance/harness/runner.h"

#define IPCCONF_VERSION "0.1.0"

static const char usage_text[] =
	"usage: ipcconf list [--mechanism M,...]\n"
	"       ipcconf run [--impl os|ref|PATH.so] [--mechanism M,...] [--clause GLOB,...]\n"
	"                   [--timeout-mul X] [--expect FILE] [--junit FILE] [--json FILE]\n"
	"       ipcconf --help | --version\n"
	"\n"
	"Conformance suite for inter-process communication: one clause per documented\n"
	"rule, each run in its own process group under a watchdog.\n"
	"\n"
	"  list                  print the clauses: ID<TAB>MECHANISM<TAB>CITATIONS<TAB>TITLE\n"
	"  run                   run the clauses against an implementation\n"
	"  --impl SPEC           'os' (the system's primitives, default), 'ref' (ipcconf's\n"
	"                        user-space reference), 'ref-small', or a plug-in .so path\n"
	"  --mechanism M,...     pipe, fifo (later: signal, msgq, mq, shm, sem, socket)\n"
	"  --clause PAT,...      clause ids: a glob (pipe.*.eof*), or a prefix (pipe.read)\n"
	"  --timeout-mul X       scale every bound, for slow platforms (env IPCCONF_TIMEOUT_MUL)\n"
	"  --expect FILE         clauses known to fail: 'ID reason' per line; they are\n"
	"                        reported as XFAIL, an unexpected pass as XPASS\n"
	"  --junit FILE          JUnit XML report (default under Bazel: $XML_OUTPUT_FILE)\n"
	"  --json FILE           JSON report\n"
	"  -v, --verbose         print the messages of passing and skipped clauses too\n"
	"\n"
	"Exit status: 0 nothing failed unexpectedly, 1 something did, 2 usage or load error.\n";

struct options {
	const char *command;
	const char *impl;
	const char *mechanisms;
	const char *clauses;
	const char *expect;
	const char *junit;
	const char *json;
	double timeout_mul;
	int verbose;
};

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "ipcconf: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(ipcconf --help for usage)\n");
	exit(2);
}

static double parse_mul(const char *s, const char *where)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1000)
		usage_error(where, s);
	return v;
}

static void parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "impl", required_argument, 0, 'i' },
		{ "mechanism", required_argument, 0, 'm' },
		{ "clause", required_argument, 0, 'c' },
		{ "timeout-mul", required_argument, 0, 't' },
		{ "expect", required_argument, 0, 'e' },
		{ "junit", required_argument, 0, 'j' },
		{ "json", required_argument, 0, 'J' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	memset(o, 0, sizeof *o);
	o->impl = "os";
	o->timeout_mul = 1.0;
	const char *env_mul = getenv("IPCCONF_TIMEOUT_MUL");
	if (env_mul && *env_mul)
		o->timeout_mul = parse_mul(env_mul, "IPCCONF_TIMEOUT_MUL='%s': expected a number in (0, 1000]");
	/* The command comes first; options follow it. */
	if (argc > 1 && argv[1][0] != '-') {
		o->command = argv[1];
		argc--;
		argv++;
	}
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:hvV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->impl = optarg; break;
		case 'm': o->mechanisms = optarg; break;
		case 'c': o->clauses = optarg; break;
		case 't': o->timeout_mul = parse_mul(optarg, "--timeout-mul '%s': expected a number in (0, 1000]"); break;
		case 'e': o->expect = optarg; break;
		case 'j': o->junit = optarg; break;
		case 'J': o->json = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': printf("ipcconf %s (IUT ABI %u)\n", IPCCONF_VERSION, IPCCONF_IUT_ABI_VERSION); exit(0);
		case ':': usage_error("option '%s' needs a value", argv[optind - 1]);
		default: usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->command)
		usage_error("%sno command given: use 'list' or 'run'", "");
	if (strcmp(o->command, "list") && strcmp(o->command, "run"))
		usage_error("unknown command '%s': use 'list' or 'run'", o->command);
	if (o->mechanisms) {
		char bad[64];
		if (ipcconf_unknown_mechanism(o->mechanisms, bad, sizeof bad))
			usage_error("unknown mechanism '%s' (known: pipe, fifo, signal, msgq, mq, shm, sem, socket)", bad);
	}
}

static size_t select_clauses(const struct options *o, const struct ipcconf_clause ***out)
{
	size_t n;
	const struct ipcconf_clause *const *all = ipcconf_all_clauses(&n);
	const struct ipcconf_clause **sel = calloc(n + 1, sizeof *sel);
	if (!sel)
		abort();
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (!strcmp(all[i]->id, all[j]->id)) {
				fprintf(stderr, "ipcconf: internal error: clause id %s is defined twice (%s:%d, %s:%d)\n",
					all[i]->id, all[i]->file, all[i]->line, all[j]->file, all[j]->line);
				exit(2);
			}
		if (ipcconf_clause_selected(all[i], o->mechanisms, o->clauses))
			sel[k++] = all[i];
	}
	*out = sel;
	return k;
}

static int cmd_list(const struct options *o)
{
	const struct ipcconf_clause **sel;
	size_t n = select_clauses(o, &sel);
	for (size_t i = 0; i < n; i++) {
		char mech[32];
		printf("%s\t%s\t%s\t%s\n", sel[i]->id, ipcconf_clause_mechanism(sel[i], mech, sizeof mech),
		       sel[i]->cites, sel[i]->title);
	}
	free(sel);
	return 0;
}

/* ---- run ---- */

static struct {
	struct ipcconf_run_config cfg;
	const struct ipcconf_clause **selected;
	size_t nselected;
	struct ipcconf_result *results;
	size_t nresults;
	const struct ipcconf_clause *current;
	struct ipcconf_expectation *expect;
	int nexpect;
	int verbose;
} run;

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
	if (ipcconf_current_group > 0)
		kill(-ipcconf_current_group, SIGKILL);
}

static void on_test_start(const CU_pTest test, const CU_pSuite suite)
{
	(void)suite;
	run.current = NULL;
	for (size_t i = 0; i < run.nselected; i++)
		if (!strcmp(run.selected[i]->id, test->pName))
			run.current = run.selected[i];
}

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

static void print_result(const struct ipcconf_result *r)
{
	printf("%-7s %s  (%.0f ms)\n", ipcconf_verdict(r), r->clause->id, (double)r->elapsed_ns / 1e6);
	const char *v = ipcconf_verdict(r);
	int quiet = !run.verbose && (!strcmp(v, "PASS"));
	if (r->expected_failure)
		printf("        expected to fail: %s\n", r->expected_failure);
	if (!quiet && r->detail[0])
		print_indented(r->detail);
	if (ipcconf_verdict_is_failure(r))
		printf("        rule: %s [%s]\n", r->clause->title, r->clause->cites);
	fflush(stdout);
}

/* The CUnit test body of every clause: run it in the runner, record it. */
static void clause_trampoline(void)
{
	const struct ipcconf_clause *c = run.current;
	if (!c || interrupted)
		return;
	struct ipcconf_result *r = &run.results[run.nresults];
	ipcconf_run_clause(&run.cfg, c, (unsigned)run.nresults + 1, r);
	run.nresults++;
	for (int i = 0; i < run.nexpect; i++)
		if (!strcmp(run.expect[i].id, c->id)) {
			r->expected_failure = run.expect[i].reason;
			run.expect[i].used = 1;
		}
	print_result(r);
	if (ipcconf_verdict_is_failure(r))
		CU_assertImplementation(CU_FALSE, (unsigned)c->line, r->detail, c->file, "", CU_FALSE);
}

/* A probe through the same machinery: what limits does this implementation have? */
static void probe_limits(struct ipcconf_t *t)
{
	char *note = t->page->note;
	size_t size = sizeof t->page->note;
	int ends[2];
	char b[32];
	if (!t->pipe) {
		snprintf(note, size, "no pipes implemented");
		return;
	}
	int r = t->pipe->create(ends, 0);
	if (r < 0) {
		snprintf(note, size, "creating a pipe failed: %s", ipcconf_result_name(r, b));
		return;
	}
	long pb = t->stream->pipe_buf ? t->stream->pipe_buf(ends[1]) : -ENOSYS;
	long cap = t->stream->get_capacity ? t->stream->get_capacity(ends[1]) : -ENOSYS;
	const char *how = "F_GETPIPE_SZ";
	if (cap < 0 && (t->iut->caps & IPCCONF_CAP_NONBLOCK)) {
		cap = ipcconf_fill(t, ends[1]);
		how = "filled until EAGAIN";
	}
	char pbs[32];
	snprintf(note, size, "pipe capacity %s bytes (%s); PIPE_BUF %s bytes",
		 ipcconf_result_name(cap, b), how, ipcconf_result_name(pb, pbs));
}

static const struct ipcconf_clause probe_clause = {
	.id = "probe.limits",
	.title = "read the implementation's limits",
	.cites = "",
	.body = probe_limits,
	.file = __FILE__,
	.line = __LINE__,
};

static int make_rundir(char *out, size_t size)
{
	const char *base = getenv("TEST_TMPDIR");
	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned char rnd[8];
		if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
			return -1;
		snprintf(out, size, "%s/ipcconf-%02x%02x%02x%02x%02x%02x%02x%02x", base, rnd[0],
			 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
		if (mkdir(out, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static void register_with_cunit(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "ipcconf: CUnit: %s\n", CU_get_error_msg());
		exit(2);
	}
	for (int m = 0; ipcconf_mechanisms[m]; m++) {
		CU_pSuite suite = NULL;
		for (size_t i = 0; i < run.nselected; i++) {
			char mech[32];
			if (strcmp(ipcconf_clause_mechanism(run.selected[i], mech, sizeof mech),
				   ipcconf_mechanisms[m]))
				continue;
			if (!suite)
				suite = CU_add_suite(ipcconf_mechanisms[m], NULL, NULL);
			if (!suite || !CU_add_test(suite, run.selected[i]->id, clause_trampoline)) {
				fprintf(stderr, "ipcconf: CUnit: %s\n", CU_get_error_msg());
				exit(2);
			}
		}
	}
	CU_set_test_start_handler(on_test_start);
}

static void summarize(double seconds, size_t *failed_out)
{
	size_t passed = 0, failed = 0, skipped = 0, xfail = 0, xpass = 0, broken = 0;
	for (int m = 0; ipcconf_mechanisms[m]; m++) {
		size_t p = 0, f = 0, s = 0, total = 0;
		for (size_t i = 0; i < run.nresults; i++) {
			const struct ipcconf_result *r = &run.results[i];
			char mech[32];
			if (strcmp(ipcconf_clause_mechanism(r->clause, mech, sizeof mech), ipcconf_mechanisms[m]))
				continue;
			total++;
			const char *v = ipcconf_verdict(r);
			if (ipcconf_verdict_is_failure(r))
				f++;
			else if (!strcmp(v, "SKIP"))
				s++;
			else
				p++;
		}
		if (total)
			printf("  %-8s %zu passed, %zu failed, %zu skipped\n", ipcconf_mechanisms[m], p, f, s);
	}
	for (size_t i = 0; i < run.nresults; i++) {
		const struct ipcconf_result *r = &run.results[i];
		const char *v = ipcconf_verdict(r);
		if (!strcmp(v, "XFAIL"))
			xfail++;
		if (!strcmp(v, "XPASS"))
			xpass++;
		if (!strcmp(v, "BROKEN"))
			broken++;
		if (ipcconf_verdict_is_failure(r))
			failed++;
		else if (!strcmp(v, "SKIP"))
			skipped++;
		else
			passed++;
	}
	if (failed) {
		printf("failed:");
		for (size_t i = 0; i < run.nresults; i++)
			if (ipcconf_verdict_is_failure(&run.results[i]))
				printf(" %s", run.results[i].clause->id);
		printf("\n");
	}
	if (xfail || xpass || broken)
		printf("(%zu expected failures, %zu unexpected passes, %zu broken)\n", xfail, xpass, broken);
	for (int i = 0; i < run.nexpect; i++)
		if (!run.expect[i].used)
			printf("note: --expect lists %s, which was not run\n", run.expect[i].id);
	printf("%zu clauses in %.2f s\n", run.nresults, seconds);
	printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
	*failed_out = failed;
}

static int cmd_run(struct options *o)
{
	char err[1024];
	const struct ipcconf_iut *iut = ipcconf_load_iut(o->impl, err, sizeof err);
	if (!iut) {
		fprintf(stderr, "ipcconf: %s\n", err);
		return 2;
	}
	const char *bazel_filter = getenv("TESTBRIDGE_TEST_ONLY");
	if (!o->clauses && bazel_filter && *bazel_filter)
		o->clauses = bazel_filter;
	if (!o->junit && getenv("XML_OUTPUT_FILE") && *getenv("XML_OUTPUT_FILE"))
		o->junit = getenv("XML_OUTPUT_FILE");
	if (o->expect) {
		run.nexpect = ipcconf_read_expectations(o->expect, &run.expect, err, sizeof err);
		if (run.nexpect < 0) {
			fprintf(stderr, "ipcconf: %s\n", err);
			return 2;
		}
	}
	run.nselected = select_clauses(o, &run.selected);
	if (run.nselected == 0) {
		fprintf(stderr, "ipcconf: no clause matches --mechanism %s --clause %s\n",
			o->mechanisms ? o->mechanisms : "(all)", o->clauses ? o->clauses : "(all)");
		return 2;
	}
	run.results = calloc(run.nselected, sizeof *run.results);
	if (!run.results)
		abort();
	run.verbose = o->verbose;

	char rundir[512];
	if (make_rundir(rundir, sizeof rundir) < 0) {
		fprintf(stderr, "ipcconf: cannot create a private directory for this run: %s\n", strerror(errno));
		return 2;
	}
	run.cfg = (struct ipcconf_run_config){ .iut = iut, .timeout_mul = o->timeout_mul, .rundir = rundir };
	ipcconf_runner_init();
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct utsname u;
	char system[512] = "unknown system";
	if (uname(&u) == 0)
		snprintf(system, sizeof system, "%s %s %s", u.sysname, u.release, u.machine);
	static struct ipcconf_result probe;
	ipcconf_run_clause(&run.cfg, &probe_clause, 0, &probe);
	const char *limits = probe.note[0] ? probe.note : "limits unknown: the probe did not finish";

	printf("ipcconf %s: implementation '%s': %s\n", IPCCONF_VERSION, iut->name, iut->description);
	printf("system: %s; %s\n", system, limits);
	printf("running %zu clauses; timeout-mul %g\n", run.nselected, o->timeout_mul);
	fflush(stdout);

	int64_t start = ipcconf_now_ns();
	register_with_cunit();
	CU_run_all_tests();
	CU_cleanup_registry();
	double seconds = (double)(ipcconf_now_ns() - start) / 1e9;

	struct ipcconf_run_info info = {
		.impl_name = iut->name,
		.impl_description = iut->description,
		.system = system,
		.limits = limits,
		.timeout_mul = o->timeout_mul,
	};
	int status = 0;
	if (o->junit && ipcconf_write_junit(o->junit, &info, run.results, run.nresults) < 0) {
		fprintf(stderr, "ipcconf: cannot write JUnit report %s: %s\n", o->junit, strerror(errno));
		status = 2;
	}
	if (o->json && ipcconf_write_json(o->json, &info, run.results, run.nresults) < 0) {
		fprintf(stderr, "ipcconf: cannot write JSON report %s: %s\n", o->json, strerror(errno));
		status = 2;
	}
	rmdir(rundir);
	if (interrupted) {
		printf("interrupted by signal %d after %zu of %zu clauses\n", (int)interrupted,
		       run.nresults, run.nselected);
		return 128 + interrupted;
	}
	size_t failed;
	summarize(seconds, &failed);
	if (status)
		return status;
	return failed ? 1 : 0;
}

static volatile pid_t pid1_worker;

static void forward_to_worker(int sig)
{
	if (pid1_worker > 0)
		kill(pid1_worker, sig);
}

/*
 * As PID 1 (`runsc do`, a container), default signal actions differ and
 * every orphan of the system is ours to reap.  So PID 1 only reaps and
 * forwards; the real work, clause bodies included, runs in a child.
 */
static void stay_out_of_pid_1(void)
{
	if (getpid() != 1)
		return;
	pid_t worker = fork();
	if (worker < 0) {
		perror("ipcconf: fork");
		exit(2);
	}
	if (worker == 0)
		return;
	pid1_worker = worker;
	/* PID 1 ignores signals it has no handler for: pass the stop requests on. */
	struct sigaction fwd = { .sa_handler = forward_to_worker };
	sigaction(SIGINT, &fwd, NULL);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	for (;;) {
		int st;
		pid_t r = waitpid(-1, &st, 0);
		if (r == worker)
			exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (r < 0 && errno == ECHILD)
			exit(2);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	parse(argc, argv, &o);
	if (!strcmp(o.command, "list"))
		return cmd_list(&o);
	stay_out_of_pid_1();
	return cmd_run(&o);
}
