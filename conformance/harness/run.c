/*
 * run.c -- `ipcconf run`: load the implementation, probe each mechanism's
 * limits, run the selected clauses through CUnit (one CUnit test per
 * clause, whose body is only a trampoline into the runner), report.
 */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conformance/harness/cli.h"
#include "conformance/harness/clock.h"
#include "conformance/harness/output.h"
#include "conformance/harness/registry.h"
#include "conformance/harness/sys.h"

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
		ipcconf_sys_kill(-ipcconf_current_group, SIGKILL);
}

static void on_test_start(const CU_pTest test, const CU_pSuite suite)
{
	(void)suite;
	run.current = NULL;
	for (size_t i = 0; i < run.nselected; i++)
		if (!strcmp(run.selected[i]->id, test->pName))
			run.current = run.selected[i];
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
			r->failure_intermittent = run.expect[i].intermittent;
			run.expect[i].used = 1;
		}
	ipcconf_print_result(r, run.verbose);
	if (ipcconf_verdict_is_failure(r))
		CU_assertImplementation(CU_FALSE, (unsigned)c->line, r->detail, c->file, "", CU_FALSE);
}

static void register_with_cunit(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "ipcconf: CUnit: %s\n", CU_get_error_msg());
		exit(2);
	}
	size_t nm;
	const struct ipcconf_mechanism *const *mechs = ipcconf_all_mechanisms(&nm);
	for (size_t m = 0; m < nm; m++) {
		CU_pSuite suite = NULL;
		for (size_t i = 0; i < run.nselected; i++) {
			char mech[32];
			if (strcmp(ipcconf_clause_mechanism(run.selected[i], mech, sizeof mech),
				   mechs[m]->name))
				continue;
			if (!suite)
				suite = CU_add_suite(mechs[m]->name, NULL, NULL);
			if (!suite || !CU_add_test(suite, run.selected[i]->id, clause_trampoline)) {
				fprintf(stderr, "ipcconf: CUnit: %s\n", CU_get_error_msg());
				exit(2);
			}
		}
	}
	CU_set_test_start_handler(on_test_start);
}

static void random_hex(char *out, size_t bytes)
{
	unsigned char rnd[16];
	if (bytes > sizeof rnd || getrandom(rnd, bytes, 0) != (ssize_t)bytes) {
		fprintf(stderr, "ipcconf: getrandom: %s\n", strerror(errno));
		exit(2);
	}
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", rnd[i]);
}

