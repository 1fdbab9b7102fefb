/*
 * Signal clauses: what a child made by fork() takes from its parent: the
 * signal mask and the dispositions, but not the pending signals.  The
 * state is set up and queried through the implementation in the parent
 * (the clause process), then queried and exercised in the child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

/*
 * POSIX.1-2017 XSH fork(): "The new process (child process) shall be an
 * exact copy of the calling process, except as detailed below", and the
 * details do not include the signal mask (the child's one thread is "a
 * replica of the calling thread"); XSH 2.4.1: a thread's signal mask
 * "shall be initialized from that of its parent or creating thread";
 * signal(7): "A child created via fork(2) inherits a copy of its parent's
 * signal mask".  Checked: with SIGUSR1 and SIGWINCH blocked in the parent,
 * the child's mask query reports exactly the parent's mask.
 */
CLAUSE(signal_fork_child_inherits_mask,
       .id = "signal.fork.child_inherits_mask",
       .title = "a forked child starts with its parent's signal mask",
       .cites = "POSIX.1-2017 XSH fork(), 2.4.1; fork(2); signal(7)")
{
	sig_begin(t);
	sig_block(t, SIGUSR1);
	sig_block(t, SIGWINCH);
	uint64_t parent = sig_mask_now(t);
	REQUIRE(t, (parent & (BIT(SIGUSR1) | BIT(SIGWINCH))) == (BIT(SIGUSR1) | BIT(SIGWINCH)),
		"the parent's mask after blocking SIGUSR1 and SIGWINCH holds them (mask %#llx)",
		(unsigned long long)parent);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		uint64_t child = sig_mask_now(t);
		CHECK(t, child == parent, "the child's mask is %#llx, the parent's was %#llx",
		      (unsigned long long)child, (unsigned long long)parent);
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the child");
}

/*
 * POSIX.1-2017 XSH fork(): the child is "an exact copy of the calling
 * process, except as detailed below", and signal actions are not among
 * the details; signal(7): "A child created via fork(2) inherits a copy of
 * its parent's signal dispositions"; fork(2).  Checked: with SIGUSR1
 * caught and SIGUSR2 ignored in the parent, the child's action query
 * reports the same handler (with SA_SIGINFO) and SIG_IGN; a SIGUSR1 the
 * child raises runs the handler in the child, and a SIGUSR2 it raises
 * leaves it running.
 */
CLAUSE(signal_fork_child_inherits_dispositions,
       .id = "signal.fork.child_inherits_dispositions",
       .title = "a forked child keeps its parent's caught and ignored dispositions",
       .cites = "POSIX.1-2017 XSH fork(), 2.4.3; fork(2); signal(7)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	sig_ignore(t, SIGUSR2);
	struct sigaction caught;
	memset(&caught, 0, sizeof caught);
	REQUIRE_OK(t, iut_sigaction(t, SIGUSR1, NULL, &caught), "action(SIGUSR1) query in the parent");
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		pid_t me = iut_self_pid(t);
		struct sigaction a, b;
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		REQUIRE_OK(t, iut_sigaction(t, SIGUSR1, NULL, &a), "action(SIGUSR1) query in the child");
		CHECK(t, (a.sa_flags & SA_SIGINFO) && a.sa_sigaction == caught.sa_sigaction,
		      "the child's SIGUSR1 action is not the parent's handler (SA_SIGINFO %s)",
		      (a.sa_flags & SA_SIGINFO) ? "set" : "clear");
		REQUIRE_OK(t, iut_sigaction(t, SIGUSR2, NULL, &b), "action(SIGUSR2) query in the child");
		CHECK(t, !(b.sa_flags & SA_SIGINFO) && b.sa_handler == SIG_IGN,
		      "the child's SIGUSR2 action is not SIG_IGN, as the parent's");
		REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1) in the child");
		CHECK_EQ(t, sig_count_in(me, SIGUSR1), 1, "SIGUSR1 handlers run in the child by its raise");
		REQUIRE_OK(t, iut_raise(t, SIGUSR2), "raise(SIGUSR2) in the child");
		CHECK_EQ(t, sig_count(SIGUSR2), 0, "SIGUSR2 handlers run (it is ignored)");
		ipcconf_exit(t);
	}
	/* A child killed by its own SIGUSR2 (not ignored after all) fails here. */
	ipcconf_join(t, h, "the child raising SIGUSR1 and SIGUSR2");
}

/*
 * POSIX.1-2017 XSH fork(): "The set of signals pending for the child
 * process shall be initialized to the empty set"; fork(2): "The child's
 * set of pending signals is initially empty"; signal(7).  Checked: with
 * SIGUSR1 caught, blocked and raised in the parent (so pending there), the
 * child's pending query lacks it and unblocking it in the child runs no
 * handler, while the parent's pending query still reports it.
 */
CLAUSE(signal_fork_child_pending_empty,
       .id = "signal.fork.child_pending_empty",
       .title = "a signal pending in the parent at fork() is not pending in the child",
       .cites = "POSIX.1-2017 XSH fork(), sigpending(); fork(2); signal(7)")
{
	sig_begin(t);
	sig_catch(t, SIGUSR1, 0);
	sig_block(t, SIGUSR1);
	REQUIRE_OK(t, iut_raise(t, SIGUSR1), "raise(SIGUSR1) while blocked, in the parent");
	REQUIRE(t, sig_is_pending(t, SIGUSR1), "SIGUSR1 is pending in the parent before fork()");
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		pid_t me = iut_self_pid(t);
		CHECK(t, !sig_is_pending(t, SIGUSR1),
		      "the child's pending() reports SIGUSR1, pending in its parent at fork()");
		sig_unblock(t, SIGUSR1);
		CHECK_EQ(t, sig_count_in(me, SIGUSR1), 0,
			 "SIGUSR1 handlers run in the child when it unblocked SIGUSR1");
		ipcconf_exit(t);
	}
	ipcconf_join(t, h, "the child");
	CHECK(t, sig_is_pending(t, SIGUSR1), "SIGUSR1 is still pending in the parent after fork()");
}
