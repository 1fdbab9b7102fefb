/*
 * ring_test_main.h -- the main() every ring unit test shares: one CUnit
 * suite from a CU_TestInfo table, verbose output, exit 1 on any failure and
 * 2 when CUnit itself cannot start.
 */
#ifndef IPCCONF_RING_TEST_MAIN_H
#define IPCCONF_RING_TEST_MAIN_H

#include <CUnit/Basic.h>

static inline int ring_test_run_suite(const char *name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ (char *)name, NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}

#endif
