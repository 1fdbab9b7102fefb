/*
 * POSIX message queue clauses: names and creation (seed:Q1, Q2).  A queue
 * is reached by a name "/somename"; O_CREAT | O_EXCL makes a new one or
 * fails; malformed names and sizes are refused; mq_unlink removes the
 * name while open handles keep working.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

/*
 * An open the clause expects to fail: when it succeeds after all, the
 * handle is closed and the name removed at once, so that nothing is left
 * behind whatever name the implementation made of it.
 */
static void expect_open_fails(struct ipcconf_t *t, const char *name, int flags,
			      const struct mq_attr *attr, int err, const char *what)
{
	STEP(t, "%s", what);
	int h = iut_mq_open(t, name, flags, 0600, attr);
	char hb[32], eb[32];
	CHECK(t, h == err, "%s: expected %s, got %s%s", what, ipcconf_result_name(err, eb),
	      ipcconf_result_name(h, hb), h >= 0 ? " (a handle: it succeeded)" : "");
	if (h >= 0) {
		iut_close(t, h);
		iut_mq_unlink(t, name);
	}
}

enum name_kind { NAME_NO_SLASH, NAME_SLASH_ONLY, NAME_TWO_SLASHES, NAME_TOO_LONG, NAME_MISSING };

struct name_error {
	enum name_kind kind;
	int flags;
	int err;
	const char *what;
};

/* The row's name, built from ipcconf_posix_name() so that any queue made of it is removed. */
static const char *row_name(struct ipcconf_t *t, enum name_kind kind)
{
	const char *base = ipcconf_posix_name(t, "q");
	static char buf[512];
	switch (kind) {
	case NAME_NO_SLASH:
		return base + 1;
	case NAME_SLASH_ONLY:
		return "/";
	case NAME_TWO_SLASHES:
		snprintf(buf, sizeof buf, "%s/x", base);
		return buf;
	case NAME_TOO_LONG: {
		/* "/" and NAME_MAX + 1 = 256 characters: one component too long. */
		size_t n = strlen(base);
		memcpy(buf, base, n);
		memset(buf + n, 'n', 257 - n);
		buf[257] = '\0';
		return buf;
	}
	case NAME_MISSING:
		return base;
	}
	return base;
}

