/* registry.h -- the clauses compiled into this binary, and selecting among them. */
#ifndef IPCCONF_HARNESS_REGISTRY_H
#define IPCCONF_HARNESS_REGISTRY_H

#include <stddef.h>

#include "conformance/harness/clause.h"

/* Every mechanism name, in report order, NULL-terminated. */
extern const char *const ipcconf_mechanisms[];

/* The mechanism of a clause: its id up to the first dot, copied into buf. */
const char *ipcconf_clause_mechanism(const struct ipcconf_clause *c, char *buf, size_t size);

/*
 * The registered clauses, sorted by mechanism and then by source position;
 * *n receives the count.  The array is allocated once and kept.
 */
const struct ipcconf_clause *const *ipcconf_all_clauses(size_t *n);

/*
 * Whether clause `c` is selected by a comma-separated mechanism list (NULL:
 * all) and a comma-separated list of clause patterns (NULL: all).  A
 * pattern with *, ? or [ is an fnmatch(3) glob; otherwise it selects every
 * id it is a prefix of ("pipe.read" selects "pipe.read.consumes", and
 * "pipe.read.eof" every end-of-file clause), as Bazel's --test_filter users
 * expect.
 */
int ipcconf_clause_selected(const struct ipcconf_clause *c, const char *mechanisms,
			    const char *patterns);

/* Checks a mechanism list; returns the first unknown name (in buf) or NULL. */
const char *ipcconf_unknown_mechanism(const char *mechanisms, char *buf, size_t size);

#endif
