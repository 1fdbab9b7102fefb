#ifndef IPCCONF_IMPL_OS_IUT_H
#define IPCCONF_IMPL_OS_IUT_H

#include "ipcconf/iut.h"

/*
 * The built-in `os` implementation (the system's own primitives).  Pass
 * this pointer as `self`: one that wraps `os` calls it with os's own table.
 */
const struct ipcconf_iut *ipcconf_os_iut(void);

#endif
