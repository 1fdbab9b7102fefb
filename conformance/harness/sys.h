/*
 * sys.h -- the harness's own signal and process plumbing, by raw system
 * calls.
 *
 * The signal mechanism is judged through `os`, which is the C library; an
 * interposed or broken C library (LD_PRELOAD, a sandbox's shim) must make
 * signal clauses FAIL, never slow or break the harness.  So reaping,
 * waiting, killing, masking and installing the harness's handlers never go
 * through the C library's kill, sigaction, sigprocmask, sigtimedwait,
 * waitpid or their relatives; they go through syscall(2) here.
 */
#ifndef IPCCONF_HARNESS_SYS_H
#define IPCCONF_HARNESS_SYS_H

#include <stdint.h>
#include <sys/types.h>

/* A kernel signal set: bit (sig - 1) for signal sig, as rt_sigprocmask takes it. */
typedef uint64_t ipcconf_sigset;

static inline ipcconf_sigset ipcconf_sigbit(int sig)
{
	return (ipcconf_sigset)1 << (sig - 1);
}

/* kill(2); 0 or -errno. */
int ipcconf_sys_kill(pid_t pid, int sig);

/* rt_sigprocmask(2) of the calling thread; `old` may be NULL.  0 or -errno. */
int ipcconf_sys_sigmask(int how, const ipcconf_sigset *set, ipcconf_sigset *old);

/* rt_sigpending(2).  0 or -errno. */
int ipcconf_sys_sigpending(ipcconf_sigset *set);

/*
 * rt_sigaction(2): installs `handler` (or SIG_DFL/SIG_IGN) with `flags`
 * (SA_RESTART, ...) and `mask`.  0 or -errno.
 */
int ipcconf_sys_sigaction(int sig, void (*handler)(int), int flags, ipcconf_sigset mask);

/* Every catchable signal back to its default action, and an empty mask. */
void ipcconf_sys_reset_signals(void);

/*
 * Waits until child `pid` has ended or the CLOCK_MONOTONIC deadline
 * passes, then reaps it.  Returns 1 with its wait status, 0 at the
 * deadline (the child keeps running), or -errno (-ECHILD: not our child,
 * or already reaped by an ignored SIGCHLD).  Uses pidfd_open(2) and
 * poll(2); where pidfd_open is missing (old kernels, some sandboxes) it
 * polls waitid(WNOHANG) with a bounded backoff.
 */
int ipcconf_sys_wait_child(pid_t pid, int *status, int64_t deadline_ns);

/* pidfd_open(2): a descriptor that polls readable once `pid` ends, or -errno. */
int ipcconf_sys_pidfd_open(pid_t pid);

/*
 * Pauses `ns` (at most until the deadline): only the fallback where no
 * pidfd can be had, polling for processes already sent SIGKILL.
 */
void ipcconf_sys_pause_ns(int64_t ns, int64_t deadline_ns);

/* Reaps any one ended child without waiting: its pid, 0 if none ended, or -errno. */
pid_t ipcconf_sys_reap_any(int *status);

#endif /* IPCCONF_HARNESS_SYS_H */
