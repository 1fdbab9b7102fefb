/* The measurements of bench_run.h. */
#define _GNU_SOURCE
#include "bench/bench_run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_proc.h"

/* The sequence number that ends a stream. */
#define STOP UINT64_MAX

/* Room for struct bench_ctl at the start of the mapping; the channels follow. */
#define CTL_SIZE 4096u

static size_t page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

/* The mapping of one measurement: the control block and up to two channels. */
struct setup {
	void *map;
	size_t len;
	struct bench_ctl *ctl;
	struct chan ch[2];
	int nch;
	unsigned char *buf; /* this process's message buffer */
	size_t msg;
};

static int setup_open(struct setup *s, const struct chan_ops *ops, size_t msg, int nch)
{
	size_t chan_len = page_round(ops->shm_size(msg));
	unsigned char *base;

	memset(s, 0, sizeof(*s));
	s->len = CTL_SIZE + (size_t)nch * chan_len;
	s->map = bench_map(s->len);
	s->buf = aligned_alloc(64, page_round(msg));
	if (s->map == NULL || s->buf == NULL)
		return -ENOMEM;
	/* Touched now: the first measured copies should not fault the pages in. */
	memset(s->buf, 0x5a, msg);
	s->msg = msg;
	s->ctl = s->map;
	base = (unsigned char *)s->map + CTL_SIZE;
	for (s->nch = 0; s->nch < nch; s->nch++) {
		struct chan *c = &s->ch[s->nch];
		int err;

		c->ops = ops;
		c->shm = chan_len ? base + (size_t)s->nch * chan_len : NULL;
		c->shm_len = chan_len;
		c->msg = msg;
		c->fd[0] = c->fd[1] = -1;
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
	free(s->buf);
}

static void put_seq(unsigned char *buf, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
}

static uint64_t get_seq(const unsigned char *buf)
{
	uint64_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

/* Messages between two looks at the clock: about 64 KiB of traffic, and at least one. */
static uint64_t batch_for(size_t msg)
{
	return msg >= 65536 ? 1 : 65536 / msg;
}

/* ---- streaming ---- */

static void stream_receiver(struct setup *s, int cpu)
{
	struct chan *c = &s->ch[0];
	struct bench_ctl *ctl = s->ctl;
	uint64_t expect = 0, errors = 0;
	int ok;

	c->peer_pid = getppid();
	ok = bench_pin(cpu) == 0 && c->ops->attach(c, 0) == 0;
	/* At the start line even when failed: the parent waits there. */
	bench_start_line(ctl);
	if (!ok)
		_exit(1);
	for (;;) {
		uint64_t seq;

		if (c->ops->recv(c, s->buf, s->msg) < 0) {
			errors++;
			break;
		}
		seq = get_seq(s->buf);
		if (seq == STOP)
			break;
		errors += seq != expect;
		expect++;
	}
	ctl->end_ns = bench_now_ns();
	ctl->count = expect;
	ctl->errors = errors;
	_exit(0);
}

int bench_stream(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
		 double *rate)
{
	struct setup s;
	uint64_t seq = 0, batch = batch_for(msg);
	int64_t t0;
	int err = setup_open(&s, ops, msg, 1);
	pid_t pid;

	if (err < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		stream_receiver(&s, cpu_b);
	s.ch[0].peer_pid = pid;
	err = bench_pin(cpu_a);
	if (err == 0)
		err = ops->attach(&s.ch[0], 1);
	bench_start_line(s.ctl);
	t0 = bench_now_ns();
	while (err == 0 && bench_now_ns() - t0 < dur_ns)
		for (uint64_t i = 0; i < batch && err == 0; i++) {
			put_seq(s.buf, seq++);
			err = ops->send(&s.ch[0], s.buf, msg);
		}
	put_seq(s.buf, STOP);
	if (err == 0)
		err = ops->send(&s.ch[0], s.buf, msg);
	if (err < 0)
		kill(pid, SIGKILL); /* it would wait for the rest of the stream forever */
	if (bench_reap(pid) < 0 || s.ctl->errors != 0 || s.ctl->count != seq)
		err = err < 0 ? err : -EIO;
	if (err == 0)
		*rate = (double)s.ctl->count * 1e9 / (double)(s.ctl->end_ns - t0);
out:
	setup_close(&s);
	return err;
}

/* ---- round trip ---- */

static void echo_child(struct setup *s, int cpu)
{
	struct chan *in = &s->ch[0], *out = &s->ch[1];
	int ok;

	in->peer_pid = out->peer_pid = getppid();
	ok = bench_pin(cpu) == 0 && in->ops->attach(in, 0) == 0 && out->ops->attach(out, 1) == 0;
	bench_start_line(s->ctl);
	if (!ok)
		_exit(1);
	for (;;) {
		if (in->ops->recv(in, s->buf, s->msg) < 0 || out->ops->send(out, s->buf, s->msg) < 0)
			_exit(1);
		if (get_seq(s->buf) == STOP)
			_exit(0);
	}
}

/* One round trip; -EIO if the echo is not the message sent. */
static int ping(struct setup *s, uint64_t seq)
{
	struct chan *out = &s->ch[0], *in = &s->ch[1];
	int err;

	put_seq(s->buf, seq);
	err = out->ops->send(out, s->buf, s->msg);
	if (err == 0)
		err = in->ops->recv(in, s->buf, s->msg);
	if (err == 0 && get_seq(s->buf) != seq)
		err = -EIO;
	return err;
}

/* Round trips between two looks at the clock (a look costs ~10% of the fastest one). */
#define RT_BATCH 16

int bench_roundtrip(const struct chan_ops *ops, size_t msg, int cpu_a, int cpu_b, int64_t dur_ns,
		    double *ns)
{
	struct setup s;
	uint64_t seq = 0, timed = 0;
	int64_t t0, t1;
	int err = setup_open(&s, ops, msg, 2);
	pid_t pid;

	if (err < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		echo_child(&s, cpu_b);
	s.ch[0].peer_pid = s.ch[1].peer_pid = pid;
	err = bench_pin(cpu_a);
	if (err == 0)
		err = ops->attach(&s.ch[0], 1);
	if (err == 0)
		err = ops->attach(&s.ch[1], 0);
	bench_start_line(s.ctl);
	/* Warm-up: both sides reach their steady way of waiting (a tenth of the time). */
	t0 = bench_now_ns();
	while (err == 0 && bench_now_ns() - t0 < dur_ns / 10)
		for (int i = 0; i < RT_BATCH && err == 0; i++)
			err = ping(&s, seq++);
	t0 = t1 = bench_now_ns();
	while (err == 0 && t1 - t0 < dur_ns) {
		for (int i = 0; i < RT_BATCH && err == 0; i++, timed++)
			err = ping(&s, seq++);
		t1 = bench_now_ns();
	}
	if (err == 0)
		err = ping(&s, STOP);
	if (err < 0)
		kill(pid, SIGKILL); /* it would wait for the next ping forever */
	if (bench_reap(pid) < 0 && err == 0)
		err = -EIO;
	if (err == 0)
		*ns = (double)(t1 - t0) / (double)timed;
out:
	setup_close(&s);
	return err;
}

/* ---- idle ---- */

static void idle_child(struct setup *s, int cpu, int wait_ms)
{
	struct chan *c = &s->ch[0];
	int64_t cpu0;
	int r, ok;

	c->peer_pid = getppid();
	ok = bench_pin(cpu) == 0 && c->ops->attach(c, 0) == 0;
	bench_start_line(s->ctl);
	if (!ok)
		_exit(1);
	cpu0 = bench_cpu_ns();
	r = c->ops->recv_idle(c, s->buf, s->msg, wait_ms);
	s->ctl->cpu_ns = bench_cpu_ns() - cpu0;
	_exit(r == -ETIMEDOUT ? 0 : 1);
}

int bench_idle(const struct chan_ops *ops, int cpu_a, int cpu_b, int wait_ms, double *cpu_ns)
{
	struct setup s;
	int err = setup_open(&s, ops, 64, 1);
	pid_t pid;

	if (err < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		idle_child(&s, cpu_b, wait_ms);
	s.ch[0].peer_pid = pid;
	err = bench_pin(cpu_a);
	if (err == 0)
		err = ops->attach(&s.ch[0], 1);
	bench_start_line(s.ctl);
	/* The sender stays attached and silent: the receiver's peer is alive, just quiet. */
	if (bench_reap(pid) < 0 && err == 0)
		err = -EIO;
	if (err == 0)
		*cpu_ns = (double)s.ctl->cpu_ns;
out:
	setup_close(&s);
	return err;
}

/* ---- memcpy ---- */

double bench_memcpy(size_t len, int cpu, int64_t dur_ns)
{
	unsigned char *src = aligned_alloc(64, page_round(len));
	unsigned char *dst = aligned_alloc(64, page_round(len));
	uint64_t n = 0;
	int64_t t0, t1;
	double rate = 0;

	if (src != NULL && dst != NULL && bench_pin(cpu) == 0) {
		memset(src, 1, len);
		memset(dst, 2, len);
		t0 = t1 = bench_now_ns();
		while (t1 - t0 < dur_ns) {
			memcpy(dst, src, len);
			/* The copy is used, as far as the compiler knows. */
			__asm__ __volatile__("" : : "r"(dst) : "memory");
			n++;
			t1 = bench_now_ns();
		}
		rate = (double)n * (double)len * 1e9 / (double)(t1 - t0);
	}
	free(src);
	free(dst);
	return rate;
}
