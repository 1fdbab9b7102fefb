/*
 * signal_core.h -- a core dump a clause may provoke: only where it would
 * land in the clause's private directory (which the runner removes), never
 * anywhere else on the machine.
 */
#ifndef IPCCONF_CONFORMANCE_SIGNAL_CORE_H
#define IPCCONF_CONFORMANCE_SIGNAL_CORE_H

#include <sys/resource.h>

#include "conformance/harness/clause.h"

/*
 * A fresh directory in the clause's private directory for a core, and in
 * *limit the soft RLIMIT_CORE the dumping helper should set.  SKIP when
 * core_pattern would send the dump elsewhere (a pipe, an absolute path,
 * unreadable), the hard limit is too small, or the process is not
 * dumpable.
 */
const char *sig_core_dir(struct ipcconf_t *t, rlim_t *limit);

/* In the helper that will dump: work in `dir` and allow a core of `limit` bytes. */
void sig_allow_core_in(struct ipcconf_t *t, const char *dir, rlim_t limit);

#endif
