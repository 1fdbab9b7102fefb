/*
 * POSIX message queue clauses: mq_notify (seed:Q1, Q2).  One process at a
 * time registers; a message arriving on an empty queue with no receiver
 * waiting sends it one notification, after which it is unregistered.
 *
 * The notification signal is a real-time signal, caught with the
 * harness's raw counting handler (ipcconf_catch), never through the
 * implementation's signal table: real-time signals queue, so a second
 * notification is counted, not merged into the first.  Where a clause
 * says "no signal", the registered process is the sender: a signal the
 * kernel generates for it during mq_send is delivered before mq_send
 * returns to it (signal(7): pending signals are delivered on the return
 * from a system call), so its count right after the send is the answer.
 *
 * The registered process receives through the handle it registered
 * with and closes no other handle of the queue meanwhile: Linux removes a
 * process's registration when that process closes any descriptor of the
 * queue (ipc/mqueue.c, mqueue_flush_file()), not only the one it
 * registered through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

/* The checkpoint a helper posts once it has done its part. */
#define CP_HELPER 0

static int notify_sig(void)
{
	return SIGRTMIN + 1;
}

static struct sigevent by_signal(void)
{
	struct sigevent e;
	memset(&e, 0, sizeof e);
	e.sigev_notify = SIGEV_SIGNAL;
	e.sigev_signo = notify_sig();
	return e;
}

/* In a helper: opens the queue by name and checks what its mq_notify(sev) returns. */
static void helper_register(struct ipcconf_t *t, const struct ipcconf_mq *q, long long want,
			    const char *what)
{
	int h = ipcconf_mq_reopen(t, q, O_RDONLY, "helper: mq_open(O_RDONLY) of the queue by name");
	struct sigevent e = by_signal();
	STEP(t, "helper: %s", what);
	CHECK_EQ(t, iut_mq_notify(t, h, &e), want, what);
}

/*
 * POSIX.1-2017 XSH mq_notify(): "If notification is not NULL, this
 * function shall register the calling process to be notified of message
 * arrival at an empty message queue associated with the specified message
 * queue descriptor ... The notification specified by the notification
 * argument shall be sent to the process when the message queue transitions
 * from empty to non-empty."  mq_notify(3), SIGEV_SIGNAL: "Notify the
 * process by sending the signal specified in sigev_signo."  Checked here:
 * the clause process registers for a real-time signal on an empty queue;
 * another process opens the queue by name and sends one message; the
 * clause process catches the signal, exactly once.
 */
CLAUSE(mq_notify_signal_on_arrival,
       .id = "mq.notify.signal_on_arrival",
       .title = "a process registered with SIGEV_SIGNAL gets its signal, once, when a message arrives on the empty queue",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_notify(); mq_notify(3); sigevent(7)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	ipcconf_catch(t, notify_sig(), 0);
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify(SIGEV_SIGNAL) on the empty queue");
	pid_t sender = ipcconf_fork(t);
	if (sender == 0) {
		int w = ipcconf_mq_reopen(t, &q, O_WRONLY, "sender: mq_open(O_WRONLY) by name");
		CHECK_EQ(t, iut_mq_send(t, w, "n", 1, 0, NULL), 0, "sender: mq_send");
		ipcconf_exit(t);
	}
	ipcconf_join(t, sender, "the sending process");
	ipcconf_await_caught(t, notify_sig(), 1, "the notification of a message arriving on the empty queue");
	ipcconf_mq_expect(t, &q, q.h, "n", -1, "the message that arrived");
	CHECK_EQ(t, ipcconf_caught(notify_sig()), 1, "notification signals caught for one arrival");
}

/*
 * POSIX.1-2017 XSH mq_notify(): "When the notification is sent to the
 * registered process, its registration shall be removed.  The message
 * queue shall then be available for registration."  mq_notify(3):
 * "Notification occurs once: after a notification is delivered, the
 * notification registration is removed ... If the notified process wishes
 * to receive the next notification, it can use mq_notify() to request a
 * further notification."  Checked here: after the first notification,
 * the queue is emptied and a second message arrives: no second signal;
 * mq_notify registers again (0: nothing was left registered, else
 * -EBUSY); the queue is emptied and a third message brings the second
 * signal.
 */
