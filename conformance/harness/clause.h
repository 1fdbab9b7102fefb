/*
 * clause.h -- how a conformance clause is written.
 *
 * A clause is one documented rule, checked by one function:
 *
 *     CLAUSE(pipe_read_consumes,
 *            .id = "pipe.read.consumes",
 *            .title = "data read from a pipe is gone from it",
 *            .cites = "seed:P4; POSIX.1-2017 XSH read(); pipe(7)",
 *            USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
 *     {
 *             ...body, using `t`...
 *     }
 *
 * The id is `<mechanism>.<function>.<slug>`, stable forever; the mechanism
 * is the part before the first dot and must name a registered mechanism
 * (mechanism.h).  The function's name is the id with every '.' made '_'.
 * `.cites` lists the sources separated by "; ", each seed rule with its own
 * prefix ("seed:F1; seed:F4; POSIX.1-2017 XSH open(); fifo(7)") so that
 * tools can find every clause of a rule.
 *
 * What a clause relies on: `.needs` lists behaviour flags (IPCCONF_CAP_*
 * of iut.h), and USES(TABLE, caps) a table of the interface with the
 * capabilities of it the body calls; the tables of the clause's own
 * mechanism are implied.  When the implementation lacks one, the clause is
 * a SKIP naming it.  `.timeout_ms` (default IPCCONF_DEFAULT_TIMEOUT_MS)
 * bounds the whole clause and is scaled by --timeout-mul.
 *
 * The body runs in a forked "clause process", the leader of a process
 * group of its own, with an empty signal mask and default signal actions,
 * under the runner's watchdog: a hang is a FAIL (timeout) naming the last
 * STEP() of every process, a crash is a FAIL naming the signal, and every
 * process of the group is killed and reaped afterwards.  Helper processes
 * made with ipcconf_fork() join the group.  Every check below writes to a
 * page shared with the runner, never through the implementation under
 * test, so it works the same in the clause process and in any helper.
 *
 * Outcomes: PASS (checks ran and none failed), FAIL (the implementation
 * broke the rule: expected and actual are in the message), BROKEN (the
 * test itself could not run, or ran no check), SKIP (the rule does not
 * apply, with the reason).
 *
 * Synchronisation never sleeps: checkpoints are futex words in the shared
 * page, "the peer is blocked" is observed in /proc/PID/stat (block.h),
 * and every wait is bounded by the clause's deadline.  Nothing here goes
 * through the C library's signal or wait functions: the harness uses raw
 * system calls, so an interposed C library fails clauses, not the harness.
 */
#ifndef IPCCONF_HARNESS_CLAUSE_H
#define IPCCONF_HARNESS_CLAUSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcconf/iut.h"

#define IPCCONF_DEFAULT_TIMEOUT_MS 2000u

struct ipcconf_t;

struct ipcconf_clause {
	const char *id;
	const char *title;
	const char *cites;
	uint64_t needs;                        /* IPCCONF_CAP_* behaviour flags */
	uint64_t uses[IPCCONF_TABLE_COUNT];    /* per table: USES() */
	unsigned timeout_ms;
	const void *arg;                       /* a table-driven clause's row arguments */
	void (*body)(struct ipcconf_t *t);
	const char *fn;                        /* the body's name, as written */
	const char *file;
	int line;
	int internal;                          /* the runner's own probes: no check required */
	int is_row;                            /* set by the registry: a CLAUSE_TABLE row */
};

/* A table the clause uses, with capabilities of it: USES(PIPE, IPCCONF_PIPE_CAP_SEEK). */
#define IPCCONF_USES_TABLE (UINT64_C(1) << 63)
#define USES(table, caps) .uses[IPCCONF_TABLE_##table] = IPCCONF_USES_TABLE | (caps)

/* The per-clause context handed to a body. */
struct ipcconf_t {
	/* The pointer the entry function returned: every operation's first argument. */
	const struct ipcconf_iut *self;
	/* The checked copy: the tables and capabilities the suite may use. */
	const struct ipcconf_iut *iut;
	const struct ipcconf_clause *clause;
	const char *dir;           /* private 0700 directory for this clause's names */
	struct ipcconf_page *page; /* shared with the runner (harness/page.h) */
};

/*
 * What the linker section holds: a set of clauses sharing one body (one,
 * for CLAUSE(); a row each, for CLAUSE_TABLE()).
 */
struct ipcconf_clause_set {
	const struct ipcconf_clause *rows;
	size_t nrows;
	void (*body)(struct ipcconf_t *t);
	const char *fn;
	const char *file;
	int line;
	int is_table;
};

#define IPCCONF_SECTION "ipcconf_clauses"

#define IPCCONF_REGISTER_SET_(name, rows_, n_)                                 \
	static const struct ipcconf_clause_set name##_set = {                  \
		.rows = (rows_), .nrows = (n_), .body = name, .fn = #name,     \
		.file = __FILE__, .line = __LINE__,                            \
	};                                                                     \
	static const struct ipcconf_clause_set *const name##_entry             \
		__attribute__((used, section(IPCCONF_SECTION), aligned(sizeof(void *)))) = \
			&name##_set

