/*
 * signals.c -- catching, ignoring and masking signals in a clause, by raw
 * system calls (sys.h): a clause about pipes must not depend on the C
 * library's signal functions, which the signal clauses judge.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/sys.h"

static atomic_uint caught[65];
/* The clause's shared page, where handlers also count, for ipcconf_await_caught(). */
static struct ipcconf_page *counting_page;

static void count_signal(int sig)
{
	if (sig <= 0 || sig > 64)
		return;
	atomic_fetch_add(&caught[sig], 1);
	if (counting_page) {
		atomic_fetch_add(&counting_page->caught[sig], 1);
		ipcconf_futex_wake_all(&counting_page->caught[sig]);
	}
}

static const char *name(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}

static void set_action(struct ipcconf_t *t, int sig, void (*handler)(int), int flags,
		       const char *what)
{
	int r = ipcconf_sys_sigaction(sig, handler, flags, 0);
	if (r < 0)
		BROKEN(t, "rt_sigaction(SIG%s, %s): %s", name(sig), what, strerror(-r));
}

void ipcconf_catch(struct ipcconf_t *t, int sig, int flags)
{
	atomic_store(&caught[sig], 0);
	counting_page = t->page;
	set_action(t, sig, count_signal, flags, "a counting handler");
}

unsigned ipcconf_caught(int sig)
{
	return sig > 0 && sig <= 64 ? atomic_load(&caught[sig]) : 0;
}

void ipcconf_await_caught(struct ipcconf_t *t, int sig, unsigned count, const char *what)
{
	_Atomic uint32_t *word = &t->page->caught[sig];
	for (;;) {
		uint32_t v = atomic_load(word);
		if (v >= count)
			return;
		if (ipcconf_futex_wait(word, v, t->page->deadline_ns) == -ETIMEDOUT) {
			FAIL(t, "timeout: %s: SIG%s was caught %u times, expected %u", what, name(sig),
			     v, count);
			ipcconf_exit(t);
		}
	}
}

void ipcconf_ignore(struct ipcconf_t *t, int sig)
{
	set_action(t, sig, SIG_IGN, 0, "SIG_IGN");
}

void ipcconf_default_action(struct ipcconf_t *t, int sig)
{
	set_action(t, sig, SIG_DFL, 0, "SIG_DFL");
}

static void change_mask(struct ipcconf_t *t, int how, int sig)
{
	ipcconf_sigset set = ipcconf_sigbit(sig);
	int r = ipcconf_sys_sigmask(how, &set, NULL);
	if (r < 0)
		BROKEN(t, "rt_sigprocmask(SIG%s): %s", name(sig), strerror(-r));
}

void ipcconf_block_signal(struct ipcconf_t *t, int sig)
{
	change_mask(t, SIG_BLOCK, sig);
}

void ipcconf_unblock_signal(struct ipcconf_t *t, int sig)
{
	change_mask(t, SIG_UNBLOCK, sig);
}

int ipcconf_signal_pending(struct ipcconf_t *t, int sig)
{
	ipcconf_sigset set = 0;
	int r = ipcconf_sys_sigpending(&set);
	if (r < 0)
		BROKEN(t, "rt_sigpending: %s", strerror(-r));
	return (set & ipcconf_sigbit(sig)) != 0;
}