CLAUSE(mq_notify_once_then_unregistered,
       .id = "mq.notify.once_then_unregistered",
       .title = "after one notification the registration is gone: the next arrival sends nothing, and the process can register again",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_notify(); mq_notify(3)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	int sig = notify_sig();
	ipcconf_catch(t, sig, 0);
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify(SIGEV_SIGNAL) on the empty queue");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "1", 1, 0, NULL), 0, "mq_send of the first message");
	ipcconf_await_caught(t, sig, 1, "the first notification");
	ipcconf_mq_expect(t, &q, q.h, "1", -1, "the first message");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "2", 1, 0, NULL), 0, "mq_send of the second message");
	CHECK_EQ(t, ipcconf_caught(sig), 1,
		 "notification signals after a second arrival on the empty queue (the registration must be gone)");
	CHECK_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify registering again after the notification");
	ipcconf_mq_expect(t, &q, q.h, "2", -1, "the second message");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "3", 1, 0, NULL), 0, "mq_send of the third message");
	ipcconf_await_caught(t, sig, 2, "the notification of the new registration");
	CHECK_EQ(t, ipcconf_caught(sig), 2, "notification signals in all");
}

/*
 * POSIX.1-2017 XSH mq_notify(): "Only one process may be registered for
 * notification by a message queue.  If the calling process or any other
 * process has already registered for notification of message arrival at
 * the specified message queue, subsequent attempts to register for that
 * message queue shall fail", ERRORS [EBUSY].  mq_notify(3): a NULL sevp
 * removes the caller's own registration ("If sevp is NULL, and the
 * calling process is currently registered"); POSIX.1-2008 allows EINVAL
 * when it has none.  Checked here: with the clause process registered,
 * another process's mq_notify fails with -EBUSY; its mq_notify(NULL)
 * (0 or -EINVAL) does not remove the clause's registration: a second try
 * is still -EBUSY, and a send then notifies the clause process.
 */
CLAUSE(mq_notify_ebusy_other_process,
       .id = "mq.notify.ebusy_other_process",
       .title = "while one process is registered, another's mq_notify fails with -EBUSY, and its mq_notify(NULL) removes nothing",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_notify() ERRORS [EBUSY]; mq_notify(3)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	ipcconf_catch(t, notify_sig(), 0);
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify(SIGEV_SIGNAL) on the empty queue");
	pid_t other = ipcconf_fork(t);
	if (other == 0) {
		int h = ipcconf_mq_reopen(t, &q, O_RDONLY, "other: mq_open(O_RDONLY) by name");
		STEP(t, "other: mq_notify while the clause process is registered");
		CHECK_FAILS(t, iut_mq_notify(t, h, &e), -EBUSY);
		int r = iut_mq_notify(t, h, NULL);
		char rb[32];
		CHECK(t, r == 0 || r == -EINVAL,
		      "other: mq_notify(NULL) without a registration of its own: expected 0 or -EINVAL, got %s",
		      ipcconf_result_name(r, rb));
		STEP(t, "other: mq_notify again, after its mq_notify(NULL)");
		CHECK_FAILS(t, iut_mq_notify(t, h, &e), -EBUSY);
		ipcconf_exit(t);
	}
	ipcconf_join(t, other, "the other process");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "n", 1, 0, NULL), 0, "mq_send");
	ipcconf_await_caught(t, notify_sig(), 1, "the notification of the process still registered");
}

/*
 * mq_notify(3), SIGEV_NONE: "A "null" notification: the calling process
 * is registered as the target for notification, but when a message
 * arrives, no notification is sent."  POSIX.1-2017 XSH mq_notify(): only
 * one process may be registered ([EBUSY]); sigevent(7): SIGEV_NONE "Don't
 * asynchronously notify when the event occurs."  Checked here: the
 * clause process registers with SIGEV_NONE (sigev_signo set to a caught
 * real-time signal all the same); another process's SIGEV_SIGNAL
 * registration fails with -EBUSY; a message sent by the clause process
 * raises no signal.
 */
CLAUSE(mq_notify_sigev_none_registers_silently,
       .id = "mq.notify.sigev_none_registers_silently",
       .title = "SIGEV_NONE registers the process (others get -EBUSY) but a message's arrival sends no signal",
       .cites = "seed:Q2; mq_notify(3) SIGEV_NONE; POSIX.1-2017 XSH mq_notify() ERRORS [EBUSY]; sigevent(7)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	int sig = notify_sig();
	ipcconf_catch(t, sig, 0);
	struct sigevent none = by_signal();
	none.sigev_notify = SIGEV_NONE;
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &none), 0, "mq_notify(SIGEV_NONE) on the empty queue");
	pid_t other = ipcconf_fork(t);
	if (other == 0) {
		helper_register(t, &q, -EBUSY, "mq_notify(SIGEV_SIGNAL) while another process holds SIGEV_NONE");
		ipcconf_exit(t);
	}
	ipcconf_join(t, other, "the other process");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "n", 1, 0, NULL), 0, "mq_send");
	CHECK_EQ(t, ipcconf_caught(sig), 0, "signals caught after an arrival under SIGEV_NONE");
	CHECK(t, !ipcconf_signal_pending(t, sig), "a signal is pending after an arrival under SIGEV_NONE");
}

