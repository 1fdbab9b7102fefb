/*
 * What sockets need of a ring beyond ring.h and ring_record.h: a look at
 * the oldest bytes or record without taking them (MSG_PEEK), the payload
 * buffered in records (FIONREAD), and discarding what a dead peer left.
 *
 * The look is done under the consumer lock, as a pop is, following the
 * discipline of ring.h: the capacity, head and tail are each read once,
 * a record header is copied out whole and judged as that copy (the rules
 * of ring_record.h, A CORRUPTED RING), and nothing is read outside
 * data[] whatever the shared words say.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "impl/ref/socket.h"
#include "impl/ring/ring_record.h"
#include "impl/sync/sync_lock.h"

static long judged_capacity(const struct ring *r)
{
	uint32_t cap = atomic_load_explicit(&r->hdr->capacity, memory_order_acquire);

	if (cap == 0 || (cap & (cap - 1)) != 0 || cap > r->data_size ||
	    (r->mode == RING_MODE_RECORDS && cap < RING_REC_MIN_CAPACITY))
		return -EUCLEAN;
	return cap;
}

/* n <= cap bytes from stream position pos, wrapping at cap. */
static void copy_out(const struct ring *r, uint32_t cap, uint64_t pos, void *dst, size_t n)
{
	size_t off = (size_t)(pos & (cap - 1));
	size_t first = cap - off < n ? cap - off : n;

	memcpy(dst, r->data + off, first);
	memcpy((unsigned char *)dst + first, r->data, n - first);
}

/* Under c_lock: the capacity, head and buffered count, judged; -EUCLEAN. */
static int look(struct ring *r, uint32_t *cap, uint64_t *head, uint64_t *used)
{
	long c = judged_capacity(r);

	if (c < 0)
		return (int)c;
	*cap = (uint32_t)c;
	*head = atomic_load_explicit(&r->hdr->head, memory_order_relaxed);
	/* acquire: pairs with the producer's release of tail. */
	*used = atomic_load_explicit(&r->hdr->tail, memory_order_acquire) - *head;
	if (*used > *cap)
		return -EUCLEAN;
	if (r->mode == RING_MODE_RECORDS && ((*head | *used) & (RING_REC_ALIGN - 1)) != 0)
		return -EUCLEAN;
	return 0;
}

ssize_t sock_bytes_peek(struct ring *r, void *buf, size_t n)
{
	uint64_t head, used;
	uint32_t cap;
	ssize_t ret;
	int err;

	if (n == 0)
		return 0;
	sync_lock(&r->hdr->c_lock);
	err = look(r, &cap, &head, &used);
	if (err < 0) {
		ret = err;
	} else if (used == 0) {
		ret = -EAGAIN;
	} else {
		size_t k = n < used ? n : (size_t)used;

		copy_out(r, cap, head, buf, k);
		ret = (ssize_t)k;
	}
	sync_unlock(&r->hdr->c_lock);
	return ret;
}

/* The record header at pos, copied and judged: its length, or -EUCLEAN. */
static long record_at(const struct ring *r, uint32_t cap, uint64_t pos, uint64_t left)
{
	struct ring_rec_hdr h;

	if (left < RING_REC_HDR_SIZE)
		return -EUCLEAN;
	copy_out(r, cap, pos, &h, sizeof(h));
	/* Sockets pop in order only: a hole (RING_REC_GONE) is never ours. */
	if (h.kind != RING_REC_DATA || h.tag != ring_record_tag(pos) || h.zero16 != 0 ||
	    h.zero32 != 0 || h.length > cap - RING_REC_HDR_SIZE || ring_record_size(h.length) > left)
		return -EUCLEAN;
	return (long)h.length;
}

ssize_t sock_rec_peek(struct ring *r, void *buf, size_t n)
{
	uint64_t head, used;
	uint32_t cap;
	long len;
	int err;

	sync_lock(&r->hdr->c_lock);
	err = look(r, &cap, &head, &used);
	if (err < 0 || used == 0) {
		sync_unlock(&r->hdr->c_lock);
		return err < 0 ? err : -EAGAIN;
	}
	len = record_at(r, cap, head, used);
	if (len >= 0)
		copy_out(r, cap, head + RING_REC_HDR_SIZE, buf, n < (size_t)len ? n : (size_t)len);
	sync_unlock(&r->hdr->c_lock);
	return len;
}

long sock_rec_total(struct ring *r, size_t skip_each)
{
	uint64_t head, used, pos;
	uint32_t cap;
	long total = 0;
	int err;

	sync_lock(&r->hdr->c_lock);
	err = look(r, &cap, &head, &used);
	/* Each step moves at least a header's worth: cap / 16 steps at most. */
	for (pos = 0; err == 0 && pos < used;) {
		long len = record_at(r, cap, head + pos, used - pos);

		if (len < 0) {
			err = (int)len;
			break;
		}
		total += (size_t)len > skip_each ? len - (long)skip_each : 0;
		pos += ring_record_size((uint64_t)len);
	}
	sync_unlock(&r->hdr->c_lock);
	return err < 0 ? err : total;
}

void sock_ring_drain(struct ring *r)
{
	static const struct ring_rec_sel any = { .match = RING_REC_ANY, .flags = RING_REC_TRUNC };
	unsigned char scratch[4096];
	long cap = judged_capacity(r);

	if (cap < 0)
		return;
	/* Bounded: a peer that keeps pushing must not keep us here. */
	for (long i = 0; i <= cap / RING_REC_HDR_SIZE + 1; i++) {
		ssize_t n = r->mode == RING_MODE_RECORDS
				    ? ring_record_try_pop_sel(r, scratch, 0, &any, NULL)
				    : ring_try_pop(r, scratch, sizeof(scratch));

		if (n < 0)
			break;
	}
}
