#ifndef IPCCONF_IMPL_OS_SOCKET_H
#define IPCCONF_IMPL_OS_SOCKET_H

#include "ipcconf/iut.h"

/* The C library's sockets (os_socket.c). */
extern const struct ipcconf_socket_ops os_socket;

#endif
