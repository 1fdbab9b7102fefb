#ifndef IPCCONF_IMPL_OS_SIGNAL_H
#define IPCCONF_IMPL_OS_SIGNAL_H

#include "ipcconf/iut.h"

/* The C library's signal functions as the `signal` table (os_signal.c). */
extern const struct ipcconf_signal_ops os_signal;

#endif
