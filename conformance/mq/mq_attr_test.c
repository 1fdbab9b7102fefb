/*
 * POSIX message queue clauses: a queue's attributes (seed:Q1).
 * mq_getattr reports the sizes given at creation (or the system's
 * defaults), the messages held, and the description's O_NONBLOCK;
 * mq_setattr changes O_NONBLOCK and nothing else, and returns the old
 * attributes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

/* mq_getattr(h), which must succeed (REQUIRE). */
static struct mq_attr getattr_of(struct ipcconf_t *t, int h, const char *what)
{
	struct mq_attr a;
	memset(&a, 0xa5, sizeof a);
	REQUIRE_OK(t, iut_mq_getattr(t, h, &a), what);
	return a;
}

/*
 * POSIX.1-2017 XSH mq_open(), O_CREAT: "If attr is non-NULL ... the
 * message queue mq_maxmsg and mq_msgsize attributes shall be set to the
 * values of the corresponding members in the mq_attr structure referred
 * to by attr."  mq_getattr(): "mq_curmsgs: Number of messages currently
 * on the queue".
 * mq_getattr(3): "The mq_maxmsg and mq_msgsize fields are set when the
 * message queue is created by mq_open(3)."  Checked here: a queue
 * created with mq_maxmsg min(3, msg_max) and mq_msgsize 100 reports
 * exactly those, mq_flags 0 and mq_curmsgs 0, through its creating handle
 * and through a second handle opened by name.
 */
CLAUSE(mq_getattr_reports_creation_attrs,
       .id = "mq.getattr.reports_creation_attrs",
       .title = "mq_getattr reports the mq_maxmsg and mq_msgsize given at creation, mq_flags 0 and mq_curmsgs 0",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_open(), mq_getattr(); mq_getattr(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 100);
	struct mq_attr a = getattr_of(t, q.h, "mq_getattr of the creating handle");
	CHECK_EQ(t, a.mq_maxmsg, q.maxmsg, "mq_maxmsg of the creating handle");
	CHECK_EQ(t, a.mq_msgsize, q.msgsize, "mq_msgsize of the creating handle");
	CHECK_EQ(t, a.mq_flags, 0, "mq_flags of a handle opened without O_NONBLOCK");
	CHECK_EQ(t, a.mq_curmsgs, 0, "mq_curmsgs of a new queue");
	int r = ipcconf_mq_reopen(t, &q, O_RDONLY, "mq_open(O_RDONLY) of the name");
	a = getattr_of(t, r, "mq_getattr of a handle opened by name");
	CHECK_EQ(t, a.mq_maxmsg, q.maxmsg, "mq_maxmsg through a handle opened by name");
	CHECK_EQ(t, a.mq_msgsize, q.msgsize, "mq_msgsize through a handle opened by name");
}

/*
 * POSIX.1-2017 XSH mq_getattr(): "mq_curmsgs: Number of messages
 * currently on the queue."  mq_getattr(3): "The mq_curmsgs field returns
 * the number of messages currently held in the queue."  Checked here:
 * 0 on a new queue, 1 and 2 after two sends, 1 and 0 after two receives.
 */
CLAUSE(mq_getattr_curmsgs_counts,
       .id = "mq.getattr.curmsgs_counts",
       .title = "mq_curmsgs counts the messages held, rising with each send and falling with each receive",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_getattr(); mq_getattr(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 2, 3, 64);
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_curmsgs, 0, "mq_curmsgs of a new queue");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "a", 1, 0, NULL), 0, "mq_send");
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_curmsgs, 1, "mq_curmsgs after one send");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "b", 1, 0, NULL), 0, "mq_send");
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_curmsgs, 2, "mq_curmsgs after two sends");
	ipcconf_mq_expect_queued(t, &q, "a", -1, "the first message");
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_curmsgs, 1, "mq_curmsgs after one receive");
	ipcconf_mq_expect_queued(t, &q, "b", -1, "the second message");
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_curmsgs, 0, "mq_curmsgs after two receives");
}

