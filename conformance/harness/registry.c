/*
 * registry.c -- what this binary carries: clauses, mechanisms and table
 * descriptions, each found in its own linker section (clause.h,
 * mechanism.h), so that they exist by being compiled in.
 */
#define _GNU_SOURCE
#include "conformance/harness/registry.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds of the linker sections (provided by the linker; absent when empty). */
extern const struct ipcconf_clause_set *const __start_ipcconf_clauses[] __attribute__((weak));
extern const struct ipcconf_clause_set *const __stop_ipcconf_clauses[] __attribute__((weak));
extern const struct ipcconf_mechanism *const __start_ipcconf_mechs[] __attribute__((weak));
extern const struct ipcconf_mechanism *const __stop_ipcconf_mechs[] __attribute__((weak));
extern const struct ipcconf_table_desc *const __start_ipcconf_tables[] __attribute__((weak));
extern const struct ipcconf_table_desc *const __stop_ipcconf_tables[] __attribute__((weak));

static int by_order(const void *a, const void *b)
{
	const struct ipcconf_mechanism *x = *(const struct ipcconf_mechanism *const *)a;
	const struct ipcconf_mechanism *y = *(const struct ipcconf_mechanism *const *)b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

const struct ipcconf_mechanism *const *ipcconf_all_mechanisms(size_t *n)
{
	static const struct ipcconf_mechanism **sorted;
	static size_t count;
	if (!sorted) {
		const struct ipcconf_mechanism *const *p = __start_ipcconf_mechs;
		count = p ? (size_t)(__stop_ipcconf_mechs - p) : 0;
		sorted = calloc(count + 1, sizeof *sorted);
		if (!sorted)
			abort();
		for (size_t i = 0; i < count; i++)
			sorted[i] = p[i];
		qsort(sorted, count, sizeof *sorted, by_order);
	}
	*n = count;
	return sorted;
}

const struct ipcconf_mechanism *ipcconf_find_mechanism(const char *name)
{
	size_t n;
	const struct ipcconf_mechanism *const *all = ipcconf_all_mechanisms(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

const struct ipcconf_table_desc *ipcconf_find_table(enum ipcconf_table_id id)
{
	const struct ipcconf_table_desc *const *p = __start_ipcconf_tables;
	size_t count = p ? (size_t)(__stop_ipcconf_tables - p) : 0;
	for (size_t i = 0; i < count; i++)
		if (p[i]->id == id)
			return p[i];
	return NULL;
}

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
	const struct ipcconf_mechanism *mech =
		ipcconf_find_mechanism(ipcconf_clause_mechanism(c, m, sizeof m));
	return mech ? mech->order : INT32_MAX;
}

static int by_mechanism_then_source(const void *a, const void *b)
{
	const struct ipcconf_clause *x = *(const struct ipcconf_clause *const *)a;
	const struct ipcconf_clause *y = *(const struct ipcconf_clause *const *)b;
	int rx = mechanism_rank(x), ry = mechanism_rank(y);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	int d = strcmp(x->file, y->file);
	if (d)
		return d;
	if (x->line != y->line)
		return x->line - y->line;
	return strcmp(x->id, y->id);
}

const char *ipcconf_clause_problem(const struct ipcconf_clause *c, char *err, size_t errsize)
{
	char m[32];
	if (!c->id || !*c->id) {
		snprintf(err, errsize, "a clause at %s:%d has no id", c->file, c->line);
		return err;
	}
	if (!ipcconf_find_mechanism(ipcconf_clause_mechanism(c, m, sizeof m))) {
		char names[256];
		snprintf(err, errsize,
			 "clause %s (%s:%d) names mechanism '%s', which is not registered in this binary (registered: %s)",
			 c->id, c->file, c->line, m, ipcconf_mechanism_names(names, sizeof names));
		return err;
	}
	/* The body's name is the id with '.' made '_' (a row's id starts with it). */
	size_t fl = c->fn ? strlen(c->fn) : 0;
	int ok = c->fn != NULL;
	for (size_t i = 0; ok && i < fl; i++) {
		char want = c->id[i] == '.' ? '_' : c->id[i];
		ok = c->id[i] != '\0' && c->fn[i] == want;
	}
	if (ok && !c->is_row)
		ok = c->id[fl] == '\0';
	if (!ok) {
		snprintf(err, errsize,
			 "clause %s (%s:%d): its function is named %s; name it after the id, with '.' made '_'",
			 c->id, c->file, c->line, c->fn ? c->fn : "(none)");
		return err;
	}
	if (!c->title || !c->cites || !*c->cites) {
		snprintf(err, errsize, "clause %s (%s:%d) lacks a title or citations", c->id,
			 c->file, c->line);
		return err;
	}
	return NULL;
}

const struct ipcconf_clause *const *ipcconf_all_clauses(size_t *n, char *err, size_t errsize)
{
	static struct ipcconf_clause **sorted;
	static size_t count;
	if (!sorted) {
		const struct ipcconf_clause_set *const *p = __start_ipcconf_clauses;
		size_t nsets = p ? (size_t)(__stop_ipcconf_clauses - p) : 0;
		for (size_t i = 0; i < nsets; i++)
			count += p[i]->nrows;
		sorted = calloc(count + 1, sizeof *sorted);
		if (!sorted)
			abort();
		size_t k = 0;
		for (size_t i = 0; i < nsets; i++)
			for (size_t r = 0; r < p[i]->nrows; r++) {
				struct ipcconf_clause *c = malloc(sizeof *c);
				if (!c)
					abort();
				*c = p[i]->rows[r];
				c->body = p[i]->body;
				c->fn = p[i]->fn;
				c->file = p[i]->file;
				c->line = p[i]->line;
				c->is_row = p[i]->is_table;
				sorted[k++] = c;
			}
		qsort(sorted, count, sizeof *sorted, by_mechanism_then_source);
	}
	for (size_t i = 0; i < count; i++) {
		if (ipcconf_clause_problem(sorted[i], err, errsize))
			return NULL;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sorted[i]->id, sorted[j]->id)) {
				snprintf(err, errsize, "clause id %s is defined twice (%s:%d, %s:%d)",
					 sorted[i]->id, sorted[j]->file, sorted[j]->line,
					 sorted[i]->file, sorted[i]->line);
				return NULL;
			}
	}
	*n = count;
	return (const struct ipcconf_clause *const *)sorted;
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

struct unknown_arg {
	char *buf;
	size_t size;
};

static int unknown(const char *item, void *arg)
{
	if (ipcconf_find_mechanism(item))
		return 0;
	struct unknown_arg *u = arg;
	snprintf(u->buf, u->size, "%s", item);
	return 1;
}

const char *ipcconf_unknown_mechanism(const char *mechanisms, char *buf, size_t size)
{
	struct unknown_arg u = { buf, size };
	return each_item(mechanisms, unknown, &u) ? buf : NULL;
}

const char *ipcconf_mechanism_names(char *buf, size_t size)
{
	size_t n, len = 0;
	const struct ipcconf_mechanism *const *all = ipcconf_all_mechanisms(&n);
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", all[i]->name);
	if (n == 0)
		snprintf(buf, size, "none");
	return buf;
}
