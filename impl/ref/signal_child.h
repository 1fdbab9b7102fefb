/*
 * signal_child.h -- waitpid and waitid for ref's signal table
 * (signal_child.c).  The caller has entered the model (sigm_enter).
 */
#ifndef IPCCONF_REF_SIGNAL_CHILD_H
#define IPCCONF_REF_SIGNAL_CHILD_H

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

/* waitpid(2): the child's pid, 0 under WNOHANG, or -errno (-EINTR after a handler without SA_RESTART). */
pid_t sigm_wait_pid(pid_t pid, int *status, int options);

/* waitid(2): 0 with *info filled (si_pid 0 under WNOHANG when no child was ready), or -errno. */
int sigm_wait_id(idtype_t idtype, id_t id, siginfo_t *info, int options);

#endif /* IPCCONF_REF_SIGNAL_CHILD_H */
