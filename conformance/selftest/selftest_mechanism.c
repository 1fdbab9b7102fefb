/*
 * selftest_mechanism.c -- the test-only mechanism `selftest`: clauses that
 * judge the harness itself, not an implementation.
 *
 * It claims no table of the interface (.tables = 0), so its clauses need
 * nothing of the implementation and run the same under any --impl; and
 * it has no cleanup of its own, so what its clauses leave is removed by
 * the harness's generic cleanup alone, which is what harness_selftest.sh
 * judges.  Order 900: after every real mechanism in a report.
 */
#include "conformance/harness/mechanism.h"

MECHANISM(selftest,
	  .title = "the harness's own promises (self-test)",
	  .order = 900,
	  .tables = 0);
