/*
 * signal_support.h -- what signal clauses share: calls into the
 * implementation's `signal` table, handlers that record every delivery
 * into memory shared by the clause's processes, and waits on what the
 * kernel shows of a process (/proc/PID/stat).
 *
 * Every signal clause starts with sig_begin(t), in the clause process
 * before it forks, so that helpers share the record.  A recording handler
 * notes, for each delivery: the receiving process, the signal, the
 * siginfo fields (SA_SIGINFO handlers), and the mask in force while it
 * ran, as the implementation's own `mask` query reports it.
 *
 *     sig_begin(t);
 *     sig_catch(t, SIGUSR1, 0);
 *     REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1)");
 *     CHECK_EQ(t, sig_count(SIGUSR1), 1, "SIGUSR1 deliveries");
 */
#ifndef IPCCONF_CONFORMANCE_SIGNAL_SUPPORT_H
#define IPCCONF_CONFORMANCE_SIGNAL_SUPPORT_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "conformance/harness/clause.h"

/* ---- the table ---- */

static inline pid_t iut_self_pid(struct ipcconf_t *t)
{
	return t->iut->signal->self_pid(t->self);
}

static inline int iut_kill(struct ipcconf_t *t, pid_t pid, int sig)
{
	return t->iut->signal->kill(t->self, pid, sig);
}

static inline int iut_raise(struct ipcconf_t *t, int sig)
{
	return t->iut->signal->raise(t->self, sig);
}

static inline int iut_sigaction(struct ipcconf_t *t, int sig, const struct sigaction *act,
				struct sigaction *old)
{
	return t->iut->signal->action(t->self, sig, act, old);
}

static inline int iut_sigmask(struct ipcconf_t *t, int how, const sigset_t *set, sigset_t *old)
{
	return t->iut->signal->mask(t->self, how, set, old);
}

static inline int iut_sigpending(struct ipcconf_t *t, sigset_t *set)
{
	return t->iut->signal->pending(t->self, set);
}

static inline int iut_sigqueue(struct ipcconf_t *t, pid_t pid, int sig, int value)
{
	return t->iut->signal->queue(t->self, pid, sig, (union sigval){ .sival_int = value });
}

static inline int iut_sigwait(struct ipcconf_t *t, const sigset_t *set, siginfo_t *info,
			      const struct timespec *timeout)
{
	return t->iut->signal->wait(t->self, set, info, timeout);
}

static inline int iut_sigsuspend(struct ipcconf_t *t, const sigset_t *mask)
{
	return t->iut->signal->suspend(t->self, mask);
}

static inline int iut_pause(struct ipcconf_t *t)
{
	return t->iut->signal->pause(t->self);
}

static inline pid_t iut_waitpid(struct ipcconf_t *t, pid_t pid, int *status, int options)
{
	return t->iut->signal->wait_pid(t->self, pid, status, options);
}

static inline int iut_waitid(struct ipcconf_t *t, idtype_t idtype, id_t id, siginfo_t *info,
			     int options)
{
	return t->iut->signal->wait_id(t->self, idtype, id, info, options);
}

/* ---- sets ---- */

/* A set of the listed signals, ended by 0: sig_set(SIGUSR1, SIGUSR2, 0). */
sigset_t sig_set(int sig, ...);
/* The set as 64 bits, bit (sig - 1) for sig, for messages and comparisons. */
uint64_t sig_bits(const sigset_t *set);
/* "SIGUSR1", "SIGRTMIN+3", "signal 0" (static storage per call site is not needed: buf). */
const char *sig_name(int sig, char buf[24]);

/* Blocks (SIG_BLOCK) or unblocks (SIG_UNBLOCK) the listed signals through the IUT; BROKEN on failure. */
void sig_block(struct ipcconf_t *t, int sig);
void sig_unblock(struct ipcconf_t *t, int sig);
/* The calling thread's mask through the IUT's query, as bits; BROKEN on failure. */
uint64_t sig_mask_now(struct ipcconf_t *t);
/* Whether the IUT's `pending` reports `sig`; BROKEN on failure. */
int sig_is_pending(struct ipcconf_t *t, int sig);

/* ---- the record of deliveries ---- */

#define SIG_MAX_EVENTS 512

struct sig_event {
	pid_t receiver;     /* self_pid() of the process whose handler ran */
	int sig;            /* the handler's first argument */
	int siginfo;        /* 1: an SA_SIGINFO handler, the info_* fields (siginfo_t's si_*) are set */
	int info_signo, info_code, info_status;
	pid_t info_pid;
	uid_t info_uid;
	int info_value;     /* si_value.sival_int */
	uint64_t mask;      /* the mask while the handler ran (IUT's query); ~0 if the query failed */
	unsigned depth;     /* handlers of this process running when it started (0: none) */
};

/* Makes the shared record; call first, in the clause process.  BROKEN on failure. */
void sig_begin(struct ipcconf_t *t);

/*
 * Installs, through the IUT, a handler that records each delivery of
 * `sig`: with `flags` (SA_SIGINFO is added: the record wants si_*; pass
 * SIG_PLAIN_HANDLER in flags for a one-argument sa_handler instead) and
 * sa_mask `mask_bits` (bit sig-1).  Returns the IUT's result.
 */
#define SIG_PLAIN_HANDLER (1 << 20) /* no SA_* bit (1 << 30 is Linux's SA_NODEFER) */
int sig_catch_with(struct ipcconf_t *t, int sig, int flags, uint64_t mask_bits);
/* sig_catch_with(t, sig, flags, 0), REQUIRE'd to succeed. */
void sig_catch(struct ipcconf_t *t, int sig, int flags);
/* SIG_IGN or SIG_DFL through the IUT, REQUIRE'd to succeed. */
void sig_ignore(struct ipcconf_t *t, int sig);
void sig_default(struct ipcconf_t *t, int sig);

/* Deliveries recorded so far, by all the clause's processes. */
unsigned sig_events(void);
const struct sig_event *sig_event(unsigned i);
/* Deliveries of `sig` recorded so far (receiver 0: any process). */
unsigned sig_count(int sig);
unsigned sig_count_in(pid_t receiver, int sig);

/*
 * Waits, bounded by the clause deadline, until `sig` has been recorded
 * `count` times in all; on timeout a FAIL naming `what`, and the caller
 * ends.
 */
void sig_await(struct ipcconf_t *t, int sig, unsigned count, const char *what);

/*
 * Lets the next handler to run in this process wait, inside the handler,
 * until the clause process calls sig_release_handler(): for clauses that
 * send a second signal while the first one's handler runs.  The handler
 * posts sig_handler_entered() first.
 */
void sig_hold_next_handler(void);
void sig_await_handler_entered(struct ipcconf_t *t, unsigned count, const char *what);
void sig_release_handler(struct ipcconf_t *t);

/* ---- processes, as the kernel shows them ---- */

/*
 * Waits, bounded by the clause deadline, until /proc/PID/stat shows one
 * of `states` ("T" stopped, "Z" zombie, "S" asleep, ...); returns the
 * state seen.  On timeout a FAIL naming `what` and the state last seen,
 * and the caller ends; unreadable /proc is a SKIP.
 */
char sig_await_state(struct ipcconf_t *t, pid_t pid, const char *states, const char *what);

/* A wait status in words: "exited 3", "killed by SIGTERM (core)", "stopped by SIGSTOP". */
const char *sig_status_name(int status, char buf[64]);

#endif /* IPCCONF_CONFORMANCE_SIGNAL_SUPPORT_H */