/*
 * POSIX.1-2017 XSH mq_getattr(): "mq_flags: Message queue flags", which
 * mq_open() sets from O_NONBLOCK; mq_getattr(3): "The mq_flags field
 * contains flags associated with the open message queue description ...
 * The only flag that can appear in this field is O_NONBLOCK."  The flag
 * belongs to the description, not to the queue: mq_overview(7), "A
 * message queue descriptor is a reference to an open message queue
 * description".  Checked here: a handle opened with O_NONBLOCK reports
 * mq_flags O_NONBLOCK; a second handle of the same queue opened without
 * it reports 0, and the first still O_NONBLOCK.
 */
CLAUSE(mq_getattr_nonblock_per_description,
       .id = "mq.getattr.nonblock_per_description",
       .title = "mq_flags is O_NONBLOCK for a handle opened with it and 0 for another handle of the same queue opened without it",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_getattr(), mq_open(); mq_getattr(3); mq_overview(7)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", O_NONBLOCK, 1, 3, 64);
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_flags, O_NONBLOCK,
		 "mq_flags of a handle created with O_NONBLOCK");
	int b = ipcconf_mq_reopen(t, &q, O_RDWR, "mq_open(O_RDWR) of the name, without O_NONBLOCK");
	CHECK_EQ(t, getattr_of(t, b, "mq_getattr").mq_flags, 0,
		 "mq_flags of a second handle opened without O_NONBLOCK");
	CHECK_EQ(t, getattr_of(t, q.h, "mq_getattr").mq_flags, O_NONBLOCK,
		 "mq_flags of the first handle, after the second was opened");
}

/*
 * mq_overview(7), /proc interfaces: msg_default "defines the value used
 * for a new queue's mq_maxmsg setting when the queue is created with a
 * call to mq_open(3) where attr is specified as NULL ... A new queue's
 * default mq_maxmsg value will be the smaller of msg_default and
 * msg_max"; msgsize_default likewise for mq_msgsize, "capped to the
 * msgsize_max limit".  POSIX.1-2017 XSH mq_open(): with attr NULL "the
 * message queue shall be created with implementation-defined default
 * message queue attributes".  Checked here: a queue created with a NULL
 * attr reports mq_maxmsg min(msg_default, msg_max) and mq_msgsize
 * min(msgsize_default, msgsize_max), as this system's /proc files say.
 */
