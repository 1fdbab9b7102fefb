/*
 * signal_model.h -- what the files of ref's `signal` table share: the
 * model's state in shared memory, the calling process's private state,
 * and one function per job.  The design is in ref_iut.h (SIGNALS).
 *
 *   signal_region.c   the shared table of processes: slots, claim, lookup
 *   signal_proc.c     what /proc says of a process (start time, group)
 *   signal_pend.c     pending signals and the real-time queue of a slot
 *   signal_deliver.c  delivery: frames, handlers, default actions, sleeps
 *   signal_doorbell.c the real signals the model uses: doorbell, SIGCHLD
 *   signal_send.c     generation: kill and sigqueue to a pid or a group
 *   signal_fork.c     registration: first use, and fork()
 *   signal_child.c    waitpid and waitid
 *   signal_ops.c      the table of ipcconf/iut.h
 *
 * Everything here may be called from the model's real handlers, so it is
 * async-signal-safe unless it says otherwise: system calls, atomics and
 * futexes, no malloc, no stdio.
 */
#ifndef IPCCONF_REF_SIGNAL_MODEL_H
#define IPCCONF_REF_SIGNAL_MODEL_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Signals 1..64, the kernel's _NSIG on every architecture ref runs on. */
#define SIGM_NSIG 64
/* Signals below this are standard (one pending bit); from it on real-time (queued), as the kernel counts. */
#define SIGM_FIRST_RT 32
/* The table of processes. */
#define SIGM_SLOTS 1024
/* Queued real-time instances a process can hold; sigqueue also obeys the receiver's RLIMIT_SIGPENDING. */
#define SIGM_QUEUE_CAP 1024
/*
 * The doorbell: the real signal a sender sends after it has changed the
 * target's state, whose real handler (signal_doorbell.c) carries out the
 * delivery.  The kernel's last real-time signal (glibc's SIGRTMAX), so that
 * the doorbells of several senders queue instead of merging; the modelled
 * signal of that number is modelled like any other.
 */
#define SIGM_DOORBELL 64

static inline uint64_t sigm_bit(int sig)
{
	return UINT64_C(1) << (sig - 1);
}

/* Signals no mask blocks and no action catches. */
#define SIGM_UNBLOCKABLE (sigm_bit(SIGKILL) | sigm_bit(SIGSTOP))
/* glibc's own signals (SIGCANCEL, SIGSETXID): its sigaction refuses them and its masks drop them. */
#define SIGM_LIBC_INTERNAL (sigm_bit(32) | sigm_bit(33))
#define SIGM_STOPS (sigm_bit(SIGSTOP) | sigm_bit(SIGTSTP) | sigm_bit(SIGTTIN) | sigm_bit(SIGTTOU))
#define SIGM_STD_BITS ((UINT64_C(1) << (SIGM_FIRST_RT - 1)) - 1)

/* ---- shared state (signal_region.c) ----------------------------------- */

/* What a delivery tells a handler through siginfo_t. */
struct sigm_info {
	int32_t code;    /* si_code: SI_USER, SI_QUEUE, SI_TKILL, CLD_* */
	int32_t pid;     /* si_pid */
	uint32_t uid;    /* si_uid */
	int32_t status;  /* si_status (SIGCHLD) */
	uint64_t value;  /* si_value.sival_ptr, as an integer */
};

/* One queued instance of a real-time signal. */
struct sigm_entry {
	uint32_t sig;
	uint32_t reserved;
	struct sigm_info info;
};

/*
 * Whose a slot is.  Read without a lock to find a target's slot, and
 * written only by a claimer holding both the region's claim lock and the
 * slot's lock, so that the identity checked under the slot lock holds
 * while that lock is held.  start: /proc/PID/stat's starttime, which
 * tells a reused pid from the process that had it.
 */
struct sigm_dir {
	_Atomic int32_t pid; /* 0: free */
	_Atomic uint32_t reserved;
	_Atomic uint64_t start;
};

/*
 * One process's signal state as its senders need it.  Every field but
 * `wake` is read and written under `lock` (sync_lock.h), and by every
 * reader copied once into private memory and checked before use: a peer
 * can write anything here.
 */
