/* Unit tests of the harness's pure parts: registry and selection, --expect parsing, check messages. */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/expect.h"
#include "conformance/harness/mechanism.h"
#include "conformance/harness/output.h"
#include "conformance/harness/page.h"
#include "conformance/harness/registry.h"

/* Two made-up mechanisms: the harness works with whatever registers itself. */
MECHANISM(alpha, .title = "test mechanism alpha", .order = 1);
MECHANISM(beta, .title = "test mechanism beta", .order = 2);

static const struct ipcconf_clause read_consumes = { .id = "alpha.read.consumes" };
static const struct ipcconf_clause beta_open = { .id = "beta.open.rdwr_no_block" };

static void test_selection_by_mechanism(void)
{
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, NULL));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, "alpha", NULL));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, "beta,alpha", NULL));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, "beta", NULL));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, "alph", NULL));
}

static void test_selection_by_pattern(void)
{
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "alpha.read"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "alpha.read.consumes"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "alpha.read.con"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, NULL, "alpha.write"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&read_consumes, NULL, "read"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "alpha.*.consumes"));
	CU_ASSERT_TRUE(ipcconf_clause_selected(&read_consumes, NULL, "beta.*,alpha.read"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&beta_open, NULL, "alpha.*"));
	CU_ASSERT_FALSE(ipcconf_clause_selected(&beta_open, "beta", "beta.read"));
}

static void test_unknown_mechanism(void)
{
	char buf[32], names[64];
	CU_ASSERT_PTR_NULL(ipcconf_unknown_mechanism("alpha,beta", buf, sizeof buf));
	CU_ASSERT_PTR_NOT_NULL(ipcconf_unknown_mechanism("alpha,alphas", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, "alphas");
	CU_ASSERT_STRING_EQUAL(ipcconf_mechanism_names(names, sizeof names), "alpha, beta");
}

/* A clause of an unregistered mechanism, or one whose function is misnamed, is refused. */
static void test_clause_problems(void)
{
	char err[512];
	struct ipcconf_clause good = { .id = "alpha.read.consumes", .fn = "alpha_read_consumes",
				       .title = "t", .cites = "c" };
	CU_ASSERT_PTR_NULL(ipcconf_clause_problem(&good, err, sizeof err));
	struct ipcconf_clause stray = good;
	stray.id = "gamma.read.consumes";
	stray.fn = "gamma_read_consumes";
	CU_ASSERT_PTR_NOT_NULL(ipcconf_clause_problem(&stray, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not registered"));
	struct ipcconf_clause drifted = good;
	drifted.fn = "alpha_read_consume";
	CU_ASSERT_PTR_NOT_NULL(ipcconf_clause_problem(&drifted, err, sizeof err));
	drifted.fn = "alpha_read";
	CU_ASSERT_PTR_NOT_NULL(ipcconf_clause_problem(&drifted, err, sizeof err));
	struct ipcconf_clause row = good;
	row.fn = "alpha_read";
	row.is_row = 1;
	CU_ASSERT_PTR_NULL(ipcconf_clause_problem(&row, err, sizeof err));
	row.fn = "alpha_write";
	CU_ASSERT_PTR_NOT_NULL(ipcconf_clause_problem(&row, err, sizeof err));
}

/* What the checks write: the expression, expected and actual, the first differing byte. */
static void test_check_messages(void)
{
	struct ipcconf_page *page = calloc(1, sizeof *page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	struct ipcconf_t t = { .page = page };
	int three = 3;
	CHECK_EQ(&t, three + 1, 4);
	CU_ASSERT_EQUAL(atomic_load(&page->nchecks), 1);
	CU_ASSERT_EQUAL(atomic_load(&page->nmessages), 0);
	CHECK_EQ(&t, three - 1, -EAGAIN);
	CU_ASSERT_EQUAL(atomic_load(&page->outcome), IPCCONF_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(page->messages[0], "three - 1: expected -EAGAIN, got 2"));
	CHECK_EQ(&t, three, 4, "the count");
	CU_ASSERT_PTR_NOT_NULL(strstr(page->messages[1], "the count (three): expected 4, got 3"));
	const char a[] = "abcdefgh", b[] = "abcdXfgh";
	CHECK_MEM(&t, a, b, 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(page->messages[2], "first at offset 4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page->messages[2], "[65]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page->messages[2], "[58]"));
	CHECK_FAILS(&t, three, -EBADF);
	CU_ASSERT_PTR_NOT_NULL(strstr(page->messages[3], "expected to fail with -EBADF, got 3 (it succeeded)"));
	CU_ASSERT_EQUAL(atomic_load(&page->nchecks), 5);
	free(page);
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
	const char *path = write_temp("# comment\n\n  alpha.read.consumes   gVisor keeps data \n"
				      "beta.open.x\tno reason here? yes: this one\n"
				      "beta.open.y  intermittent: a race in the emulator\n");
	int n = ipcconf_read_expectations(path, &list, err, sizeof err);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(list[0].id, "alpha.read.consumes");
	CU_ASSERT_STRING_EQUAL(list[0].reason, "gVisor keeps data");
	CU_ASSERT_FALSE(list[0].intermittent);
	CU_ASSERT_STRING_EQUAL(list[1].id, "beta.open.x");
	CU_ASSERT_FALSE(list[1].intermittent);
	CU_ASSERT_STRING_EQUAL(list[2].reason, "intermittent: a race in the emulator");
	CU_ASSERT_TRUE(list[2].intermittent);
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
	const char *path = write_temp("alpha.read.consumes\n");
	CU_ASSERT_EQUAL(ipcconf_read_expectations(path, &list, err, sizeof err), -1);
	unlink(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no reason"));
}

/* --expect's verdicts: a listed clause that passes is stale, unless it fails only at times. */
static void test_verdicts(void)
{
	static const struct {
		enum ipcconf_outcome outcome;
		const char *expected; /* reason, or NULL: not listed */
		int intermittent;
		const char *verdict;
		int failure;
	} rows[] = {
		{ IPCCONF_PASS, NULL, 0, "PASS", 0 },	      { IPCCONF_FAIL, NULL, 0, "FAIL", 1 },
		{ IPCCONF_BROKEN, NULL, 0, "BROKEN", 1 },     { IPCCONF_SKIP, NULL, 0, "SKIP", 0 },
		{ IPCCONF_FAIL, "known", 0, "XFAIL", 0 },     { IPCCONF_BROKEN, "known", 0, "XFAIL", 0 },
		{ IPCCONF_PASS, "known", 0, "XPASS", 1 },     { IPCCONF_SKIP, "known", 0, "SKIP", 0 },
		{ IPCCONF_FAIL, "at times", 1, "XFAIL", 0 },  { IPCCONF_PASS, "at times", 1, "PASS", 0 },
		{ IPCCONF_SKIP, "at times", 1, "SKIP", 0 },
	};
	static struct ipcconf_result r;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		r.outcome = rows[i].outcome;
		r.expected_failure = rows[i].expected;
		r.failure_intermittent = rows[i].intermittent;
		CU_ASSERT_STRING_EQUAL(ipcconf_verdict(&r), rows[i].verdict);
		CU_ASSERT_EQUAL(ipcconf_verdict_is_failure(&r), rows[i].failure);
	}
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
		{ "clause problems", test_clause_problems },
		{ "check messages", test_check_messages },
		{ "expectations file", test_expectations },
		{ "expectation without a reason", test_expectation_without_reason },
		{ "verdicts under --expect", test_verdicts },
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
