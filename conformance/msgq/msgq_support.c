/*
 * msgq_support.c -- what System V message queue clauses share (see
 * msgq_support.h).
 */
#define _GNU_SOURCE
#include "conformance/msgq/msgq_support.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/futex.h"
#include "conformance/harness/page.h"
#include "conformance/harness/proc_state.h"
#include "conformance/harness/sys.h"

int msgq_create(struct ipcconf_t *t, key_t *key)
{
	key_t k = ipcconf_sysv_key(t);
	int id = iut_msgget(t, k, IPC_CREAT | IPC_EXCL | 0600);
	REQUIRE_OK(t, id, "msgget(new key, IPC_CREAT | IPC_EXCL | 0600)");
	if (key)
		*key = k;
	return id;
}

void msgq_put(struct ipcconf_t *t, int id, long type, const char *text, size_t len)
{
	struct msgq_msg m = { .mtype = type };
	if (len > sizeof m.mtext)
		BROKEN(t, "msgq_put: %zu bytes do not fit the clause's buffer", len);
	memcpy(m.mtext, text, len);
	int r = iut_msgsnd(t, id, &m, len, IPC_NOWAIT);
	char b[32];
	if (r == -EAGAIN) {
		/* A legal small msgmnb: the clause's messages do not fit, which is no failure. */
		struct msqid_ds ds;
		if (iut_msgctl(t, id, IPC_STAT, &ds) == 0 &&
		    (ds.msg_cbytes + len > ds.msg_qbytes || ds.msg_qnum + 1 > ds.msg_qbytes))
			SKIP(t, "the queue's msg_qbytes %lu cannot hold this clause's messages (%lu bytes queued, %zu more)",
			     (unsigned long)ds.msg_qbytes, (unsigned long)ds.msg_cbytes, len);
	}
	if (r == -EINVAL) {
		long msgmax = msgq_sysctl("msgmax");
		if (msgmax >= 0 && len > (size_t)msgmax)
			SKIP(t, "this clause's %zu-byte messages exceed msgmax %ld", len, msgmax);
	}
	REQUIRE(t, r == 0, "msgsnd(type %ld, %zu bytes, IPC_NOWAIT) into a queue with room: expected 0, got %s",
		type, len, ipcconf_result_name(r, b));
}

void msgq_put_str(struct ipcconf_t *t, int id, long type, const char *text)
{
	msgq_put(t, id, type, text, strlen(text));
}

void msgq_expect(struct ipcconf_t *t, int id, long msgtyp, int flags, long want_type,
		 const char *want, const char *what)
{
	struct msgq_msg m;
	memset(&m, 0, sizeof m);
	size_t len = strlen(want);
	ssize_t n = iut_msgrcv(t, id, &m, sizeof m.mtext, msgtyp, flags | IPC_NOWAIT);
	char b[32];
	if (n < 0) {
		FAIL(t, "%s: msgrcv(msgtyp %ld) returned %s, expected the %zu-byte message \"%s\" of type %ld",
		     what, msgtyp, ipcconf_result_name(n, b), len, want, want_type);
		return;
	}
	if (n != (ssize_t)len || m.mtype != want_type || memcmp(m.mtext, want, len) != 0) {
		FAIL(t, "%s: msgrcv(msgtyp %ld) returned the %zd-byte message \"%.*s\" of type %ld, expected \"%s\" of type %ld",
		     what, msgtyp, n, (int)(n > 64 ? 64 : n), m.mtext, m.mtype, want, want_type);
		return;
	}
	ipcconf_checked(t);
}

void msgq_stat(struct ipcconf_t *t, int id, struct msqid_ds *ds)
{
	memset(ds, 0, sizeof *ds);
	REQUIRE_OK(t, iut_msgctl(t, id, IPC_STAT, ds), "msgctl(IPC_STAT)");
}

long long msgq_qnum(struct ipcconf_t *t, int id)
{
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	return (long long)ds.msg_qnum;
}

long long msgq_cbytes(struct ipcconf_t *t, int id)
{
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	return (long long)ds.msg_cbytes;
}

