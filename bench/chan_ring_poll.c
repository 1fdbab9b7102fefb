/*
 * Our ring (ring_spsc.h) without its blocking: ring_spsc_try_push and
 * ring_spsc_try_pop in a loop with a CPU pause, as ck_ring is used.  No
 * system call at all on the way, busy or idle: the pure cost of shared
 * memory, and the price of never sleeping (both ends burn a CPU, and on
 * one CPU a waiter spins until the scheduler preempts it).  Every 2^16
 * empty polls it asks whether the peer still lives.
 */
#include <errno.h>

#include "bench/ipc_chan.h"
#include "impl/sync/sync_relax.h"

/* Empty polls between two looks at the peer (a system call): tens of microseconds. */
#define POLLS_PER_CHECK 65536u

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

/* After an empty poll: 0 to poll again, or -EPIPE once the peer is gone. */
static int idle_poll(const struct chan *c, unsigned *polls)
{
	sync_cpu_relax();
	return ++*polls % POLLS_PER_CHECK == 0 ? ipc_peer_gone(c) : 0;
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	unsigned polls = 0;

	for (;;) {
		/* All or nothing: a message is published whole, as by the blocking ring. */
		ssize_t k = ring_spsc_try_push(&c->u.spsc, buf, n, 1);
		int err;

		if (k == (ssize_t)n)
			return 0;
		if (k != -EAGAIN)
			return k < 0 ? (int)k : -EIO;
		err = idle_poll(c, &polls);
		if (err < 0)
			return err;
	}
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	unsigned char *p = buf;
	unsigned polls = 0;

	for (size_t got = 0; got < n;) {
		ssize_t k = ring_spsc_try_pop(&c->u.spsc, p + got, n - got);
		int err;

		if (k > 0) {
			got += (size_t)k;
			continue;
		}
		if (k != -EAGAIN)
			return k < 0 ? (int)k : -EIO;
		err = idle_poll(c, &polls);
		if (err < 0)
			return err;
	}
	return 0;
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	return -ENOSYS; /* ipc_bench measures no idle waits */
}

static void destroy(struct chan *c)
{
}

const struct chan_ops chan_ring_poll = {
	.name = "ring-poll",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