static const struct ipcconf_clause mq_open_name_error[] = {
	/*
	 * mq_overview(7): "Each message queue is identified by a name of the
	 * form /somename; that is, a null-terminated string of up to NAME_MAX
	 * (i.e., 255) characters consisting of an initial slash, followed by
	 * one or more characters, none of which are slashes."  mq_open(3)
	 * ERRORS: "EINVAL name doesn't follow the format in mq_overview(7)."
	 * (POSIX.1-2017 XSH mq_open() makes a name without the leading slash
	 * implementation-defined; glibc refuses it.)  Checked here: the
	 * clause's own name without its leading slash, with O_CREAT | O_EXCL,
	 * fails with -EINVAL.
	 */
	ROW(.id = "mq.open.name_error_no_leading_slash",
	    .title = "mq_open of a name without a leading slash fails with -EINVAL",
	    .cites = "seed:Q1; mq_open(3) ERRORS [EINVAL]; mq_overview(7); POSIX.1-2017 XSH mq_open()",
	    .arg = &(const struct name_error){ NAME_NO_SLASH, O_RDWR | O_CREAT | O_EXCL, -EINVAL,
					       "mq_open(O_CREAT | O_EXCL) of a name without a leading slash" }),
	/*
	 * mq_open(3) ERRORS: "ENOENT name was just "/" followed by no other
	 * characters."  mq_overview(7): the slash is "followed by one or more
	 * characters".  Checked here: mq_open("/", O_CREAT) fails with
	 * -ENOENT.
	 */
	ROW(.id = "mq.open.name_error_slash_only",
	    .title = "mq_open of the name \"/\" fails with -ENOENT, also with O_CREAT",
	    .cites = "seed:Q1; mq_open(3) ERRORS [ENOENT]; mq_overview(7)",
	    .arg = &(const struct name_error){ NAME_SLASH_ONLY, O_RDWR | O_CREAT, -ENOENT,
					       "mq_open(\"/\", O_CREAT)" }),
	/*
	 * mq_open(3) ERRORS: "EACCES name contained more than one slash."
	 * mq_overview(7): the characters after the first slash are "none of
	 * which are slashes".  (POSIX.1-2017 XSH mq_open(): "The
	 * interpretation of <slash> characters other than the leading <slash>
	 * character in name is implementation-defined.")  Checked here: the
	 * clause's name followed by "/x", with O_CREAT | O_EXCL, fails with
	 * -EACCES.
	 */
	ROW(.id = "mq.open.name_error_two_slashes",
	    .title = "mq_open of a name with a second slash fails with -EACCES",
	    .cites = "seed:Q1; mq_open(3) ERRORS [EACCES]; mq_overview(7); POSIX.1-2017 XSH mq_open()",
	    .arg = &(const struct name_error){ NAME_TWO_SLASHES, O_RDWR | O_CREAT | O_EXCL, -EACCES,
					       "mq_open(O_CREAT | O_EXCL) of a name with a second slash" }),
	/*
	 * POSIX.1-2017 XSH mq_open() ERRORS [ENAMETOOLONG]: the name "has a
	 * pathname component that is longer than ... {_XOPEN_NAME_MAX} on XSI
	 * systems" (255); mq_open(3) ERRORS: "ENAMETOOLONG name was too
	 * long."  Checked here: "/" followed by 256 characters, with O_CREAT
	 * | O_EXCL, fails with -ENAMETOOLONG.
	 */
	ROW(.id = "mq.open.name_error_too_long",
	    .title = "mq_open of a name of 256 characters after the slash fails with -ENAMETOOLONG",
	    .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [ENAMETOOLONG]; mq_open(3) ERRORS; mq_overview(7)",
	    .arg = &(const struct name_error){ NAME_TOO_LONG, O_RDWR | O_CREAT | O_EXCL, -ENAMETOOLONG,
					       "mq_open(O_CREAT | O_EXCL) of a 257-character name" }),
	/*
	 * POSIX.1-2017 XSH mq_open() ERRORS [ENOENT]: "O_CREAT is not set and
	 * the named message queue does not exist."  mq_open(3): "ENOENT The
	 * O_CREAT flag was not specified in oflag, and no queue with this name
	 * exists."  Checked here: mq_open(O_RDWR) of a name never created
	 * fails with -ENOENT.
	 */
	ROW(.id = "mq.open.name_error_missing",
	    .title = "mq_open without O_CREAT of a name that does not exist fails with -ENOENT",
	    .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [ENOENT]; mq_open(3) ERRORS",
	    .arg = &(const struct name_error){ NAME_MISSING, O_RDWR, -ENOENT,
					       "mq_open(O_RDWR) of a name never created" }),
};

CLAUSE_TABLE(mq_open_name_error)
{
	const struct name_error *e = t->clause->arg;
	struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = 64 };
	expect_open_fails(t, row_name(t, e->kind), e->flags, &a, e->err, e->what);
}

struct attr_error {
	long maxmsg, msgsize;
	const char *what;
};

/*
 * Checks that mq_open(O_CREAT | O_EXCL) with these sizes fails with
 * -EINVAL and creates nothing: the name then does not exist.
 */
static void expect_attr_einval(struct ipcconf_t *t, long maxmsg, long msgsize, const char *what)
{
	const char *name = ipcconf_posix_name(t, "q");
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	expect_open_fails(t, name, O_RDWR | O_CREAT | O_EXCL, &a, -EINVAL, what);
	STEP(t, "mq_open without O_CREAT after the refused creation");
	int h = iut_mq_open(t, name, O_RDWR, 0, NULL);
	CHECK_FAILS(t, h, -ENOENT);
	if (h >= 0)
		iut_close(t, h);
}

