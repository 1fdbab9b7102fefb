/*
 * clause.h -- how a conformance clause is written.
 *
 * A clause is one documented rule, checked by one function:
 *
 *     CLAUSE(pipe_read_consumes,
 *            .id = "pipe.read.consumes",
 *            .title = "data read from a pipe is gone from it",
 *            .cites = "seed:P4; POSIX.1-2017 XSH read(); pipe(7)",
 *            .needs = IPCCONF_CAP_PIPE | IPCCONF_CAP_NONBLOCK)
 *     {
 *             ...body, using `t`...
 *     }
 *
 * The id is `<mechanism>.<function>.<slug>`, stable forever; the mechanism
 * is the part before the first dot.  `.cites` lists the sources separated
 * by "; ", each seed rule with its own prefix ("seed:F1; seed:F4; POSIX.1-2017
 * XSH open(); fifo(7)") so that tools can find every clause of a rule.  `.needs` lists the IUT capabilities
 * the clause uses; `.timeout_ms` (default IPCCONF_DEFAULT_TIMEOUT_MS) bounds
 * the whole clause and is scaled by --timeout-mul.
 *
 * The body runs in a forked "clause process", the leader of a process
 * group of its own, under the runner's watchdog: a hang is a FAIL (timeout)
 * naming the last STEP(), a crash is a FAIL naming the signal, and every
 * process of the group is killed and reaped afterwards.  Helper processes
 * made with ipcconf_fork() join the group.  Every check below writes to a
 * page shared with the runner, never through the implementation under
 * test, so it works the same in the clause process and in any helper.
 *
 * Outcomes: PASS (no check failed), FAIL (the implementation broke the
 * rule: expected and actual are in the message), BROKEN (the test itself
 * could not run: fork or mmap failed), SKIP (the rule does not apply, with
 * the reason).
 *
 * Synchronisation never sleeps: checkpoints are futex words in the shared
 * page, "the peer is blocked" is observed in /proc/PID/stat, and every
 * wait is bounded by the clause's deadline.
 */
#ifndef IPCCONF_HARNESS_CLAUSE_H
#define IPCCONF_HARNESS_CLAUSE_H

#include <stdint.h>
#include <sys/types.h>

#include "ipcconf/iut.h"

#define IPCCONF_DEFAULT_TIMEOUT_MS 2000u

struct ipcconf_t;

struct ipcconf_clause {
	const char *id;
	const char *title;
	const char *cites;
	uint64_t needs;
	unsigned timeout_ms;
	void (*body)(struct ipcconf_t *t);
	const char *file;
	int line;
};

/* The per-clause context handed to a body. */
struct ipcconf_t {
	const struct ipcconf_iut *iut;
	const struct ipcconf_stream_ops *stream;  /* iut->stream */
	const struct ipcconf_pipe_ops *pipe;      /* iut->pipe */
	const struct ipcconf_fifo_ops *fifo;      /* iut->fifo */
	const struct ipcconf_clause *clause;
	const char *dir;          /* private 0700 directory for this clause's names */
	struct ipcconf_page *page; /* shared with the runner (harness/page.h) */
};

#define IPCCONF_SECTION "ipcconf_clauses"

/*
 * Registers a clause.  The pointer goes into a dedicated linker section
 * that the runner walks, so a clause exists by being compiled in.
 */
#define CLAUSE(fn, ...)                                                        \
	static void fn(struct ipcconf_t *t);                                   \
	static const struct ipcconf_clause fn##_clause = {                     \
		.body = fn, .file = __FILE__, .line = __LINE__, __VA_ARGS__    \
	};                                                                     \
	static const struct ipcconf_clause *const fn##_entry                   \
		__attribute__((used, section(IPCCONF_SECTION), aligned(sizeof(void *)))) = \
			&fn##_clause;                                          \
	static void fn(struct ipcconf_t *t)

/* ---- reporting: usable in the clause process and in every helper ---- */

enum ipcconf_outcome {
	IPCCONF_PASS = 0,
	IPCCONF_SKIP = 1,
	IPCCONF_BROKEN = 2,
	IPCCONF_FAIL = 3,
};

