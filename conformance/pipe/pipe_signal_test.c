/*
 * Pipe clauses: signals during a blocked call (seed:P5).  A read or write
 * asleep on a pipe is interrupted by a caught signal: without SA_RESTART
 * it fails with -EINTR when it has moved nothing; with SA_RESTART it goes
 * back to waiting and completes normally.  Handlers are installed and
 * signals sent with the harness's raw calls (clause.h), never the C
 * library's, which the signal clauses judge.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/* A 1-byte read or write by a helper that first catches SIGUSR1. */
struct signalled_call {
	int h;
	int sa_flags; /* 0 or SA_RESTART */
	char byte;
};

static void catch_sigusr1(struct ipcconf_t *t, void *arg)
{
	struct signalled_call *c = arg;
	ipcconf_catch(t, SIGUSR1, c->sa_flags);
}

static long long read_byte(struct ipcconf_t *t, void *arg)
{
	struct signalled_call *c = arg;
	return iut_read(t, c->h, &c->byte, 1);
}

static long long write_byte(struct ipcconf_t *t, void *arg)
{
	struct signalled_call *c = arg;
	return iut_write(t, c->h, &c->byte, 1);
}

/* In the helper, once its call returned: the handler ran exactly once. */
static void handled_once(struct ipcconf_t *t, void *arg, long long result)
{
	CHECK_EQ(t, ipcconf_caught(SIGUSR1), 1, "times the helper's SIGUSR1 handler ran");
}

/* As handled_once(), and the restarted read got the byte written after the signal. */
static void handled_once_got_r(struct ipcconf_t *t, void *arg, long long result)
{
	struct signalled_call *c = arg;
	handled_once(t, arg, result);
	if (result == 1)
		CHECK_EQ(t, c->byte, 'r', "the byte the restarted read returned");
}

static void send_sigusr1(struct ipcconf_t *t, struct ipcconf_blocked *b)
{
	ipcconf_block_release(t, b);
	STEP(t, "sending SIGUSR1 to the blocked helper %d", (int)b->pid);
	ipcconf_kill(t, b->pid, SIGUSR1);
}

/*
 * POSIX.1-2017 XSH read(), ERRORS: "[EINTR] The read operation was
 * terminated due to the receipt of a signal, and no data was transferred."
 * XSH sigaction(), SA_RESTART: without it, an interruptible function
 * interrupted by the signal fails with [EINTR].  Checked here: a reader
 * asleep on an empty pipe, SIGUSR1 caught without SA_RESTART, is
 * interrupted: the handler runs once and the read returns -EINTR.  (An
 * implementation that sleeps through the signal keeps the reader blocked,
 * and the clause fails by its timeout.)
 */
CLAUSE(pipe_read_eintr,
       .id = "pipe.read.eintr",
       .title = "a read asleep on an empty pipe fails with -EINTR when a caught signal (no SA_RESTART) arrives",
       .cites = "seed:P5; POSIX.1-2017 XSH read() ERRORS [EINTR], sigaction() SA_RESTART; signal(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct signalled_call c = { .h = e[0], .sa_flags = 0 };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty pipe, SIGUSR1 caught without SA_RESTART",
		.prepare = catch_sigusr1, .call = read_byte, .then = handled_once, .arg = &c });
	send_sigusr1(t, &b);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR,
		 "the read interrupted by a caught SIGUSR1 (no SA_RESTART), nothing read");
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
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	long cap = ipcconf_fill_then_block(t, e[1]);
	struct signalled_call c = { .h = e[1], .sa_flags = 0, .byte = 'Z' };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte write into a full pipe, SIGUSR1 caught without SA_RESTART",
		.prepare = catch_sigusr1, .call = write_byte, .then = handled_once, .arg = &c });
	send_sigusr1(t, &b);
	CHECK_EQ(t, ipcconf_block_end(t, &b), -EINTR,
		 "the write interrupted by a caught SIGUSR1 (no SA_RESTART), nothing written");

	STEP(t, "the pipe holds its %ld old bytes and not the interrupted byte", cap);
	REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "set_nonblock(read end, 1)");
	char *buf = malloc((size_t)cap);
	if (!buf)
		BROKEN(t, "malloc(%ld) failed", cap);
	size_t held = ipcconf_drain_now(t, e[0], buf, (size_t)cap, (size_t)cap + 1,
					"draining after the interrupted write");
	CHECK_EQ(t, held, cap, "bytes left in the pipe after the interrupted write");
	for (size_t i = 0; i < held && i < (size_t)cap; i++)
		if (buf[i] != 0) {
			FAIL(t, "byte %zu of the pipe is 0x%02x, not the filler's 0: the interrupted write put data in",
			     i, (unsigned char)buf[i]);
			break;
		}
	free(buf);
}

/*
 * POSIX.1-2017 XSH sigaction(), SA_RESTART: "If set, and a function
 * specified as interruptible is interrupted by this signal, the function
 * shall restart and shall not fail with [EINTR] unless otherwise
 * specified."  signal(7): read(2) on "slow" devices such as pipes is
 * restarted.  Checked here: a reader asleep on an empty pipe, SIGUSR1
 * caught with SA_RESTART; once the signal has been taken (the read was
 * interrupted), a write reaches the same read, which returns the byte
 * instead of -EINTR, and the handler ran once.
 */
CLAUSE(pipe_read_sa_restart,
       .id = "pipe.read.sa_restart",
       .title = "a read asleep on a pipe, interrupted by a signal caught with SA_RESTART, resumes and gets the data",
       .cites = "seed:P5; POSIX.1-2017 XSH sigaction() SA_RESTART, read(); signal(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_EINTR)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	struct signalled_call c = { .h = e[0], .sa_flags = SA_RESTART };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1,
		.what = "a 1-byte read of an empty pipe, SIGUSR1 caught with SA_RESTART",
		.prepare = catch_sigusr1, .call = read_byte, .then = handled_once_got_r, .arg = &c });
	send_sigusr1(t, &b);
	/* Else the write could reach the read before the signal does, and
	 * the read would return the byte without ever being restarted. */
	ipcconf_await_caught(t, SIGUSR1, 1, "the blocked reader taking SIGUSR1");
	STEP(t, "writing to the restarted read");
	CHECK_EQ(t, iut_write(t, e[1], "r", 1), 1);
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1,
		 "the read interrupted by a SIGUSR1 caught with SA_RESTART, then written to");
}
