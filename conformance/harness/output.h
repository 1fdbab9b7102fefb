/* output.h -- machine-readable reports of a run: JUnit XML and JSON. */
#ifndef IPCCONF_HARNESS_OUTPUT_H
#define IPCCONF_HARNESS_OUTPUT_H

#include <stddef.h>

#include "conformance/harness/runner.h"

struct ipcconf_run_info {
	const char *impl_name;
	const char *impl_description;
	const char *system;       /* "Linux 6.1.0-27-amd64 x86_64" */
	const char *limits;       /* "pipe capacity 65536 bytes; PIPE_BUF 4096 bytes" */
	double timeout_mul;
};

/* The final word on a result once --expect is applied. */
const char *ipcconf_verdict(const struct ipcconf_result *r);
/* Whether the verdict counts against the exit status. */
int ipcconf_verdict_is_failure(const struct ipcconf_result *r);

int ipcconf_write_junit(const char *path, const struct ipcconf_run_info *info,
			const struct ipcconf_result *results, size_t n);
int ipcconf_write_json(const char *path, const struct ipcconf_run_info *info,
		       const struct ipcconf_result *results, size_t n);

#endif
