/*
 * selftest_block_test.c -- block.h judged with fake "calls" whose
 * behaviour is known: one that naps, one that waits for the clause's
 * release, one that returns at once, one that never returns.  Only the
 * second may PASS; harness_selftest.sh checks each verdict and message.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "conformance/harness/block.h"

/*
 * A nap shorter than block.h's grace period, then a return without any
 * releasing action: the implementation that "blocks a little" which the
 * grace period exists to catch.  This is the one place where a sleep is
 * the point.  It is scaled like the grace period, so it stays inside it
 * under --timeout-mul, while being as long as possible so that the clause
 * is sure to see the helper asleep before the nap ends.
 */
static long long nap_then_return(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	long long ns = (long long)(30e6 * ipcconf_timeout_mul(t));
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
	return 0;
}

CLAUSE(selftest_block_nap,
       .id = "selftest.block.nap",
       .title = "a call that sleeps 30 ms and returns unreleased FAILs: it did not block",
       .cites = "ipcconf harness: block.h (the grace period)",
       .timeout_ms = 1000)
{
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a 30 ms nap", .call = nap_then_return });
	/* block.h must end the clause here with a FAIL: the nap returns within the grace. */
	ipcconf_block_release(t, &b);
	FAIL(t, "ipcconf_block_release() returned for a call that returned by itself");
}

/* A call that returns only once the clause posts checkpoint 0. */
static long long await_release(struct ipcconf_t *t, void *arg)
{
	(void)arg;
	ipcconf_await(t, 0, 1, "the clause's release (checkpoint 0)");
	return 7;
}

CLAUSE(selftest_block_released,
       .id = "selftest.block.released",
       .title = "a call that waits until the clause's releasing action PASSes",
       .cites = "ipcconf harness: block.h",
       .timeout_ms = 1000)
{
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a wait for checkpoint 0", .call = await_release });
	ipcconf_block_release(t, &b);
	ipcconf_post(t, 0);
	CHECK_EQ(t, ipcconf_block_end(t, &b), 7, "the released call's result");
}

static long long return_at_once(struct ipcconf_t *t, void *arg)
{
	(void)t;
	(void)arg;
	return 5;
}

CLAUSE(selftest_block_at_once,
       .id = "selftest.block.at_once",
       .title = "a call that returns at once FAILs: returned instead of blocking",
       .cites = "ipcconf harness: block.h",
       .timeout_ms = 1000)
{
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "an immediate return", .call = return_at_once });
	/* Not reached: ipcconf_block_begin() ends the clause with a FAIL. */
	FAIL(t, "ipcconf_block_begin() returned for a call that never blocked");
}

/*
 * A call that is asleep for good: it ignores the release.  pause() with
 * every signal at its default action returns only if a handler runs, and
 * none is installed.
 */
static long long never_return(struct ipcconf_t *t, void *arg)
{
	(void)t;
	(void)arg;
	while (pause() == -1)
		;
	return -1; /* not reached: pause() returns only -1 */
}

CLAUSE(selftest_block_never_returns,
       .id = "selftest.block.never_returns",
       .title = "a call that does not return after the release FAILs (timeout) within the clause's bound",
       .cites = "ipcconf harness: block.h (ipcconf_block_end)",
       .timeout_ms = 300)
{
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a call that never returns", .call = never_return });
	ipcconf_block_release(t, &b);
	ipcconf_post(t, 0); /* a releasing action, which this call ignores */
	ipcconf_block_end(t, &b);
	FAIL(t, "ipcconf_block_end() returned for a call that never returned");
}