struct sigm_slot {
	_Atomic uint32_t lock;
	_Atomic uint32_t wake;     /* futex word: bumped on every change a sleeper may want */
	_Atomic uint32_t rung;     /* a doorbell is on its way and not yet answered */
	_Atomic uint32_t armed;    /* the process has the model's real handlers installed */
	_Atomic uint64_t blocked;  /* the mask, with the set a `wait` is taking */
	_Atomic uint64_t ignored;  /* whose action discards them (SIG_IGN, or SIG_DFL of an Ign default) */
	_Atomic uint64_t std_pending; /* standard signals pending, bit sig-1 */
	_Atomic uint32_t qcount;   /* queue[0..qcount) in order of arrival */
	uint32_t reserved;
	struct sigm_info std_info[SIGM_FIRST_RT - 1]; /* for each pending standard signal */
	struct sigm_entry queue[SIGM_QUEUE_CAP];
};

struct sigm_region {
	_Atomic uint32_t claim_lock; /* serialises claims of slots */
	_Atomic uint32_t cursor;     /* where the next claim starts looking */
	struct sigm_dir dir[SIGM_SLOTS];
	struct sigm_slot slot[SIGM_SLOTS];
};

/* The region, mapped (shared, anonymous) by sigm_init() before anything forks; NULL: none. */
extern struct sigm_region *sigm_region;

/* Maps the region (sigm_init's first half). */
void sigm_region_map(void);

/*
 * The first slot of `pid` whose start time is `start` (0: any), by a scan
 * without locks; -1 when there is none.  Check the identity again under
 * the slot's lock (sigm_slot_is).
 */
int sigm_lookup(pid_t pid, uint64_t start);

/* What a new slot starts with. */
struct sigm_seed {
	uint64_t blocked, ignored;
	bool armed;
};

/*
 * The slot of (pid, start): the existing one, or a free one, or one whose
 * process is gone, filled from `seed` with nothing pending.  -EAGAIN when
 * every slot belongs to a live process.  Not async-signal-safe only in
 * that it may read /proc of many processes.
 */
int sigm_claim(pid_t pid, uint64_t start, const struct sigm_seed *seed);

/* Takes slot i's lock, first blocking the model's real signals (restored by sigm_unlock). */
struct sigm_slot *sigm_lock(int i, sigset_t *saved);
void sigm_unlock(int i, const sigset_t *saved);

/* Under slot i's lock: it still belongs to (pid, start). */
bool sigm_slot_is(int i, pid_t pid, uint64_t start);

/* ---- /proc (signal_proc.c) --------------------------------------------- */

struct sigm_stat {
	char state;      /* R, S, D, T, t, Z, X, ... */
	pid_t ppid, pgrp;
	uint64_t start;  /* starttime, clock ticks since boot */
};

/* /proc/PID/stat of pid (0: the calling process): 0, or -errno (-ESRCH: gone). */
int sigm_proc_stat(pid_t pid, struct sigm_stat *st);

/* Calls fn for every process /proc lists; 0, or -errno when /proc cannot be read. */
int sigm_proc_each(void (*fn)(pid_t pid, void *ctx), void *ctx);

/* A process that can no longer act on a signal: gone, or a zombie. */
bool sigm_proc_dead(pid_t pid, uint64_t start);

/* ---- pending signals of a slot, under its lock (signal_pend.c) -------- */

enum sigm_post_result {
	SIGM_POSTED,    /* pending now */
	SIGM_DROPPED,   /* discarded: ignored, or a standard signal already pending */
	SIGM_FULL,      /* a queued signal over the limit */
};

/*
 * Generation of sig for the slot's process: SIGCONT discards pending stop
 * signals and a stop signal pending SIGCONT; an unblocked signal whose
 * action is to ignore it is discarded; a standard signal already pending
 * is not pending twice; a real-time one queues, up to qlimit instances.
 */
enum sigm_post_result sigm_post(struct sigm_slot *s, int sig, const struct sigm_info *info,
				unsigned qlimit);

/* Every signal pending, as bits. */
uint64_t sigm_pending_bits(struct sigm_slot *s);

/*
 * Takes the signal the kernel would take next among `allowed` (the
 * synchronous ones first, then the lowest number; a real-time signal's
 * oldest instance); 0 when none is pending.
 */
int sigm_take(struct sigm_slot *s, uint64_t allowed, struct sigm_info *info);

