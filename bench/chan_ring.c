/*
 * Our ring through its lock-free SPSC interface (ring_spsc.h): the
 * producer spins briefly, then sleeps on a futex; so does the consumer.
 */
#include <errno.h>

#include "bench/bench_chan.h"
#include "impl/sync/sync_alive.h"

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
	return ring_spsc_attach(&c->u.spsc, c->shm, c->shm_len,
				sender ? RING_SPSC_PRODUCER : RING_SPSC_CONSUMER);
}

/* Asked only when a call is about to sleep: a dead peer must not leave us blocked. */
static int peer_alive(void *ctx)
{
	const struct chan *c = ctx;

	return sync_process_alive(c->peer_pid);
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	/* Whole messages, as ck_ring moves records: none is split across two publications. */
	struct ring_block b = { .atomic_max = n, .peer = peer_alive, .ctx = c };
	ssize_t k = ring_spsc_push(&c->u.spsc, buf, n, &b);

	return k == (ssize_t)n ? 0 : k < 0 ? (int)k : -EIO;
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	unsigned char *p = buf;

	for (size_t got = 0; got < n;) {
		struct ring_block b = { .peer = peer_alive, .ctx = c };
		ssize_t k = ring_spsc_pop(&c->u.spsc, p + got, n - got, &b);

		if (k <= 0)
			return k < 0 ? (int)k : -EPIPE;
		got += (size_t)k;
	}
	return 0;
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	struct ring_block b = { .timeout_ms = timeout_ms, .peer = peer_alive, .ctx = c };
	ssize_t k = ring_spsc_pop(&c->u.spsc, buf, n, &b);

	return k < 0 ? (int)k : -EIO;
}

static void destroy(struct chan *c)
{
}

const struct chan_ops chan_ring = {
	.name = "ring",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