/* A fresh 0700 directory "<base>/ipcconf-<random>". */
static int make_private_dir(const char *base, char *out, size_t size)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		char tag[17];
		random_hex(tag, 8);
		snprintf(out, size, "%s/ipcconf-%s", base, tag);
		if (mkdir(out, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/*
 * Socket paths must fit sun_path (108 bytes); under Bazel the run
 * directory's path alone can be longer.  Then sockets get a second
 * private directory under /tmp.
 */
#define SOCKET_DIR_MAX 60

static int make_dirs(char *rundir, size_t rsize, char *sockdir, size_t ssize)
{
	const char *base = getenv("TEST_TMPDIR");
	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (make_private_dir(base, rundir, rsize) < 0)
		return -1;
	if (strlen(rundir) <= SOCKET_DIR_MAX) {
		snprintf(sockdir, ssize, "%s", rundir);
		return 0;
	}
	if (make_private_dir("/tmp", sockdir, ssize) < 0)
		sockdir[0] = '\0'; /* socket clauses will be BROKEN, saying so */
	return 0;
}

static void probe_body(struct ipcconf_t *t)
{
	const struct ipcconf_mechanism *m = t->clause->arg;
	m->probe(t, t->page->note, sizeof t->page->note);
}

/* Each selected mechanism's limits, read through the runner: "pipe capacity ...; ...". */
static void probe_limits(char *dst, size_t size)
{
	size_t nm;
	const struct ipcconf_mechanism *const *mechs = ipcconf_all_mechanisms(&nm);
	dst[0] = '\0';
	for (size_t m = 0; m < nm; m++) {
		int used = 0;
		for (size_t i = 0; i < run.nselected && !used; i++) {
			char mech[32];
			used = !strcmp(ipcconf_clause_mechanism(run.selected[i], mech, sizeof mech),
				       mechs[m]->name);
		}
		if (!used || !mechs[m]->probe)
			continue;
		char id[64];
		snprintf(id, sizeof id, "%s.probe.limits", mechs[m]->name);
		struct ipcconf_clause probe = {
			.id = id, .title = "read the implementation's limits", .cites = "",
			.arg = mechs[m], .body = probe_body, .fn = "probe_body",
			.file = __FILE__, .line = __LINE__, .internal = 1,
		};
		static struct ipcconf_result r;
		ipcconf_run_clause(&run.cfg, &probe, 0, &r);
		ipcconf_append(dst, size, "%s%s", dst[0] ? "; " : "",
			       r.note[0] ? r.note : "limits unknown: the probe did not finish");
		if (!r.note[0] && r.outcome == IPCCONF_SKIP)
			ipcconf_append(dst, size, " (%s)", r.detail);
	}
}

static int write_reports(const struct options *o, const struct ipcconf_run_info *info)
{
	int status = 0;
	if (o->junit && ipcconf_write_junit(o->junit, info, run.results, run.nresults) < 0) {
		fprintf(stderr, "ipcconf: cannot write JUnit report %s: %s\n", o->junit, strerror(errno));
		status = 2;
	}
	if (o->json && ipcconf_write_json(o->json, info, run.results, run.nresults) < 0) {
		fprintf(stderr, "ipcconf: cannot write JSON report %s: %s\n", o->json, strerror(errno));
		status = 2;
	}
	return status;
}

static int prepare(struct options *o, struct ipcconf_loaded *impl)
{
	char err[1024];
	if (ipcconf_load_iut(o->impl, impl, err, sizeof err) < 0) {
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
	run.nselected = ipcconf_select(o, &run.selected);
	if (run.nselected == 0) {
		fprintf(stderr, "ipcconf: no clause matches --mechanism %s --clause %s\n",
			o->mechanisms ? o->mechanisms : "(all)", o->clauses ? o->clauses : "(all)");
		return 2;
	}
	run.results = calloc(run.nselected, sizeof *run.results);
	if (!run.results)
		abort();
	run.verbose = o->verbose;
	return 0;
}

int ipcconf_cmd_run(struct options *o)
{
	static struct ipcconf_loaded impl;
	int status = prepare(o, &impl);
	if (status)
		return status;
	char rundir[512], sockdir[512];
	if (make_dirs(rundir, sizeof rundir, sockdir, sizeof sockdir) < 0) {
		fprintf(stderr, "ipcconf: cannot create a private directory for this run: %s\n",
			strerror(errno));
		return 2;
	}
	run.cfg = (struct ipcconf_run_config){
		.impl = &impl, .timeout_mul = o->timeout_mul, .rundir = rundir,
		.socket_dir = sockdir[0] ? sockdir : NULL,
	};
	random_hex(run.cfg.run_tag, 8);
	ipcconf_runner_init();
	ipcconf_sys_sigaction(SIGINT, on_interrupt, 0, 0);
	ipcconf_sys_sigaction(SIGTERM, on_interrupt, 0, 0);
	ipcconf_sys_sigaction(SIGHUP, on_interrupt, 0, 0);

	struct utsname u;
	char system[512] = "unknown system";
	if (uname(&u) == 0)
		snprintf(system, sizeof system, "%s %s %s", u.sysname, u.release, u.machine);
	char limits[1024];
	probe_limits(limits, sizeof limits);

	printf("ipcconf %s: implementation '%s': %s\n", IPCCONF_VERSION, impl.iut->name,
	       impl.iut->description);
	printf("system: %s; %s\n", system, limits[0] ? limits : "no limits probed");
	printf("running %zu clauses; timeout-mul %g\n", run.nselected, o->timeout_mul);
	fflush(stdout);

	int64_t start = ipcconf_now_ns();
	register_with_cunit();
	CU_run_all_tests();
	CU_cleanup_registry();
	double seconds = (double)(ipcconf_now_ns() - start) / 1e9;

	struct ipcconf_run_info info = {
		.impl_name = impl.iut->name,
		.impl_description = impl.iut->description,
		.system = system,
		.limits = limits,
		.timeout_mul = o->timeout_mul,
	};
	status = write_reports(o, &info);
	rmdir(rundir);
	if (strcmp(sockdir, rundir))
		rmdir(sockdir);
	if (interrupted) {
		printf("interrupted by signal %d after %zu of %zu clauses\n", (int)interrupted,
		       run.nresults, run.nselected);
		return 128 + interrupted;
	}
	struct summary_input in = {
		.results = run.results, .nresults = run.nresults,
		.expect = run.expect, .nexpect = run.nexpect, .verbose = run.verbose,
	};
	size_t failed = ipcconf_summarize(&in, seconds);
	if (status)
		return status;
	return failed ? 1 : 0;
}
