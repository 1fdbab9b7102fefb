/* Names and numbers as the reports print them (ipc_results.h). */
#include <math.h>
#include <stdio.h>

#include "bench/ipc_results.h"

const double ipc_pct_value[NPCT] = { [P50] = 0.5, [P99] = 0.99, [P999] = 0.999 };
const char *const ipc_pct_name[NPCT] = { [P50] = "p50", [P99] = "p99", [P999] = "p99.9" };

uint64_t ipc_pct_needs(enum ipc_pct p)
{
	static const uint64_t needs[NPCT] = { [P50] = 1, [P99] = 100, [P999] = 1000 };

	return needs[p];
}

void ipc_size_name(char *out, size_t len, size_t bytes)
{
	if (bytes >= 1048576 && bytes % 1048576 == 0)
		snprintf(out, len, "%zu MiB", bytes / 1048576);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(out, len, "%zu KiB", bytes / 1024);
	else
		snprintf(out, len, "%zu B", bytes);
}

void ipc_fmt3(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "-");
	else if (fabs(v) >= 100)
		snprintf(out, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(out, len, "%.1f", v);
	else if (fabs(v) >= 1)
		snprintf(out, len, "%.2f", v);
	else if (fabs(v) >= 0.1)
		snprintf(out, len, "%.3f", v);
	else
		snprintf(out, len, "%.3g", v);
}
