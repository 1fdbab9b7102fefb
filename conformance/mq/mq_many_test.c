/*
 * POSIX message queue clauses: several processes at once (seed:Q2).
 * However senders and receivers interleave, every message is received
 * exactly once: none is lost, none is duplicated, none is garbled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/mq/mq_support.h"

#define SENDERS 3
#define RECEIVERS 2
#define PER_SENDER 16
#define TOTAL (SENDERS * PER_SENDER)

/* What the receivers saw, in memory shared by every process of the clause. */
struct tally {
	atomic_uint seen[SENDERS][PER_SENDER];
	atomic_uint garbled;
	char example[64];
};

/*
 * seed:Q2: "One or more processes can write to it and read from it."
 * POSIX.1-2017 XSH mq_receive(): it "shall receive the oldest of the
 * highest priority message(s)" and removes it ("the selected message
 * shall be removed from the queue"); mq_send() adds each message.
 * Checked here: three sender processes and two receiver processes, each
 * opening the queue by name, on a queue of at most 4 messages (so that
 * senders and receivers sleep and wake each other): each sender sends 16
 * numbered messages, each receiver takes 24; afterwards every one of the
 * 48 messages was received exactly once and intact, and the queue is
 * empty.
 */
CLAUSE(mq_io_many_senders_receivers,
       .id = "mq.io.many_senders_receivers",
       .title = "three senders and two receivers on one small queue: every message received exactly once, intact",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_send(), mq_receive(); mq_overview(7)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 4, 64);
	struct tally *tl = mmap(NULL, sizeof *tl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tl == MAP_FAILED)
		BROKEN(t, "mmap of the shared tally failed: %s", strerror(errno));
	memset(tl, 0, sizeof *tl);
	pid_t pids[SENDERS + RECEIVERS];
	for (int r = 0; r < RECEIVERS; r++) {
		pids[r] = ipcconf_fork(t);
		if (pids[r] == 0) {
			int h = ipcconf_mq_reopen(t, &q, O_RDONLY, "receiver: mq_open(O_RDONLY) by name");
			for (int k = 0; k < TOTAL / RECEIVERS; k++) {
				char buf[64] = { 0 };
				STEP(t, "receiver %d: message %d", r, k);
				ssize_t n = iut_mq_receive(t, h, buf, sizeof buf, NULL, NULL);
				REQUIRE_OK(t, n, "receiver: mq_receive");
				int s = -1, i = -1, end = 0;
				if (n > 0 && n < (ssize_t)sizeof buf &&
				    sscanf(buf, "s%d:%d%n", &s, &i, &end) == 2 && end == n && s >= 0 &&
				    s < SENDERS && i >= 0 && i < PER_SENDER)
					atomic_fetch_add(&tl->seen[s][i], 1);
				else if (atomic_fetch_add(&tl->garbled, 1) == 0)
					snprintf(tl->example, sizeof tl->example, "%.*s", (int)(n < 40 ? n : 40), buf);
			}
			ipcconf_exit(t);
		}
	}
	for (int s = 0; s < SENDERS; s++) {
		pids[RECEIVERS + s] = ipcconf_fork(t);
		if (pids[RECEIVERS + s] == 0) {
			int h = ipcconf_mq_reopen(t, &q, O_WRONLY, "sender: mq_open(O_WRONLY) by name");
			for (int i = 0; i < PER_SENDER; i++) {
				char msg[32];
				int len = snprintf(msg, sizeof msg, "s%d:%d", s, i);
				STEP(t, "sender %d: message %d", s, i);
				REQUIRE_EQ(t, iut_mq_send(t, h, msg, (size_t)len, (unsigned)(i % 3), NULL), 0,
					   "sender: mq_send");
			}
			ipcconf_exit(t);
		}
	}
	for (int p = 0; p < SENDERS + RECEIVERS; p++)
		ipcconf_join(t, pids[p], p < RECEIVERS ? "a receiver" : "a sender");
	CHECK(t, atomic_load(&tl->garbled) == 0, "%u received messages were not any sent (e.g. \"%s\")",
	      atomic_load(&tl->garbled), tl->example);
	unsigned lost = 0, dup = 0;
	for (int s = 0; s < SENDERS; s++)
		for (int i = 0; i < PER_SENDER; i++) {
			unsigned c = atomic_load(&tl->seen[s][i]);
			lost += c == 0;
			dup += c > 1 ? c - 1 : 0;
		}
	CHECK(t, lost == 0 && dup == 0, "of %d messages, %u were never received and %u received more than once",
	      TOTAL, lost, dup);
	ipcconf_mq_expect_empty(t, &q, "after every message was received");
	munmap(tl, sizeof *tl);
}