CLAUSE(mq_getattr_defaults_from_proc,
       .id = "mq.getattr.defaults_from_proc",
       .title = "a queue created with a NULL attr gets mq_maxmsg and mq_msgsize from msg_default and msgsize_default, capped by msg_max and msgsize_max",
       .cites = "seed:Q1; mq_overview(7) /proc interfaces; POSIX.1-2017 XSH mq_open()")
{
	long dmax = ipcconf_mq_limit(t, "msg_default"), max = ipcconf_mq_limit(t, "msg_max");
	long dsize = ipcconf_mq_limit(t, "msgsize_default"), size = ipcconf_mq_limit(t, "msgsize_max");
	long want_max = dmax < max ? dmax : max, want_size = dsize < size ? dsize : size;
	struct ipcconf_mq_limits l;
	ipcconf_mq_read_limits(&l);
	if (l.rlimit_msgqueue >= 0 && ipcconf_mq_charge(want_max, want_size) > l.rlimit_msgqueue)
		SKIP(t, "RLIMIT_MSGQUEUE is %lld bytes: too small for a default queue of %ld messages of %ld bytes",
		     l.rlimit_msgqueue, want_max, want_size);
	const char *name = ipcconf_posix_name(t, "q");
	int h = iut_mq_open(t, name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	if (h == -EMFILE)
		SKIP(t, "mq_open with a NULL attr failed with -EMFILE: RLIMIT_MSGQUEUE (%lld bytes) is used up by other queues of this user",
		     l.rlimit_msgqueue);
	REQUIRE_OK(t, h, "mq_open(O_CREAT | O_EXCL) with a NULL attr");
	struct mq_attr a = getattr_of(t, h, "mq_getattr of the default queue");
	CHECK_EQ(t, a.mq_maxmsg, want_max, "mq_maxmsg of a default queue: min(msg_default, msg_max)");
	CHECK_EQ(t, a.mq_msgsize, want_size,
		 "mq_msgsize of a default queue: min(msgsize_default, msgsize_max)");
}

/*
 * POSIX.1-2017 XSH mq_setattr(): "The message queue attributes
 * corresponding to the following members ... shall be set to the
 * specified values upon successful completion: mq_flags ... The values of
 * the mq_maxmsg, mq_msgsize, and mq_curmsgs members of the mq_attr
 * structure shall be ignored by mq_setattr()."  mq_getattr(3): "The only
 * attribute that can be modified is the setting of the O_NONBLOCK flag in
 * mq_flags.  The other fields in newattr are ignored."  Checked here: on
 * a queue holding one message, mq_setattr with mq_flags O_NONBLOCK and
 * mq_maxmsg, mq_msgsize and mq_curmsgs all different succeeds; mq_getattr
 * then reports O_NONBLOCK and the old mq_maxmsg, mq_msgsize and
 * mq_curmsgs 1; the flag takes effect (after the one message is taken, a
 * timed receive on the empty queue fails with -EAGAIN at once, not
 * -ETIMEDOUT); mq_setattr with mq_flags 0 clears it again.
 */
CLAUSE(mq_setattr_only_nonblock_changes,
       .id = "mq.setattr.only_nonblock_changes",
       .title = "mq_setattr sets or clears O_NONBLOCK, which takes effect, and ignores mq_maxmsg, mq_msgsize and mq_curmsgs",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_setattr(); mq_getattr(3)",
       USES(MQ, IPCCONF_MQ_CAP_SETATTR))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "one", 3, 0, NULL), 0, "mq_send");
	struct mq_attr set = { .mq_flags = O_NONBLOCK, .mq_maxmsg = q.maxmsg + 5,
			       .mq_msgsize = q.msgsize + 5, .mq_curmsgs = 7 };
	STEP(t, "mq_setattr(O_NONBLOCK, maxmsg +5, msgsize +5, curmsgs 7)");
	REQUIRE_EQ(t, iut_mq_setattr(t, q.h, &set, NULL), 0,
		   "mq_setattr with O_NONBLOCK and other fields changed");
	struct mq_attr a = getattr_of(t, q.h, "mq_getattr after mq_setattr");
	CHECK_EQ(t, a.mq_flags, O_NONBLOCK, "mq_flags after setting O_NONBLOCK");
	CHECK_EQ(t, a.mq_maxmsg, q.maxmsg, "mq_maxmsg (mq_setattr must ignore it)");
	CHECK_EQ(t, a.mq_msgsize, q.msgsize, "mq_msgsize (mq_setattr must ignore it)");
	CHECK_EQ(t, a.mq_curmsgs, 1, "mq_curmsgs (mq_setattr must ignore it)");
	ipcconf_mq_expect_queued(t, &q, "one", -1, "the queued message");
	char buf[64];
	struct timespec soon = ipcconf_mq_abs_in(20);
	STEP(t, "a timed receive on the empty queue with O_NONBLOCK set");
	CHECK_FAILS(t, iut_mq_receive(t, q.h, buf, sizeof buf, NULL, &soon), -EAGAIN);
	struct mq_attr clear = { .mq_flags = 0, .mq_maxmsg = 1, .mq_msgsize = 1 };
	REQUIRE_EQ(t, iut_mq_setattr(t, q.h, &clear, NULL), 0, "mq_setattr with mq_flags 0");
	a = getattr_of(t, q.h, "mq_getattr after clearing O_NONBLOCK");
	CHECK_EQ(t, a.mq_flags, 0, "mq_flags after clearing O_NONBLOCK");
	CHECK_EQ(t, a.mq_maxmsg, q.maxmsg, "mq_maxmsg after the second mq_setattr");
	CHECK_EQ(t, a.mq_msgsize, q.msgsize, "mq_msgsize after the second mq_setattr");
}

/*
 * POSIX.1-2017 XSH mq_setattr(): "If omqstat is non-NULL, the function
 * mq_setattr() shall store, in the location referenced by omqstat, the
 * previous message queue attributes and the current queue status.  These
 * values shall be the same as would be returned by a call to mq_getattr()
 * at that point."  Checked here: on a queue holding one message, setting
 * O_NONBLOCK returns the old attributes {0, mq_maxmsg, mq_msgsize, 1};
 * clearing it again returns mq_flags O_NONBLOCK.
 */
