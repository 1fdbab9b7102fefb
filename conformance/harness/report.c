/*
 * report.c -- checks write into the shared page, from any process of a
 * clause.  Only async-signal-tolerant things happen here (vsnprintf into
 * the page, atomics, _exit), because helpers may be forked from anywhere.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/page.h"

static void raise_outcome(struct ipcconf_page *page, enum ipcconf_outcome o)
{
	int cur = atomic_load(&page->outcome);
	while ((int)o > cur && !atomic_compare_exchange_weak(&page->outcome, &cur, (int)o))
		;
}

static const char *outcome_tag(enum ipcconf_outcome o)
{
	switch (o) {
	case IPCCONF_PASS: return "pass";
	case IPCCONF_SKIP: return "skip";
	case IPCCONF_BROKEN: return "broken";
	case IPCCONF_FAIL: return "fail";
	}
	return "?";
}

void ipcconf_report(struct ipcconf_t *t, enum ipcconf_outcome o,
		    const char *file, int line, const char *fmt, ...)
{
	struct ipcconf_page *page = t->page;
	raise_outcome(page, o);
	unsigned slot = atomic_fetch_add(&page->nmessages, 1);
	if (slot >= IPCCONF_MAX_MESSAGES)
		return;
	char *m = page->messages[slot];
	const char *base = strrchr(file, '/');
	int n = snprintf(m, IPCCONF_MESSAGE_LEN, "%s: %s:%d: ", outcome_tag(o),
			 base ? base + 1 : file, line);
	if (n < 0 || n >= IPCCONF_MESSAGE_LEN)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m + n, IPCCONF_MESSAGE_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

_Noreturn void ipcconf_exit(struct ipcconf_t *t)
{
	(void)t;
	_exit(0);
}

static struct ipcconf_step_slot *my_step_slot(struct ipcconf_page *page)
{
	pid_t me = getpid();
	for (int i = 0; i < IPCCONF_MAX_STEPS; i++)
		if (atomic_load(&page->steps[i].pid) == me)
			return &page->steps[i];
	for (int i = 0; i < IPCCONF_MAX_STEPS; i++) {
		pid_t free_slot = 0;
		if (atomic_compare_exchange_strong(&page->steps[i].pid, &free_slot, me))
			return &page->steps[i];
	}
	return NULL;
}

void ipcconf_step(struct ipcconf_t *t, const char *fmt, ...)
{
	struct ipcconf_step_slot *s = my_step_slot(t->page);
	if (!s)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof s->text, fmt, ap);
	va_end(ap);
}

const char *ipcconf_result_name(long long v, char buf[32])
{
	if (v < 0 && v > -4096) {
		const char *name = strerrorname_np((int)-v);
		if (name) {
			snprintf(buf, 32, "-%s", name);
			return buf;
		}
	}
	snprintf(buf, 32, "%lld", v);
	return buf;
}

void ipcconf_checked(struct ipcconf_t *t)
{
	atomic_fetch_add(&t->page->nchecks, 1);
}

static void fail_v(struct ipcconf_t *t, int fatal, const char *file, int line, const char *fmt,
		   va_list ap) __attribute__((format(printf, 5, 0)));
static void fail_v(struct ipcconf_t *t, int fatal, const char *file, int line, const char *fmt,
		   va_list ap)
{
	char text[IPCCONF_MESSAGE_LEN];
	vsnprintf(text, sizeof text, fmt, ap);
	ipcconf_report(t, IPCCONF_FAIL, file, line, "%s", text);
	if (fatal)
		ipcconf_exit(t);
}

void ipcconf_check(struct ipcconf_t *t, int fatal, int ok, const char *file, int line,
		   const char *fmt, ...)
{
	ipcconf_checked(t);
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	fail_v(t, fatal, file, line, fmt, ap);
	va_end(ap);
}

/* "`expr`" or "what (`expr`)". */
static const char *label(char *buf, size_t size, const char *expr, const char *what)
{
	if (what && *what)
		snprintf(buf, size, "%s (%s)", what, expr);
	else
		snprintf(buf, size, "%s", expr);
	return buf;
}

void ipcconf_check_eq(struct ipcconf_t *t, int fatal, const char *file, int line,
		      const char *expr, const char *what, long long actual, long long expected)
{
	char a[32], e[32], l[200];
	ipcconf_check(t, fatal, actual == expected, file, line, "%s: expected %s, got %s",
		      label(l, sizeof l, expr, what), ipcconf_result_name(expected, e),
		      ipcconf_result_name(actual, a));
}

/* Up to 8 bytes either side of `at`, in hex, into buf. */
static void hex_window(char *buf, size_t size, const unsigned char *p, size_t len, size_t at)
{
	size_t from = at > 8 ? at - 8 : 0;
	size_t to = at + 8 < len ? at + 8 : len;
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = from; i < to && n + 4 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, i == at ? "[%02x]" : "%02x ", p[i]);
}

void ipcconf_check_mem(struct ipcconf_t *t, int fatal, const char *file, int line,
		       const char *expr, const char *what, const void *actual,
		       const void *expected, size_t len)
{
	const unsigned char *a = actual, *e = expected;
	size_t at = 0;
	while (at < len && a[at] == e[at])
		at++;
	char l[200], got[80], want[80];
	if (at < len) {
		hex_window(got, sizeof got, a, len, at);
		hex_window(want, sizeof want, e, len, at);
	}
	ipcconf_check(t, fatal, at == len, file, line,
		      "%s: %zu bytes differ first at offset %zu: got %s, expected %s",
		      label(l, sizeof l, expr, what), len, at, at < len ? got : "",
		      at < len ? want : "");
}

void ipcconf_check_fails(struct ipcconf_t *t, const char *file, int line, const char *expr,
			 long long result, long long expected_error)
{
	char r[32], e[32];
	ipcconf_check(t, 0, result == expected_error, file, line, "%s: expected to fail with %s, got %s%s",
		      expr, ipcconf_result_name(expected_error, e), ipcconf_result_name(result, r),
		      result >= 0 ? " (it succeeded)" : "");
}

void ipcconf_check_unchanged(struct ipcconf_t *t, const char *file, int line,
			     const char *expr, long long before, long long after)
{
	char b[32], a[32];
	ipcconf_check(t, 0, before == after, file, line,
		      "the failed call had an effect: %s was %s before it and %s after",
		      expr, ipcconf_result_name(before, b), ipcconf_result_name(after, a));
}

double ipcconf_timeout_mul(struct ipcconf_t *t)
{
	return t->page->timeout_mul;
}
