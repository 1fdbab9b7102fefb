/* loader.h -- finding the implementation under test: built-in or a plug-in. */
#ifndef IPCCONF_HARNESS_LOADER_H
#define IPCCONF_HARNESS_LOADER_H

#include <stddef.h>

#include "ipcconf/iut.h"

struct ipcconf_builtin {
	const char *name;
	ipcconf_iut_entry_fn entry;
};

/* Provided by the binary: the implementations linked in, NULL-terminated. */
extern const struct ipcconf_builtin ipcconf_builtins[];

struct ipcconf_loaded {
	/* What the entry function returned: every operation's `self`. */
	const struct ipcconf_iut *self;
	/*
	 * The checked copy: a table whose required members are missing is
	 * NULL here, and capabilities whose members are missing are dropped,
	 * so a clause may call every operation its capabilities promise.
	 */
	const struct ipcconf_iut *iut;
	/* Why a table the implementation provides could not be used ("" if it could). */
	char table_problem[IPCCONF_TABLE_COUNT][160];
};

/*
 * Resolves `spec`: a built-in name, or a path to a shared object exporting
 * IPCCONF_IUT_SYMBOL.  The table is checked (ABI version, sizes, required
 * members) and copied.  Returns 0, or -1 with a message in `err` on any
 * problem (the command line then exits with status 2).
 */
int ipcconf_load_iut(const char *spec, struct ipcconf_loaded *out, char *err, size_t errsize);

#endif
