/*
 * The `pipe` mechanism and the `pipe` table, as the harness sees them
 * (conformance/harness/mechanism.h).
 */
#include <errno.h>
#include <stdio.h>

#include "conformance/harness/mechanism.h"
#include "conformance/pipe/pipe_support.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_pipe_ops, member)

static const struct ipcconf_member pipe_required[] = { M(create), { 0 } };

static const struct ipcconf_cap_ops pipe_caps[] = {
	{ IPCCONF_PIPE_CAP_CAPACITY_GET, "CAPACITY_GET", { M(get_capacity) } },
	{ IPCCONF_PIPE_CAP_CAPACITY_SET, "CAPACITY_SET", { M(set_capacity), M(get_capacity) } },
	{ IPCCONF_PIPE_CAP_PIPE_BUF, "PIPE_BUF", { M(pipe_buf) } },
	{ IPCCONF_PIPE_CAP_SEEK, "SEEK", { M(seek) } },
	{ IPCCONF_PIPE_CAP_PACKET, "PACKET", { { 0 } } },
	{ 0 },
};

TABLE(pipe, .id = IPCCONF_TABLE_PIPE, .size = sizeof(struct ipcconf_pipe_ops),
      .required = pipe_required, .caps = pipe_caps);

/* The report's header names the capacity and PIPE_BUF the clauses ran against. */
static void pipe_probe_limits(struct ipcconf_t *t, char *note, size_t size)
{
	int ends[2];
	char b[32], pbs[32];
	int r = iut_pipe(t, ends, 0);
	if (r < 0) {
		snprintf(note, size, "pipe: creating a pipe failed: %s", ipcconf_result_name(r, b));
		return;
	}
	long pb = t->iut->pipe->pipe_buf ? t->iut->pipe->pipe_buf(t->self, ends[1]) : -ENOSYS;
	long cap = t->iut->pipe->get_capacity ? iut_get_capacity(t, ends[1]) : -ENOSYS;
	const char *how = "F_GETPIPE_SZ";
	if (cap < 0 && t->iut->handle->set_nonblock) {
		cap = ipcconf_fill(t, ends[1]);
		how = "filled until EAGAIN";
	}
	snprintf(note, size, "pipe capacity %s bytes (%s), PIPE_BUF %s bytes",
		 ipcconf_result_name(cap, b), how, ipcconf_result_name(pb, pbs));
}

MECHANISM(pipe,
	  .title = "anonymous pipes",
	  .order = 10,
	  .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(STREAM) | IPCCONF_TABLE_BIT(PIPE),
	  .probe = pipe_probe_limits);