struct receiver {
	const char *name;
	int h;
	char buf[64];
};

static void receiver_open(struct ipcconf_t *t, void *arg)
{
	struct receiver *r = arg;
	r->h = iut_mq_open(t, r->name, O_RDONLY, 0, NULL);
	REQUIRE_OK(t, r->h, "receiver: mq_open(O_RDONLY) by name");
}

static long long receiver_receive(struct ipcconf_t *t, void *arg)
{
	struct receiver *r = arg;
	return iut_mq_receive(t, r->h, r->buf, sizeof r->buf, NULL, NULL);
}

/*
 * POSIX.1-2017 XSH mq_notify(): "If a process has registered for
 * notification of message arrival at a message queue and some thread is
 * blocked in mq_receive() or mq_timedreceive() waiting to receive a
 * message when a message arrives at the queue, the arriving message shall
 * satisfy the appropriate mq_receive() or mq_timedreceive().  The
 * resulting behavior is as if the message queue remains empty, and no
 * notification shall be sent."  mq_notify(3): "the message notification
 * registration remains in effect."  Checked here (block.h, no grace: the
 * blocking is mq.receive.blocks_until_send's rule): with the clause
 * process registered, a helper asleep in mq_receive gets the message the
 * clause process sends, and no signal comes; the registration stays: the
 * next message, arriving on the empty queue with no receiver, brings the
 * signal.
 */
CLAUSE(mq_notify_not_sent_to_blocked_receiver,
       .id = "mq.notify.not_sent_to_blocked_receiver",
       .title = "a message taken by a receiver asleep in mq_receive sends no notification, and the registration stays",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_notify(); mq_notify(3)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	int sig = notify_sig();
	ipcconf_catch(t, sig, 0);
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify(SIGEV_SIGNAL) on the empty queue");
	struct receiver r = { .name = q.name };
	struct ipcconf_blocked b;
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "mq_receive of an empty queue with a notification registered",
		.prepare = receiver_open, .call = receiver_receive, .arg = &r });
	ipcconf_block_release(t, &b);
	STEP(t, "sending under the sleeping receiver");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "r", 1, 0, NULL), 0, "mq_send under the sleeping receiver");
	CHECK_EQ(t, ipcconf_caught(sig), 0, "notification signals for a message a sleeping receiver took");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 1, "the sleeping receiver's receive");
	CHECK_EQ(t, ipcconf_caught(sig), 0, "notification signals once the receiver has its message");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "s", 1, 0, NULL), 0, "mq_send with no receiver");
	ipcconf_await_caught(t, sig, 1, "the notification, still registered, of the next arrival");
}

/*
 * POSIX.1-2017 XSH mq_notify(): "If notification is NULL and the process
 * is currently registered for notification by the specified message
 * queue, the existing registration shall be removed."  mq_notify(3):
 * "another process can then register".  Checked here: the clause process
 * registers, then calls mq_notify(NULL) (0); another process can now
 * register (0, not -EBUSY); a message sent by the clause process notifies
 * that other process, and the clause process catches nothing.
 */
CLAUSE(mq_notify_null_removes_registration,
       .id = "mq.notify.null_removes_registration",
       .title = "mq_notify(NULL) removes the caller's registration: another process can register and gets the next notification",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_notify(); mq_notify(3)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	int sig = notify_sig();
	ipcconf_catch(t, sig, 0);
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify(SIGEV_SIGNAL) on the empty queue");
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, NULL), 0, "mq_notify(NULL) of the registered process");
	pid_t other = ipcconf_fork(t);
	if (other == 0) {
		ipcconf_catch(t, sig, 0);
		helper_register(t, &q, 0, "mq_notify(SIGEV_SIGNAL) after the first process removed its registration");
		ipcconf_post(t, CP_HELPER);
		ipcconf_await_caught(t, sig, 1, "other: the notification of the new registrant");
		CHECK_EQ(t, ipcconf_caught(sig), 1, "other: notification signals this process caught");
		ipcconf_exit(t);
	}
	ipcconf_await(t, CP_HELPER, 1, "the other process registering");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "n", 1, 0, NULL), 0, "mq_send");
	ipcconf_join(t, other, "the other process, the new registrant");
	CHECK_EQ(t, ipcconf_caught(sig), 0, "notification signals the process that removed its registration caught");
}

