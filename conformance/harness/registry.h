/* registry.h -- the clauses compiled into this binary, and selecting among them. */
#ifndef IPCCONF_HARNESS_REGISTRY_H
#define IPCCONF_HARNESS_REGISTRY_H

#include <stddef.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/mechanism.h"

/* The mechanism of a clause: its id up to the first dot, copied into buf. */
const char *ipcconf_clause_mechanism(const struct ipcconf_clause *c, char *buf, size_t size);

/*
 * The registered clauses (table rows expanded), sorted by mechanism and
 * then by source position; *n receives the count.  Allocated once, kept.
 * Returns NULL with a message in `err` when the set is inconsistent: an id
 * defined twice, an id whose mechanism is not registered, a function name
 * that is not derived from its id.
 */
const struct ipcconf_clause *const *ipcconf_all_clauses(size_t *n, char *err, size_t errsize);

/*
 * Checks one clause against the rules above (except duplicates); returns
 * NULL or a message in `err`.
 */
const char *ipcconf_clause_problem(const struct ipcconf_clause *c, char *err, size_t errsize);

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

/* Checks a mechanism list; returns the first unregistered name (in buf) or NULL. */
const char *ipcconf_unknown_mechanism(const char *mechanisms, char *buf, size_t size);

/* "pipe, fifo" : the registered mechanisms' names, in report order. */
const char *ipcconf_mechanism_names(char *buf, size_t size);

#endif
