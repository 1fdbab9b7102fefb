#ifndef IPCCONF_HARNESS_PROC_STATE_H
#define IPCCONF_HARNESS_PROC_STATE_H

#include <sys/types.h>

/* The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 if unreadable. */
char ipcconf_proc_state(pid_t pid);

#endif
