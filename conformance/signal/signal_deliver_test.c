/*
 * Signal clauses: delivery (seed:S1, seed:S2).  A signal can be sent at
 * any time, whatever the receiver is doing: to itself (delivered before
 * the sending call returns), to a process that is running, to one asleep
 * in a blocking call, and to one that is stopped (kept, and delivered when
 * it runs again).  Handlers are the recording ones of signal_support.h, so
 * every delivery names the process it happened in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/clock.h"
#include "conformance/harness/page.h"
#include "conformance/harness/proc_state.h"
#include "conformance/signal/signal_support.h"

enum { CP_READY = 0, CP_DONE = 1 };

/*
 * POSIX.1-2017 XSH raise(): "The effect of the raise() function shall be
 * equivalent to calling: pthread_kill(pthread_self(), sig); ... If a
 * signal-catching function is called, the raise() function shall not
 * return until after the signal-catching function does."  XSH kill(): "If
 * the value of pid causes sig to be generated for the sending process,
 * and if sig is not blocked for the calling thread ..., either sig or at
 * least one pending unblocked signal shall be delivered to the sending
 * thread before kill() returns."  Checked here: SIGUSR1 by raise and
 * SIGUSR2 by kill of the own pid, both caught and unblocked, have each run
 * their handler once, in this process, when the call returns.
 */
CLAUSE(signal_deliver_to_self_before_return,
       .id = "signal.deliver.to_self_before_return",
       .title = "a signal a process sends itself, unblocked, is delivered before the sending call returns",
       .cites = "seed:S1; POSIX.1-2017 XSH raise(), kill(); raise(3); kill(2)")
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	sig_catch(t, SIGUSR1, 0);
	sig_catch(t, SIGUSR2, 0);
	CHECK_EQ(t, iut_raise(t, SIGUSR1), 0, "raise(SIGUSR1)");
	CHECK_EQ(t, sig_count_in(me, SIGUSR1), 1, "SIGUSR1 deliveries to this process when raise() returned");
	CHECK_EQ(t, iut_kill(t, me, SIGUSR2), 0, "kill(own pid, SIGUSR2)");
	CHECK_EQ(t, sig_count_in(me, SIGUSR2), 1, "SIGUSR2 deliveries to this process when kill() returned");
}

/*
 * seed:S1: "it can be sent at any time, without knowing the receiver's
 * state".  POSIX.1-2017 XSH 2.4.1: "A signal is said to be delivered to
 * a process when the appropriate action for the process and signal is
 * taken."  XSH kill(): "The kill() function shall send a signal to a
 * process".  Checked here: a helper that catches SIGUSR1 and then runs
 * (it spins, calling nothing) gets the SIGUSR1 the clause process sends:
 * its handler runs once, in the helper and nowhere else.
 */
