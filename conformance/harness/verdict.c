#include "conformance/harness/output.h"

const char *ipcconf_verdict(const struct ipcconf_result *r)
{
	int failed = r->outcome == IPCCONF_FAIL || r->outcome == IPCCONF_BROKEN;
	if (r->expected_failure && failed)
		return "XFAIL";
	if (r->expected_failure && !r->failure_intermittent)
		return r->outcome == IPCCONF_PASS ? "XPASS" : "SKIP";
	switch (r->outcome) {
	case IPCCONF_PASS: return "PASS";
	case IPCCONF_SKIP: return "SKIP";
	case IPCCONF_BROKEN: return "BROKEN";
	case IPCCONF_FAIL: return "FAIL";
	}
	return "?";
}

int ipcconf_verdict_is_failure(const struct ipcconf_result *r)
{
	int failed = r->outcome == IPCCONF_FAIL || r->outcome == IPCCONF_BROKEN;
	if (r->expected_failure) /* a pass is unexpected, and the list stale, unless intermittent */
		return !r->failure_intermittent && r->outcome == IPCCONF_PASS;
	return failed;
}
