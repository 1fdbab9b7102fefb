/* expect.h -- the --expect file: clauses an implementation is known to fail. */
#ifndef IPCCONF_HARNESS_EXPECT_H
#define IPCCONF_HARNESS_EXPECT_H

#include <stddef.h>

struct ipcconf_expectation {
	char *id;
	char *reason;
	int intermittent; /* the reason starts with IPCCONF_INTERMITTENT */
	int used;
};

/*
 * A reason starting with this marks a clause the implementation fails only
 * some of the time (a race inside it): a failure is XFAIL, a pass is PASS,
 * not XPASS, since one pass does not show the deviation gone.
 */
#define IPCCONF_INTERMITTENT "intermittent:"

/*
 * Reads FILE: one clause id per line, then whitespace, then the reason;
 * blank lines and lines starting with '#' are ignored.  Returns the count,
 * or -1 with a message naming the line in `err`.
 */
int ipcconf_read_expectations(const char *path, struct ipcconf_expectation **out,
			      char *err, size_t errsize);

#endif
