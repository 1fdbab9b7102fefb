/*
 * What signal clauses share (signal_support.h).  The record lives in an
 * anonymous shared mapping made by the clause process, so every helper it
 * forks writes to the same one; handlers only do atomic stores, the IUT's
 * async-signal-safe mask query, and a futex wake.
 */
#define _GNU_SOURCE
#include "conformance/signal/signal_support.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/proc_state.h"
#include "conformance/harness/sys.h"

struct sig_record {
	_Atomic uint32_t n;         /* events written (claimed) */
	_Atomic uint32_t done;      /* futex word: events complete */
	_Atomic uint32_t entered;   /* futex word: held handlers that started */
	_Atomic uint32_t released;  /* futex word: releases of held handlers */
	struct sig_event ev[SIG_MAX_EVENTS];
};

static struct sig_record *record;
static struct ipcconf_t *record_t;  /* for the handlers: the IUT and the deadline */
static unsigned depth;              /* this process's handlers running now */
static int hold_next;               /* this process: the next handler waits for a release */
static uint32_t releases_seen;

sigset_t sig_set(int sig, ...)
{
	sigset_t s;
	sigemptyset(&s);
	va_list ap;
	va_start(ap, sig);
	for (; sig != 0; sig = va_arg(ap, int))
		sigaddset(&s, sig);
	va_end(ap);
	return s;
}

uint64_t sig_bits(const sigset_t *set)
{
	uint64_t bits = 0;
	for (int sig = 1; sig <= 64; sig++)
		if (sigismember(set, sig) == 1)
			bits |= (uint64_t)1 << (sig - 1);
	return bits;
}

const char *sig_name(int sig, char buf[24])
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, 24, "SIGRTMIN+%d", sig - SIGRTMIN);
	else if (abbrev)
		snprintf(buf, 24, "SIG%s", abbrev);
	else
		snprintf(buf, 24, "signal %d", sig);
	return buf;
}

static void change_mask(struct ipcconf_t *t, int how, int sig)
{
	char n[24];
	sigset_t s = sig_set(sig, 0);
	int r = iut_sigmask(t, how, &s, NULL);
	if (r < 0)
		BROKEN(t, "mask(%s, {%s}) failed: %s", how == SIG_BLOCK ? "SIG_BLOCK" : "SIG_UNBLOCK",
		       sig_name(sig, n), strerror(-r));
}

void sig_block(struct ipcconf_t *t, int sig) { change_mask(t, SIG_BLOCK, sig); }
void sig_unblock(struct ipcconf_t *t, int sig) { change_mask(t, SIG_UNBLOCK, sig); }

uint64_t sig_mask_now(struct ipcconf_t *t)
{
	sigset_t old;
	sigemptyset(&old);
	int r = iut_sigmask(t, SIG_BLOCK, NULL, &old);
	if (r < 0)
		BROKEN(t, "mask(SIG_BLOCK, NULL, &old), a query, failed: %s", strerror(-r));
	return sig_bits(&old);
}

int sig_is_pending(struct ipcconf_t *t, int sig)
{
	sigset_t p;
	sigemptyset(&p);
	int r = iut_sigpending(t, &p);
	if (r < 0)
		BROKEN(t, "pending() failed: %s", strerror(-r));
	return sigismember(&p, sig) == 1;
}

void sig_begin(struct ipcconf_t *t)
{
	void *m = mmap(NULL, sizeof *record, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED)
		BROKEN(t, "mmap of the shared delivery record: %s", strerror(errno));
	record = m;
	record_t = t;
}

static void hold_if_asked(void)
{
	if (!hold_next)
		return;
	hold_next = 0;
	atomic_fetch_add(&record->entered, 1);
	ipcconf_futex_wake_all(&record->entered);
	uint32_t want = ++releases_seen;
	while (atomic_load(&record->released) < want)
		if (ipcconf_futex_wait(&record->released, atomic_load(&record->released),
				       record_t->page->deadline_ns) == -ETIMEDOUT)
			return;
}

static void note(int sig, const siginfo_t *si)
{
	if (!record)
		return;
	unsigned at = depth++;
	uint32_t i = atomic_fetch_add(&record->n, 1);
	if (i < SIG_MAX_EVENTS) {
		struct sig_event *e = &record->ev[i];
		sigset_t old;
		sigemptyset(&old);
		e->mask = iut_sigmask(record_t, SIG_BLOCK, NULL, &old) < 0 ? ~UINT64_C(0)
									   : sig_bits(&old);
		e->receiver = iut_self_pid(record_t);
		e->sig = sig;
		e->depth = at;
		if (si) {
			e->siginfo = 1;
			e->info_signo = si->si_signo;
			e->info_code = si->si_code;
			e->info_pid = si->si_pid;
			e->info_uid = si->si_uid;
			e->info_status = si->si_status;
			e->info_value = si->si_value.sival_int;
		}
	}
	hold_if_asked();
	atomic_fetch_add(&record->done, 1);
	ipcconf_futex_wake_all(&record->done);
	depth--;
}