static const struct ipcconf_clause mq_open_attr_error[] = {
	/*
	 * POSIX.1-2017 XSH mq_open() ERRORS [EINVAL]: "O_CREAT was specified
	 * in oflag, the value of attr is not NULL, and either mq_maxmsg or
	 * mq_msgsize was less than or equal to zero."  mq_open(3): "Both of
	 * these fields must be greater than zero."  Checked here (each row):
	 * the creation fails with -EINVAL and the name does not exist
	 * afterwards.
	 */
	ROW(.id = "mq.open.attr_error_maxmsg_zero",
	    .title = "mq_open(O_CREAT) with mq_maxmsg 0 fails with -EINVAL and creates nothing",
	    .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [EINVAL]; mq_open(3) ERRORS",
	    .arg = &(const struct attr_error){ 0, 64, "mq_open(O_CREAT | O_EXCL) with mq_maxmsg 0" }),
	ROW(.id = "mq.open.attr_error_msgsize_zero",
	    .title = "mq_open(O_CREAT) with mq_msgsize 0 fails with -EINVAL and creates nothing",
	    .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [EINVAL]; mq_open(3) ERRORS",
	    .arg = &(const struct attr_error){ 1, 0, "mq_open(O_CREAT | O_EXCL) with mq_msgsize 0" }),
	ROW(.id = "mq.open.attr_error_maxmsg_negative",
	    .title = "mq_open(O_CREAT) with mq_maxmsg -1 fails with -EINVAL and creates nothing",
	    .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [EINVAL]; mq_open(3) ERRORS",
	    .arg = &(const struct attr_error){ -1, 64, "mq_open(O_CREAT | O_EXCL) with mq_maxmsg -1" }),
	ROW(.id = "mq.open.attr_error_msgsize_negative",
	    .title = "mq_open(O_CREAT) with mq_msgsize -1 fails with -EINVAL and creates nothing",
	    .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [EINVAL]; mq_open(3) ERRORS",
	    .arg = &(const struct attr_error){ 1, -1, "mq_open(O_CREAT | O_EXCL) with mq_msgsize -1" }),
};

CLAUSE_TABLE(mq_open_attr_error)
{
	const struct attr_error *e = t->clause->arg;
	expect_attr_einval(t, e->maxmsg, e->msgsize, e->what);
}

struct above_limit {
	int msgsize; /* 0: mq_maxmsg above msg_max; 1: mq_msgsize above msgsize_max */
};

static const struct ipcconf_clause mq_open_above_limit[] = {
	/*
	 * mq_open(3) ERRORS [EINVAL]: "In a process that is unprivileged (does
	 * not have the CAP_SYS_RESOURCE capability), attr->mq_maxmsg must be
	 * less than or equal to the msg_max limit, and attr->mq_msgsize must
	 * be less than or equal to the msgsize_max limit."  mq_overview(7):
	 * msg_max "acts as a ceiling on the attr->mq_maxmsg argument given to
	 * mq_open(3)"; POSIX.1-2017 XSH mq_open() [EINVAL] leaves the ceiling
	 * to the implementation.  The rule is about an unprivileged caller:
	 * where the clause process has CAP_SYS_RESOURCE, a helper drops it
	 * first (capset(2)).  Checked here: mq_maxmsg msg_max + 1 (msg_max
	 * read from /proc/sys/fs/mqueue/msg_max) fails with -EINVAL and
	 * creates nothing.
	 */
	ROW(.id = "mq.open.above_limit_maxmsg",
	    .title = "mq_open(O_CREAT) with mq_maxmsg above /proc/sys/fs/mqueue/msg_max fails with -EINVAL for a caller without CAP_SYS_RESOURCE",
	    .cites = "seed:Q1; mq_open(3) ERRORS [EINVAL]; mq_overview(7) /proc interfaces; POSIX.1-2017 XSH mq_open()",
	    .arg = &(const struct above_limit){ 0 }),
	/*
	 * As above, for mq_msgsize and msgsize_max ("acts as a ceiling on the
	 * attr->mq_msgsize argument").  Checked here: mq_msgsize
	 * msgsize_max + 1 fails with -EINVAL and creates nothing.
	 */
	ROW(.id = "mq.open.above_limit_msgsize",
	    .title = "mq_open(O_CREAT) with mq_msgsize above /proc/sys/fs/mqueue/msgsize_max fails with -EINVAL for a caller without CAP_SYS_RESOURCE",
	    .cites = "seed:Q1; mq_open(3) ERRORS [EINVAL]; mq_overview(7) /proc interfaces; POSIX.1-2017 XSH mq_open()",
	    .arg = &(const struct above_limit){ 1 }),
};