/*
 * POSIX.1-2017 XSH mq_notify(): the notification is sent "when the
 * message queue transitions from empty to non-empty".  mq_notify(3):
 * "Message notification occurs only when a new message arrives and the
 * queue was previously empty.  If the queue was not empty at the time
 * mq_notify() was called, then a notification will occur only after the
 * queue is emptied and a new message arrives."  Checked here: with one
 * message queued, the clause process registers; a second message sends
 * no signal; both are received, and a third message, arriving on the
 * empty queue, sends it.
 */
CLAUSE(mq_notify_only_when_queue_was_empty,
       .id = "mq.notify.only_when_queue_was_empty",
       .title = "a message arriving on a non-empty queue sends no notification; the next arrival on the emptied queue does",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_notify(); mq_notify(3)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 2, 3, 64);
	int sig = notify_sig();
	ipcconf_catch(t, sig, 0);
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "1", 1, 0, NULL), 0, "mq_send of the first message");
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, q.h, &e), 0, "mq_notify(SIGEV_SIGNAL) on a non-empty queue");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "2", 1, 0, NULL), 0, "mq_send of the second message");
	CHECK_EQ(t, ipcconf_caught(sig), 0, "notification signals for an arrival on a non-empty queue");
	ipcconf_mq_expect(t, &q, q.h, "1", -1, "the first message");
	ipcconf_mq_expect(t, &q, q.h, "2", -1, "the second message");
	REQUIRE_EQ(t, iut_mq_send(t, q.h, "3", 1, 0, NULL), 0, "mq_send on the emptied queue");
	ipcconf_await_caught(t, sig, 1, "the notification of an arrival on the emptied queue");
}

/*
 * mq_notify(3) ERRORS: "EINVAL sevp->sigev_notify is not one of the
 * permitted values; or sevp->sigev_notify is SIGEV_SIGNAL and
 * sevp->sigev_signo is not a valid signal number."  (POSIX.1-2017 XSH
 * mq_notify() lists no such error; Linux's refusal is the documented
 * behaviour here.)  A refused request registers nothing.  Checked here:
 * sigev_notify 12345 and SIGEV_SIGNAL with sigev_signo 1000 both fail
 * with -EINVAL; a valid registration then succeeds (0, not -EBUSY).
 */
CLAUSE(mq_notify_invalid_sigevent_einval,
       .id = "mq.notify.invalid_sigevent_einval",
       .title = "mq_notify with an unknown sigev_notify or an invalid signal number fails with -EINVAL and registers nothing",
       .cites = "seed:Q2; mq_notify(3) ERRORS [EINVAL]; sigevent(7)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct sigevent e = by_signal();
	e.sigev_notify = 12345;
	STEP(t, "mq_notify with sigev_notify 12345");
	CHECK_FAILS(t, iut_mq_notify(t, q.h, &e), -EINVAL);
	e = by_signal();
	e.sigev_signo = 1000;
	STEP(t, "mq_notify(SIGEV_SIGNAL) with sigev_signo 1000");
	CHECK_FAILS(t, iut_mq_notify(t, q.h, &e), -EINVAL);
	ipcconf_catch(t, notify_sig(), 0);
	e = by_signal();
	CHECK_EQ(t, iut_mq_notify(t, q.h, &e), 0, "a valid mq_notify after the refused ones");
}

/*
 * POSIX.1-2017 XSH mq_close(): "If the process has successfully attached
 * a notification request to the message queue via this mqdes, this
 * attachment shall be removed, and the message queue is available for
 * another process to attach for notification."  Checked here: the clause
 * process registers through a second handle of the queue and closes that
 * handle; another process can then register (0, not -EBUSY).
 */
CLAUSE(mq_close_removes_notification,
       .id = "mq.close.removes_notification",
       .title = "closing the handle a process registered through removes its registration",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_close(); mq_notify(3)",
       USES(MQ, IPCCONF_MQ_CAP_NOTIFY))
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	int h = ipcconf_mq_reopen(t, &q, O_RDONLY, "mq_open(O_RDONLY) of a second handle");
	ipcconf_catch(t, notify_sig(), 0);
	struct sigevent e = by_signal();
	REQUIRE_EQ(t, iut_mq_notify(t, h, &e), 0, "mq_notify(SIGEV_SIGNAL) through the second handle");
	REQUIRE_EQ(t, iut_close(t, h), 0, "close of the handle registered through");
	pid_t other = ipcconf_fork(t);
	if (other == 0) {
		helper_register(t, &q, 0, "mq_notify(SIGEV_SIGNAL) after the registrant closed its handle");
		ipcconf_exit(t);
	}
	ipcconf_join(t, other, "the other process");
}
