/*
 * Signal clauses: a blocking call and a caught signal (seed:S2).  A
 * process asleep in a blocking IPC call (here: reading an empty pipe)
 * runs its handler when the signal comes; without SA_RESTART the call then
 * fails with -EINTR, with SA_RESTART it goes on waiting.  Handlers are
 * installed and signals sent through the `signal` table under test; the
 * pipe is made and used through the `pipe` and `stream` tables directly
 * (the pipe mechanism's own clauses judge those; its support code is not
 * linked in here).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/signal/signal_support.h"

/* A helper's 1-byte read of a pipe, with SIGUSR1 caught (flags 0 or SA_RESTART). */
struct read_call {
	int h;
	int sa_flags;
	char byte;
};

static void catch_usr1(struct ipcconf_t *t, void *arg)
{
	struct read_call *c = arg;
	sig_catch(t, SIGUSR1, c->sa_flags);
}

static long long read_byte(struct ipcconf_t *t, void *arg)
{
	struct read_call *c = arg;
	return t->iut->stream->read(t->self, c->h, &c->byte, 1);
}

static void handled_once(struct ipcconf_t *t, void *arg, long long r)
{
	CHECK_EQ(t, sig_count_in(iut_self_pid(t), SIGUSR1), 1, "SIGUSR1 handler runs in the reader");
}

static void handled_once_got_r(struct ipcconf_t *t, void *arg, long long r)
{
	struct read_call *c = arg;
	handled_once(t, arg, r);
	if (r == 1)
		CHECK_EQ(t, c->byte, 'r', "the byte the restarted read returned");
}

/*
 * seed:S2: the receiver asleep in a blocking call gets the signal.
 * POSIX.1-2017 XSH sigaction(), SA_RESTART: without it, "a function
 * specified as interruptible ... interrupted by this signal" fails with
 * [EINTR]; XSH read() ERRORS: "[EINTR] The read operation was terminated
 * due to the receipt of a signal, and no data was transferred."
 * signal(7), Interruption of system calls and library functions by
 * signal handlers.  Checked here: a helper catching SIGUSR1 (through the
 * `signal` table, no SA_RESTART) is asleep reading an empty pipe; SIGUSR1
 * sent through the table runs its handler once and the read returns
 * -EINTR.
 */
CLAUSE(signal_eintr_read_eintr_without_restart,
       .id = "signal.eintr.read_eintr_without_restart",
       .title = "a read asleep on a pipe fails with -EINTR after a caught signal without SA_RESTART",
       .cites = "seed:S2; POSIX.1-2017 XSH sigaction() SA_RESTART, read() ERRORS [EINTR]; signal(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR,
       USES(PIPE, 0), USES(STREAM, 0))
{
	sig_begin(t);
	int e[2];
	REQUIRE_OK(t, t->iut->pipe->create(t->self, e, 0), "pipe create");
	struct read_call c = { .h = e[0], .sa_flags = 0 };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty pipe, SIGUSR1 caught without SA_RESTART",
		.prepare = catch_usr1, .call = read_byte, .then = handled_once, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "sending SIGUSR1 to the blocked reader %d", (int)b.pid);
	CHECK_EQ(t, iut_kill(t, b.pid, SIGUSR1), 0, "kill(blocked reader, SIGUSR1)");
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR,
		 "the read interrupted by SIGUSR1 caught without SA_RESTART");
}

/*
 * POSIX.1-2017 XSH sigaction(), SA_RESTART: "If set, and a function
 * specified as interruptible is interrupted by this signal, the function
 * shall restart and shall not fail with [EINTR] unless otherwise
 * specified."  signal(7): with SA_RESTART, read(2) on a pipe is
 * "automatically restarted after the signal handler returns".  Checked
 * here: a helper catching SIGUSR1 with SA_RESTART (through the `signal`
 * table) is asleep reading an empty pipe; after SIGUSR1's handler ran, the
 * helper is seen asleep again and its read has not returned; a byte
 * written then is what the read returns.
 */
CLAUSE(signal_eintr_read_restarts_with_sa_restart,
       .id = "signal.eintr.read_restarts_with_sa_restart",
       .title = "a read asleep on a pipe, interrupted by a signal caught with SA_RESTART, goes on waiting",
       .cites = "seed:S2; POSIX.1-2017 XSH sigaction() SA_RESTART, read(); signal(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR,
       USES(PIPE, 0), USES(STREAM, 0))
{
	sig_begin(t);
	int e[2];
	REQUIRE_OK(t, t->iut->pipe->create(t->self, e, 0), "pipe create");
	struct read_call c = { .h = e[0], .sa_flags = SA_RESTART };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty pipe, SIGUSR1 caught with SA_RESTART",
		.prepare = catch_usr1, .call = read_byte, .then = handled_once_got_r, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "sending SIGUSR1 to the blocked reader %d", (int)b.pid);
	CHECK_EQ(t, iut_kill(t, b.pid, SIGUSR1), 0, "kill(blocked reader, SIGUSR1)");
	/* The handler ran: the read was interrupted.  Asleep again (or ended): see which. */
	sig_await(t, SIGUSR1, 1, "the blocked reader taking SIGUSR1");
	sig_await_state(t, b.pid, "SZ", "the reader going back to sleep after its handler");
	CHECK(t, !ipcconf_block_returned_yet(t, &b),
	      "the read returned after the SA_RESTART handler ran, before anything was written");
	STEP(t, "writing the byte the restarted read waits for");
	CHECK_EQ(t, t->iut->stream->write(t->self, e[1], "r", 1), 1, "the 1-byte write");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1,
		 "the read interrupted by SIGUSR1 caught with SA_RESTART, then written to");
}