CLAUSE(mq_setattr_returns_old_attrs,
       .id = "mq.setattr.returns_old_attrs",
       .title = "mq_setattr returns the attributes as they were before it: mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_setattr(); mq_getattr(3)",
       USES(MQ, IPCCONF_MQ_CAP_SETATTR))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "one", 3, 0, NULL), 0, "mq_send");
	struct mq_attr set = { .mq_flags = O_NONBLOCK }, old;
	memset(&old, 0xa5, sizeof old);
	REQUIRE_EQ(t, iut_mq_setattr(t, q.h, &set, &old), 0, "mq_setattr(O_NONBLOCK)");
	CHECK_EQ(t, old.mq_flags, 0, "the old mq_flags");
	CHECK_EQ(t, old.mq_maxmsg, q.maxmsg, "the old mq_maxmsg");
	CHECK_EQ(t, old.mq_msgsize, q.msgsize, "the old mq_msgsize");
	CHECK_EQ(t, old.mq_curmsgs, 1, "the old mq_curmsgs (one message queued)");
	struct mq_attr clear = { .mq_flags = 0 };
	memset(&old, 0xa5, sizeof old);
	REQUIRE_EQ(t, iut_mq_setattr(t, q.h, &clear, &old), 0, "mq_setattr(0)");
	CHECK_EQ(t, old.mq_flags, O_NONBLOCK, "the old mq_flags when clearing O_NONBLOCK");
}

/*
 * mq_getattr(3) ERRORS: "EINVAL newattr->mq_flags contained set bits
 * other than O_NONBLOCK."  (POSIX.1-2017 XSH mq_setattr() leaves other
 * bits of mq_flags implementation-defined; Linux refuses them.)  Checked
 * here: mq_setattr with mq_flags O_NONBLOCK | O_APPEND fails with -EINVAL
 * and leaves mq_flags 0.
 */
CLAUSE(mq_setattr_unknown_flag_einval,
       .id = "mq.setattr.unknown_flag_einval",
       .title = "mq_setattr with a bit other than O_NONBLOCK in mq_flags fails with -EINVAL and changes nothing",
       .cites = "seed:Q1; mq_getattr(3) ERRORS [EINVAL]; POSIX.1-2017 XSH mq_setattr()",
       USES(MQ, IPCCONF_MQ_CAP_SETATTR))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct mq_attr set = { .mq_flags = O_NONBLOCK | O_APPEND };
	CHECK_FAILS_UNCHANGED(t, iut_mq_setattr(t, q.h, &set, NULL), -EINVAL,
			      getattr_of(t, q.h, "mq_getattr").mq_flags);
}

/*
 * POSIX.1-2017 XSH mq_receive(): "If the specified message queue is
 * empty and O_NONBLOCK is set in the message queue description associated
 * with mqdes, no message shall be removed from the queue, and
 * mq_receive() shall return an error", ERRORS [EAGAIN].  mq_receive(3):
 * "the call instead fails immediately with the error EAGAIN".  Checked
 * here: a receive through a handle opened with O_NONBLOCK, on an empty
 * queue, fails with -EAGAIN.
 */
