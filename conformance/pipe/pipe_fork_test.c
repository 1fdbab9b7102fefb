/*
 * Pipe clauses: related processes (seed:P1).  A pipe has no name, so
 * processes reach it only by inheriting its ends across fork(): parent and
 * child, siblings, a grandchild.  Each inherited copy is a holder of its
 * own: EOF and EPIPE wait until every copy is closed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/pipe/pipe_support.h"

/* pipe.fork.child_copy_keeps_writer: the parent lets the write-end holder close. */
enum { CP_RELEASE = 1 };

struct read_call {
	int r;
	char c;
};

static long long read_one(struct ipcconf_t *t, void *arg)
{
	struct read_call *c = arg;
	return iut_read(t, c->r, &c->c, 1);
}

/*
 * `who` (a process) writes `msg` through write end e[1] and closes it;
 * first it closes its read end e[0] too, when `close_read`.
 */
static void send_message(struct ipcconf_t *t, const int e[2], int close_read, const char *msg,
			 const char *who)
{
	char what[96];
	if (close_read) {
		snprintf(what, sizeof what, "%s: close of its read end", who);
		REQUIRE_OK(t, iut_close(t, e[0]), what);
	}
	STEP(t, "%s: writing", who);
	snprintf(what, sizeof what, "%s: write", who);
	ipcconf_write_all(t, e[1], msg, strlen(msg), what);
	snprintf(what, sizeof what, "%s: close of its write end", who);
	REQUIRE_OK(t, iut_close(t, e[1]), what);
}

/*
 * `who` closes its write end e[1], reads exactly strlen(expected) bytes
 * from e[0] and compares them, then expects EOF: every write end is closed.
 */
static void receive_message(struct ipcconf_t *t, const int e[2], const char *expected, const char *who)
{
	char what[96];
	snprintf(what, sizeof what, "%s: close of its write end", who);
	REQUIRE_OK(t, iut_close(t, e[1]), what);
	char buf[64] = { 0 };
	size_t len = strlen(expected);
	STEP(t, "%s: reading \"%s\"", who, expected);
	ipcconf_read_exact(t, e[0], buf, len, who);
	CHECK(t, memcmp(buf, expected, len) == 0, "%s: read \"%.*s\", expected \"%s\"",
	      who, (int)len, buf, expected);
	STEP(t, "%s: read after the message, every write end closed: expected 0 (EOF)", who);
	CHECK_EQ(t, iut_read(t, e[0], buf, sizeof buf), 0,
		 "read after the message with every write end closed");
}

/*
 * POSIX.1-2017 XSH fork(): "The child process shall have its own copy of
 * the parent's file descriptors. Each of the child's file descriptors
 * shall refer to the same open file description with the corresponding
 * file descriptor of the parent."  pipe(7): "Pipes can be used to create a
 * communication channel between related processes".  seed:P1.  Checked
 * here: a child writes through its inherited write end; the parent reads
 * the message, then EOF once both copies of the write end are closed.
 */
CLAUSE(pipe_fork_child_writes_parent_reads,
       .id = "pipe.fork.child_writes_parent_reads",
       .title = "a child writes through an inherited write end and the parent reads it, then EOF",
       .cites = "seed:P1; POSIX.1-2017 XSH fork(), pipe(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		send_message(t, e, 1, "from the child", "child");
		ipcconf_exit(t);
	}
	receive_message(t, e, "from the child", "parent");
	ipcconf_join(t, child, "the child");
}

/*
 * As above, the other way round (seed:P1; POSIX.1-2017 XSH fork()): the
 * parent writes, the child reads through its inherited read end, and sees
 * EOF once the parent closes the last write end.
 */
CLAUSE(pipe_fork_parent_writes_child_reads,
       .id = "pipe.fork.parent_writes_child_reads",
       .title = "a parent writes and a child reads through an inherited read end, then EOF",
       .cites = "seed:P1; POSIX.1-2017 XSH fork(), pipe(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		receive_message(t, e, "from the parent", "child");
		ipcconf_exit(t);
	}
	send_message(t, e, 1, "from the parent", "parent");
	ipcconf_join(t, child, "the child");
}

