/*
 * socket_cmsg_support.c -- control messages in socket clauses (see
 * socket_cmsg_support.h).
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_cmsg_support.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "conformance/socket/socket_support.h"

/* A control buffer big enough for every message the clauses receive, aligned for cmsghdr. */
union cmsg_buffer {
	struct cmsghdr align;
	char bytes[CMSG_SPACE(CMSG_MAX_HANDLES * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
};

void cmsg_pipe(struct ipcconf_t *t, int ends[2])
{
	REQUIRE_OK(t, t->iut->pipe->create(t->self, ends, 0), "pipe create");
}

void cmsg_rendezvous_open(struct ipcconf_t *t, struct cmsg_rendezvous *rv)
{
	rv->listener = socket_listener(t, SOCK_STREAM, "rendezvous", 4, &rv->sa, &rv->len);
}

int cmsg_rendezvous_connect(struct ipcconf_t *t, const struct cmsg_rendezvous *rv)
{
	int h = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, h, "helper: socket(AF_UNIX, SOCK_STREAM)");
	REQUIRE_OK(t, iut_connect(t, h, &rv->sa, rv->len), "helper: connect to the clause's path");
	return h;
}

int cmsg_rendezvous_accept(struct ipcconf_t *t, struct cmsg_rendezvous *rv)
{
	STEP(t, "accepting the helper's connection");
	int h = iut_accept(t, rv->listener, NULL, NULL, 0);
	REQUIRE_OK(t, h, "accept of the helper's connection");
	REQUIRE_OK(t, iut_close(t, rv->listener), "close of the rendezvous listener");
	rv->listener = -1;
	return h;
}

void cmsg_send_rights(struct ipcconf_t *t, int sock, char tag, const int *handles, unsigned n,
		      const char *what)
{
	union cmsg_buffer control;
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	char b[32];
	if (n == 0 || n > CMSG_MAX_HANDLES)
		BROKEN(t, "cmsg_send_rights: %u handles", n);
	memset(&control, 0, sizeof control);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), handles, n * sizeof(int));
	STEP(t, "%s: sendmsg with %u handle(s)", what, n);
	ssize_t r = iut_sendmsg(t, sock, &msg, MSG_NOSIGNAL);
	REQUIRE(t, r == 1, "%s: sendmsg of 1 data byte with SCM_RIGHTS (%u handle(s)) returned %s",
		what, n, ipcconf_result_name(r, b));
}

void cmsg_recv(struct ipcconf_t *t, int sock, size_t control_len, struct cmsg_received *got,
	       const char *what)
{
	union cmsg_buffer control;
	struct iovec iov = { .iov_base = &got->tag, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = control_len,
	};
	char b[32];
	if (control_len > sizeof control.bytes)
		BROKEN(t, "cmsg_recv: a control buffer of %zu bytes", control_len);
	memset(&control, 0, sizeof control);
	memset(got, 0, sizeof *got);
	STEP(t, "%s: recvmsg with a %zu-byte control buffer", what, control_len);
	ssize_t r = iut_recvmsg(t, sock, &msg, 0);
	REQUIRE(t, r == 1, "%s: recvmsg of the 1-byte message returned %s%s", what,
		ipcconf_result_name(r, b), r == 0 ? " (end of file)" : "");
	got->flags = msg.msg_flags;
	REQUIRE(t, msg.msg_controllen <= control_len,
		"%s: recvmsg reports %zu bytes of control data in a %zu-byte buffer", what,
		(size_t)msg.msg_controllen, control_len);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		REQUIRE(t, c->cmsg_len >= CMSG_LEN(0), "%s: a control message of length %zu", what,
			(size_t)c->cmsg_len);
		size_t data = c->cmsg_len - CMSG_LEN(0);
		if (c->cmsg_type == SCM_RIGHTS) {
			size_t n = data / sizeof(int);
			REQUIRE(t, got->nhandles + n <= CMSG_MAX_HANDLES,
				"%s: %zu handles in a buffer that holds at most %d", what,
				got->nhandles + n, CMSG_MAX_HANDLES);
			memcpy(got->handles + got->nhandles, CMSG_DATA(c), n * sizeof(int));
			got->nhandles += (unsigned)n;
		} else if (c->cmsg_type == SCM_CREDENTIALS && data >= sizeof(struct ucred)) {
			memcpy(&got->creds, CMSG_DATA(c), sizeof got->creds);
			got->has_creds = 1;
		}
	}
}
