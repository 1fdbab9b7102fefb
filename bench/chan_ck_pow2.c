/*
 * Concurrency Kit's ck_ring, single producer and single consumer, busy-
 * polled (it has no blocking), as chan_ck.c, but for every power-of-two
 * message size from 8 B to 1 MiB: ck_ring carries records of a size fixed
 * at compile time (CK_RING_PROTOTYPE), so each size is a type of its own.
 * Each message is one record, copied into the ring's buffer in the shared
 * mapping by ck_ring_enqueue_spsc_* and out by ck_ring_dequeue_spsc_*; the
 * buffer holds bench_buf bytes, as the rings'.  Every 2^16 empty polls the
 * waiting side asks whether its peer still lives.
 */
#include <ck_pr.h>
#include <ck_ring.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/ipc_chan.h"

#define CK_SIZES(X)                                                                          \
	X(8) X(16) X(32) X(64) X(128) X(256) X(512) X(1024) X(2048) X(4096) X(8192) X(16384) \
	X(32768) X(65536) X(131072) X(262144) X(524288) X(1048576)

#define RECORD_TYPE(sz)                 \
	struct rec##sz {                \
		unsigned char b[sz];    \
	};                              \
	CK_RING_PROTOTYPE(rec##sz, rec##sz)
CK_SIZES(RECORD_TYPE)

/* Empty polls between two looks at the peer (a system call): tens of microseconds. */
#define POLLS_PER_CHECK 65536u

/* The shared layout: the ring's control block, then its record buffer. */
struct ck_shm {
	struct ck_ring ring;
	_Alignas(64) unsigned char buf[];
};

static size_t shm_size(size_t msg)
{
	return sizeof(struct ck_shm) + bench_buf;
}

int chan_ck_pow2_fits(size_t msg, char *why, size_t len)
{
#define KNOWN(sz) msg == sz ||
	/* A ck_ring of N slots holds N - 1 records: at least 3 of them. */
	if ((CK_SIZES(KNOWN) 0) && bench_buf / msg >= 4)
		return 1;
#undef KNOWN
	snprintf(why, len, "no record type: powers of two from 8 B to 1 MiB, at most a quarter of the buffer");
	return 0;
}

static int create(struct chan *c)
{
	struct ck_shm *s = c->shm;
	char why[128];

	if (!chan_ck_pow2_fits(c->msg, why, sizeof(why)))
		return -EINVAL;
	ck_ring_init(&s->ring, (unsigned int)(bench_buf / c->msg));
	return 0;
}

static int attach(struct chan *c, int sender)
{
	c->sender = sender;
	return 0;
}

/* After an empty poll: 0 to poll again, or -EPIPE once the peer is gone. */
static int idle_poll(const struct chan *c, unsigned *polls)
{
	ck_pr_stall();
	return ++*polls % POLLS_PER_CHECK == 0 ? ipc_peer_gone(c) : 0;
}

/* One busy-polled call per record type: for ck the record size must be a constant. */
#define SEND_CASE(sz)                                                                           \
	case sz:                                                                                \
		while (!ck_ring_enqueue_spsc_rec##sz(&s->ring, (struct rec##sz *)(void *)s->buf, \
						     (struct rec##sz *)(void *)p))              \
			if ((err = idle_poll(c, &polls)) < 0)                                   \
				return err;                                                     \
		return 0;

#define RECV_CASE(sz)                                                                           \
	case sz:                                                                                \
		while (!ck_ring_dequeue_spsc_rec##sz(&s->ring, (struct rec##sz *)(void *)s->buf, \
						     (struct rec##sz *)(void *)p))              \
			if ((err = idle_poll(c, &polls)) < 0)                                   \
				return err;                                                     \
		return 0;

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	struct ck_shm *s = c->shm;
	unsigned char *p = (unsigned char *)(uintptr_t)buf;
	unsigned polls = 0;
	int err;

	switch (n) {
		CK_SIZES(SEND_CASE)
	default:
		return -EINVAL;
	}
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	struct ck_shm *s = c->shm;
	unsigned char *p = buf;
	unsigned polls = 0;
	int err;

	switch (n) {
		CK_SIZES(RECV_CASE)
	default:
		return -EINVAL;
	}
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	return -ENOSYS; /* ipc_bench measures no idle waits */
}

static void destroy(struct chan *c)
{
}

const struct chan_ops chan_ck_pow2 = {
	.name = "ck_ring",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