static void above_limit_unprivileged(struct ipcconf_t *t, const struct above_limit *e)
{
	char what[128];
	if (e->msgsize) {
		long max = ipcconf_mq_limit(t, "msgsize_max");
		snprintf(what, sizeof what, "mq_open(O_CREAT | O_EXCL) with mq_msgsize msgsize_max + 1 = %ld", max + 1);
		expect_attr_einval(t, 1, max + 1, what);
	} else {
		long max = ipcconf_mq_limit(t, "msg_max");
		snprintf(what, sizeof what, "mq_open(O_CREAT | O_EXCL) with mq_maxmsg msg_max + 1 = %ld", max + 1);
		expect_attr_einval(t, max + 1, 64, what);
	}
}

CLAUSE_TABLE(mq_open_above_limit)
{
	const struct above_limit *e = t->clause->arg;
	ipcconf_mq_limit(t, e->msgsize ? "msgsize_max" : "msg_max");
	if (!ipcconf_has_cap(t, CAP_SYS_RESOURCE)) {
		above_limit_unprivileged(t, e);
		return;
	}
	pid_t helper = ipcconf_fork(t);
	if (helper == 0) {
		STEP(t, "helper: dropping CAP_SYS_RESOURCE");
		if (ipcconf_drop_cap(CAP_SYS_RESOURCE) != 0)
			SKIP(t, "the caller has CAP_SYS_RESOURCE and cannot drop it (capset: %s): the rule is for unprivileged callers",
			     strerror(errno));
		if (ipcconf_has_cap(t, CAP_SYS_RESOURCE))
			BROKEN(t, "CAP_SYS_RESOURCE is still effective after capset dropped it");
		above_limit_unprivileged(t, e);
		ipcconf_exit(t);
	}
	ipcconf_join(t, helper, "the helper without CAP_SYS_RESOURCE");
}

/*
 * POSIX.1-2017 XSH mq_open(), O_EXCL: "If O_EXCL and O_CREAT are set,
 * mq_open() shall fail if the message queue name exists", ERRORS
 * [EEXIST].  mq_open(3): "EEXIST Both O_CREAT and O_EXCL were specified
 * in oflag, but a queue with this name already exists."  Checked here: a
 * second mq_open(O_CREAT | O_EXCL) of the clause's queue, with other
 * sizes, fails with -EEXIST, and the queue keeps its message and sizes.
 */
CLAUSE(mq_open_excl_existing_eexist,
       .id = "mq.open.excl_existing_eexist",
       .title = "mq_open(O_CREAT | O_EXCL) of an existing name fails with -EEXIST and leaves the queue as it was",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_open() ERRORS [EEXIST]; mq_open(3) ERRORS")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "kept", 4, 0, NULL), 0, "mq_send");
	struct mq_attr other = { .mq_maxmsg = 1, .mq_msgsize = 32 };
	STEP(t, "mq_open(O_CREAT | O_EXCL) of the existing name");
	int h = iut_mq_open(t, q.name, O_RDWR | O_CREAT | O_EXCL, 0600, &other);
	CHECK_FAILS(t, h, -EEXIST);
	if (h >= 0)
		iut_close(t, h);
	struct mq_attr a;
	REQUIRE_OK(t, iut_mq_getattr(t, q.h, &a), "mq_getattr");
	CHECK_EQ(t, a.mq_maxmsg, q.maxmsg, "mq_maxmsg after the refused creation");
	CHECK_EQ(t, a.mq_msgsize, q.msgsize, "mq_msgsize after the refused creation");
	ipcconf_mq_expect_queued(t, &q, "kept", -1, "the message queued before the refused creation");
}

/*
 * POSIX.1-2017 XSH mq_open(), O_CREAT: "If the message queue already
 * exists, this flag has no effect, except as noted under O_EXCL."
 * Checked here: mq_open(O_CREAT) without O_EXCL of the clause's queue,
 * with an attr of other sizes, opens the same queue: its sizes are the
 * original ones and the message sent before is received through it.
 */
CLAUSE(mq_open_creat_existing_opens_it,
       .id = "mq.open.creat_existing_opens_it",
       .title = "mq_open(O_CREAT) without O_EXCL of an existing name opens that queue and ignores the attr",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_open() O_CREAT; mq_open(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "same", 4, 0, NULL), 0, "mq_send");
	struct mq_attr other = { .mq_maxmsg = 1, .mq_msgsize = 32 };
	STEP(t, "mq_open(O_CREAT) of the existing name, other sizes");
	int h = iut_mq_open(t, q.name, O_RDWR | O_CREAT, 0600, &other);
	REQUIRE_OK(t, h, "mq_open(O_CREAT) without O_EXCL of an existing name");
	struct mq_attr a;
	REQUIRE_OK(t, iut_mq_getattr(t, h, &a), "mq_getattr of the second handle");
	CHECK_EQ(t, a.mq_maxmsg, q.maxmsg, "mq_maxmsg through the second handle (the attr must be ignored)");
	CHECK_EQ(t, a.mq_msgsize, q.msgsize, "mq_msgsize through the second handle (the attr must be ignored)");
	ipcconf_mq_expect(t, &q, h, "same", -1, "the message, through the second handle");
}

