/*
 * selftest_verdict_test.c -- verdicts the harness gives by itself, whatever
 * the body says (harness_selftest.sh checks each verdict and message).
 */
#include "conformance/harness/clause.h"

/*
 * A body that returns without a single check proves nothing: the runner
 * must call it BROKEN ("ran no check"), never PASS.
 */
CLAUSE(selftest_verdict_no_check,
       .id = "selftest.verdict.no_check",
       .title = "a clause that makes no check is BROKEN, not PASS",
       .cites = "ipcconf harness: clause.h (outcomes)")
{
	STEP(t, "returning without a check");
}
