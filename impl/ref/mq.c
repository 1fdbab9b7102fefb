/*
 * POSIX message queues: names, the shared object and its validation, the
 * queue lock, and what an open queue does as a handle's object (poll,
 * close, unmap).  See mq.h; the mq table's operations are in mq_ops.c.
 */
#define _GNU_SOURCE
#include "impl/ref/mq.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "impl/ref/qcore.h"
#include "impl/ref/shm_obj.h"
#include "impl/ring/ring_record.h"

/* ---- names ---- */

/* 64-bit FNV-1a from a seed: two of them name a queue whose name is too long. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

int ref_mq_name_leaf(const char *name, char *leaf, size_t len)
{
	const char *rest;
	size_t n;

	if (name == NULL || name[0] != '/')
		return -EINVAL;
	rest = name + 1;
	n = strlen(rest);
	if (n > MQ_NAME_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT;
	if (strchr(rest, '/') != NULL || strcmp(rest, ".") == 0 || strcmp(rest, "..") == 0)
		return -EACCES;
	if (sizeof(MQ_LEAF_PREFIX) - 1 + n < REF_SHM_LEAF_MAX && len >= REF_SHM_LEAF_MAX)
		snprintf(leaf, len, MQ_LEAF_PREFIX "%s", rest);
	else
		snprintf(leaf, len, MQ_LEAF_PREFIX "h%016llx%016llx",
			 (unsigned long long)fnv1a(rest, 0xcbf29ce484222325u),
			 (unsigned long long)fnv1a(rest, 0x84222325cbf29ce4u));
	return 0;
}

/* ---- the object ---- */

static size_t region_size(uint32_t data_size)
{
	return (size_t)MQ_HDR_SIZE + RING_HDR_SIZE + data_size;
}

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* The data area for maxmsg records of msgsize bytes, or 0 when it would be too large. */
static uint32_t data_size_for(uint32_t maxmsg, uint32_t msgsize)
{
	uint64_t need = (uint64_t)maxmsg * ring_record_size(msgsize);
	uint32_t size = MQ_DATA_MIN;

	if (need > MQ_DATA_MAX)
		return 0;
	while ((uint64_t)size < need)
		size <<= 1;
	return size;
}

static int mq_poll_events(struct ref_ofd *f);
static _Atomic uint32_t *mq_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters);
static void mq_released(struct ref_obj *obj);
static void mq_destroy(struct ref_obj *obj);

static const struct ref_obj_ops mq_obj_ops = {
	.name = "mq",
	.poll_events = mq_poll_events,
	.poll_word = mq_poll_word,
	.released = mq_released,
	.destroy = mq_destroy,
};

/*
 * Validates a mapped queue (each fixed field read once, into private
 * memory) and wraps it in a new object: 0, -EPROTO (not a queue of
 * ours), -EEXIST (a queue of another name: a hash collision), -ENOMEM.
 */
static int adopt(void *base, size_t size, int fd, const char *name, struct mq_obj **out)
{
	volatile struct mq_shared *sh = base;
	struct ref_holders *sets[1];
	uint32_t maxmsg, msgsize, data_size, name_len;
	char copy[MQ_NAME_MAX + 1];
	struct mq_obj *q;
	int err;

	if (atomic_load_explicit(&((struct mq_shared *)base)->magic, memory_order_acquire) !=
		    MQ_MAGIC ||
	    sh->version != MQ_VERSION || sh->hdr_size != MQ_HDR_SIZE)
		return -EPROTO;
	maxmsg = sh->maxmsg;
	msgsize = sh->msgsize;
	data_size = sh->data_size;
	name_len = sh->name_len;
	if (maxmsg == 0 || msgsize == 0 || !is_pow2(data_size) || data_size < MQ_DATA_MIN ||
	    data_size > MQ_DATA_MAX ||
	    (uint64_t)maxmsg * ring_record_size(msgsize) > data_size ||
	    size != region_size(data_size) || name_len > MQ_NAME_MAX)
		return -EPROTO;
	memcpy(copy, (const void *)sh->name, name_len);
	copy[name_len] = '\0';
	if (strlen(name) != name_len || memcmp(copy, name, name_len) != 0)
		return -EEXIST;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	err = ring_record_attach(&q->ring, (unsigned char *)base + MQ_HDR_SIZE, size - MQ_HDR_SIZE);
	if (err != 0) {
		free(q);
		return -EPROTO;
	}
	q->base = base;
	q->size = size;
	q->fd = fd;
	q->sh = base;
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	q->data_size = data_size;
	q->uid = sh->uid;
	q->gid = sh->gid;
	q->mode = sh->mode & 0777;
	sets[0] = &q->sh->holders;
	ref_obj_init(&q->obj, REF_OBJ_MQ, &mq_obj_ops, sets, 1, &q->sh->ofd_flags);
	*out = q;
	return 0;
}

int ref_mq_obj_attach(const char *leaf, const char *name, struct mq_obj **out)
{
	size_t size;
	void *base;
	int fd, err;

	err = ref_shm_obj_open(leaf, region_size(MQ_DATA_MIN), region_size(MQ_DATA_MAX), &fd, &base,
			   &size);
	if (err != 0)
		return err == -EPROTO || err == -ELOOP ? -EACCES : err;
	err = adopt(base, size, fd, name, out);
	if (err != 0) {
		munmap(base, size);
		close(fd);
		/* A file of that name that is not this queue: nothing we may touch. */
		return err == -ENOMEM ? err : -EACCES;
	}
	return 0;
}

