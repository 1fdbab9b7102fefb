/* process.h -- what the harness's own sources share about clause processes. */
#ifndef IPCCONF_HARNESS_PROCESS_H
#define IPCCONF_HARNESS_PROCESS_H

#include <sys/types.h>

#include "conformance/harness/clause.h"

/* The step helper `pid` recorded last, for messages about it. */
const char *ipcconf_step_of(struct ipcconf_t *t, pid_t pid);

#endif