/*
 * POSIX.1-2017 XSH mq_unlink(): "After a successful call to mq_unlink(),
 * reference to the message queue name by calls to mq_open() shall fail
 * if the flag O_CREAT is not set in flags.  If one or more processes have
 * the message queue open when mq_unlink() is called, destruction of the
 * message queue shall be postponed until all references to the message
 * queue have been closed."  mq_unlink(3): "The message queue name is
 * removed immediately."  Checked here: with one message queued, the name
 * is unlinked (0); mq_open without O_CREAT then fails with -ENOENT, and a
 * second mq_unlink too; the open handle still sends and receives, in
 * order.  POSIX allows a re-creation of the name to fail until the old
 * queue is gone; where it succeeds, it is a new, empty queue that the old
 * handle does not see.
 */
CLAUSE(mq_unlink_name_gone_handles_work,
       .id = "mq.unlink.name_gone_handles_work",
       .title = "mq_unlink removes the name at once (mq_open without O_CREAT: -ENOENT) while open handles keep sending and receiving",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_unlink(); mq_unlink(3); mq_overview(7)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 2, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "a", 1, 0, NULL), 0, "mq_send before the unlink");
	REQUIRE_EQ(t, iut_mq_unlink(t, q.name), 0, "mq_unlink of the queue's name");
	STEP(t, "mq_open without O_CREAT of the unlinked name");
	int h = iut_mq_open(t, q.name, O_RDWR, 0, NULL);
	CHECK_FAILS(t, h, -ENOENT);
	if (h >= 0)
		iut_close(t, h);
	CHECK_FAILS(t, iut_mq_unlink(t, q.name), -ENOENT);
	CHECK_EQ(t, iut_mq_send(t, q.h, "b", 1, 0, NULL), 0, "mq_send through the open handle after the unlink");
	ipcconf_mq_expect(t, &q, q.h, "a", -1, "the message sent before the unlink");
	ipcconf_mq_expect(t, &q, q.h, "b", -1, "the message sent after the unlink");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "c", 1, 0, NULL), 0, "mq_send through the old handle");
	struct mq_attr a = { .mq_maxmsg = q.maxmsg, .mq_msgsize = q.msgsize };
	STEP(t, "re-creating the name with O_CREAT | O_EXCL");
	int n = iut_mq_open(t, q.name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	if (n >= 0) {
		ipcconf_mq_expect_empty(t, &q, "the re-created queue (the old one holds \"c\")");
		ipcconf_mq_expect(t, &q, q.h, "c", -1, "the old queue's message, through the old handle");
	}
}

/*
 * POSIX.1-2017 XSH mq_unlink() ERRORS [ENOENT]: "The named message queue
 * does not exist."  mq_unlink(3) ERRORS: "ENOENT There is no message
 * queue with the given name"; "ENAMETOOLONG name was too long."  Checked
 * here: mq_unlink of a name never created fails with -ENOENT; of a name
 * of 256 characters after the slash, with -ENAMETOOLONG.
 */
CLAUSE(mq_unlink_missing_or_too_long,
       .id = "mq.unlink.missing_or_too_long",
       .title = "mq_unlink of a name that does not exist fails with -ENOENT, of a too long name with -ENAMETOOLONG",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_unlink() ERRORS [ENOENT], [ENAMETOOLONG]; mq_unlink(3) ERRORS")
{
	STEP(t, "mq_unlink of a name never created");
	CHECK_FAILS(t, iut_mq_unlink(t, row_name(t, NAME_MISSING)), -ENOENT);
	STEP(t, "mq_unlink of a 257-character name");
	CHECK_FAILS(t, iut_mq_unlink(t, row_name(t, NAME_TOO_LONG)), -ENAMETOOLONG);
}