static void record_siginfo(int sig, siginfo_t *si, void *ctx) { note(sig, si); }
static void record_plain(int sig) { note(sig, NULL); }

int sig_catch_with(struct ipcconf_t *t, int sig, int flags, uint64_t mask_bits)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s <= 64; s++)
		if (mask_bits & ((uint64_t)1 << (s - 1)))
			sigaddset(&sa.sa_mask, s);
	if (flags & SIG_PLAIN_HANDLER) {
		sa.sa_handler = record_plain;
		sa.sa_flags = flags & ~SIG_PLAIN_HANDLER;
	} else {
		sa.sa_sigaction = record_siginfo;
		sa.sa_flags = flags | SA_SIGINFO;
	}
	return iut_sigaction(t, sig, &sa, NULL);
}

void sig_catch(struct ipcconf_t *t, int sig, int flags)
{
	char n[24];
	int r = sig_catch_with(t, sig, flags, 0);
	if (r < 0)
		BROKEN(t, "action(%s, a recording handler) failed: %s", sig_name(sig, n),
		       strerror(-r));
}

static void set_disposition(struct ipcconf_t *t, int sig, void (*h)(int), const char *what)
{
	char n[24];
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = h;
	int r = iut_sigaction(t, sig, &sa, NULL);
	if (r < 0)
		BROKEN(t, "action(%s, %s) failed: %s", sig_name(sig, n), what, strerror(-r));
}

void sig_ignore(struct ipcconf_t *t, int sig) { set_disposition(t, sig, SIG_IGN, "SIG_IGN"); }
void sig_default(struct ipcconf_t *t, int sig) { set_disposition(t, sig, SIG_DFL, "SIG_DFL"); }

unsigned sig_events(void)
{
	if (!record)
		return 0;
	uint32_t n = atomic_load(&record->done);
	return n < SIG_MAX_EVENTS ? n : SIG_MAX_EVENTS;
}

const struct sig_event *sig_event(unsigned i) { return &record->ev[i]; }

unsigned sig_count_in(pid_t receiver, int sig)
{
	unsigned c = 0, n = sig_events();
	for (unsigned i = 0; i < n; i++)
		if (record->ev[i].sig == sig && (receiver == 0 || record->ev[i].receiver == receiver))
			c++;
	return c;
}

unsigned sig_count(int sig) { return sig_count_in(0, sig); }

void sig_await(struct ipcconf_t *t, int sig, unsigned count, const char *what)
{
	char n[24];
	for (;;) {
		uint32_t done = atomic_load(&record->done);
		if (sig_count(sig) >= count)
			return;
		if (ipcconf_futex_wait(&record->done, done, t->page->deadline_ns) == -ETIMEDOUT &&
		    sig_count(sig) < count) {
			FAIL(t, "timeout: %s: %s was delivered %u time(s), awaited %u", what,
			     sig_name(sig, n), sig_count(sig), count);
			ipcconf_exit(t);
		}
	}
}

void sig_hold_next_handler(void) { hold_next = 1; }

void sig_await_handler_entered(struct ipcconf_t *t, unsigned count, const char *what)
{
	for (;;) {
		uint32_t e = atomic_load(&record->entered);
		if (e >= count)
			return;
		if (ipcconf_futex_wait(&record->entered, e, t->page->deadline_ns) == -ETIMEDOUT &&
		    atomic_load(&record->entered) < count) {
			FAIL(t, "timeout: %s: the handler never started", what);
			ipcconf_exit(t);
		}
	}
}

void sig_release_handler(struct ipcconf_t *t)
{
	atomic_fetch_add(&record->released, 1);
	ipcconf_futex_wake_all(&record->released);
}

char sig_await_state(struct ipcconf_t *t, pid_t pid, const char *states, const char *what)
{
	int64_t backoff = 20 * 1000;
	char st = 0;
	for (;;) {
		st = ipcconf_proc_state(pid);
		if (st == 0)
			SKIP(t, "process states cannot be observed here: /proc/%d/stat is unreadable",
			     (int)pid);
		if (strchr(states, st))
			return st;
		if (ipcconf_now_ns() >= t->page->deadline_ns) {
			FAIL(t, "timeout: %s: process %d stayed in state %c, awaited one of \"%s\"",
			     what, (int)pid, st, states);
			ipcconf_exit(t);
		}
		ipcconf_sys_pause_ns(backoff, t->page->deadline_ns);
		if (backoff < 2 * 1000 * 1000)
			backoff *= 2;
	}
}

const char *sig_status_name(int status, char buf[64])
{
	char n[24];
	if (WIFEXITED(status))
		snprintf(buf, 64, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, 64, "killed by %s%s", sig_name(WTERMSIG(status), n),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, 64, "stopped by %s", sig_name(WSTOPSIG(status), n));
	else if (WIFCONTINUED(status))
		snprintf(buf, 64, "continued");
	else
		snprintf(buf, 64, "status 0x%x", status);
	return buf;
}