/* Discards every pending instance of the signals in bits. */
void sigm_flush(struct sigm_slot *s, uint64_t bits);

/* ---- the calling process (signal_fork.c, signal_deliver.c) ------------- */

/*
 * The process's own model state: private memory, so a fork child inherits
 * it, as it inherits dispositions and mask.  Handlers (act) are only ever
 * called in the process that installed them, so they never leave it.
 */
struct sigm_self {
	pid_t pid;          /* the process registered in `slot`; not getpid(): not registered */
	int slot;
	uint64_t start;
	_Atomic uint64_t mask;    /* the modelled mask */
	uint64_t waitset;         /* signals a `wait` in progress takes */
	bool restore_pending;     /* suspend: the first handler frame returns to restore_mask */
	uint64_t restore_mask;
	struct sigaction act[SIGM_NSIG + 1];
	_Atomic unsigned runs;          /* modelled handlers started */
	_Atomic unsigned interrupts;    /* of those, without SA_RESTART */
};

extern struct sigm_self sigm_me;

/* Maps the region and registers the fork handlers: once, from the entry functions. */
void sigm_init(void);

/*
 * The calling process's slot, registering and arming the process on its
 * first use of the table; -errno when the model is unavailable.  Every
 * operation starts with it.
 */
int sigm_enter(void);

/* The calling process is registered (for the real handlers). */
static inline bool sigm_registered(pid_t self)
{
	return sigm_me.pid == self && sigm_me.pid != 0;
}

/* ---- the model's real signals (signal_doorbell.c) ---------------------- */

/* Installs the real doorbell and SIGCHLD handlers (called with the own slot locked). */
void sigm_arm(void);

/* Puts the modelled SIGCHLD's SIG_IGN and SA_NOCLDWAIT onto the real SIGCHLD (the kernel reaps). */
void sigm_mirror_sigchld(void);

/* Blocks the doorbell and SIGCHLD, saving the mask. */
void sigm_block_ours(sigset_t *saved);
void sigm_restore_mask(const sigset_t *saved);

/* Bumps a slot's wake word and wakes its sleeper. */
void sigm_wake(struct sigm_slot *s);

/* ---- delivery (signal_deliver.c) --------------------------------------- */

enum sigm_default { SIGM_TERM, SIGM_CORE, SIGM_STOP, SIGM_CONT, SIGM_IGN };

enum sigm_default sigm_default_action(int sig);

/* The signals whose current action discards them (SIG_IGN, or an Ign/Cont default). */
uint64_t sigm_ignored_bits(void);

/* Sets the modelled mask and publishes it (with the wait set) in the locked own slot. */
void sigm_set_mask_locked(struct sigm_slot *s, uint64_t mask);

/*
 * Delivers what is pending and deliverable, as the kernel does on a return
 * to user mode: takes each signal, lowest first; discards ignored ones;
 * carries out Term, Core and Stop for real (signal_deliver.c); sets up a
 * handler frame for each caught one (its mask in force at once), and then
 * runs the handlers, last set up first, each followed by another delivery
 * under the mask its return restores.
 */
void sigm_deliver(void);

/*
 * Sleeps until the own slot's wake word moves from `seen` or deadline_ns
 * (CLOCK_MONOTONIC; INT64_MAX: none) passes.  The real handlers run
 * meanwhile.  -ETIMEDOUT, or 0.
 */
int sigm_sleep(uint32_t seen, int64_t deadline_ns);

int64_t sigm_now_ns(void);

/* ---- generation (signal_send.c) ---------------------------------------- */

struct sigm_send {
	int sig;
	struct sigm_info info;
	bool queue;        /* sigqueue: -EAGAIN past the limit */
	unsigned qmax;     /* the variant's own queue limit (sigqueue) */
};

/* kill(2)'s targets: pid > 0, 0 (own group), -1 (every process of the model), < -1 (a group). */
int sigm_send(pid_t pid, const struct sigm_send *req);

/* A signal the process generates for itself without a sender (the translated real SIGCHLD). */
void sigm_post_self(int sig, const struct sigm_info *info);

/* ---- the table (signal_ops.c) ------------------------------------------ */

#endif /* IPCCONF_REF_SIGNAL_MODEL_H */
