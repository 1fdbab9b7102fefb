#ifndef IPCCONF_IMPL_OS_IUT_H
#define IPCCONF_IMPL_OS_IUT_H

#include "ipcconf/iut.h"

/* The built-in `os` implementation (the system's own primitives). */
const struct ipcconf_iut *ipcconf_os_iut(void);

#endif