/*
 * seed:P1: "For communication between related processes (parent/child,
 * siblings)."  POSIX.1-2017 XSH fork(): each child has its own copy of the
 * parent's descriptors.  Checked here: the parent makes the pipe, forks a
 * writer and a reader, and closes its own ends; the two siblings talk,
 * and the reader sees EOF when the writer closes.
 */
CLAUSE(pipe_fork_siblings,
       .id = "pipe.fork.siblings",
       .title = "two siblings communicate through a pipe their parent created",
       .cites = "seed:P1; POSIX.1-2017 XSH fork(), pipe(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t writer = ipcconf_fork(t);
	if (writer == 0) {
		send_message(t, e, 1, "hello, sibling", "writer sibling");
		ipcconf_exit(t);
	}
	pid_t reader = ipcconf_fork(t);
	if (reader == 0) {
		receive_message(t, e, "hello, sibling", "reader sibling");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[0]), "parent: close of its read end");
	REQUIRE_OK(t, iut_close(t, e[1]), "parent: close of its write end");
	ipcconf_join(t, writer, "the writer sibling");
	ipcconf_join(t, reader, "the reader sibling");
}

/*
 * POSIX.1-2017 XSH fork(): the child's descriptors are copies of the
 * parent's -- including those the parent itself inherited.  seed:P1:
 * related processes.  Checked here: a grandchild writes through a write
 * end inherited across two forks; the original process reads it.
 */
CLAUSE(pipe_fork_grandchild,
       .id = "pipe.fork.grandchild",
       .title = "a pipe end inherited across two forks still works: a grandchild writes, the grandparent reads",
       .cites = "seed:P1; POSIX.1-2017 XSH fork(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		REQUIRE_OK(t, iut_close(t, e[0]), "child: close of its read end");
		pid_t grandchild = ipcconf_fork(t);
		if (grandchild == 0) {
			/* Its read end was closed by the child before the fork. */
			send_message(t, e, 0, "from the grandchild", "grandchild");
			ipcconf_exit(t);
		}
		REQUIRE_OK(t, iut_close(t, e[1]), "child: close of its write end");
		ipcconf_join(t, grandchild, "the grandchild");
		ipcconf_exit(t);
	}
	receive_message(t, e, "from the grandchild", "grandparent");
	ipcconf_join(t, child, "the child");
}

/*
 * pipe(7): "If all file descriptors referring to the write end of a pipe
 * have been closed, then an attempt to read(2) from the pipe will see
 * end-of-file" -- all of them, in every process.  pipe(7) also advises
 * closing unused duplicates "this ensures that end-of-file and
 * SIGPIPE/EPIPE are delivered when appropriate".  Checked here: the parent
 * closes its write end while a child still holds a copy; a reader (a
 * second child, holding no write end) sleeps instead of seeing EOF, and
 * gets 0 only once the first child closes its copy.
 */
CLAUSE(pipe_fork_child_copy_keeps_writer,
       .id = "pipe.fork.child_copy_keeps_writer",
       .title = "the parent closing its write end gives no EOF while a child still holds a copy",
       .cites = "seed:P1; seed:P10; POSIX.1-2017 XSH fork(), read(); pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t holder = ipcconf_fork(t);
	if (holder == 0) {
		REQUIRE_OK(t, iut_close(t, e[0]), "holder: close of its read end");
		STEP(t, "holder: keeping its copy of the write end open until released");
		ipcconf_await(t, CP_RELEASE, 1, "the release of the write-end holder");
		REQUIRE_OK(t, iut_close(t, e[1]), "holder: close of its copy of the write end");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[1]), "parent: close of its write end");
	/* Begun after the parent's close: the reader holds no write end. */
	struct read_call c = { .r = e[0] };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "a read with the parent's write end closed but the child's copy open",
		.call = read_one, .arg = &c });
	ipcconf_block_release(t, &b);
	STEP(t, "releasing the holder: its close is the last");
	ipcconf_post(t, CP_RELEASE);
	ipcconf_join(t, holder, "the write-end holder");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the read after the last write end (the child's copy) was closed");
}