long msgq_sysctl(const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long v = -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

#define FILL_MAX_QBYTES (4L << 20)
#define FILL_LOWERED_QBYTES (64L << 10)

long msgq_fill(struct ipcconf_t *t, int id, size_t *largest)
{
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	if (ds.msg_qbytes > (unsigned long)FILL_MAX_QBYTES) {
		STEP(t, "lowering msg_qbytes from %lu to %ld before filling", (unsigned long)ds.msg_qbytes,
		     FILL_LOWERED_QBYTES);
		ds.msg_qbytes = FILL_LOWERED_QBYTES;
		REQUIRE_OK(t, iut_msgctl(t, id, IPC_SET, &ds), "msgctl(IPC_SET) lowering msg_qbytes to fill the queue");
		msgq_stat(t, id, &ds);
	}
	unsigned long qbytes = ds.msg_qbytes;
	REQUIRE(t, qbytes > 0 && qbytes <= (unsigned long)FILL_MAX_QBYTES,
		"the queue's msg_qbytes is %lu: nothing could be sent", qbytes);
	long msgmax = msgq_sysctl("msgmax");
	size_t chunk = qbytes;
	if (msgmax > 0 && (unsigned long)msgmax < chunk)
		chunk = (size_t)msgmax;
	struct {
		long mtype;
		char mtext[];
	} *m = malloc(sizeof(long) + chunk);
	if (!m)
		BROKEN(t, "malloc(%zu) for the filler message", chunk);
	m->mtype = 1;
	memset(m->mtext, 'f', chunk);
	unsigned long queued = ds.msg_cbytes;
	long sent = 0;
	size_t most = 0;
	STEP(t, "filling the queue to its msg_qbytes %lu", qbytes);
	while (queued < qbytes) {
		size_t n = qbytes - queued < chunk ? qbytes - queued : chunk;
		int r = iut_msgsnd(t, id, m, n, IPC_NOWAIT);
		if (r == -EINVAL && msgmax < 0 && n > 1) {
			/* No /proc here: the largest message is found by halving. */
			chunk = n / 2;
			continue;
		}
		char b[32];
		REQUIRE(t, r == 0,
			"filling the queue: msgsnd of %zu bytes, IPC_NOWAIT, with %lu of its msg_qbytes %lu queued: expected 0, got %s",
			n, queued, qbytes, ipcconf_result_name(r, b));
		queued += n;
		sent++;
		if (n > most)
			most = n;
	}
	free(m);
	if (largest)
		*largest = most;
	return sent;
}

void msgq_still_blocked(struct ipcconf_t *t, const struct ipcconf_blocked *b, const char *after)
{
	struct ipcconf_block_slot *s = &t->page->blocked[b->slot];
	/* The same window block.h gives a call to show it returns on its own. */
	int64_t until = ipcconf_now_ns() + (int64_t)(IPCCONF_BLOCK_GRACE_MS * 1e6 * t->page->timeout_mul);
	char r[32];
	while (!atomic_load(&s->returned) && ipcconf_now_ns() < until)
		ipcconf_futex_wait(&s->returned, 0, until);
	if (atomic_load(&s->returned)) {
		FAIL(t, "%s returned %s after %s: that must not release it", b->what,
		     ipcconf_result_name(atomic_load(&s->result), r), after);
		ipcconf_exit(t);
	}
	int64_t backoff = 20 * 1000;
	for (;;) {
		char st = ipcconf_proc_state(b->pid);
		if (st == 0)
			SKIP(t, "blocking cannot be observed here: /proc/%d/stat is unreadable", (int)b->pid);
		if (atomic_load(&s->returned)) {
			FAIL(t, "%s returned %s after %s: that must not release it", b->what,
			     ipcconf_result_name(atomic_load(&s->result), r), after);
			ipcconf_exit(t);
		}
		if (st == 'S')
			break;
		if (ipcconf_now_ns() >= t->page->deadline_ns) {
			FAIL(t, "timeout: %s is not asleep again after %s (state %c)", b->what, after, st);
			ipcconf_exit(t);
		}
		ipcconf_sys_pause_ns(backoff, t->page->deadline_ns);
		if (backoff < 2 * 1000 * 1000)
			backoff *= 2;
	}
	ipcconf_checked(t);
}

void msgq_need_root(struct ipcconf_t *t)
{
	if (getuid() != 0 || geteuid() != 0)
		SKIP(t, "needs root, to make a helper of another user (uid %d here)", (int)geteuid());
}

static void drop_to_nobody(struct ipcconf_t *t)
{
	STEP(t, "helper: dropping root to uid/gid %d", MSGQ_OTHER_UID);
	if (setgroups(0, NULL) != 0 || setresgid(MSGQ_OTHER_UID, MSGQ_OTHER_UID, MSGQ_OTHER_UID) != 0 ||
	    setresuid(MSGQ_OTHER_UID, MSGQ_OTHER_UID, MSGQ_OTHER_UID) != 0)
		SKIP(t, "cannot become the user nobody (%d): %s", MSGQ_OTHER_UID, strerror(errno));
}

void msgq_become_other_user(struct ipcconf_t *t)
{
	if (geteuid() != 0)
		SKIP(t, "needs root, to make a helper of another user (uid %d here)", (int)geteuid());
	drop_to_nobody(t);
	if (ipcconf_has_cap(t, CAP_IPC_OWNER) || ipcconf_has_cap(t, CAP_SYS_ADMIN) || ipcconf_has_cap(t, CAP_SYS_RESOURCE))
		SKIP(t, "the helper kept a capability that bypasses System V IPC checks after giving up root");
}

void msgq_become_unprivileged(struct ipcconf_t *t)
{
	/*
	 * The privilege msgctl(2) names is CAP_SYS_RESOURCE: give up that
	 * capability alone and stay the same user, so nothing else about the
	 * caller changes.  Where capset cannot drop it, become nobody.
	 */
	if (ipcconf_has_cap(t, CAP_SYS_RESOURCE)) {
		STEP(t, "helper: dropping CAP_SYS_RESOURCE");
		if (ipcconf_drop_cap(CAP_SYS_RESOURCE) != 0) {
			STEP(t, "helper: capset refused (%s): becoming uid/gid %d", strerror(errno),
			     MSGQ_OTHER_UID);
			if (setgroups(0, NULL) != 0 ||
			    setresgid(MSGQ_OTHER_UID, MSGQ_OTHER_UID, MSGQ_OTHER_UID) != 0 ||
			    setresuid(MSGQ_OTHER_UID, MSGQ_OTHER_UID, MSGQ_OTHER_UID) != 0)
				SKIP(t, "cannot drop CAP_SYS_RESOURCE nor become the user nobody: %s",
				     strerror(errno));
		}
	}
	if (ipcconf_has_cap(t, CAP_SYS_RESOURCE))
		SKIP(t, "the caller has CAP_SYS_RESOURCE (which lets msg_qbytes exceed msgmnb) and cannot drop it");
}

void msgq_join_helper(struct ipcconf_t *t, pid_t helper, const char *who)
{
	ipcconf_join(t, helper, who);
	if (atomic_load(&t->page->outcome) == IPCCONF_SKIP)
		ipcconf_exit(t);
}
