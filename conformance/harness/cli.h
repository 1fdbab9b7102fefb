/* cli.h -- the pieces of the command line, each in its own file. */
#ifndef IPCCONF_HARNESS_CLI_H
#define IPCCONF_HARNESS_CLI_H

#include <stddef.h>

#include "conformance/harness/expect.h"
#include "conformance/harness/runner.h"

#define IPCCONF_VERSION "0.2.0"

struct options {
	const char *command;      /* "list" or "run" */
	const char *impl;
	const char *mechanisms;
	const char *clauses;
	const char *expect;
	const char *junit;
	const char *json;
	double timeout_mul;
	int verbose;
};

/* args.c: parses argv; a usage error prints a message and exits with status 2. */
void ipcconf_parse_args(int argc, char **argv, struct options *o);

/*
 * args.c: the registered clauses that the options select (an inconsistent
 * clause set is an internal error: exit 2).
 */
size_t ipcconf_select(const struct options *o, const struct ipcconf_clause ***out);

/* run.c: `ipcconf run`; returns the exit status. */
int ipcconf_cmd_run(struct options *o);

/* summary.c: one clause's line (and details), and the closing summary. */
struct summary_input {
	const struct ipcconf_result *results;
	size_t nresults;
	const struct ipcconf_expectation *expect;
	int nexpect;
	int verbose;
};
void ipcconf_print_result(const struct ipcconf_result *r, int verbose);
/* Prints the per-mechanism lines and the closing "N passed, N failed, N skipped"; returns failures. */
size_t ipcconf_summarize(const struct summary_input *in, double seconds);

/* pid1.c: as PID 1, fork the real work into a child and only reap and forward. */
void ipcconf_stay_out_of_pid_1(void);

#endif
