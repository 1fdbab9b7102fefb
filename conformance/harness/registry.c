#define _GNU_SOURCE
#include "conformance/harness/registry.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const ipcconf_mechanisms[] = {
	"pipe", "fifo", "signal", "msgq", "mq", "shm", "sem", "socket", NULL,
};

/* Bounds of the linker section CLAUSE() fills (provided by the linker). */
extern const struct ipcconf_clause *const __start_ipcconf_clauses[] __attribute__((weak));
extern const struct ipcconf_clause *const __stop_ipcconf_clauses[] __attribute__((weak));

const char *ipcconf_clause_mechanism(const struct ipcconf_clause *c, char *buf, size_t size)
{
	size_t len = strcspn(c->id, ".");
	if (len >= size)
		len = size - 1;
	memcpy(buf, c->id, len);
	buf[len] = '\0';
	return buf;
}

static int mechanism_rank(const struct ipcconf_clause *c)
{
	char m[32];
	ipcconf_clause_mechanism(c, m, sizeof m);
	for (int i = 0; ipcconf_mechanisms[i]; i++)
		if (!strcmp(m, ipcconf_mechanisms[i]))
			return i;
	return 1000;
}

static int by_mechanism_then_source(const void *a, const void *b)
{
	const struct ipcconf_clause *x = *(const struct ipcconf_clause *const *)a;
	const struct ipcconf_clause *y = *(const struct ipcconf_clause *const *)b;
	int d = mechanism_rank(x) - mechanism_rank(y);
	if (d)
		return d;
	d = strcmp(x->file, y->file);
	if (d)
		return d;
	return x->line - y->line;
}

const struct ipcconf_clause *const *ipcconf_all_clauses(size_t *n)
{
	static const struct ipcconf_clause **sorted;
	static size_t count;
	if (!sorted) {
		const struct ipcconf_clause *const *p = __start_ipcconf_clauses;
		count = p ? (size_t)(__stop_ipcconf_clauses - p) : 0;
		sorted = calloc(count + 1, sizeof *sorted);
		if (!sorted)
			abort();
		for (size_t i = 0; i < count; i++)
			sorted[i] = p[i];
		qsort(sorted, count, sizeof *sorted, by_mechanism_then_source);
	}
	*n = count;
	return sorted;
}

/* Calls fn on each comma-separated item of list; stops at the first non-zero. */
static int each_item(const char *list, int (*fn)(const char *item, void *arg), void *arg)
{
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		char item[256];
		if (len >= sizeof item)
			len = sizeof item - 1;
		memcpy(item, p, len);
		item[len] = '\0';
		if (item[0]) {
			int r = fn(item, arg);
			if (r)
				return r;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int mechanism_matches(const char *item, void *arg)
{
	return !strcmp(item, (const char *)arg);
}

static int pattern_matches(const char *item, void *arg)
{
	const char *id = arg;
	if (strpbrk(item, "*?["))
		return fnmatch(item, id, 0) == 0;
	return !strncmp(item, id, strlen(item));
}

int ipcconf_clause_selected(const struct ipcconf_clause *c, const char *mechanisms,
			    const char *patterns)
{
	char m[32];
	ipcconf_clause_mechanism(c, m, sizeof m);
	if (mechanisms && !each_item(mechanisms, mechanism_matches, m))
		return 0;
	if (patterns && !each_item(patterns, pattern_matches, (void *)c->id))
		return 0;
	return 1;
}

static int unknown(const char *item, void *arg)
{
	for (int i = 0; ipcconf_mechanisms[i]; i++)
		if (!strcmp(item, ipcconf_mechanisms[i]))
			return 0;
	char **out = arg;
	strncpy(out[0], item, (size_t)(uintptr_t)out[1] - 1);
	out[0][(size_t)(uintptr_t)out[1] - 1] = '\0';
	return 1;
}

const char *ipcconf_unknown_mechanism(const char *mechanisms, char *buf, size_t size)
{
	void *arg[2] = { buf, (void *)(uintptr_t)size };
	return each_item(mechanisms, unknown, arg) ? buf : NULL;
}
