/*
 * Socket clauses: the sender's credentials with SO_PASSCRED and
 * SCM_CREDENTIALS (unix(7)).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_cmsg_support.h"
#include "conformance/socket/socket_support.h"

enum { CP_PASSCRED_ON = 1 };

/* The ids a root helper takes, so that they differ from the receiver's: nobody. */
#define OTHER_ID 65534

/* What the helper says about itself, in the message whose credentials are checked. */
struct self_report {
	uint32_t uid;
	uint32_t gid;
};

/*
 * In the helper: when it is root, becomes uid and gid OTHER_ID (real,
 * effective and saved alike), so that credentials copied from the
 * receiver cannot pass for the sender's.  Where that is refused (not
 * root, a user namespace that maps no such id) the helper keeps the
 * receiver's ids, and only the pid tells sender from receiver.
 */
static void become_other_ids_if_root(struct ipcconf_t *t)
{
	if (geteuid() != 0)
		return;
	STEP(t, "helper: taking uid and gid %d", OTHER_ID);
	if (setgroups(0, NULL) == 0 && setresgid(OTHER_ID, OTHER_ID, OTHER_ID) == 0)
		(void)setresuid(OTHER_ID, OTHER_ID, OTHER_ID);
}

/*
 * unix(7) SO_PASSCRED: "Enabling this socket option causes receipt of the
 * credentials of the sending process in an SCM_CREDENTIALS ancillary
 * message in each subsequently received message.  The returned
 * credentials are those specified by the sender using SCM_CREDENTIALS, or
 * a default that includes the sender's PID, real user ID, and real group
 * ID, if the sender did not specify SCM_CREDENTIALS ancillary data."
 * Checked: a helper (of other ids than the clause process when the suite
 * runs as root) connects by path and sends a plain message, with no
 * control data, to a socket on which the clause process enabled
 * SO_PASSCRED first; the message comes with SCM_CREDENTIALS holding the
 * helper's pid (as fork returned it) and the real uid and gid the helper
 * reports in the message itself.
 */
CLAUSE(socket_cred_passcred_sender_ids,
       .id = "socket.cred.passcred_sender_ids",
       .title = "with SO_PASSCRED, a received message carries the sender's pid, real uid and real gid",
       .cites = "POSIX.1-2017 XSH recvmsg(), setsockopt(); unix(7); cmsg(3)",
       USES(SOCKET, IPCCONF_SOCKET_CAP_CREDENTIALS))
{
	struct cmsg_rendezvous rv;
	cmsg_rendezvous_open(t, &rv);
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		/* Connect first: the path lies in a directory only the clause's user may search. */
		int sock = cmsg_rendezvous_connect(t, &rv);
		become_other_ids_if_root(t);
		struct self_report me = { (uint32_t)getuid(), (uint32_t)getgid() };
		ipcconf_await(t, CP_PASSCRED_ON, 1, "helper: SO_PASSCRED on the receiver");
		socket_send_all(t, sock, &me, sizeof me, "helper: sending its ids");
		ipcconf_exit(t);
	}
	int sock = cmsg_rendezvous_accept(t, &rv);
	int on = 1;
	REQUIRE_OK(t, iut_setsockopt(t, sock, SOL_SOCKET, SO_PASSCRED, &on, sizeof on),
		   "setsockopt(SO_PASSCRED, 1) on the receiving socket");
	ipcconf_post(t, CP_PASSCRED_ON);

	/* The first byte with its control data, then the rest however the stream splits it. */
	struct self_report sender;
	struct cmsg_received got;
	cmsg_recv(t, sock, CMSG_SPACE(sizeof(struct ucred)), &got, "receiving the helper's message");
	memcpy(&sender, &got.tag, 1);
	socket_recv_exact(t, sock, (char *)&sender + 1, sizeof sender - 1,
			  "the rest of the helper's message");

	REQUIRE(t, got.has_creds,
		"no SCM_CREDENTIALS message came with the helper's message (msg_flags 0x%x)",
		(unsigned)got.flags);
	CHECK_EQ(t, got.creds.pid, helper, "ucred.pid (the helper's pid)");
	CHECK_EQ(t, got.creds.uid, sender.uid, "ucred.uid (the helper's real uid)");
	CHECK_EQ(t, got.creds.gid, sender.gid, "ucred.gid (the helper's real gid)");
	ipcconf_join(t, helper, "the sending helper");
}
