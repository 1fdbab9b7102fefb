#ifndef IPCCONF_IMPL_OS_QUEUES_H
#define IPCCONF_IMPL_OS_QUEUES_H

#include "ipcconf/iut.h"

/* The C library's System V (os_msgq.c) and POSIX (os_mq.c) message queues. */
extern const struct ipcconf_msgq_ops os_msgq;
extern const struct ipcconf_mq_ops os_mq;

#endif
