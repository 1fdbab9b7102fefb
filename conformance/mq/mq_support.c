/* mq_support.c -- what POSIX message queue clauses share (mq_support.h). */
#define _GNU_SOURCE
#include "conformance/mq/mq_support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* A /proc/sys/fs/mqueue file's number, or -1. */
static long read_proc(const char *file)
{
	char path[96];
	snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", file);
	FILE *f = fopen(path, "re");
	long v = -1;
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1 || v < 0)
		v = -1;
	fclose(f);
	return v;
}

void ipcconf_mq_read_limits(struct ipcconf_mq_limits *l)
{
	l->msg_max = read_proc("msg_max");
	l->msgsize_max = read_proc("msgsize_max");
	l->msg_default = read_proc("msg_default");
	l->msgsize_default = read_proc("msgsize_default");
	l->queues_max = read_proc("queues_max");
	struct rlimit r;
	l->rlimit_msgqueue = -1;
	if (getrlimit(RLIMIT_MSGQUEUE, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
		l->rlimit_msgqueue = (long long)r.rlim_cur;
}

long ipcconf_mq_limit(struct ipcconf_t *t, const char *file)
{
	long v = read_proc(file);
	if (v < 0)
		SKIP(t, "/proc/sys/fs/mqueue/%s cannot be read: the limit the rule names is unknown here",
		     file);
	return v;
}

long long ipcconf_mq_charge(long maxmsg, long msgsize)
{
	long tree = maxmsg < 32768 ? maxmsg : 32768;
	return (long long)maxmsg * 64 + (long long)tree * 64 + (long long)maxmsg * msgsize;
}

void ipcconf_mq_create(struct ipcconf_t *t, struct ipcconf_mq *q, const char *leaf,
		       int extra_flags, long need_maxmsg, long want_maxmsg, long want_msgsize)
{
	struct ipcconf_mq_limits l;
	ipcconf_mq_read_limits(&l);
	long maxmsg = want_maxmsg, msgsize = want_msgsize;
	if (l.msg_max > 0 && maxmsg > l.msg_max)
		maxmsg = l.msg_max;
	if (l.msgsize_max > 0 && msgsize > l.msgsize_max)
		msgsize = l.msgsize_max;
	if (maxmsg < need_maxmsg)
		SKIP(t, "msg_max is %ld: the rule needs a queue of at least %ld messages", l.msg_max,
		     need_maxmsg);
	if (l.rlimit_msgqueue >= 0 && ipcconf_mq_charge(maxmsg, msgsize) > l.rlimit_msgqueue)
		SKIP(t, "RLIMIT_MSGQUEUE is %lld bytes: too small for a queue of %ld messages of %ld bytes",
		     l.rlimit_msgqueue, maxmsg, msgsize);
	q->name = ipcconf_posix_name(t, leaf);
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	STEP(t, "mq_open(%s, O_CREAT | O_EXCL, maxmsg %ld, msgsize %ld)", q->name, maxmsg, msgsize);
	q->h = iut_mq_open(t, q->name, O_RDWR | O_CREAT | O_EXCL | extra_flags, 0600, &a);
	char b[32];
	REQUIRE(t, q->h >= 0,
		"mq_open(O_RDWR | O_CREAT | O_EXCL, mode 0600, maxmsg %ld, msgsize %ld) of a new name: expected a handle, got %s (msg_max %ld, msgsize_max %ld, RLIMIT_MSGQUEUE %lld)",
		maxmsg, msgsize, ipcconf_result_name(q->h, b), l.msg_max, l.msgsize_max,
		l.rlimit_msgqueue);
}

int ipcconf_mq_reopen(struct ipcconf_t *t, const struct ipcconf_mq *q, int flags, const char *what)
{
	int h = iut_mq_open(t, q->name, flags, 0, NULL);
	REQUIRE_OK(t, h, what);
	return h;
}

void ipcconf_mq_fill(struct ipcconf_t *t, const struct ipcconf_mq *q)
{
	int w = ipcconf_mq_reopen(t, q, O_WRONLY | O_NONBLOCK,
				  "mq_open(O_WRONLY | O_NONBLOCK) of the queue to fill it");
	for (long i = 0; i < q->maxmsg; i++) {
		char msg[32];
		int len = snprintf(msg, sizeof msg, "f%ld", i);
		char b[32];
		int r = iut_mq_send(t, w, msg, (size_t)len, 0, NULL);
		REQUIRE(t, r == 0, "filling: send %ld of mq_maxmsg %ld (O_NONBLOCK) returned %s; a queue must hold mq_maxmsg messages",
			i + 1, q->maxmsg, ipcconf_result_name(r, b));
	}
	REQUIRE_OK(t, iut_close(t, w), "close of the filling handle");
}

void ipcconf_mq_expect(struct ipcconf_t *t, const struct ipcconf_mq *q, int h, const char *text,
		       long prio, const char *what)
{
	char *buf = calloc(1, (size_t)q->msgsize + 1);
	if (!buf)
		BROKEN(t, "calloc(%ld) failed", q->msgsize + 1);
	unsigned got_prio = ~0u;
	size_t len = strlen(text);
	STEP(t, "receiving %s", what);
	ssize_t n = iut_mq_receive(t, h, buf, (size_t)q->msgsize, &got_prio, NULL);
	char nb[32];
	CHECK(t, n == (ssize_t)len && memcmp(buf, text, len) == 0,
	      "%s: expected \"%s\" (%zu bytes), got %s%s%.*s%s", what, text, len,
	      ipcconf_result_name(n, nb), n >= 0 ? " bytes \"" : "", n > 0 ? (int)(n < 64 ? n : 64) : 0,
	      buf, n >= 0 ? "\"" : "");
	if (prio >= 0 && n >= 0)
		CHECK(t, got_prio == (unsigned long)prio, "%s: expected priority %ld, got %u", what, prio,
		      got_prio);
	free(buf);
}

void ipcconf_mq_expect_queued(struct ipcconf_t *t, const struct ipcconf_mq *q, const char *text,
			      long prio, const char *what)
{
	int r = ipcconf_mq_reopen(t, q, O_RDONLY | O_NONBLOCK,
				  "mq_open(O_RDONLY | O_NONBLOCK) of the queue to take a queued message");
	ipcconf_mq_expect(t, q, r, text, prio, what);
	REQUIRE_OK(t, iut_close(t, r), "close of the handle that took the message");
}

void ipcconf_mq_expect_empty(struct ipcconf_t *t, const struct ipcconf_mq *q, const char *what)
{
	int r = ipcconf_mq_reopen(t, q, O_RDONLY | O_NONBLOCK,
				  "mq_open(O_RDONLY | O_NONBLOCK) of the queue to see it empty");
	char *buf = calloc(1, (size_t)q->msgsize + 1);
	if (!buf)
		BROKEN(t, "calloc(%ld) failed", q->msgsize + 1);
	ssize_t n = iut_mq_receive(t, r, buf, (size_t)q->msgsize, NULL, NULL);
	char nb[32];
	CHECK(t, n == -EAGAIN, "%s: a receive (O_NONBLOCK) expected -EAGAIN (empty queue), got %s%s%.*s%s",
	      what, ipcconf_result_name(n, nb), n >= 0 ? " bytes \"" : "",
	      n > 0 ? (int)(n < 64 ? n : 64) : 0, buf, n >= 0 ? "\"" : "");
	free(buf);
	REQUIRE_OK(t, iut_close(t, r), "close of the handle that looked");
}

long long ipcconf_mq_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct timespec ipcconf_mq_abs_in(long ms)
{
	long long ns = ipcconf_mq_realtime_ns() + (long long)ms * 1000000LL;
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000LL),
				  .tv_nsec = (long)(ns % 1000000000LL) };
}
