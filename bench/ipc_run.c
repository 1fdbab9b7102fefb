/* The measurements of ipc_run.h. */
#define _GNU_SOURCE
#include "bench/ipc_run.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_proc.h"
#include "bench/ipc_chan.h"
#include "bench/ipc_clean.h"
#include "impl/sync/sync_alive.h"

/* The sequence number that ends a stream. */
#define STOP UINT64_MAX

/* Room for struct bench_ctl at the start of the mapping; the channels follow. */
#define CTL_SIZE 4096u

/* sched_yield()s at the start line between two looks at the peer. */
#define YIELDS_PER_CHECK 1024u

static size_t page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

/* One measurement's mapping (control block, one or two channels) and message buffer. */
struct setup {
	void *map;
	size_t len;
	struct bench_ctl *ctl;
	struct chan ch[2];
	int nch;
	unsigned char *alloc; /* IPC_BUF_HEADROOM bytes, then buf */
	unsigned char *buf;
	size_t msg;
};

static int setup_open(struct setup *s, const struct chan_ops *ops, size_t msg, int nch)
{
	size_t chan_len = page_round(ops->shm_size(msg));
	unsigned char *base;

	memset(s, 0, sizeof(*s));
	s->len = CTL_SIZE + (size_t)nch * chan_len;
	s->map = bench_map(s->len);
	s->alloc = aligned_alloc(64, page_round(IPC_BUF_HEADROOM + msg));
	if (s->map == NULL || s->alloc == NULL)
		return -ENOMEM;
	/* Touched now: the first measured copies should not fault the pages in. */
	memset(s->alloc, 0x5a, IPC_BUF_HEADROOM + msg);
	s->buf = s->alloc + IPC_BUF_HEADROOM;
	s->msg = msg;
	s->ctl = s->map;
	base = (unsigned char *)s->map + CTL_SIZE;
	for (int i = 0; i < nch; i++) {
		struct chan *c = &s->ch[i];
		int err;

		c->ops = ops;
		c->shm = chan_len ? base + (size_t)i * chan_len : NULL;
		c->shm_len = chan_len;
		c->msg = msg;
		c->fd[0] = c->fd[1] = -1;
		/* Counted before create: a half-made channel is destroyed too. */
		s->nch = i + 1;
		err = ops->create(c);
		if (err < 0)
			return err;
	}
	return 0;
}

static void setup_close(struct setup *s)
{
	for (int i = 0; i < s->nch; i++)
		s->ch[i].ops->destroy(&s->ch[i]);
	if (s->map != NULL)
		bench_unmap(s->map, s->len);
	free(s->alloc);
}

/* The sequence number at both ends of the message (one copy when it is 8 bytes). */
static void stamp(unsigned char *buf, size_t msg, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
	memcpy(buf + msg - sizeof(seq), &seq, sizeof(seq));
}

/* The message's sequence number; -EBADMSG when its two copies differ (a damaged message). */
static int read_stamp(const unsigned char *buf, size_t msg, uint64_t *seq)
{
	uint64_t tail;

	memcpy(seq, buf, sizeof(*seq));
	memcpy(&tail, buf + msg - sizeof(tail), sizeof(tail));
	return *seq == tail ? 0 : -EBADMSG;
}

/* Both processes at the start line, or -EPIPE once the peer is gone. */
static int start_line(struct bench_ctl *ctl, pid_t peer)
{
	atomic_fetch_add(&ctl->ready, 1);
	for (unsigned i = 1; atomic_load(&ctl->ready) < 2; i++) {
		/* Yields: the two may share one CPU. */
		sched_yield();
		if (i % YIELDS_PER_CHECK == 0 && !sync_process_alive(peer))
			return -EPIPE;
	}
	return 0;
}

/* The child's way out: its reason in ctl->errors for the parent, exit status 1. */
static _Noreturn void child_fail(struct bench_ctl *ctl, int err)
{
	ctl->errors = (uint64_t)(err < 0 ? -err : EIO);
	_exit(1);
}

/* Everything a child does before its first message (it exits if one fails). */
static void child_begin(struct setup *s, pid_t parent, int cpu, int nch)
{
	int err = ipc_clean_in_child(parent) == 0 ? 0 : -EPIPE;

	if (err == 0)
		err = bench_pin(cpu);
	for (int i = 0; i < nch; i++) {
		s->ch[i].peer_pid = parent;
		/* Channel 0 brings the parent's messages, channel 1 takes the echoes. */
		if (err == 0)
			err = s->ch[i].ops->attach(&s->ch[i], i == 1);
	}
	/* At the start line even when failed: the parent looks for us there. */
	if (start_line(s->ctl, parent) < 0 || err < 0)
		child_fail(s->ctl, err < 0 ? err : -EPIPE);
}

/* The parent's side of the same, after fork. */
static int parent_begin(struct setup *s, pid_t pid, int cpu)
{
	int err = bench_pin(cpu);

	ipc_clean_set_child(pid);
	for (int i = 0; i < s->nch; i++) {
		s->ch[i].peer_pid = pid;
		if (err == 0)
			err = s->ch[i].ops->attach(&s->ch[i], i == 0);
	}
	if (start_line(s->ctl, pid) < 0 && err == 0)
		err = -EPIPE;
	return err;
}