/* Records a message with an outcome; the clause's outcome is the worst one. */
void ipcconf_report(struct ipcconf_t *t, enum ipcconf_outcome o,
		    const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Ends the calling process (clause process or helper) at once. */
_Noreturn void ipcconf_exit(struct ipcconf_t *t);

/* Names the step in progress; a timeout message quotes it. */
void ipcconf_step(struct ipcconf_t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define STEP(t, ...) ipcconf_step((t), __VA_ARGS__)

/* "-EAGAIN", "3", "-EPIPE": how a result reads in a message. */
const char *ipcconf_result_name(long long v, char buf[32]);

void ipcconf_check_eq(struct ipcconf_t *t, int fatal, const char *file, int line,
		      const char *what, long long actual, long long expected);

/* The rule was broken; the clause goes on to gather more evidence. */
#define FAIL(t, ...) ipcconf_report((t), IPCCONF_FAIL, __FILE__, __LINE__, __VA_ARGS__)
#define CHECK(t, cond, ...)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			FAIL((t), __VA_ARGS__);                                \
	} while (0)
/* `what` names the call; results print as numbers or negative errno names. */
#define CHECK_EQ(t, actual, expected, what)                                    \
	ipcconf_check_eq((t), 0, __FILE__, __LINE__, (what),                   \
			 (long long)(actual), (long long)(expected))

/* As above, but the calling process ends when the check fails. */
#define REQUIRE(t, cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			FAIL((t), __VA_ARGS__);                                \
			ipcconf_exit(t);                                       \
		}                                                              \
	} while (0)
#define REQUIRE_EQ(t, actual, expected, what)                                  \
	ipcconf_check_eq((t), 1, __FILE__, __LINE__, (what),                   \
			 (long long)(actual), (long long)(expected))
/* An IUT call the clause depends on must succeed (result >= 0). */
#define REQUIRE_OK(t, result, what)                                            \
	do {                                                                   \
		long long r_ = (long long)(result);                            \
		if (r_ < 0) {                                                  \
			char b_[32];                                           \
			FAIL((t), "%s: expected success, got %s", (what),      \
			     ipcconf_result_name(r_, b_));                     \
			ipcconf_exit(t);                                       \
		}                                                              \
	} while (0)

/* The test could not run (the environment failed, not the IUT). */
#define BROKEN(t, ...)                                                         \
	do {                                                                   \
		ipcconf_report((t), IPCCONF_BROKEN, __FILE__, __LINE__, __VA_ARGS__); \
		ipcconf_exit(t);                                               \
	} while (0)
/* The rule does not apply here; says why. */
#define SKIP(t, ...)                                                           \
	do {                                                                   \
		ipcconf_report((t), IPCCONF_SKIP, __FILE__, __LINE__, __VA_ARGS__); \
		ipcconf_exit(t);                                               \
	} while (0)

/* ---- processes ---- */

/*
 * fork() a helper into the clause's process group; returns 0 in the helper
 * (which ends with ipcconf_exit()) and its pid in the caller.  A failed
 * fork is BROKEN.  Helpers inherit the IUT's handles as any child would.
 */
pid_t ipcconf_fork(struct ipcconf_t *t);

/*
 * Waits, bounded by the clause's deadline, for a helper to end.  Returns 1
 * and its wait status, or 0 when the deadline passed first (the helper is
 * left running; the runner kills the group).
 */
int ipcconf_wait(struct ipcconf_t *t, pid_t pid, int *status);

/*
 * Waits for a helper that should end normally with status 0; anything
 * else (still running at the deadline, killed by a signal) is a FAIL that
 * names `who` and the helper's last step.
 */
void ipcconf_join(struct ipcconf_t *t, pid_t pid, const char *who);

/* ---- checkpoints: futex words in the shared page ---- */

#define IPCCONF_CHECKPOINTS 16

/* Adds one to checkpoint `cp` and wakes its waiters. */
void ipcconf_post(struct ipcconf_t *t, unsigned cp);

/*
 * Waits until checkpoint `cp` has been posted `count` times in all, bounded
 * by the clause deadline; on timeout a FAIL naming `what`, and the caller
 * ends.
 */
