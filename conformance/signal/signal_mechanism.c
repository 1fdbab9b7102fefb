/*
 * The `signal` mechanism and the `signal` table, as the harness sees them
 * (conformance/harness/mechanism.h).
 */
#include "conformance/harness/mechanism.h"

#define M(member) IPCCONF_MEMBER(struct ipcconf_signal_ops, member)

static const struct ipcconf_member signal_required[] = {
	M(self_pid), M(kill), M(raise), M(action), M(mask), M(pending), { 0 },
};

static const struct ipcconf_cap_ops signal_caps[] = {
	{ IPCCONF_SIGNAL_CAP_QUEUE, "QUEUE", { M(queue) } },
	{ IPCCONF_SIGNAL_CAP_WAIT, "WAIT", { M(wait) } },
	{ IPCCONF_SIGNAL_CAP_SUSPEND, "SUSPEND", { M(suspend), M(pause) } },
	{ IPCCONF_SIGNAL_CAP_CHILD, "CHILD", { M(wait_pid), M(wait_id) } },
	{ IPCCONF_SIGNAL_CAP_STOP, "STOP", { { 0 } } },
	{ IPCCONF_SIGNAL_CAP_CORE, "CORE", { { 0 } } },
	{ IPCCONF_SIGNAL_CAP_EXEC, "EXEC", { { 0 } } },
	{ IPCCONF_SIGNAL_CAP_CREDENTIALS, "CREDENTIALS", { { 0 } } },
	{ 0 },
};

TABLE(signal, .id = IPCCONF_TABLE_SIGNAL, .size = sizeof(struct ipcconf_signal_ops),
      .required = signal_required, .caps = signal_caps);

MECHANISM(signal,
	  .title = "signals",
	  .order = 30,
	  .tables = IPCCONF_TABLE_BIT(SIGNAL));
