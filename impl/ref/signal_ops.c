/*
 * ref's `signal` table (ipcconf/iut.h): each operation enters the model
 * (registering the process on first use), does its part on the process's
 * own state or a target's, and delivers what that made deliverable before
 * it returns.  The model is described in ref_iut.h (SIGNALS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "impl/ref/ref_variant.h"
#include "impl/ref/signal_child.h"
#include "impl/ref/signal_model.h"
#include "impl/ref/tables.h"

typedef const struct ipcconf_iut iut_t;

static bool valid_sig(int sig)
{
	return sig >= 1 && sig <= SIGM_NSIG;
}

static uint64_t bits_of(const sigset_t *set)
{
	uint64_t bits = 0;

	for (int sig = 1; sig <= SIGM_NSIG; sig++)
		if (sigismember(set, sig) == 1)
			bits |= sigm_bit(sig);
	return bits;
}

static void set_of(uint64_t bits, sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig <= SIGM_NSIG; sig++)
		if (bits & sigm_bit(sig))
			sigaddset(set, sig);
}

/* What every sender tells its receiver: who it is. */
static struct sigm_send request(int sig, int code)
{
	struct sigm_send req = {
		.sig = sig,
		.info = { .code = code, .pid = getpid(), .uid = getuid() },
	};
	return req;
}

static pid_t ref_self_pid(iut_t *self)
{
	return getpid();
}

static int ref_kill(iut_t *self, pid_t pid, int sig)
{
	struct sigm_send req = request(sig, SI_USER);
	int r;

	if (sig != 0 && !valid_sig(sig))
		return -EINVAL;
	r = sigm_enter();
	if (r < 0)
		return r;
	r = sigm_send(pid, &req);
	/* A signal to the own process (or group) is delivered before kill() returns. */
	sigm_deliver();
	return r;
}

static int ref_raise(iut_t *self, int sig)
{
	/* glibc's raise() is tgkill(): the receiver sees SI_TKILL. */
	struct sigm_send req = request(sig, SI_TKILL);
	int r;

	if (sig != 0 && !valid_sig(sig))
		return -EINVAL;
	r = sigm_enter();
	if (r < 0)
		return r;
	r = sigm_send(getpid(), &req);
	sigm_deliver();
	return r;
}

static int ref_action(iut_t *self, int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction prev;
	sigset_t saved;
	int r;

	/* glibc refuses its own signals, as the kernel refuses a new action for SIGKILL and SIGSTOP. */
	if (!valid_sig(sig) || (sigm_bit(sig) & SIGM_LIBC_INTERNAL))
		return -EINVAL;
	if (act != NULL && (sigm_bit(sig) & SIGM_UNBLOCKABLE))
		return -EINVAL;
	r = sigm_enter();
	if (r < 0)
		return r;
	prev = sigm_me.act[sig];
	if (act != NULL) {
		struct sigaction a = *act;
		struct sigm_slot *s;

		sigdelset(&a.sa_mask, SIGKILL);
		sigdelset(&a.sa_mask, SIGSTOP);
		s = sigm_lock(sigm_me.slot, &saved);
		sigm_me.act[sig] = a;
		atomic_store(&s->ignored, sigm_ignored_bits());
		/* POSIX 2.4.1: an action that ignores discards what is pending, blocked or not. */
		if (sigm_ignored_bits() & sigm_bit(sig))
			sigm_flush(s, sigm_bit(sig));
		if (sig == SIGCHLD)
			sigm_mirror_sigchld();
		sigm_unlock(sigm_me.slot, &saved);
	}
	if (old != NULL)
		*old = prev;
	return 0;
}

