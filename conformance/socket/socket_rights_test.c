/*
 * Socket clauses: passing handles with SCM_RIGHTS (unix(7), cmsg(3)).
 * The handles passed are pipe ends made through the implementation's
 * pipe table, because a pipe shows at once whether a handle still reaches
 * its object (data goes through) and who still holds it (EOF comes only
 * when every write end is closed).
 *
 * Where the receiver is another process, it is a helper forked before the
 * pipe exists and connected to the clause process by a socket path, so
 * the only way it can hold the pipe is the message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_cmsg_support.h"
#include "conformance/socket/socket_support.h"

/* Checkpoints between the clause process (sender) and its helper (receiver). */
enum { CP_RECEIVED = 1, CP_CHECKED, CP_CLOSED, CP_DONE };

/* In the helper: the one handle the clause process passes. */
static int receive_one(struct ipcconf_t *t, int sock, const char *what)
{
	struct cmsg_received got;
	cmsg_recv(t, sock, CMSG_SPACE(sizeof(int)), &got, what);
	CHECK_EQ(t, got.tag, 'R', "the data byte that carried the handle");
	REQUIRE_EQ(t, got.nhandles, 1, "handles received in the SCM_RIGHTS message");
	CHECK_EQ(t, got.flags & MSG_CTRUNC, 0, "MSG_CTRUNC with room for the handle");
	return got.handles[0];
}

/*
 * unix(7) SCM_RIGHTS: "Send or receive a set of open file descriptors from
 * another process ... what is being passed is a reference to an open file
 * description"; POSIX.1-2017 XSH sendmsg(), recvmsg(); seed:K3.  Checked:
 * the write end of a pipe made after the helper was forked is passed to
 * the helper; what the helper writes through the handle it received, the
 * clause process reads from the pipe's read end.
 */
CLAUSE(socket_rights_passed_end_works,
       .id = "socket.rights.passed_end_works",
       .title = "a pipe end passed with SCM_RIGHTS to a process that never had it works there",
       .cites = "seed:K3; POSIX.1-2017 XSH sendmsg(), recvmsg(); unix(7); cmsg(3)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_RIGHTS),
       USES(PIPE, 0))
{
	static const char msg[] = "written by the receiver";
	struct cmsg_rendezvous rv;
	cmsg_rendezvous_open(t, &rv);
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		int sock = cmsg_rendezvous_connect(t, &rv);
		int w = receive_one(t, sock, "helper: receiving the write end");
		STEP(t, "helper: writing through the received write end");
		ipcconf_write_all(t, w, msg, sizeof msg - 1, "helper: write through the received end");
		REQUIRE_OK(t, iut_close(t, w), "helper: close of the received write end");
		ipcconf_exit(t);
	}
	int sock = cmsg_rendezvous_accept(t, &rv);
	int e[2];
	cmsg_pipe(t, e);
	cmsg_send_rights(t, sock, 'R', &e[1], 1, "passing the write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the sender's own write end");
	char got[sizeof msg - 1];
	STEP(t, "reading what the helper wrote through the passed end");
	ipcconf_read_exact(t, e[0], got, sizeof got, "the sender reads the pipe");
	CHECK_MEM(t, got, msg, sizeof got, "what the sender read from the pipe");
	ipcconf_join(t, helper, "the receiving helper");
}

/*
 * unix(7) SCM_RIGHTS: the receiver gets a reference to the open file
 * description, "equivalent to duplicating (dup(2)) a file descriptor into
 * the file descriptor table of another process"; pipe(7): "If all file
 * descriptors referring to the write end of a pipe have been closed, then
 * an attempt to read(2) from the pipe will see end-of-file".  Checked:
 * the sender passes the write end and closes its own copy; while the
 * receiver holds the copy it received, a nonblocking read of the empty
 * pipe gives -EAGAIN, not end of file; once the receiver closes it (the
 * helper stays alive, so it is the close that counts), the read gives 0.
 */