struct sleeper {
	const char *name;
	int h;
	char buf[64];
};

static void sleeper_open(struct ipcconf_t *t, void *arg)
{
	struct sleeper *s = arg;
	s->h = iut_mq_open(t, s->name, O_RDONLY, 0, NULL);
	REQUIRE_OK(t, s->h, "receiver: mq_open(O_RDONLY) by name");
}

static long long sleeper_receive(struct ipcconf_t *t, void *arg)
{
	struct sleeper *s = arg;
	return iut_mq_receive(t, s->h, s->buf, sizeof s->buf, NULL, NULL);
}

/* The woken receiver reports which message it got, on checkpoint 1 + that message's number. */
static void sleeper_report(struct ipcconf_t *t, void *arg, long long n)
{
	struct sleeper *s = arg;
	if (n == 2 && s->buf[0] == 'w' && s->buf[1] >= '0' && s->buf[1] < '0' + 3)
		ipcconf_post(t, 1 + (unsigned)(s->buf[1] - '0'));
	else
		FAIL(t, "a woken receiver got %lld bytes, not one of the messages \"w0\" .. \"w2\"", n);
}

/*
 * POSIX.1-2017 XSH mq_receive(): "If more than one thread is waiting to
 * receive a message when a message arrives at an empty queue and the
 * Priority Scheduling option is supported, then the thread of highest
 * priority that has been waiting the longest shall be selected to
 * receive the message. Otherwise, it is unspecified which waiting thread
 * receives the message."  Which one is unspecified; that a message goes
 * to one waiter only, and that each waiter gets one, is the rule.
 * Checked here (block.h, no grace): three receivers asleep on an empty
 * queue; three messages "w0", "w1", "w2" are sent; each receiver returns
 * one message, and each message reached exactly one receiver.
 */
CLAUSE(mq_receive_each_sleeper_one_message,
       .id = "mq.receive.each_sleeper_one_message",
       .title = "three receivers asleep on an empty queue and three messages sent: each receiver gets one, each message one receiver",
       .cites = "seed:Q2; POSIX.1-2017 XSH mq_receive(); mq_receive(3)")
{
	struct ipcconf_mq q;
	ipcconf_mq_create(t, &q, "q", 0, 1, 3, 64);
	struct sleeper s = { .name = q.name };
	struct ipcconf_blocked b[3];
	for (int i = 0; i < 3; i++)
		ipcconf_block_begin(t, &b[i], &(struct ipcconf_blocking_call){
			.no_grace = 1, .what = "mq_receive of an empty queue", .prepare = sleeper_open,
			.call = sleeper_receive, .then = sleeper_report, .arg = &s });
	for (int i = 0; i < 3; i++)
		ipcconf_block_release(t, &b[i]);
	for (int i = 0; i < 3; i++) {
		char msg[3] = { 'w', (char)('0' + i), 0 };
		STEP(t, "sending \"%s\" to the sleeping receivers", msg);
		REQUIRE_EQ(t, iut_mq_send(t, q.h, msg, 2, 0, NULL), 0, "mq_send");
	}
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t, ipcconf_block_end(t, &b[i]), 2, "a woken receiver's length");
	for (unsigned i = 0; i < 3; i++)
		CHECK(t, ipcconf_posted(t, 1 + i) == 1, "message \"w%u\" reached %u receivers; expected exactly 1",
		      i, ipcconf_posted(t, 1 + i));
	ipcconf_mq_expect_empty(t, &q, "after the three receivers took their messages");
}