/*
 * The child gone, the measurement's verdict: err, or the child's reason
 * when it failed (it knows better why the stream broke), or -ECHILD.
 */
static int parent_end(struct setup *s, pid_t pid, int err)
{
	if (err < 0)
		kill(pid, SIGKILL); /* it would wait for the rest of the stream */
	if (bench_reap(pid) < 0 && err == 0)
		err = -ECHILD;
	ipc_clean_set_child(0);
	if (s->ctl->errors != 0 && (err == 0 || err == -EPIPE || err == -ECHILD))
		err = -(int)s->ctl->errors;
	return err;
}

/* Messages between two looks at the clock: about 64 KiB of traffic, and at least one. */
static uint64_t batch_for(size_t msg)
{
	return msg >= 65536 ? 1 : 65536 / msg;
}

/* ---- streaming ---- */

static _Noreturn void stream_child(struct setup *s, pid_t parent, int cpu)
{
	struct chan *c = &s->ch[0];
	uint64_t expect = 0;

	child_begin(s, parent, cpu, 1);
	for (;; expect++) {
		uint64_t seq = 0;
		int err = c->ops->recv(c, s->buf, s->msg);

		if (err == 0)
			err = read_stamp(s->buf, s->msg, &seq);
		if (err < 0)
			child_fail(s->ctl, err);
		if (seq == STOP)
			break;
		if (seq != expect)
			child_fail(s->ctl, -EBADMSG);
	}
	s->ctl->end_ns = bench_now_ns();
	s->ctl->count = expect;
	_exit(0);
}

int ipc_stream(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
	       double *rate)
{
	struct setup s;
	uint64_t seq = 0, batch = batch_for(msg);
	pid_t parent = getpid(), pid;
	int64_t t0;
	int err = setup_open(&s, ops, msg, 1);

	if (err < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		stream_child(&s, parent, cpu_b);
	err = parent_begin(&s, pid, cpu_a);
	t0 = bench_now_ns();
	while (err == 0 && bench_now_ns() - t0 < dur_ns)
		for (uint64_t i = 0; i < batch && err == 0; i++) {
			stamp(s.buf, msg, seq++);
			err = ops->send(&s.ch[0], s.buf, msg);
		}
	stamp(s.buf, msg, STOP);
	if (err == 0)
		err = ops->send(&s.ch[0], s.buf, msg);
	err = parent_end(&s, pid, err);
	if (err == 0 && s.ctl->count != seq)
		err = -EBADMSG;
	if (err == 0)
		*rate = (double)s.ctl->count * 1e9 / (double)(s.ctl->end_ns - t0);
out:
	setup_close(&s);
	return err;
}

/* ---- round trip ---- */

static _Noreturn void echo_child(struct setup *s, pid_t parent, int cpu)
{
	struct chan *in = &s->ch[0], *out = &s->ch[1];

	child_begin(s, parent, cpu, 2);
	for (uint64_t expect = 0;; expect++) {
		uint64_t seq = 0;
		int err = in->ops->recv(in, s->buf, s->msg);

		if (err == 0)
			err = read_stamp(s->buf, s->msg, &seq);
		if (err == 0 && seq != expect && seq != STOP)
			err = -EBADMSG;
		if (err == 0)
			err = out->ops->send(out, s->buf, s->msg);
		if (err < 0)
			child_fail(s->ctl, err);
		if (seq == STOP)
			_exit(0);
	}
}

/* One round trip; -EBADMSG if the echo is not the message sent. */
static int ping(struct setup *s, uint64_t seq)
{
	struct chan *out = &s->ch[0], *in = &s->ch[1];
	uint64_t back;
	int err;

	stamp(s->buf, s->msg, seq);
	err = out->ops->send(out, s->buf, s->msg);
	if (err == 0)
		err = in->ops->recv(in, s->buf, s->msg);
	if (err == 0)
		err = read_stamp(s->buf, s->msg, &back);
	if (err == 0 && back != seq)
		err = -EBADMSG;
	return err;
}

int ipc_roundtrip(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
		  struct hist *h)
{
	struct setup s;
	uint64_t seq = 0;
	pid_t parent = getpid(), pid;
	int64_t t0, prev, now;
	int err = setup_open(&s, ops, msg, 2);

	hist_clear(h);
	if (err < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		echo_child(&s, parent, cpu_b);
	err = parent_begin(&s, pid, cpu_a);
	/* Warm-up: both sides reach their steady way of waiting. */
	t0 = bench_now_ns();
	while (err == 0 && bench_now_ns() - t0 < dur_ns / 10)
		err = ping(&s, seq++);
	t0 = prev = bench_now_ns();
	while (err == 0 && prev - t0 < dur_ns) {
		err = ping(&s, seq++);
		now = bench_now_ns();
		if (err == 0)
			hist_add(h, (uint64_t)(now - prev));
		prev = now;
	}
	if (err == 0)
		err = ping(&s, STOP);
	err = parent_end(&s, pid, err);
out:
	setup_close(&s);
	return err;
}