CLAUSE(signal_deliver_to_other_process,
       .id = "signal.deliver.to_other_process",
       .title = "a signal sent to another, running, process runs that process's handler once",
       .cites = "seed:S1; POSIX.1-2017 XSH kill(), 2.4.1; kill(2); signal(7)")
{
	sig_begin(t);
	pid_t me = iut_self_pid(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		pid_t self = iut_self_pid(t);
		sig_catch(t, SIGUSR1, 0);
		ipcconf_post(t, CP_READY);
		/* Running, not asleep: the signal must interrupt whatever it does. */
		STEP(t, "helper: running (spinning) until SIGUSR1 arrives");
		while (sig_count_in(self, SIGUSR1) == 0)
			if (ipcconf_now_ns() >= t->page->deadline_ns) {
				FAIL(t, "timeout: the running helper never got SIGUSR1");
				ipcconf_exit(t);
			}
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper catching SIGUSR1");
	STEP(t, "sending SIGUSR1 to the running helper %d", (int)h);
	CHECK_EQ(t, iut_kill(t, h, SIGUSR1), 0, "kill(helper, SIGUSR1)");
	sig_await(t, SIGUSR1, 1, "the running helper taking SIGUSR1");
	ipcconf_join(t, h, "the running helper");
	CHECK_EQ(t, sig_count_in(h, SIGUSR1), 1, "SIGUSR1 deliveries in the helper");
	CHECK_EQ(t, sig_count(SIGUSR1), 1, "SIGUSR1 deliveries in all (the sender must not get it)");
	CHECK_EQ(t, sig_count_in(me, SIGUSR1), 0, "SIGUSR1 deliveries in the sender");
}

/*
 * seed:S2: "If the receiver is not running, the kernel keeps the signal
 * and delivers it when the receiver runs again."  POSIX.1-2017 XSH
 * 2.4.1: "During the time between the generation of a signal and its
 * delivery or acceptance, the signal is said to be pending."  signal(7):
 * a handler interrupts a blocked system call.  Checked here: a helper
 * asleep (seen in state S) in a wait that has nothing to do with signals
 * gets SIGUSR1: its handler runs, once, in the helper.
 */
CLAUSE(signal_deliver_to_blocked_sleeper,
       .id = "signal.deliver.to_blocked_sleeper",
       .title = "a signal sent to a process asleep in a blocking call is delivered to it",
       .cites = "seed:S2; seed:S1; POSIX.1-2017 XSH 2.4.1, kill(); signal(7)")
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_catch(t, SIGUSR1, 0);
		ipcconf_post(t, CP_READY);
		STEP(t, "helper: asleep until the clause process says done");
		ipcconf_await(t, CP_DONE, 1, "helper: the clause process saying done");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper catching SIGUSR1");
	sig_await_state(t, h, "S", "the helper falling asleep");
	STEP(t, "sending SIGUSR1 to the sleeping helper %d", (int)h);
	CHECK_EQ(t, iut_kill(t, h, SIGUSR1), 0, "kill(sleeping helper, SIGUSR1)");
	sig_await(t, SIGUSR1, 1, "the sleeping helper taking SIGUSR1");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, h, "the sleeping helper");
	CHECK_EQ(t, sig_count_in(h, SIGUSR1), 1, "SIGUSR1 deliveries in the sleeping helper");
	CHECK_EQ(t, sig_count(SIGUSR1), 1, "SIGUSR1 deliveries in all");
}

/*
 * seed:S2: "If the receiver is not running, the kernel keeps the signal
 * and delivers it when the receiver runs again."  POSIX.1-2017 XSH 2.4.3:
 * "While a process is stopped, any additional signals that are sent to
 * the process shall not be delivered until the process is continued,
 * except SIGKILL which always terminates the receiving process."
 * Checked here: a helper catching SIGUSR1 is stopped with SIGSTOP (seen
 * in state T); SIGUSR1 sent then runs no handler and leaves it stopped;
 * SIGCONT lets it run, and only then is SIGUSR1 delivered, once.
 */
CLAUSE(signal_deliver_kept_while_stopped,
       .id = "signal.deliver.kept_while_stopped",
       .title = "a signal sent to a stopped process is kept and delivered once it is continued",
       .cites = "seed:S2; POSIX.1-2017 XSH 2.4.3, kill(); signal(7)",
       USES(SIGNAL, IPCCONF_SIGNAL_CAP_STOP))
{
	sig_begin(t);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		sig_catch(t, SIGUSR1, 0);
		ipcconf_post(t, CP_READY);
		STEP(t, "helper: waiting, to be stopped, signalled and continued");
		ipcconf_await(t, CP_DONE, 1, "helper: the clause process saying done");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_READY, 1, "the helper catching SIGUSR1");
	STEP(t, "stopping the helper %d", (int)h);
	REQUIRE_OK(t, iut_kill(t, h, SIGSTOP), "kill(helper, SIGSTOP)");
	sig_await_state(t, h, "T", "the helper stopping on SIGSTOP");

	STEP(t, "sending SIGUSR1 to the stopped helper");
	CHECK_EQ(t, iut_kill(t, h, SIGUSR1), 0, "kill(stopped helper, SIGUSR1)");
	CHECK_EQ(t, sig_count(SIGUSR1), 0, "SIGUSR1 deliveries while the helper is stopped");
	char st = ipcconf_proc_state(h);
	CHECK(t, st == 'T', "the stopped helper is in state %c after SIGUSR1, expected still T (stopped)",
	      st ? st : '?');

	STEP(t, "continuing the helper");
	REQUIRE_OK(t, iut_kill(t, h, SIGCONT), "kill(helper, SIGCONT)");
	sig_await(t, SIGUSR1, 1, "the continued helper taking the SIGUSR1 sent while it was stopped");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, h, "the stopped and continued helper");
	CHECK_EQ(t, sig_count_in(h, SIGUSR1), 1, "SIGUSR1 deliveries in the continued helper");
	CHECK_EQ(t, sig_count(SIGUSR1), 1, "SIGUSR1 deliveries in all");
}
