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

/*
 * Resolves `spec`: a built-in name, or a path to a shared object exporting
 * IPCCONF_IUT_SYMBOL.  The table is checked (ABI version, sizes, required
 * members) and copied; capabilities whose operations are missing are
 * dropped, so a clause may call every operation its capabilities promise.
 * Returns NULL with a message in `err` on any problem.
 */
const struct ipcconf_iut *ipcconf_load_iut(const char *spec, char *err, size_t errsize);

#endif