int ref_mq_obj_create(const char *leaf, const char *name, uint32_t maxmsg, uint32_t msgsize,
		  uint32_t mode, struct mq_obj **out)
{
	uint32_t data_size = data_size_for(maxmsg, msgsize);
	struct shm_obj_new n;
	struct mq_shared *sh;
	size_t name_len = strlen(name);
	int err;

	if (data_size == 0 || name_len > MQ_NAME_MAX)
		return -ENOMEM;
	err = ref_shm_obj_create(region_size(data_size), &n);
	if (err != 0)
		return err;
	sh = n.base;
	memset(sh, 0, sizeof(*sh));
	sh->version = MQ_VERSION;
	sh->hdr_size = MQ_HDR_SIZE;
	sh->maxmsg = maxmsg;
	sh->msgsize = msgsize;
	sh->data_size = data_size;
	sh->uid = (uint32_t)geteuid();
	sh->gid = (uint32_t)getegid();
	sh->mode = mode & 0777;
	sh->name_len = (uint32_t)name_len;
	memcpy(sh->name, name, name_len);
	err = ring_record_init((unsigned char *)n.base + MQ_HDR_SIZE, n.size - MQ_HDR_SIZE,
			       data_size, data_size);
	if (err == 0) {
		atomic_store_explicit(&sh->magic, MQ_MAGIC, memory_order_release);
		err = ref_shm_obj_publish(&n, leaf, ref_shm_obj_file_mode(mode));
	}
	if (err == 0) {
		err = adopt(n.base, n.size, n.fd, name, out);
		if (err != 0)
			ref_shm_obj_unlink(leaf);
	}
	if (err != 0)
		ref_shm_obj_discard(&n);
	return err;
}

void ref_mq_obj_free(struct mq_obj *q)
{
	munmap(q->base, q->size);
	close(q->fd);
	free(q);
}

/* ---- the queue lock ---- */

void ref_mq_recover_locked(struct mq_obj *q)
{
	ring_recover(q->base + MQ_HDR_SIZE, q->size - MQ_HDR_SIZE);
	atomic_store(&q->sh->curmsgs, 0);
}

/* The count again from the ring; records no sender of this queue could have made are dropped. */
static void recount_locked(struct mq_obj *q)
{
	struct qcore_drained d;
	size_t keep = 0;
	int err = ref_qcore_drain(&q->ring, &d);

	if (err == -ENOMEM)
		return;
	if (err < 0) {
		ref_qcore_drained_free(&d);
		ref_mq_recover_locked(q);
		return;
	}
	for (size_t i = 0; i < d.n; i++)
		if (d.rec[i].len <= q->msgsize && d.rec[i].type < MQ_PRIO_LIMIT && keep < q->maxmsg)
			d.rec[keep++] = d.rec[i];
	d.n = keep;
	if (ref_qcore_refill(&q->ring, &d, SIZE_MAX) != 0)
		ref_mq_recover_locked(q);
	else
		atomic_store(&q->sh->curmsgs, (uint32_t)keep);
	ref_qcore_drained_free(&d);
}

void ref_mq_lock(struct mq_obj *q, struct mq_notify_reg *reg)
{
	bool dirty = ref_qcore_lock(&q->sh->lock, &q->sh->dirty);

	if (dirty)
		ref_qcore_ring_unlock_dead(&q->ring);
	if (dirty || atomic_load(&q->sh->curmsgs) > q->maxmsg)
		recount_locked(q);
	memcpy(reg, (const void *)&q->sh->notify, sizeof(*reg));
	if (reg->pid <= 0 || (reg->kind != SIGEV_NONE && reg->kind != SIGEV_SIGNAL) ||
	    reg->signo < 0 || reg->signo > 64)
		memset(reg, 0, sizeof(*reg));
}

void ref_mq_unlock(struct mq_obj *q, const struct mq_notify_reg *reg)
{
	memcpy((void *)&q->sh->notify, reg, sizeof(*reg));
	ref_qcore_unlock(&q->sh->lock, &q->sh->dirty);
}

/* ---- the object of a handle ---- */

/* Linux mqueue_poll_file(): POLLIN with a message, POLLOUT with room, whatever the access mode. */
static int mq_poll_events(struct ref_ofd *f)
{
	struct mq_obj *q = mq_obj_of(f->obj);
	uint32_t cur = atomic_load(&q->sh->curmsgs);
	int mask = 0;

	if (cur > 0)
		mask |= POLLIN | POLLRDNORM;
	if (cur < q->maxmsg)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* Sends bump the data word, receives the room word. */
static _Atomic uint32_t *mq_poll_word(struct ref_ofd *f, short events, _Atomic uint32_t **waiters)
{
	struct mq_obj *q = mq_obj_of(f->obj);

	if (events & (POLLIN | POLLRDNORM))
		return ring_data_seq(&q->ring, waiters);
	return ring_room_seq(&q->ring, waiters);
}

/* Linux mqueue_flush_file(): the registered process's close removes its notification. */
static void mq_released(struct ref_obj *obj)
{
	struct mq_obj *q = mq_obj_of(obj);
	struct mq_notify_reg reg;

	ref_mq_lock(q, &reg);
	if (reg.pid == (int32_t)getpid())
		memset(&reg, 0, sizeof reg);
	ref_mq_unlock(q, &reg);
}

static void mq_destroy(struct ref_obj *obj)
{
	ref_mq_obj_free(mq_obj_of(obj));
}
