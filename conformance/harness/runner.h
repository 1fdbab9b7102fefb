/*
 * runner.h -- runs one clause in its own process group under a watchdog.
 */
#ifndef IPCCONF_HARNESS_RUNNER_H
#define IPCCONF_HARNESS_RUNNER_H

#include <stdint.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/page.h"

struct ipcconf_run_config {
	const struct ipcconf_iut *iut;
	double timeout_mul;      /* scales every bound (--timeout-mul, IPCCONF_TIMEOUT_MUL) */
	const char *rundir;      /* this run's private 0700 directory */
};

struct ipcconf_result {
	const struct ipcconf_clause *clause;
	enum ipcconf_outcome outcome;
	char detail[IPCCONF_MAX_MESSAGES * (IPCCONF_MESSAGE_LEN + 1) + 1024];
	char note[IPCCONF_MESSAGE_LEN];
	int64_t elapsed_ns;
	const char *expected_failure; /* reason from --expect, or NULL */
};

/* The process group of the clause running now (0: none), for signal handlers. */
extern volatile int ipcconf_current_group;

/* Must be called once, before the first clause: signal dispositions, subreaper. */
void ipcconf_runner_init(void);

void ipcconf_run_clause(const struct ipcconf_run_config *cfg,
			const struct ipcconf_clause *c, unsigned index,
			struct ipcconf_result *out);

/* "FORK_INHERIT" for IPCCONF_CAP_FORK_INHERIT; NULL if unknown. */
const char *ipcconf_cap_name(uint64_t cap);

#endif
