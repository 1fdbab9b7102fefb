/*
 * Pipe clauses: signals during a blocked call (seed:P5).  A read or write
 * asleep on a pipe is interrupted by a caught signal: without SA_RESTART
 * it fails with -EINTR when it has moved nothing; with SA_RESTART it goes
 * back to waiting and completes normally.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "conformance/harness/clause.h"

#define CP_STARTED 0
#define CP_RETURNED 1
#define CP_HANDLED 2 /* posted by the handler itself */

static struct ipcconf_t *handler_t;
static volatile sig_atomic_t handled;

/* Async-signal-safe: ipcconf_post is an atomic add and a futex wake. */
static void on_sigusr1(int sig)
{
	(void)sig;
	handled++;
	if (handler_t)
		ipcconf_post(handler_t, CP_HANDLED);
}

static void catch_sigusr1(struct ipcconf_t *t, int flags)
{
	handler_t = t;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		BROKEN(t, "sigaction(SIGUSR1) failed");
}

static void send_sigusr1(struct ipcconf_t *t, pid_t pid)
{
	STEP(t, "sending SIGUSR1 to the blocked helper %d", (int)pid);
	if (kill(pid, SIGUSR1) < 0)
		BROKEN(t, "kill(%d, SIGUSR1) failed", (int)pid);
}

/*
 * POSIX.1-2017 XSH read(), ERRORS: "[EINTR] The read operation was
 * terminated due to the receipt of a signal, and no data was transferred."
 * XSH sigaction(), SA_RESTART: without it, an interruptible function
 * interrupted by the signal fails with [EINTR].  Checked here: a reader
 * asleep on an empty pipe, SIGUSR1 caught without SA_RESTART, is
 * interrupted: the handler runs and the read returns -EINTR.  (An
 * implementation that sleeps through the signal keeps the reader blocked,
 * and the clause fails by its timeout.)
 */
CLAUSE(pipe_read_eintr,
       .id = "pipe.read.eintr",
       .title = "a read asleep on an empty pipe fails with -EINTR when a caught signal (no SA_RESTART) arrives",
       .cites = "seed:P5; POSIX.1-2017 XSH read() ERRORS [EINTR], sigaction() SA_RESTART; signal(7)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		catch_sigusr1(t, 0);
		char c;
		STEP(t, "read of the empty pipe, to be interrupted by SIGUSR1");
		ipcconf_post(t, CP_STARTED);
		ssize_t n = t->stream->read(e[0], &c, 1);
		ipcconf_post(t, CP_RETURNED);
		CHECK_EQ(t, n, -EINTR, "read interrupted by a caught SIGUSR1 (no SA_RESTART), nothing read");
		CHECK(t, handled == 1, "the SIGUSR1 handler ran %d times; expected once", (int)handled);
		ipcconf_exit(t);
	}
	ipcconf_require_blocked(t, reader, CP_STARTED, CP_RETURNED, "read of an empty pipe");
	send_sigusr1(t, reader);
	ipcconf_join(t, reader, "the interrupted reader");
}

/*
 * POSIX.1-2017 XSH write(), ERRORS: "[EINTR] The write operation was
 * terminated due to the receipt of a signal, and no data was transferred."
 * Checked here: a 1-byte write asleep on a full pipe, SIGUSR1 caught
 * without SA_RESTART, fails with -EINTR; the pipe holds only its old
 * contents (the fill, all zero) and not the byte.
 */
CLAUSE(pipe_write_eintr,
       .id = "pipe.write.eintr",
       .title = "a write asleep on a full pipe fails with -EINTR when a caught signal (no SA_RESTART) arrives",
       .cites = "seed:P5; POSIX.1-2017 XSH write() ERRORS [EINTR], sigaction() SA_RESTART; signal(7)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR | IPCCONF_CAP_NONBLOCK)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	long cap = ipcconf_fill_then_block(t, e[1]);
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		catch_sigusr1(t, 0);
		STEP(t, "1-byte write into the full pipe, to be interrupted by SIGUSR1");
		ipcconf_post(t, CP_STARTED);
		ssize_t n = t->stream->write(e[1], "Z", 1);
		ipcconf_post(t, CP_RETURNED);
		CHECK_EQ(t, n, -EINTR, "write interrupted by a caught SIGUSR1 (no SA_RESTART), nothing written");
		ipcconf_exit(t);
	}
	ipcconf_require_blocked(t, writer, CP_STARTED, CP_RETURNED, "a write into a full pipe");
	send_sigusr1(t, writer);
	ipcconf_join(t, writer, "the interrupted writer");

	STEP(t, "the pipe holds its %ld old bytes and not the interrupted byte", cap);
	REQUIRE_OK(t, t->stream->set_nonblock(e[0], 1), "set_nonblock(read end, 1)");
	char buf[4096];
	long total = 0;
	for (;;) {
		ssize_t n = t->stream->read(e[0], buf, sizeof buf);
		if (n == -EAGAIN)
			break;
		char b[32];
		REQUIRE(t, n > 0, "draining: expected a count or -EAGAIN, got %s", ipcconf_result_name(n, b));
		for (ssize_t i = 0; i < n; i++)
			REQUIRE(t, buf[i] == 0, "byte %ld of the pipe is 0x%02x: the interrupted write put data in",
				total + (long)i, (unsigned char)buf[i]);
		total += n;
	}
	CHECK_EQ(t, total, cap, "bytes left in the pipe after the interrupted write");
}

/*
 * POSIX.1-2017 XSH sigaction(), SA_RESTART: "If set, and a function
 * specified as interruptible is interrupted by this signal, the function
 * shall restart and shall not fail with [EINTR] unless otherwise
 * specified."  signal(7): read(2) on "slow" devices such as pipes is
 * restarted.  Checked here: a reader asleep on an empty pipe, SIGUSR1
 * caught with SA_RESTART; after the handler has run, a write reaches the
 * same read, which returns the byte instead of -EINTR.
 */
CLAUSE(pipe_read_sa_restart,
       .id = "pipe.read.sa_restart",
       .title = "a read asleep on a pipe, interrupted by a signal caught with SA_RESTART, resumes and gets the data",
       .cites = "seed:P5; POSIX.1-2017 XSH sigaction() SA_RESTART, read(); signal(7)",
       .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR)
{
	int e[2];
	REQUIRE_OK(t, t->pipe->create(e, 0), "pipe create");
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		catch_sigusr1(t, SA_RESTART);
		char c = 0;
		STEP(t, "read of the empty pipe, SIGUSR1 caught with SA_RESTART");
		ipcconf_post(t, CP_STARTED);
		ssize_t n = t->stream->read(e[0], &c, 1);
		ipcconf_post(t, CP_RETURNED);
		CHECK_EQ(t, n, 1, "read interrupted by a SIGUSR1 caught with SA_RESTART, then written to");
		CHECK(t, n != 1 || c == 'r', "read returned '%c', expected 'r'", c);
		CHECK(t, handled == 1, "the SIGUSR1 handler ran %d times; expected once", (int)handled);
		ipcconf_exit(t);
	}
	ipcconf_require_blocked(t, reader, CP_STARTED, CP_RETURNED, "read of an empty pipe");
	send_sigusr1(t, reader);
	ipcconf_await(t, CP_HANDLED, 1, "the reader's SIGUSR1 handler to run");
	STEP(t, "writing to the restarted read");
	CHECK_EQ(t, t->stream->write(e[1], "r", 1), 1, "write of 1 byte");
	ipcconf_join(t, reader, "the reader");
}