/*
 * Registers a clause.  The pointer goes into a dedicated linker section
 * that the runner walks, so a clause exists by being compiled in.
 */
#define CLAUSE(name, ...)                                                      \
	static void name(struct ipcconf_t *t);                                 \
	static const struct ipcconf_clause name##_clause = { __VA_ARGS__ };    \
	IPCCONF_REGISTER_SET_(name, &name##_clause, 1);                        \
	static void name(struct ipcconf_t *t)

/*
 * Table-driven clauses: one row is one clause, with its own id, title,
 * citations and arguments (`.arg`, reached as t->clause->arg), all run by
 * one body.  Every row's id, with '.' made '_', starts with the body's
 * name.
 *
 *     struct open_error { const char *leaf; int flags; int err; };
 *     static const struct ipcconf_clause fifo_open_error[] = {
 *             ROW(.id = "fifo.open.error_enoent", .title = ..., .cites = ...,
 *                 .arg = &(const struct open_error){ "missing", O_RDONLY, -ENOENT }),
 *             ...
 *     };
 *     CLAUSE_TABLE(fifo_open_error)
 *     {
 *             const struct open_error *e = t->clause->arg;
 *             ...
 *     }
 */
#define ROW(...) { __VA_ARGS__ }
#define CLAUSE_TABLE(table)                                                    \
	static void table##_body(struct ipcconf_t *t);                         \
	static const struct ipcconf_clause_set table##_set = {                 \
		.rows = table, .nrows = sizeof table / sizeof table[0],        \
		.body = table##_body, .fn = #table, .file = __FILE__,          \
		.line = __LINE__, .is_table = 1,                               \
	};                                                                     \
	static const struct ipcconf_clause_set *const table##_entry            \
		__attribute__((used, section(IPCCONF_SECTION), aligned(sizeof(void *)))) = \
			&table##_set;                                          \
	static void table##_body(struct ipcconf_t *t)

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

/* Counts one check made (passed or not): a clause that makes none is BROKEN. */
void ipcconf_checked(struct ipcconf_t *t);

/* Ends the calling process (clause process or helper) at once. */
_Noreturn void ipcconf_exit(struct ipcconf_t *t);