CLAUSE(socket_rights_eof_waits_for_receiver,
       .id = "socket.rights.eof_waits_for_receiver",
       .title = "a passed write end counts as a writer until the receiver closes it: no EOF before, EOF after",
       .cites = "POSIX.1-2017 XSH sendmsg(), recvmsg(), read(); unix(7); pipe(7); dup(2)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_RIGHTS),
       USES(PIPE, 0),
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	struct cmsg_rendezvous rv;
	cmsg_rendezvous_open(t, &rv);
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		int sock = cmsg_rendezvous_connect(t, &rv);
		int w = receive_one(t, sock, "helper: receiving the write end");
		ipcconf_post(t, CP_RECEIVED);
		ipcconf_await(t, CP_CHECKED, 1, "helper: the sender's check while the helper holds the end");
		REQUIRE_OK(t, iut_close(t, w), "helper: close of the received write end");
		ipcconf_post(t, CP_CLOSED);
		/* Alive until the sender has looked: its exit must not be what closes the end. */
		ipcconf_await(t, CP_DONE, 1, "helper: the sender's check after the close");
		ipcconf_exit(t);
	}
	int sock = cmsg_rendezvous_accept(t, &rv);
	int e[2];
	cmsg_pipe(t, e);
	cmsg_send_rights(t, sock, 'R', &e[1], 1, "passing the write end");
	REQUIRE_OK(t, iut_close(t, e[1]), "close of the sender's own write end");
	ipcconf_await(t, CP_RECEIVED, 1, "the helper receiving the write end");
	STEP(t, "nonblocking read while the receiver holds the only write end");
	ipcconf_expect_empty(t, e[0],
			     "nonblocking read of the empty pipe while the receiver holds the passed write end (not EOF)");
	ipcconf_post(t, CP_CHECKED);
	ipcconf_await(t, CP_CLOSED, 1, "the helper closing the received write end");
	char c;
	STEP(t, "read after the receiver closed the last write end");
	CHECK_EQ(t, iut_read(t, e[0], &c, 1), 0,
		 "read after the receiver closed the last write end (expected end of file)");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, helper, "the receiving helper");
}

/*
 * unix(7) SCM_RIGHTS: "what is being passed is a reference to an open file
 * description (see open(2)), and in the receiving process it is likely
 * that a different file descriptor number will be used.  Semantically,
 * this operation is equivalent to duplicating (dup(2))"; dup(2): the two
 * descriptors "share file offset and file status flags".  Checked: the
 * handle the receiver gets is not its own socket's; setting O_NONBLOCK
 * through it shows on the sender's handle, which stays open: one open
 * file description with two handles, not a copy of the object.
 */
CLAUSE(socket_rights_shares_open_file,
       .id = "socket.rights.shares_open_file",
       .title = "a received handle is a new handle for the sender's open file description: O_NONBLOCK is shared",
       .cites = "POSIX.1-2017 XSH sendmsg(), recvmsg(); unix(7); dup(2); open(2)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_RIGHTS),
       USES(PIPE, 0),
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	struct cmsg_rendezvous rv;
	cmsg_rendezvous_open(t, &rv);
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		int sock = cmsg_rendezvous_connect(t, &rv);
		int w = receive_one(t, sock, "helper: receiving the write end");
		CHECK(t, w != sock, "the received handle %d is the receiver's own socket handle", w);
		REQUIRE_OK(t, iut_set_nonblock(t, w, 1), "helper: set O_NONBLOCK on the received handle");
		ipcconf_post(t, CP_RECEIVED);
		ipcconf_await(t, CP_DONE, 1, "helper: the sender's check of its own handle");
		ipcconf_exit(t);
	}
	int sock = cmsg_rendezvous_accept(t, &rv);
	int e[2];
	cmsg_pipe(t, e);
	CHECK_EQ(t, iut_get_nonblock(t, e[1]), 0, "O_NONBLOCK on a new pipe's write end");
	cmsg_send_rights(t, sock, 'R', &e[1], 1, "passing the write end");
	ipcconf_await(t, CP_RECEIVED, 1, "the helper setting O_NONBLOCK on the handle it received");
	CHECK_EQ(t, iut_get_nonblock(t, e[1]), 1,
		 "O_NONBLOCK on the sender's write end after the receiver set it on the passed one");
	ipcconf_post(t, CP_DONE);
	ipcconf_join(t, helper, "the receiving helper");
}

/* Three pipes; their write ends, passed in one message on a socketpair, and closed by the sender. */
struct three_passed {
	int sock[2];
	int r[3];
};

static void pass_three(struct ipcconf_t *t, struct three_passed *p)
{
	int w[3];
	socket_pair(t, SOCK_STREAM, p->sock);
	for (int k = 0; k < 3; k++) {
		int e[2];
		cmsg_pipe(t, e);
		p->r[k] = e[0];
		w[k] = e[1];
	}
	cmsg_send_rights(t, p->sock[0], 'R', w, 3, "passing three write ends in one message");
	/* From here the only write ends are the ones in flight. */
	for (int k = 0; k < 3; k++)
		REQUIRE_OK(t, iut_close(t, w[k]), "close of the sender's own write end");
}

/*
 * unix(7) SCM_RIGHTS: "The data portion contains an integer array of the
 * file descriptors"; cmsg(3); POSIX.1-2017 XSH recvmsg().  Checked: three
 * write ends passed in one message (the sender's own copies closed) come
 * out as three handles, in the order they were sent: a byte written
 * through the k-th received handle comes out of the k-th pipe.
 */
