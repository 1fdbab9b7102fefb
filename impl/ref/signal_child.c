/*
 * waitpid and waitid of ref's signal table (signal_model.h).  Children
 * are real processes, so the kernel keeps their wait statuses; what the
 * model adds is the waiting: never a blocking real wait, whose EINTR
 * would follow the real handlers' SA_RESTART rather than the modelled
 * ones', but WNOHANG polls between model sleeps.  The real SIGCHLD handler
 * (signal_doorbell.c) wakes the sleep on every exit, stop and continue of
 * a child, and a modelled handler that ran ends it: with -EINTR when it
 * lacked SA_RESTART, as signal(7) says of wait calls; otherwise the wait
 * goes on.  With SA_NOCLDSTOP the kernel sends no notice of a stop or a
 * continue (signal_doorbell.c), so a wait for those looks again every
 * SYNC_SLICE_MS as well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "impl/ref/signal_child.h"
#include "impl/ref/signal_model.h"
#include "impl/sync/sync_waiter.h" /* SYNC_SLICE_MS */

/* One real wait that never blocks: > 0 a child, 0 none yet, -errno. */
typedef long (*poll_fn)(void *ctx);

static long wait_loop(poll_fn poll_once, void *ctx, bool nohang, bool stops)
{
	unsigned interrupts = atomic_load(&sigm_me.interrupts);
	struct sigm_slot *s = &sigm_region->slot[sigm_me.slot];

	for (;;) {
		/* The word before the look: a notice after the look ends the sleep. */
		uint32_t seen = atomic_load(&s->wake);
		long r = poll_once(ctx);
		bool unnoticed = stops && (sigm_me.act[SIGCHLD].sa_flags & SA_NOCLDSTOP);

		if (r != 0 || nohang)
			return r;
		sigm_sleep(seen, unnoticed ? sigm_now_ns() + SYNC_SLICE_MS * INT64_C(1000000)
					   : INT64_MAX);
		sigm_deliver();
		if (atomic_load(&sigm_me.interrupts) != interrupts)
			return -EINTR;
	}
}

struct pid_wait {
	pid_t pid;
	int options;
	int status;
};

static long poll_pid(void *ctx)
{
	struct pid_wait *w = ctx;
	pid_t r = waitpid(w->pid, &w->status, w->options | WNOHANG);

	return r < 0 ? -errno : r;
}

pid_t sigm_wait_pid(pid_t pid, int *status, int options)
{
	struct pid_wait w = { .pid = pid, .options = options };
	long r;

	sigm_deliver();
	r = wait_loop(poll_pid, &w, (options & WNOHANG) != 0,
		      (options & (WUNTRACED | WCONTINUED)) != 0);
	if (r > 0 && status != NULL)
		*status = w.status;
	return (pid_t)r;
}

struct id_wait {
	idtype_t idtype;
	id_t id;
	int options;
	siginfo_t info;
};

static long poll_id(void *ctx)
{
	struct id_wait *w = ctx;

	/* Linux zeroes what it does not fill; si_pid 0 says no child was ready. */
	memset(&w->info, 0, sizeof(w->info));
	if (waitid(w->idtype, w->id, &w->info, w->options | WNOHANG) < 0)
		return -errno;
	return w->info.si_pid != 0 ? 1 : 0;
}

int sigm_wait_id(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	struct id_wait w = { .idtype = idtype, .id = id, .options = options };
	long r;

	sigm_deliver();
	r = wait_loop(poll_id, &w, (options & WNOHANG) != 0,
		      (options & (WSTOPPED | WCONTINUED)) != 0);
	if (r < 0)
		return (int)r;
	if (info != NULL)
		*info = w.info;
	return 0;
}
