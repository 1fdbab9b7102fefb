#include "conformance/harness/output.h"

const char *ipcconf_verdict(const struct ipcconf_result *r)
{
	int failed = r->outcome == IPCCONF_FAIL || r->outcome == IPCCONF_BROKEN;
	if (r->expected_failure)
		return failed ? "XFAIL" : r->outcome == IPCCONF_PASS ? "XPASS" : "SKIP";
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
	if (r->expected_failure)
		return r->outcome == IPCCONF_PASS; /* an unexpected pass: the list is stale */
	return failed;
}
