/*
 * Concurrency Kit's ck_ring, single producer and single consumer, over
 * the same kind of shared mapping.  ck_ring has no blocking, so both
 * ends busy-poll (with ck_pr_stall(), the pause instruction).
 *
 * WHAT CROSSES THE MAPPING.  ck_ring carries fixed-size records by value
 * (CK_RING_PROTOTYPE): enqueue copies a record into the ring's buffer in
 * the shared mapping, dequeue copies it out.  Each message is one record
 * of its own size, in a buffer of bench_buf bytes: the same bytes cross
 * the same amount of shared memory as through our ring, copied once in
 * and once out, and published once per message, as our ring publishes a
 * push of up to RING_SPSC_CHUNK bytes.
 */
#include <ck_pr.h>
#include <ck_ring.h>
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "bench/bench_chan.h"

struct rec64 {
	unsigned char b[64];
};
struct rec4k {
	unsigned char b[4096];
};
struct rec64k {
	unsigned char b[65536];
};
struct rec1m {
	unsigned char b[1048576];
};

CK_RING_PROTOTYPE(rec64, rec64)
CK_RING_PROTOTYPE(rec4k, rec4k)
CK_RING_PROTOTYPE(rec64k, rec64k)
CK_RING_PROTOTYPE(rec1m, rec1m)

/* The shared layout: the ring's control block, then its record buffer. */
struct ck_shm {
	struct ck_ring ring;
	_Alignas(64) unsigned char buf[];
};

/* ck_ring's record size is a type: only the benchmark's message sizes have one. */
static int known_size(size_t msg)
{
	return msg == 64 || msg == 4096 || msg == 65536 || msg == 1048576;
}

static size_t shm_size(size_t msg)
{
	return sizeof(struct ck_shm) + bench_buf;
}

static int create(struct chan *c)
{
	struct ck_shm *s = c->shm;

	/* A ck_ring of size N holds N - 1 records: at least 3 of them. */
	if (!known_size(c->msg) || bench_buf / c->msg < 4)
		return -EINVAL;
	ck_ring_init(&s->ring, (unsigned int)(bench_buf / c->msg));
	return 0;
}

static int attach(struct chan *c, int sender)
{
	c->sender = sender;
	c->u.ck = c->shm;
	return 0;
}

/* One busy-polled call per record type: the record size must be a constant for ck. */
#define SEND_RECORD(type)                                                                   \
	while (!ck_ring_enqueue_spsc_##type(&s->ring, (struct type *)(void *)s->buf,         \
					    (struct type *)(void *)p))                       \
		ck_pr_stall()

#define RECV_RECORD(type)                                                                   \
	while (!ck_ring_dequeue_spsc_##type(&s->ring, (struct type *)(void *)s->buf,         \
					    (struct type *)(void *)p))                       \
		ck_pr_stall()

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	struct ck_shm *s = c->u.ck;
	unsigned char *p = (unsigned char *)buf;

	switch (n) {
	case 64:
		SEND_RECORD(rec64);
		return 0;
	case 4096:
		SEND_RECORD(rec4k);
		return 0;
	case 65536:
		SEND_RECORD(rec64k);
		return 0;
	case 1048576:
		SEND_RECORD(rec1m);
		return 0;
	default:
		return -EINVAL;
	}
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	struct ck_shm *s = c->u.ck;
	unsigned char *p = buf;

	switch (n) {
	case 64:
		RECV_RECORD(rec64);
		return 0;
	case 4096:
		RECV_RECORD(rec4k);
		return 0;
	case 65536:
		RECV_RECORD(rec64k);
		return 0;
	case 1048576:
		RECV_RECORD(rec1m);
		return 0;
	default:
		return -EINVAL;
	}
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What a ck_ring consumer does with nothing to read: poll, here until the deadline. */
static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	struct ck_shm *s = c->u.ck;
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;

	while (now_ns() < deadline)
		for (int i = 0; i < 1000; i++) {
			if (ck_ring_size(&s->ring) != 0)
				return -EIO;
			ck_pr_stall();
		}
	return -ETIMEDOUT;
}

static void destroy(struct chan *c)
{
}

const struct chan_ops chan_ck = {
	.name = "ck_ring",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
