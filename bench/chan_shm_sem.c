/*
 * Shared memory with a POSIX semaphore per message: the seed's M2, the
 * textbook producer/consumer.  An array of message slots in the shared
 * mapping and two process-shared semaphores in it (sem_init, pshared 1):
 * `items` counts filled slots, `room` empty ones.  Per message the sender
 * does sem_wait(room), copies into the next slot, sem_post(items); the
 * receiver sem_wait(items), copies out, sem_post(room).
 *
 * The slots hold bench_buf bytes in all, the buffering the rings get (at
 * least one slot).  glibc's semaphores are futex words: sem_wait takes a
 * positive count without a system call and sleeps in FUTEX_WAIT at zero;
 * sem_post calls FUTEX_WAKE when someone sleeps.  So the pattern costs a
 * wake-up per message whenever the other side waits for it, which in a
 * request/response exchange is every message.
 *
 * The waits are bounded (sem_clockwait) so that a dead peer is noticed.
 * The slot positions live in the mapping, each written by one side only
 * (the channel has no private state of its own); each is read once, and
 * reduced modulo the slot count before it indexes anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "bench/ipc_chan.h"

#define LINE 64

struct shs {
	sem_t items;                 /* filled slots: the receiver waits on it */
	_Alignas(LINE) sem_t room;   /* empty slots: the sender waits on it */
	_Alignas(LINE) uint64_t in;  /* messages sent: the sender's alone */
	_Alignas(LINE) uint64_t out; /* messages received: the receiver's alone */
	_Alignas(LINE) unsigned char slot[];
};

static size_t slot_size(size_t msg)
{
	return (msg + LINE - 1) / LINE * LINE;
}

static size_t slot_count(size_t msg)
{
	size_t n = bench_buf / slot_size(msg);

	return n < 1 ? 1 : n;
}

static size_t shm_size(size_t msg)
{
	return sizeof(struct shs) + slot_count(msg) * slot_size(msg);
}

static int create(struct chan *c)
{
	struct shs *s = c->shm;

	if (sem_init(&s->items, 1, 0) != 0 || sem_init(&s->room, 1, (unsigned)slot_count(c->msg)) != 0)
		return -errno;
	return 0;
}

static int attach(struct chan *c, int sender)
{
	c->sender = sender;
	return 0;
}

/* sem_wait, bounded: 0, or -EPIPE once the peer is gone. */
static int wait_sem(struct chan *c, sem_t *sem)
{
	for (;;) {
		struct timespec t = ipc_deadline(CLOCK_MONOTONIC, IPC_PEER_CHECK_MS);
		int err;

		if (sem_clockwait(sem, CLOCK_MONOTONIC, &t) == 0)
			return 0;
		if (errno == ETIMEDOUT)
			err = ipc_peer_gone(c);
		else
			err = errno == EINTR ? 0 : -errno;
		if (err < 0)
			return err;
	}
}

/* sem_trywait first: the deadline costs a clock read, which the untimed sem_wait does not pay. */
static int take(struct chan *c, sem_t *sem)
{
	return sem_trywait(sem) == 0 ? 0 : wait_sem(c, sem);
}

static int send_msg(struct chan *c, const void *buf, size_t n)
{
	struct shs *s = c->shm;
	uint64_t pos;
	int err = n <= slot_size(c->msg) ? take(c, &s->room) : -EINVAL;

	if (err < 0)
		return err;
	pos = s->in;
	memcpy(s->slot + (pos % slot_count(c->msg)) * slot_size(c->msg), buf, n);
	s->in = pos + 1;
	/* sem_post is a release: the copy is visible before the count says so. */
	return sem_post(&s->items) == 0 ? 0 : -errno;
}

static int recv_msg(struct chan *c, void *buf, size_t n)
{
	struct shs *s = c->shm;
	uint64_t pos;
	int err = n <= slot_size(c->msg) ? take(c, &s->items) : -EINVAL;

	if (err < 0)
		return err;
	pos = s->out;
	memcpy(buf, s->slot + (pos % slot_count(c->msg)) * slot_size(c->msg), n);
	s->out = pos + 1;
	return sem_post(&s->room) == 0 ? 0 : -errno;
}

static int recv_idle(struct chan *c, void *buf, size_t n, int timeout_ms)
{
	return -ENOSYS; /* ipc_bench measures no idle waits */
}

static void destroy(struct chan *c)
{
	struct shs *s = c->shm;

	sem_destroy(&s->items);
	sem_destroy(&s->room);
}

const struct chan_ops chan_shm_sem = {
	.name = "shm+sem",
	.shm_size = shm_size,
	.create = create,
	.attach = attach,
	.send = send_msg,
	.recv = recv_msg,
	.recv_idle = recv_idle,
	.destroy = destroy,
};
