/*
 * sock_model.h -- the state one side's rules need about its AF_UNIX
 * socketpair, and the bookkeeping of calls whose results were judged
 * allowed: which ends are open, O_NONBLOCK, what each end has shut down,
 * and what travels towards each end (its receive queue).  What a call may
 * return is in sock_rule_posix.h (`os`) and sock_rule_ref.h (`ref`).
 *
 * The bytes sent towards an end are a stretch of one pattern (the
 * harness's), from that direction's own position: a stream direction is
 * two positions (sent, taken), a message direction a queue of
 * (position, length) records, so the harness checks every byte it
 * receives, and every message boundary, against what that side accepted.
 *
 * Header-only, as differential.h explains.
 */
#ifndef IPCCONF_FUZZ_SOCK_MODEL_H
#define IPCCONF_FUZZ_SOCK_MODEL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* More records than one run can send (at most MAX_OPS, 64, in the harness). */
#define SOCK_QUEUE_MAX 128

enum sock_rule { SOCK_RULE_POSIX, SOCK_RULE_REF };

/* What travels towards one end: its receive queue. */
struct sock_queue {
	uint64_t sent;   /* pattern position of the next byte sent this way */
	uint64_t taken;  /* stream: bytes received (sent - taken is held) */
	unsigned head, count;             /* messages: a ring of records */
	uint64_t pos[SOCK_QUEUE_MAX];
	uint32_t len[SOCK_QUEUE_MAX];
};

struct sock_model {
	enum sock_rule rule;
	int type;            /* SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM */
	long long msg_max;   /* POSIX rule: longer messages may be refused (EMSGSIZE) */
	bool open[2];
	bool nonblock[2];
	bool rd_shut[2];     /* the end was shut down for reading (SHUT_RD or SHUT_RDWR) ... */
	bool wr_shut[2];     /* ... for writing */
	bool reset[2];       /* its peer was closed with data unread: ECONNRESET may come, once */
	bool lossy[2];       /* POSIX rule, datagrams: its receive queue may have been dropped */
	bool refused[2];     /* datagrams: a send from it was refused, its peer being gone */
	struct sock_queue q[2];
};

static inline void sock_model_init(struct sock_model *m, enum sock_rule rule, int type,
				   long long msg_max)
{
	memset(m, 0, sizeof *m);
	m->rule = rule;
	m->type = type;
	m->msg_max = msg_max;
	m->open[0] = m->open[1] = true;
	m->nonblock[0] = m->nonblock[1] = true; /* SOCK_NONBLOCK, always */
}

static inline bool sock_model_stream(const struct sock_model *m)
{
	return m->type == SOCK_STREAM;
}

/* Connection-oriented: stream and seqpacket (socket(7), unix(7)). */
static inline bool sock_model_connected_type(const struct sock_model *m)
{
	return m->type != SOCK_DGRAM;
}

/* Anything queued towards end e: bytes (stream) or messages, zero-length ones too. */
static inline bool sock_model_holds(const struct sock_model *m, int e)
{
	const struct sock_queue *q = &m->q[e];

	return sock_model_stream(m) ? q->sent != q->taken : q->count > 0;
}

static inline long long sock_model_held_bytes(const struct sock_model *m, int e)
{
	return (long long)(m->q[e].sent - m->q[e].taken);
}

/* Messages: the record at the head of e's queue (sock_model_holds() first). */
static inline uint64_t sock_model_head_pos(const struct sock_model *m, int e)
{
	return m->q[e].pos[m->q[e].head];
}

static inline long long sock_model_head_len(const struct sock_model *m, int e)
{
	return m->q[e].len[m->q[e].head];
}

static inline void sock_queue_clear(struct sock_queue *q)
{
	q->taken = q->sent;
	q->head = q->count = 0;
}

/* A send towards end `to` took r bytes (a message: r is its length). */
static inline void sock_model_sent(struct sock_model *m, int to, long long r)
{
	struct sock_queue *q = &m->q[to];

	if (!sock_model_stream(m)) {
		unsigned tail = (q->head + q->count) % SOCK_QUEUE_MAX;

		if (q->count == SOCK_QUEUE_MAX) {
			fprintf(stderr, "sock_model: more than %d messages queued\n", SOCK_QUEUE_MAX);
			abort();
		}
		q->pos[tail] = q->sent;
		q->len[tail] = (uint32_t)r;
		q->count++;
	}
	q->sent += (uint64_t)r;
}

