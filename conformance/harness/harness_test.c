/* Unit tests of the harness's pure parts: clause selection, --expect parsing, result names. */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/expect.h"
#include "conformance/harness/registry.h"

static const struct ipcconf_clause read_consumes = { .id = "pipe.read.consumes" };
static const struct ipcconf_clause fifo_open = { .id = "fifo.open.rdwr_no_block" };

static void test_selection_by_mechanism(void)
{
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, NULL));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, "pipe", NULL));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, "fifo,pipe", NULL));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, "fifo", NULL));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, "pip", NULL));
}

static void test_selection_by_pattern(void)
{
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "pipe.read"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "pipe.read.consumes"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "pipe.read.con"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, NULL, "pipe.write"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, NULL, "read"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "pipe.*.consumes"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "fifo.*,pipe.read"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&fifo_open, NULL, "pipe.*"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&fifo_open, "fifo", "fifo.read"));
}

static void test_unknown_mechanism(void)
{
	char buf[32];
	CU_ASSERT_PTR_NULL(ipcconf_unknown_mechanism("pipe,fifo,socket", buf, sizeof buf));
	CU_ASSERT_PTR_NOT_NULL(ipcconf_unknown_mechanism("pipe,pipes", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, "pipes");
}

static const char *write_temp(const char *text)
{
	static char path[256];
	const char *dir = getenv("TEST_TMPDIR");
	snprintf(path, sizeof path, "%s/expect-XXXXXX", dir ? dir : "/tmp");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_expectations(void)
{
	char err[256];
	struct ipcconf_expectation *list = NULL;
	const char *path = write_temp("# comment\n\n  pipe.read.consumes   gVisor keeps data \n"
				      "fifo.open.x\tno reason here? yes: this one\n");
	int n = ipcconf_read_expectations(path, &list, err, sizeof err);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(list[0].id, "pipe.read.consumes");
	CU_ASSERT_STRING_EQUAL(list[0].reason, "gVisor keeps data");
	CU_ASSERT_STRING_EQUAL(list[1].id, "fifo.open.x");
	for (int i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].reason);
	}
	free(list);
}

static void test_expectation_without_reason(void)
{
	char err[256];
	struct ipcconf_expectation *list = NULL;
	const char *path = write_temp("pipe.read.consumes\n");
	CU_ASSERT_EQUAL(ipcconf_read_expectations(path, &list, err, sizeof err), -1);
	unlink(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no reason"));
}

static void test_result_names(void)
{
	char b[32];
	CU_ASSERT_STRING_EQUAL(ipcconf_result_name(-EAGAIN, b), "-EAGAIN");
	CU_ASSERT_STRING_EQUAL(ipcconf_result_name(-EPIPE, b), "-EPIPE");
	CU_ASSERT_STRING_EQUAL(ipcconf_result_name(5, b), "5");
	CU_ASSERT_STRING_EQUAL(ipcconf_result_name(-100000, b), "-100000");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "selection by mechanism", test_selection_by_mechanism },
		{ "selection by pattern", test_selection_by_pattern },
		{ "unknown mechanism", test_unknown_mechanism },
		{ "expectations file", test_expectations },
		{ "expectation without a reason", test_expectation_without_reason },
		{ "result names", test_result_names },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = { { "harness", NULL, NULL, NULL, NULL, tests }, CU_SUITE_INFO_NULL };
	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