/*
 * pipe(7): SIGPIPE/EPIPE comes when "all file descriptors referring to the
 * read end of a pipe have been closed".  Checked here: the parent closes
 * its read end while a child still holds a copy; the parent's write
 * succeeds (SIGPIPE is ignored, so a wrong -EPIPE shows as a result) and
 * the child reads the bytes.
 */
CLAUSE(pipe_fork_child_copy_keeps_reader,
       .id = "pipe.fork.child_copy_keeps_reader",
       .title = "the parent closing its read end gives no EPIPE while a child still holds a copy",
       .cites = "seed:P1; seed:P10; POSIX.1-2017 XSH fork(), write() [EPIPE]; pipe(7)",
       .needs = IPCCONF_CAP_FORK_INHERIT)
{
	ipcconf_ignore(t, SIGPIPE);
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		receive_message(t, e, "ping", "child");
		ipcconf_exit(t);
	}
	REQUIRE_OK(t, iut_close(t, e[0]), "parent: close of its read end");
	STEP(t, "parent: write with its own read end closed, the child's copy open");
	CHECK_EQ(t, iut_write(t, e[1], "ping", 4), 4,
		 "write while only a child holds the read end");
	REQUIRE_OK(t, iut_close(t, e[1]), "parent: close of its write end");
	ipcconf_join(t, child, "the child");
}

/*
 * POSIX.1-2017 XSH fork(): "Each of the child's file descriptors shall
 * refer to the same open file description with the corresponding file
 * descriptor of the parent."  XSH fcntl(): F_SETFL sets "the file status
 * flags ... for the file description associated with fildes", and
 * O_NONBLOCK is one of them.  So O_NONBLOCK set by a child after the fork
 * applies to its parent's handle as well, and the other way round.
 * (An implementation keeping the flag per process fails here.)
 */
CLAUSE(pipe_fork_nonblock_shared_after_fork,
       .id = "pipe.fork.nonblock_shared_after_fork",
       .title = "O_NONBLOCK set on an inherited end after fork() applies in both parent and child",
       .cites = "seed:P1; POSIX.1-2017 XSH fork(), fcntl() F_SETFL",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	int e[2];
	REQUIRE_OK(t, iut_pipe(t, e, 0), "pipe create");
	pid_t child = ipcconf_fork(t);
	if (child == 0) {
		STEP(t, "child: setting O_NONBLOCK on its read end");
		REQUIRE_OK(t, iut_set_nonblock(t, e[0], 1), "child: set_nonblock(read end, 1)");
		ipcconf_post(t, 0);
		ipcconf_await(t, 1, 1, "the parent to set O_NONBLOCK on the write end");
		CHECK_EQ(t, iut_get_nonblock(t, e[1]), 1,
			 "child: get_nonblock(write end) after the parent set O_NONBLOCK on its copy");
		ipcconf_exit(t);
	}
	ipcconf_await(t, 0, 1, "the child to set O_NONBLOCK on the read end");
	int nb = iut_get_nonblock(t, e[0]);
	CHECK_EQ(t, nb, 1, "parent: get_nonblock(read end) after the child set O_NONBLOCK on its copy");
	/* Only when the flag reads as set: otherwise this read would block. */
	char c;
	if (nb == 1)
		CHECK_EQ(t, iut_read(t, e[0], &c, 1), -EAGAIN,
			 "parent: read of the empty pipe after the child set O_NONBLOCK on its copy of the read end");
	STEP(t, "parent: setting O_NONBLOCK on its write end");
	REQUIRE_OK(t, iut_set_nonblock(t, e[1], 1), "parent: set_nonblock(write end, 1)");
	ipcconf_post(t, 1);
	ipcconf_join(t, child, "the child");
}