CLAUSE(mq_receive_nonblock_empty_eagain,
       .id = "mq.receive.nonblock_empty_eagain",
       .title = "mq_receive with O_NONBLOCK on an empty queue fails with -EAGAIN",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_receive() ERRORS [EAGAIN]; mq_receive(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", O_NONBLOCK, 1, 3, 64);
	char buf[64];
	STEP(t, "mq_receive (O_NONBLOCK) of an empty queue");
	CHECK_FAILS(t, iut_mq_receive(t, q.h, buf, sizeof buf, NULL, NULL), -EAGAIN);
}

/*
 * POSIX.1-2017 XSH mq_send(): "If the specified message queue is full and
 * O_NONBLOCK is set in the message queue description associated with
 * mqdes, the message shall not be queued and mq_send() shall return an
 * error", ERRORS [EAGAIN].  mq_send(3): "If the O_NONBLOCK flag is
 * enabled for the message queue description, then the call instead fails
 * immediately with the error EAGAIN."  Checked here: with mq_maxmsg
 * messages queued, a send through an O_NONBLOCK handle fails with -EAGAIN;
 * the queue then gives back exactly the mq_maxmsg messages, and not the
 * refused one.
 */
CLAUSE(mq_send_nonblock_full_eagain,
       .id = "mq.send.nonblock_full_eagain",
       .title = "mq_send with O_NONBLOCK on a full queue fails with -EAGAIN and queues nothing",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_send() ERRORS [EAGAIN]; mq_send(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", O_NONBLOCK, 1, 3, 64);
	ipcconf_mq_fill(t, &q);
	STEP(t, "mq_send (O_NONBLOCK) into a queue holding mq_maxmsg %ld messages", q.maxmsg);
	CHECK_FAILS(t, iut_mq_send(t, q.h, "refused", 7, 0, NULL), -EAGAIN);
	for (long i = 0; i < q.maxmsg; i++) {
		char text[32];
		snprintf(text, sizeof text, "f%ld", i);
		ipcconf_mq_expect_queued(t, &q, text, -1, "a message of the full queue");
	}
	ipcconf_mq_expect_empty(t, &q, "after the mq_maxmsg messages (the refused one must not be there)");
}

/*
 * POSIX.1-2017 XSH mq_receive(): "If the size of the buffer in bytes,
 * specified by the msg_len argument, is less than the mq_msgsize
 * attribute of the message queue, the function shall fail and return an
 * error", ERRORS [EMSGSIZE]; mq_receive(3): msg_len "must be greater
 * than or equal to the mq_msgsize attribute of the queue".  The rule is
 * on the buffer, not on the message, and the failed call removes
 * nothing.  Checked here: with a 1-byte message queued, a receive with a
 * buffer of mq_msgsize - 1 bytes fails with -EMSGSIZE; a receive with
 * mq_msgsize bytes then gets the message.
 */
CLAUSE(mq_receive_short_buffer_emsgsize,
       .id = "mq.receive.short_buffer_emsgsize",
       .title = "mq_receive with a buffer shorter than mq_msgsize fails with -EMSGSIZE, even for a short message, and leaves it queued",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_receive() ERRORS [EMSGSIZE]; mq_receive(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "a", 1, 0, NULL), 0, "mq_send of 1 byte");
	char buf[64];
	STEP(t, "mq_receive with a buffer of mq_msgsize - 1 = %ld bytes", q.msgsize - 1);
	CHECK_FAILS(t, iut_mq_receive(t, q.h, buf, (size_t)q.msgsize - 1, NULL, NULL), -EMSGSIZE);
	ipcconf_mq_expect_queued(t, &q, "a", -1, "the message, with a buffer of mq_msgsize bytes");
}

/*
 * POSIX.1-2017 XSH mq_send(): "The value of msg_len shall be less than
 * or equal to the mq_msgsize attribute of the message queue, or
 * mq_send() shall fail", ERRORS [EMSGSIZE] "The specified message length,
 * msg_len, exceeds the message size attribute of the message queue."
 * Checked here: a send of mq_msgsize + 1 bytes fails with -EMSGSIZE and
 * queues nothing (not even a truncated message).
 */
CLAUSE(mq_send_too_long_emsgsize,
       .id = "mq.send.too_long_emsgsize",
       .title = "mq_send of more than mq_msgsize bytes fails with -EMSGSIZE and queues nothing",
       .cites = "seed:Q1; POSIX.1-2017 XSH mq_send() ERRORS [EMSGSIZE]; mq_send(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	char msg[65];
	memset(msg, 'L', sizeof msg);
	STEP(t, "mq_send of mq_msgsize + 1 = %ld bytes", q.msgsize + 1);
	CHECK_FAILS(t, iut_mq_send(t, q.h, msg, (size_t)q.msgsize + 1, 0, NULL), -EMSGSIZE);
	ipcconf_mq_expect_empty(t, &q, "after the refused send");
}