static int ref_mask(iut_t *self, int how, const sigset_t *set, sigset_t *old)
{
	uint64_t cur, bits;
	struct sigm_slot *s;
	sigset_t saved;
	int r;

	if (set == NULL) {
		/* A query: handlers make it, so no lock, no registration, just the private word. */
		if (old != NULL)
			set_of(atomic_load(&sigm_me.mask), old);
		return 0;
	}
	if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	r = sigm_enter();
	if (r < 0)
		return r;
	bits = bits_of(set) & ~SIGM_UNBLOCKABLE & ~SIGM_LIBC_INTERNAL;
	s = sigm_lock(sigm_me.slot, &saved);
	cur = atomic_load(&sigm_me.mask);
	if (how == SIG_BLOCK)
		sigm_set_mask_locked(s, cur | bits);
	else if (how == SIG_UNBLOCK)
		sigm_set_mask_locked(s, cur & ~bits);
	else
		sigm_set_mask_locked(s, bits);
	sigm_unlock(sigm_me.slot, &saved);
	if (old != NULL)
		set_of(cur, old);
	/* sigprocmask(): what it unblocked is delivered before it returns. */
	sigm_deliver();
	return 0;
}

static int ref_pending(iut_t *self, sigset_t *set)
{
	struct sigm_slot *s;
	sigset_t saved;
	uint64_t bits;
	int r = sigm_enter();

	if (r < 0)
		return r;
	sigm_deliver();
	s = sigm_lock(sigm_me.slot, &saved);
	bits = sigm_pending_bits(s) & atomic_load(&sigm_me.mask);
	sigm_unlock(sigm_me.slot, &saved);
	set_of(bits, set);
	return 0;
}

static int ref_queue(iut_t *self, pid_t pid, int sig, union sigval value)
{
	struct sigm_send req = request(sig, SI_QUEUE);
	int r;

	if (sig != 0 && !valid_sig(sig))
		return -EINVAL;
	/* rt_sigqueueinfo() names one process: no groups. */
	if (pid <= 0)
		return -ESRCH;
	r = sigm_enter();
	if (r < 0)
		return r;
	req.info.value = (uint64_t)(uintptr_t)value.sival_ptr;
	req.queue = true;
	req.qmax = ref_variant_of(self)->sigqueue_max;
	r = sigm_send(pid, &req);
	sigm_deliver();
	return r;
}

static void fill_info(siginfo_t *info, int sig, const struct sigm_info *mi)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = mi->code;
	info->si_pid = mi->pid;
	info->si_uid = mi->uid;
	if (sig == SIGCHLD && mi->code > 0)
		info->si_status = mi->status;
	else
		info->si_value.sival_ptr = (void *)(uintptr_t)mi->value;
}

/* Under the own lock: the wait set in force (it counts as blocked), or none. */
static void set_waitset(uint64_t bits)
{
	sigset_t saved;
	struct sigm_slot *s = sigm_lock(sigm_me.slot, &saved);

	sigm_me.waitset = bits;
	sigm_set_mask_locked(s, atomic_load(&sigm_me.mask));
	sigm_unlock(sigm_me.slot, &saved);
}

static int take(uint64_t bits, struct sigm_info *mi)
{
	sigset_t saved;
	struct sigm_slot *s = sigm_lock(sigm_me.slot, &saved);
	int sig = sigm_take(s, bits, mi);

	sigm_unlock(sigm_me.slot, &saved);
	return sig;
}

static int ref_wait(iut_t *self, const sigset_t *set, siginfo_t *info,
		    const struct timespec *timeout)
{
	int64_t deadline = INT64_MAX;
	struct sigm_info mi;
	struct sigm_slot *s;
	uint64_t bits;
	unsigned runs;
	int r, sig = 0;

	if (timeout != NULL) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)
			return -EINVAL;
		deadline = sigm_now_ns();
		if (timeout->tv_sec > (INT64_MAX - deadline) / 1000000000 - 1)
			deadline = INT64_MAX;
		else
			deadline += (int64_t)timeout->tv_sec * 1000000000 + timeout->tv_nsec;
	}
	r = sigm_enter();
	if (r < 0)
		return r;
	bits = bits_of(set) & ~SIGM_UNBLOCKABLE;
	s = &sigm_region->slot[sigm_me.slot];
	/* The waited set counts as blocked: its signals wait for us, not for a handler. */
	set_waitset(bits);
	runs = atomic_load(&sigm_me.runs);
	for (;;) {
		uint32_t seen = atomic_load(&s->wake);

		sig = take(bits, &mi);
		if (sig != 0)
			break;
		/* sigtimedwait() is never restarted after a handler, SA_RESTART or not. */
		if (atomic_load(&sigm_me.runs) != runs) {
			r = -EINTR;
			break;
		}
		if (sigm_sleep(seen, deadline) == -ETIMEDOUT) {
			sig = take(bits, &mi);
			r = -EAGAIN;
			break;
		}
		sigm_deliver();
	}
	set_waitset(0);
	if (sig == 0)
		return r;
	if (info != NULL)
		fill_info(info, sig, &mi);
	return sig;
}

