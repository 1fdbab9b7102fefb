/* ipc_hist: percentiles by rank, and the bound on a bucket's error. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>

#include "bench/ipc_hist.h"

static struct hist h;

static void test_empty_is_nan(void)
{
	hist_clear(&h);
	CU_ASSERT(isnan(hist_percentile(&h, 0.5)));
}

/* Below 64 ns every value has its own bucket: percentiles are exact. */
static void test_small_values_exact(void)
{
	hist_clear(&h);
	for (uint64_t v = 1; v <= 60; v++)
		hist_add(&h, v);
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 0.5), 30, 0);
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 0.1), 6, 0);
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 1.0), 60, 0);
}

/* The rank is ceil(p * n): 999 fast samples and one slow one. */
static void test_rank_of_p999(void)
{
	hist_clear(&h);
	for (int i = 0; i < 999; i++)
		hist_add(&h, 40);
	hist_add(&h, 1000000);
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 0.999), 40, 0);
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 1.0), 1000000, 1000000.0 / 64);
	hist_add(&h, 1000000); /* 1001 samples: rank ceil(999.999) = 1000 is a slow one */
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 0.999), 1000000, 1000000.0 / 64);
}

/* Any single value comes back within 1/64 of itself, up to 2^41 ns. */
static void test_relative_error_bound(void)
{
	srand(7);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = ((uint64_t)rand() << 31 | (uint64_t)rand()) >> (rand() % 62);

		if (v >= (uint64_t)1 << 42)
			continue;
		hist_clear(&h);
		hist_add(&h, v);
		CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 0.5), (double)v, (double)v / 64 + 0.5);
	}
}

/* Beyond the top bucket values are counted, not lost. */
static void test_huge_values_counted(void)
{
	hist_clear(&h);
	hist_add(&h, UINT64_MAX);
	hist_add(&h, 5);
	CU_ASSERT_EQUAL(h.count, 2);
	CU_ASSERT_DOUBLE_EQUAL(hist_percentile(&h, 0.5), 5, 0);
	CU_ASSERT(hist_percentile(&h, 1.0) > 4e12);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "empty is NAN", test_empty_is_nan },
		{ "small values exact", test_small_values_exact },
		{ "rank of p99.9", test_rank_of_p999 },
		{ "relative error bound", test_relative_error_bound },
		{ "huge values counted", test_huge_values_counted },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "ipc_hist", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