/* Names the step in progress; a timeout message quotes it. */
void ipcconf_step(struct ipcconf_t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define STEP(t, ...) ipcconf_step((t), __VA_ARGS__)

/* "-EAGAIN", "3", "-EPIPE": how a result reads in a message. */
const char *ipcconf_result_name(long long v, char buf[32]);

/* `expr` is the source text of the actual value; `what` an optional description. */
void ipcconf_check_eq(struct ipcconf_t *t, int fatal, const char *file, int line,
		      const char *expr, const char *what, long long actual, long long expected);
void ipcconf_check_mem(struct ipcconf_t *t, int fatal, const char *file, int line,
		       const char *expr, const char *what, const void *actual,
		       const void *expected, size_t len);
void ipcconf_check_fails(struct ipcconf_t *t, const char *file, int line, const char *expr,
			 long long result, long long expected_error);
void ipcconf_check_unchanged(struct ipcconf_t *t, const char *file, int line,
			     const char *expr, long long before, long long after);
void ipcconf_check(struct ipcconf_t *t, int fatal, int ok, const char *file, int line,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The rule was broken; the clause goes on to gather more evidence. */
#define FAIL(t, ...) ipcconf_check((t), 0, 0, __FILE__, __LINE__, __VA_ARGS__)
#define CHECK(t, cond, ...) ipcconf_check((t), 0, !!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* As CHECK, but the calling process ends when the check fails. */
#define REQUIRE(t, cond, ...) ipcconf_check((t), 1, !!(cond), __FILE__, __LINE__, __VA_ARGS__)

/*
 * CHECK_EQ(t, actual, expected) or CHECK_EQ(t, actual, expected, "what"):
 * the message quotes the expression of `actual` (and `what` if given);
 * results print as numbers or negative errno names.
 */
#define IPCCONF_EQ_(t, fatal, a, e, what, ...)                                 \
	ipcconf_check_eq((t), (fatal), __FILE__, __LINE__, #a, (what),         \
			 (long long)(a), (long long)(e))
#define CHECK_EQ(t, ...) IPCCONF_EQ_((t), 0, __VA_ARGS__, (const char *)0, 0)
#define REQUIRE_EQ(t, ...) IPCCONF_EQ_((t), 1, __VA_ARGS__, (const char *)0, 0)

/*
 * CHECK_MEM(t, actual, expected, len[, "what"]): the message gives the
 * first differing offset and a hex window of both sides around it.
 */
#define IPCCONF_MEM_(t, fatal, a, e, n, what, ...)                             \
	ipcconf_check_mem((t), (fatal), __FILE__, __LINE__, #a, (what), (a), (e), (n))
#define CHECK_MEM(t, ...) IPCCONF_MEM_((t), 0, __VA_ARGS__, (const char *)0, 0)
#define REQUIRE_MEM(t, ...) IPCCONF_MEM_((t), 1, __VA_ARGS__, (const char *)0, 0)

/* CHECK_FAILS(t, call, -EBADF): the call fails with exactly that error. */
#define CHECK_FAILS(t, call, err)                                              \
	ipcconf_check_fails((t), __FILE__, __LINE__, #call, (long long)(call), (long long)(err))

/*
 * CHECK_FAILS_UNCHANGED(t, call, -EBADF, state): the call fails with that
 * error and has no effect on `state` (an expression evaluated before and
 * after it, such as the bytes a stream holds).
 */
#define CHECK_FAILS_UNCHANGED(t, call, err, state)                             \
	do {                                                                   \
		long long before_ = (long long)(state);                        \
		CHECK_FAILS((t), call, err);                                   \
		ipcconf_check_unchanged((t), __FILE__, __LINE__, #state,       \
					before_, (long long)(state));          \
	} while (0)

/* An IUT call the clause depends on must succeed (result >= 0). */
#define REQUIRE_OK(t, result, what)                                            \
	do {                                                                   \
		long long r_ = (long long)(result);                            \
		char b_[32];                                                   \
		REQUIRE((t), r_ >= 0, "%s: expected success, got %s", (what),  \
			ipcconf_result_name(r_, b_));                          \
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

/* Sends `sig` to `pid` (raw kill(2)); a failure is BROKEN. */
void ipcconf_kill(struct ipcconf_t *t, pid_t pid, int sig);

/* ---- signals in a clause (raw system calls; BROKEN on failure) ---- */

/* Catches `sig` with a handler that counts it; `flags` such as SA_RESTART. */
void ipcconf_catch(struct ipcconf_t *t, int sig, int flags);
/* How many times this process caught `sig` since ipcconf_catch(). */
unsigned ipcconf_caught(int sig);
/*
 * Waits (bounded by the clause deadline) until handlers installed by
 * ipcconf_catch(), in any process of the clause, have caught `sig` `count`
 * times in all: "the signal was delivered".  On timeout a FAIL naming
 * `what`, and the caller ends.
 */
void ipcconf_await_caught(struct ipcconf_t *t, int sig, unsigned count, const char *what);
void ipcconf_ignore(struct ipcconf_t *t, int sig);
void ipcconf_default_action(struct ipcconf_t *t, int sig);
/* Adds `sig` to the calling thread's mask, or removes it. */
void ipcconf_block_signal(struct ipcconf_t *t, int sig);
void ipcconf_unblock_signal(struct ipcconf_t *t, int sig);
/* Whether `sig` is pending for the calling thread or its process. */
int ipcconf_signal_pending(struct ipcconf_t *t, int sig);

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

/* ---- names: every IPC object a clause makes (objects.c) ---- */

/*
 * A path in the clause's private 0700 directory (unique per run and per
 * clause, unguessable).  Returned storage lives until the clause ends.
 */
const char *ipcconf_path(struct ipcconf_t *t, const char *leaf);

/*
 * A POSIX IPC name ("/ipcconf-<random>-<leaf>", for mq_open, shm_open,
 * sem_open), unique per run and clause, unguessable.
 */
const char *ipcconf_posix_name(struct ipcconf_t *t, const char *leaf);

/*
 * A System V key that no queue, segment or semaphore set uses now, unique
 * under parallel runs; create with IPC_CREAT | IPC_EXCL (a collision is
 * then an EEXIST, never a shared object).
 */
key_t ipcconf_sysv_key(struct ipcconf_t *t);

/*
 * A path for a socket that fits sun_path (at most 107 bytes), in a private
 * 0700 directory even when the clause directory's path is long.
 */
const char *ipcconf_socket_path(struct ipcconf_t *t, const char *leaf);

/*
 * Every name above is recorded in the shared page before it is returned,
 * and the runner removes it after the clause's processes are reaped, also
 * after a kill: first through each mechanism's cleanup (mechanism.h), then
 * generically.
 */

/* ---- capabilities of the calling process (caps.c, raw capget/capset) ---- */

/* Whether `cap` (CAP_SYS_RESOURCE, ...) is in the effective set; BROKEN if capget fails. */
int ipcconf_has_cap(struct ipcconf_t *t, int cap);
/* Removes `cap` from the effective, permitted and inheritable sets: 0, or -1 with errno. */
int ipcconf_drop_cap(int cap);

/* ---- the run's settings ---- */

/* The --timeout-mul factor: scales every bound and grace period. */
double ipcconf_timeout_mul(struct ipcconf_t *t);

#endif /* IPCCONF_HARNESS_CLAUSE_H */
