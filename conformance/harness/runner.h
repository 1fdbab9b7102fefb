/*
 * runner.h -- runs one clause in its own process group under a watchdog.
 */
#ifndef IPCCONF_HARNESS_RUNNER_H
#define IPCCONF_HARNESS_RUNNER_H

#include <stdint.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/loader.h"
#include "conformance/harness/page.h"

struct ipcconf_run_config {
	const struct ipcconf_loaded *impl;
	double timeout_mul;      /* scales every bound (--timeout-mul, IPCCONF_TIMEOUT_MUL) */
	const char *rundir;      /* this run's private 0700 directory */
	const char *socket_dir;  /* a short private 0700 directory for socket paths */
	char run_tag[24];        /* random: part of every POSIX IPC name of the run */
};

struct ipcconf_result {
	const struct ipcconf_clause *clause;
	enum ipcconf_outcome outcome;
	char detail[IPCCONF_MAX_MESSAGES * (IPCCONF_MESSAGE_LEN + 1) + 1024];
	char note[IPCCONF_MESSAGE_LEN];
	int64_t elapsed_ns;
	const char *expected_failure; /* reason from --expect, or NULL */
	int failure_intermittent;     /* --expect says it fails only sometimes */
};

/* The process group of the clause running now (0: none), for signal handlers. */
extern volatile int ipcconf_current_group;

/* Must be called once, before the first clause: signal dispositions, subreaper. */
void ipcconf_runner_init(void);

void ipcconf_run_clause(const struct ipcconf_run_config *cfg,
			const struct ipcconf_clause *c, unsigned index,
			struct ipcconf_result *out);

/*
 * Why the implementation cannot run clause `c` (a missing table,
 * capability or behaviour, named), in `dst`; empty when it can.
 */
void ipcconf_missing_needs(const struct ipcconf_loaded *impl, const struct ipcconf_clause *c,
			   char *dst, size_t size);

/* Removes what a clause left (cleanup.c): through the mechanisms, then generically. */
void ipcconf_cleanup_objects(const struct ipcconf_run_config *cfg, struct ipcconf_page *page,
			     const char *dir, struct ipcconf_result *out);

/* Appends printf-style text to a NUL-terminated buffer, truncating. */
void ipcconf_append(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Kills every child of the runner and reaps them; returns how many outlived the bound. */
int ipcconf_kill_and_reap_all(int64_t deadline_ns);

#endif
