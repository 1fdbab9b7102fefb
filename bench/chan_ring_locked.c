/*
 * Our ring through its general interface (ring_push/ring_pop, a lock per
 * side): any number of producers and consumers, and the path impl/ref's
 * pipes take while a side has several holders.  No peer() check:
 * ring_push() asks it before every attempt, and a liveness check is a
 * system call, which would measure the check rather than the ring.
 */
#include <errno.h>

#include "bench/bench_chan.h"

static size_t shm_size(size_t msg)
{
	return ring_region_size((uint32_t)bench_buf);
}

static int create(struct chan *c)
{
	return ring_init(c->shm, c->shm_len, (uint32_t)bench_buf, (uint32_t)bench_buf);
}

static int attach(struct chan *c, int sender)
{
	c->sender = sender;
	return ring_attach(&c->u.ring, c->shm, c->shm_len);
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	/* Whole messages, as ck_ring moves records: none is split across two publications. */
	struct ring_block b = { .atomic_max = n };
	ssize_t k = ring_push(&c->u.ring, buf, n, &b);

	return k == (ssize_t)n ? 0 : k < 0 ? (int)k : -EIO;
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	unsigned char *p = buf;

	for (size_t got = 0; got < n;) {
		struct ring_block b = { 0 };
		ssize_t k = ring_pop(&c->u.ring, p + got, n - got, &b);

		if (k <= 0)
			return k < 0 ? (int)k : -EPIPE;
		got += (size_t)k;
	}
	return 0;
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	struct ring_block b = { .timeout_ms = timeout_ms };
	ssize_t k = ring_pop(&c->u.ring, buf, n, &b);

	return k < 0 ? (int)k : -EIO;
}

static void destroy(struct chan *c)
{
}

const struct chan_ops chan_ring_locked = {
	.name = "ring/locked",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
