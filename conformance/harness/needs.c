/*
 * needs.c -- what a clause needs of the implementation, against what it
 * provides: the tables of the clause's mechanism and of its USES(), their
 * capabilities, and behaviour flags.  Names come from the registered table
 * descriptions, so a SKIP says exactly what is missing.
 */
#include <stdio.h>
#include <string.h>

#include "conformance/harness/mechanism.h"
#include "conformance/harness/registry.h"
#include "conformance/harness/runner.h"

static const struct {
	uint64_t cap;
	const char *name;
} behaviour_names[] = {
	{ IPCCONF_CAP_FORK_INHERIT, "FORK_INHERIT" },
	{ IPCCONF_CAP_PEER_DEATH, "PEER_DEATH" },
	{ IPCCONF_CAP_SIGPIPE, "SIGPIPE" },
	{ IPCCONF_CAP_EINTR, "EINTR" },
};

static const void *table_of(const struct ipcconf_iut *iut, enum ipcconf_table_id id)
{
	switch (id) {
#define CASE_(tid, member, tag) \
	case IPCCONF_TABLE_##tid: return iut->member;
		IPCCONF_TABLES(CASE_)
#undef CASE_
	case IPCCONF_TABLE_COUNT: break;
	}
	return NULL;
}

static void name_caps(char *dst, size_t size, const struct ipcconf_table_desc *desc,
		      uint64_t missing)
{
	for (int bit = 0; bit < 63; bit++) {
		uint64_t cap = UINT64_C(1) << bit;
		if (!(missing & cap))
			continue;
		const char *name = NULL;
		for (const struct ipcconf_cap_ops *c = desc ? desc->caps : NULL; c && c->cap; c++)
			if (c->cap == cap)
				name = c->name;
		if (name)
			ipcconf_append(dst, size, "%s%s %s", dst[0] ? ", " : "",
				       desc->name, name);
		else
			ipcconf_append(dst, size, "%s%s capability bit %d", dst[0] ? ", " : "",
				       desc ? desc->name : "table", bit);
	}
}

void ipcconf_missing_needs(const struct ipcconf_loaded *impl, const struct ipcconf_clause *c,
			   char *dst, size_t size)
{
	dst[0] = '\0';
	char m[32];
	const struct ipcconf_mechanism *mech =
		ipcconf_find_mechanism(ipcconf_clause_mechanism(c, m, sizeof m));
	for (int id = 0; id < IPCCONF_TABLE_COUNT; id++) {
		uint64_t want = c->uses[id];
		if (mech && (mech->tables & (UINT32_C(1) << id)))
			want |= IPCCONF_USES_TABLE;
		if (!want)
			continue;
		const struct ipcconf_table_desc *desc = ipcconf_find_table((enum ipcconf_table_id)id);
		const struct ipcconf_table_head *head = table_of(impl->iut, (enum ipcconf_table_id)id);
		if (!head) {
			ipcconf_append(dst, size, "%sthe %s table", dst[0] ? ", " : "",
				       desc ? desc->name : "an unnamed");
			if (impl->table_problem[id][0])
				ipcconf_append(dst, size, " (%s)", impl->table_problem[id]);
			continue;
		}
		name_caps(dst, size, desc, want & ~IPCCONF_USES_TABLE & ~head->caps);
	}
	uint64_t missing = c->needs & ~impl->iut->caps;
	for (size_t i = 0; i < sizeof behaviour_names / sizeof behaviour_names[0]; i++)
		if (missing & behaviour_names[i].cap)
			ipcconf_append(dst, size, "%s%s", dst[0] ? ", " : "", behaviour_names[i].name);
}
