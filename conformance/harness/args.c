/* args.c -- the command line's options, usage text and clause selection. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/cli.h"
#include "conformance/harness/registry.h"

static void usage(FILE *f)
{
	char names[256];
	fprintf(f,
		"usage: ipcconf list [--mechanism M,...] [--clause PAT,...]\n"
		"       ipcconf run [--impl os|ref|PATH.so] [--mechanism M,...] [--clause PAT,...]\n"
		"                   [--timeout-mul X] [--expect FILE] [--junit FILE] [--json FILE] [-v]\n"
		"       ipcconf --help | --version\n"
		"\n"
		"Conformance suite for inter-process communication: one clause per documented\n"
		"rule, each run in its own process group under a watchdog.\n"
		"\n"
		"  list                  print the clauses: ID<TAB>MECHANISM<TAB>CITATIONS<TAB>TITLE\n"
		"  run                   run the clauses against an implementation\n"
		"  --impl SPEC           a built-in implementation (default 'os': the system's own\n"
		"                        primitives; 'ref': ipcconf's user-space reference;\n"
		"                        'ref-small'), or the path of a plug-in .so\n"
		"  --mechanism M,...     mechanisms in this binary: %s\n"
		"  --clause PAT,...      clause ids: a glob (pipe.*.eof*), or a prefix (pipe.read)\n"
		"  --timeout-mul X       scale every bound, for slow platforms (env IPCCONF_TIMEOUT_MUL)\n"
		"  --expect FILE         clauses known to fail: 'ID reason' per line; they are\n"
		"                        reported as XFAIL, an unexpected pass as XPASS (a reason\n"
		"                        starting 'intermittent:': fails at times, a pass is PASS)\n"
		"  --junit FILE          JUnit XML report (default under Bazel: $XML_OUTPUT_FILE)\n"
		"  --json FILE           JSON report\n"
		"  -v, --verbose         print the messages of passing and skipped clauses too\n"
		"\n"
		"Exit status: 0 nothing failed unexpectedly, 1 something did, 2 usage or load error.\n",
		ipcconf_mechanism_names(names, sizeof names));
}

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

void ipcconf_parse_args(int argc, char **argv, struct options *o)
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
		case 'h': usage(stdout); exit(0);
		case 'V': printf("ipcconf %s (IUT interface version %u)\n", IPCCONF_VERSION, IPCCONF_IUT_ABI_VERSION); exit(0);
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
		char bad[64], names[256], msg[512];
		if (ipcconf_unknown_mechanism(o->mechanisms, bad, sizeof bad)) {
			snprintf(msg, sizeof msg, "unknown mechanism '%%s' (in this binary: %s)",
				 ipcconf_mechanism_names(names, sizeof names));
			usage_error(msg, bad);
		}
	}
}

size_t ipcconf_select(const struct options *o, const struct ipcconf_clause ***out)
{
	size_t n;
	char err[512];
	const struct ipcconf_clause *const *all = ipcconf_all_clauses(&n, err, sizeof err);
	if (!all) {
		fprintf(stderr, "ipcconf: internal error: %s\n", err);
		exit(2);
	}
	const struct ipcconf_clause **sel = calloc(n + 1, sizeof *sel);
	if (!sel)
		abort();
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (ipcconf_clause_selected(all[i], o->mechanisms, o->clauses))
			sel[k++] = all[i];
	*out = sel;
	return k;
}