void ipcconf_await(struct ipcconf_t *t, unsigned cp, unsigned count, const char *what);

/* Non-blocking read of a checkpoint's count. */
unsigned ipcconf_posted(struct ipcconf_t *t, unsigned cp);

/*
 * Observes that helper `pid` is blocked in a call.  The helper posts
 * checkpoint `started_cp` just before the call and `done_cp` after it
 * returns.  This waits for `started_cp`, then until either the helper is
 * asleep (/proc/PID/stat state S, with `done_cp` still unposted) or the
 * call returned.  Returns when the helper is blocked; if the call returned
 * instead, records a FAIL "<what> returned instead of blocking" and the
 * caller ends.  Where /proc cannot show process states the clause is a
 * SKIP saying so.  A helper still running but never asleep by the deadline
 * is taken as blocked (a spinning implementation is slow, not wrong).
 */
void ipcconf_require_blocked(struct ipcconf_t *t, pid_t pid, unsigned started_cp,
			     unsigned done_cp, const char *what);

/* ---- names ---- */

/*
 * A path in the clause's private 0700 directory (unique per run and per
 * clause, unguessable).  The runner removes everything left in it, through
 * the IUT's fifo.unlink for FIFOs, after the clause's processes are
 * reaped.  Returned storage lives until the clause ends.
 */
const char *ipcconf_path(struct ipcconf_t *t, const char *leaf);

/* ---- limits read from the IUT (never assumed) ---- */

/* stream.pipe_buf(h); a FAIL if it is below POSIX's minimum of 512. */
long ipcconf_pipe_buf(struct ipcconf_t *t, int h);

/*
 * Fills the stream through write end `w` (switched to O_NONBLOCK, and left
 * so) until a one-byte write returns -EAGAIN; returns the bytes accepted.
 * A stream that accepts more than 64 MiB is a FAIL (seed:P8: bounded).
 */
long ipcconf_fill(struct ipcconf_t *t, int w);

/* Reads exactly `len` bytes (looping over short reads); FAIL on EOF or error. */
void ipcconf_read_exact(struct ipcconf_t *t, int r, void *buf, size_t len, const char *what);

/* Writes all `len` bytes (looping over short writes); FAIL on error. */
void ipcconf_write_all(struct ipcconf_t *t, int w, const void *buf, size_t len, const char *what);

/*
 * ipcconf_fill(), then puts write end `w` back to blocking mode (O_NONBLOCK
 * clear), so that the next write into the full stream blocks; returns the
 * bytes accepted.
 */
long ipcconf_fill_then_block(struct ipcconf_t *t, int w);

/*
 * Reads `n` bytes of what ipcconf_fill() wrote, in reads of at most 4096
 * bytes, and checks that every one is the filler's 0; a byte that is not
 * 0 (data out of order, or bytes that should not be there) is a FAIL
 * naming `what` and its offset, and the caller ends.
 */
void ipcconf_read_fill(struct ipcconf_t *t, int r, long n, const char *what);

/* As ipcconf_read_fill(), in reads of at most `piece` bytes (1 to 4096). */
void ipcconf_read_fill_by(struct ipcconf_t *t, int r, long n, size_t piece, const char *what);

/*
 * Reads through nonblocking `h` until -EAGAIN: everything the stream holds
 * now, however the implementation splits it into reads.  The first `cap`
 * bytes land in `buf`, the rest is read and dropped.  Returns the count.
 * An error, or over 1 MiB without -EAGAIN (for streams that hold a few
 * bytes), is a FAIL naming `what`, and the caller ends.
 */
size_t ipcconf_drain_now(struct ipcconf_t *t, int h, char *buf, size_t cap, const char *what);

/*
 * Sets O_NONBLOCK on read end `r` (and leaves it so) and checks that a
 * 1-byte read fails with -EAGAIN: nothing more is in the stream and a
 * writer is open.  `what` names the read in the message.
 */
void ipcconf_expect_empty(struct ipcconf_t *t, int r, const char *what);

#endif /* IPCCONF_HARNESS_CLAUSE_H */