/* End e received r bytes of a stream, or the head message, for good. */
static inline void sock_model_taken(struct sock_model *m, int e, long long r)
{
	struct sock_queue *q = &m->q[e];

	if (sock_model_stream(m)) {
		q->taken += (uint64_t)r;
		return;
	}
	q->head = (q->head + 1) % SOCK_QUEUE_MAX;
	q->count--;
}

/*
 * close() of end e, judged allowed: what was queued towards it is gone
 * with it, and under a rule that says so (`reset_rule`) its peer may hear
 * of data left unread with ECONNRESET (unix(7): "Remote socket was
 * unexpectedly closed").
 */
static inline void sock_model_closed(struct sock_model *m, int e, bool reset_rule)
{
	int p = !e;

	if (reset_rule && m->open[p] && sock_model_connected_type(m) && sock_model_holds(m, e))
		m->reset[p] = true;
	m->open[e] = false;
	sock_queue_clear(&m->q[e]);
}

/* shutdown(e, how), judged allowed and successful. */
static inline void sock_model_shut(struct sock_model *m, int e, int how)
{
	if (how == SHUT_RD || how == SHUT_RDWR)
		m->rd_shut[e] = true;
	if (how == SHUT_WR || how == SHUT_RDWR)
		m->wr_shut[e] = true;
}

/* A send from e returned r, judged allowed. */
static inline void sock_model_after_send(struct sock_model *m, int e, long long r)
{
	bool gone = !sock_model_connected_type(m) && !m->open[!e];

	if (r >= 0)
		sock_model_sent(m, !e, r);
	if (r == -ECONNRESET)
		m->reset[e] = false;
	if (r == -ECONNREFUSED)
		m->refused[e] = true;
	/* sock_rule_posix.h: a send that found the datagram peer gone may have dropped e's queue */
	if (m->rule == SOCK_RULE_POSIX && gone && (r == -ECONNREFUSED || r == -ENOTCONN))
		m->lossy[e] = sock_model_holds(m, e);
}

/* What a recv received of what was sent: `bytes` bytes from pattern position `pos`. */
struct sock_taken {
	long long bytes;
	uint64_t pos;
};

/*
 * A recv of n bytes with `flags` on e returned r, judged allowed: updates
 * the model, and says which bytes the buffer must now hold.  A result
 * that the normal outcome (data, or the head message) explains is taken
 * as that; a 0 beside it is the end of file a rule allowed, which takes
 * nothing; -EAGAIN with something queued is a dropped queue (lossy).
 */
static inline struct sock_taken sock_model_after_recv(struct sock_model *m, int e, long long n,
						      int flags, long long r)
{
	struct sock_taken t = { 0, 0 };
	bool peek = (flags & MSG_PEEK) != 0;

	if (r == -ECONNRESET) {
		m->reset[e] = false;
		return t;
	}
	if (!sock_model_holds(m, e))
		return t;
	if (sock_model_stream(m)) {
		if (r > 0) {
			t.bytes = r;
			t.pos = m->q[e].taken;
			if (!peek)
				sock_model_taken(m, e, r);
		}
		return t;
	}
	long long len = sock_model_head_len(m, e), copied = n < len ? n : len;

	if (r == copied || ((flags & MSG_TRUNC) && r == len)) {
		t.bytes = copied;
		t.pos = sock_model_head_pos(m, e);
		if (!peek)
			sock_model_taken(m, e, r);
		m->lossy[e] = false; /* the queue is there */
	} else if (r == -EAGAIN && m->lossy[e]) {
		sock_queue_clear(&m->q[e]);
		m->lossy[e] = false;
	}
	return t;
}

/* A poll of e for `events` returned revents r, judged allowed. */
static inline void sock_model_after_poll(struct sock_model *m, int e, short events, long long r)
{
	long long in = POLLIN | POLLRDNORM;

	if (m->lossy[e] && sock_model_holds(m, e) && (events & in) && r >= 0 && !(r & in)) {
		sock_queue_clear(&m->q[e]); /* nothing to read: the queue was dropped */
		m->lossy[e] = false;
	}
}

static inline long long sock_model_badf(const struct sock_model *m, int e)
{
	return m->open[e] ? 0 : -EBADF;
}

#endif