CLAUSE(socket_rights_several_in_order,
       .id = "socket.rights.several_in_order",
       .title = "several handles in one SCM_RIGHTS message arrive all, in the order sent",
       .cites = "POSIX.1-2017 XSH sendmsg(), recvmsg(); unix(7); cmsg(3)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_RIGHTS),
       USES(PIPE, 0))
{
	struct three_passed p;
	struct cmsg_received got;
	pass_three(t, &p);
	cmsg_recv(t, p.sock[1], CMSG_SPACE(3 * sizeof(int)), &got, "receiving three handles");
	CHECK_EQ(t, got.tag, 'R', "the data byte that carried the handles");
	CHECK_EQ(t, got.flags & MSG_CTRUNC, 0, "MSG_CTRUNC with room for all three handles");
	REQUIRE_EQ(t, got.nhandles, 3, "handles received");
	/* Every write first: each pipe then holds one byte, and a mix-up shows as a wrong byte, not a hang. */
	for (int k = 0; k < 3; k++) {
		char mark = (char)('0' + k);
		char what[64];
		snprintf(what, sizeof what, "write through received handle %d", k);
		ipcconf_write_all(t, got.handles[k], &mark, 1, what);
	}
	for (int k = 0; k < 3; k++) {
		char c = 0;
		char what[96];
		snprintf(what, sizeof what, "pipe %d, whose write end was sent in place %d", k, k);
		ipcconf_read_exact(t, p.r[k], &c, 1, what);
		CHECK(t, c == '0' + k,
		      "pipe %d got the byte written through received handle %d: handles arrived out of order",
		      k, c - '0');
	}
}

/*
 * POSIX.1-2017 XSH recvmsg(): "MSG_CTRUNC Control data was truncated";
 * recvmsg(2): "MSG_CTRUNC indicates that some control data was discarded
 * due to lack of space in the buffer for ancillary data".  Checked: three
 * handles are sent in one message and received with a control buffer of
 * CMSG_SPACE(sizeof(int)), which is smaller than the CMSG_LEN(3 *
 * sizeof(int)) their message needs on every ABI: msg_flags has MSG_CTRUNC,
 * and the data byte still arrives.
 */
CLAUSE(socket_rights_ctrunc,
       .id = "socket.rights.ctrunc",
       .title = "a control buffer too small for the handles sent sets MSG_CTRUNC",
       .cites = "POSIX.1-2017 XSH recvmsg(); recvmsg(2); unix(7); cmsg(3)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_RIGHTS),
       USES(PIPE, 0))
{
	struct three_passed p;
	struct cmsg_received got;
	pass_three(t, &p);
	cmsg_recv(t, p.sock[1], CMSG_SPACE(sizeof(int)), &got,
		  "receiving three handles with room for one");
	CHECK(t, got.flags & MSG_CTRUNC,
	      "msg_flags 0x%x after receiving three handles with room for one: no MSG_CTRUNC",
	      (unsigned)got.flags);
	CHECK_EQ(t, got.tag, 'R', "the data byte that carried the handles");
	CHECK(t, got.nhandles < 3, "%u handles came through a buffer too small for 3", got.nhandles);
}

/*
 * unix(7) SCM_RIGHTS: "If the buffer used to receive the ancillary data
 * containing file descriptors is too small (or is absent), then the
 * ancillary data is truncated (or discarded) and the excess file
 * descriptors are automatically closed in the receiving process."
 * Checked: three write ends (the sender's copies closed) are received with
 * room for one; of the three pipes, exactly those whose end did not come
 * through read end of file (a nonblocking read gives 0), and exactly as
 * many as came through still have a writer (-EAGAIN).  Which ones came
 * through is left open: this clause is about the excess being closed.
 */
CLAUSE(socket_rights_excess_closed,
       .id = "socket.rights.excess_closed",
       .title = "handles that do not fit a too-small control buffer are closed, not leaked",
       .cites = "POSIX.1-2017 XSH recvmsg(); unix(7); pipe(7); cmsg(3)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_RIGHTS),
       USES(PIPE, 0),
       USES(HANDLE, IPCCONF_HANDLE_CAP_NONBLOCK))
{
	struct three_passed p;
	struct cmsg_received got;
	pass_three(t, &p);
	cmsg_recv(t, p.sock[1], CMSG_SPACE(sizeof(int)), &got,
		  "receiving three handles with room for one");
	REQUIRE(t, got.nhandles < 3, "%u handles came through a buffer too small for 3",
		got.nhandles);
	unsigned eof = 0, held = 0;
	for (int k = 0; k < 3; k++) {
		char c, b[32];
		REQUIRE_OK(t, iut_set_nonblock(t, p.r[k], 1), "set O_NONBLOCK on a read end");
		ssize_t n = iut_read(t, p.r[k], &c, 1);
		if (n == 0)
			eof++;
		else if (n == -EAGAIN)
			held++;
		else
			FAIL(t, "nonblocking read of empty pipe %d: expected 0 or -EAGAIN, got %s", k,
			     ipcconf_result_name(n, b));
	}
	CHECK_EQ(t, eof, 3 - got.nhandles,
		 "pipes at end of file (their write end was excess and should be closed)");
	CHECK_EQ(t, held, got.nhandles, "pipes still with a writer (their write end was received)");
}