static int ref_suspend(iut_t *self, const sigset_t *mask)
{
	uint64_t bits = bits_of(mask) & ~SIGM_UNBLOCKABLE & ~SIGM_LIBC_INTERNAL;
	struct sigm_slot *s;
	sigset_t saved;
	unsigned runs;
	int r = sigm_enter();

	if (r < 0)
		return r;
	s = sigm_lock(sigm_me.slot, &saved);
	/* The first handler's return puts the caller's mask back (signal_deliver.c). */
	sigm_me.restore_mask = atomic_load(&sigm_me.mask);
	sigm_me.restore_pending = true;
	sigm_set_mask_locked(s, bits);
	runs = atomic_load(&sigm_me.runs);
	sigm_unlock(sigm_me.slot, &saved);
	for (;;) {
		uint32_t seen = atomic_load(&s->wake);

		sigm_deliver();
		if (atomic_load(&sigm_me.runs) != runs)
			break;
		sigm_sleep(seen, INT64_MAX);
	}
	s = sigm_lock(sigm_me.slot, &saved);
	if (sigm_me.restore_pending) {
		/* The handler ran from a frame set up before the new mask (it cannot, but be safe). */
		sigm_set_mask_locked(s, sigm_me.restore_mask);
		sigm_me.restore_pending = false;
	}
	sigm_unlock(sigm_me.slot, &saved);
	return -EINTR;
}

static int ref_pause(iut_t *self)
{
	struct sigm_slot *s;
	unsigned runs;
	int r = sigm_enter();

	if (r < 0)
		return r;
	s = &sigm_region->slot[sigm_me.slot];
	runs = atomic_load(&sigm_me.runs);
	for (;;) {
		uint32_t seen = atomic_load(&s->wake);

		sigm_deliver();
		if (atomic_load(&sigm_me.runs) != runs)
			return -EINTR;
		sigm_sleep(seen, INT64_MAX);
	}
}

static pid_t ref_wait_pid(iut_t *self, pid_t pid, int *status, int options)
{
	int r = sigm_enter();

	return r < 0 ? r : sigm_wait_pid(pid, status, options);
}

static int ref_wait_id(iut_t *self, idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	int r = sigm_enter();

	return r < 0 ? r : sigm_wait_id(idtype, id, info, options);
}

const struct ipcconf_signal_ops ref_signal_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_signal_ops,
				   IPCCONF_SIGNAL_CAP_QUEUE | IPCCONF_SIGNAL_CAP_WAIT |
					   IPCCONF_SIGNAL_CAP_SUSPEND | IPCCONF_SIGNAL_CAP_CHILD |
					   IPCCONF_SIGNAL_CAP_STOP | IPCCONF_SIGNAL_CAP_CORE |
					   IPCCONF_SIGNAL_CAP_CREDENTIALS),
	.self_pid = ref_self_pid,
	.kill = ref_kill,
	.raise = ref_raise,
	.action = ref_action,
	.mask = ref_mask,
	.pending = ref_pending,
	.queue = ref_queue,
	.wait = ref_wait,
	.suspend = ref_suspend,
	.pause = ref_pause,
	.wait_pid = ref_wait_pid,
	.wait_id = ref_wait_id,
};
