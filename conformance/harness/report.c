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

void ipcconf_check_eq(struct ipcconf_t *t, int fatal, const char *file, int line,
		      const char *what, long long actual, long long expected)
{
	if (actual == expected)
		return;
	char a[32], e[32];
	ipcconf_report(t, IPCCONF_FAIL, file, line, "%s: expected %s, got %s", what,
		       ipcconf_result_name(expected, e), ipcconf_result_name(actual, a));
	if (fatal)
		ipcconf_exit(t);
}
