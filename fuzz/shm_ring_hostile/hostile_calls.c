/*
 * shm_ring_hostile's calls and their properties (hostile_calls.h).
 *
 * Two levels of checking.  Always: the result is one the call documents,
 * within bounds (never more bytes than asked or than the data area holds),
 * and no byte of the caller's buffer's surroundings changed.  When the
 * ring was sound for this handle before the call (ring_judge.h) and the
 * in-call peer changed nothing during it ("exact"): the result is the one
 * the documented rules give for the state the header showed, the counters
 * move by exactly that much, the bytes and records that come out are the
 * ones that were buffered (compared with a copy of data[] taken before
 * the call), the ones that stay are unchanged, and the ring is still
 * sound.  The rules are restated here from ring.h and ring_record.h.
 */
#define _GNU_SOURCE
#include "fuzz/shm_ring_hostile/hostile_calls.h"

#include <errno.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/engine/guarded_map.h"
#include "fuzz/shm_ring_hostile/in_call_peer.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"
#include "fuzz/shm_ring_hostile/shm_ring_hostile.h"
#include "impl/ring/ring_record.h"

#define SIZE_ARG_MAX (63u * 68 + 0xc0)
#define FENCE 64 /* canary bytes on each side of a destination buffer */
#define FENCE_BYTE 0x5c
#define IO_LEN 8192u /* two pages */
#define DATA_MAX 4096u
#define ATOMIC_MAX 4096u /* atomic_max of a flagged blocking byte push */

_Static_assert(2 * FENCE + SIZE_ARG_MAX <= IO_LEN, "a buffer and its fences fit");

static unsigned char *io;    /* destination buffers */
static unsigned char *input; /* source buffers: a fixed pattern */
static unsigned char snap[DATA_MAX]; /* data[] before an exact call */
static unsigned char fence[FENCE];   /* what a fence holds */
/* Stream bytes copied out for a comparison (a record's payload, before and after). */
static unsigned char cmp_a[DATA_MAX], cmp_b[DATA_MAX];

/* A call being made. */
struct call_ctx {
	struct hostile *h;
	struct ring *r;
	const struct judgement *b; /* before */
	struct judgement *a;       /* after */
	size_t n;
	bool flag;
	uint8_t arg;
	unsigned char *dst;
	const unsigned char *src;
	bool sound; /* before, for this handle */
	bool exact; /* sound before, and the in-call peer changed nothing */
	bool struck; /* the in-call peer changed something during the call */
};

void hostile_buffers(struct hostile *h, bool low)
{
	if (io == NULL) {
		io = guarded_map(IO_LEN);
		input = guarded_map(IO_LEN);
		FUZZ_CHECK(io != NULL && input != NULL);
		for (uint32_t i = 0; i < IO_LEN; i++)
			input[i] = (unsigned char)((i * 2654435761u) >> 13);
		memset(fence, FENCE_BYTE, FENCE);
	}
	h->low = low;
}

/* Size argument: 0..191 exactly, then steps of 68 up to SIZE_ARG_MAX. */
static size_t size_arg(uint8_t a)
{
	return a < 0xc0 ? a : (size_t)(a - 0xc0) * 68 + 0xc0;
}

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Sound, and the ring this handle attached to: its geometry and mode, no other. */
static bool sound_for(const struct judgement *j, const struct ring *r)
{
	return j->verdict == SOUND && j->mode == r->mode && j->data_size == r->data_size;
}

static size_t min_size(size_t a, uint64_t b)
{
	return a < b ? a : (size_t)b;
}

/* ---- before and after a call ---- */

static void begin(struct call_ctx *x)
{
	unsigned char *d = x->dst;

	memcpy(d - FENCE, fence, FENCE);
	memcpy(d + x->n, fence, FENCE);
	x->sound = sound_for(x->b, x->r);
	if (x->sound)
		memcpy(snap, x->h->mem + LAYOUT_HDR_SIZE, x->b->cap);
	peer_begin();
}

static void end(struct call_ctx *x)
{
	bool struck = peer_end();
	unsigned char *d = x->dst;

	/* Not a byte of the caller's memory around the buffer changed. */
	FUZZ_CHECK(memcmp(d - FENCE, fence, FENCE) == 0);
	FUZZ_CHECK(memcmp(d + x->n, fence, FENCE) == 0);
	judge_ring(x->h->mem, x->h->mem_len, x->a);
	x->struck = struck;
	x->exact = x->sound && !struck;
	/* A sound ring that nobody else touched stays sound. */
	if (x->exact)
		FUZZ_CHECK(sound_for(x->a, x->r));
}

/* Does got[0..n) hold the stream bytes from pos, in data[] as it was before (snap)? */
static bool was_buffered(const struct call_ctx *x, uint64_t pos, const unsigned char *got, size_t n)
{
	layout_stream_copy(snap, x->b->cap, pos, cmp_a, n);
	return memcmp(cmp_a, got, n) == 0;
}

/* Does data[] now hold want[0..n) from stream position pos? */
static bool is_buffered(const struct call_ctx *x, uint64_t pos, const unsigned char *want, size_t n)
{
	layout_stream_copy(x->h->mem + LAYOUT_HDR_SIZE, x->a->cap, pos, cmp_a, n);
	return memcmp(cmp_a, want, n) == 0;
}

/* The same record (length, type, payload) before the call and after it. */
static bool same_record(const struct call_ctx *x, const struct judged_record *b,
			const struct judged_record *a)
{
	if (b->length != a->length || b->type != a->type)
		return false;
	layout_stream_copy(snap, x->b->cap, b->pos + LAYOUT_REC_HDR, cmp_b, b->length);
	return is_buffered(x, a->pos + LAYOUT_REC_HDR, cmp_b, a->length);
}

/*
 * The live records after the call are those before it, in order, less
 * the one at index `taken` (-1: none), plus one at the end when `pushed`.
 */
static bool same_live(const struct call_ctx *x, int taken, bool pushed)
{
	const struct judgement *b = x->b, *a = x->a;
	uint32_t i = 0, k = 0, an = a->nrec - (pushed ? 1 : 0);

	for (;;) {
		while (i < b->nrec && (b->rec[i].kind != LAYOUT_KIND_DATA || (int)i == taken))
			i++;
		while (k < an && a->rec[k].kind != LAYOUT_KIND_DATA)
			k++;
		if (i == b->nrec || k == an)
			return i == b->nrec && k == an;
		if (!same_record(x, &b->rec[i], &a->rec[k]))
			return false;
		i++;
		k++;
	}
}

static bool unmoved(const struct call_ctx *x)
{
	return x->a->head == x->b->head && x->a->tail == x->b->tail && x->a->cap == x->b->cap;
}

/*
 * A count: at most what was asked; 0 only for 0.  At most what the data
 * area holds too, unless the in-call peer struck: a blocking push goes on
 * while room appears, and a peer that moves head during the call makes
 * room, so it may legally take more than one data area's worth.
 */
static void check_count(const struct call_ctx *x, long ret)
{
	FUZZ_CHECK(ret == -EPROTO || ret == -EUCLEAN || ret == -EAGAIN ||
		   (ret > 0 && (size_t)ret <= x->n &&
		    (ret <= (long)x->r->data_size || x->struck)) ||
		   (ret == 0 && x->n == 0));
}

/* ---- byte mode ---- */

static void byte_push(struct call_ctx *x, bool blocking)
{
	const struct judgement *b = x->b, *a = x->a;
	struct ring_block nb = { .nonblock = 1, .atomic_max = x->flag ? ATOMIC_MAX : 0 };
	uint64_t room;
	bool whole;
	long ret, want;

	begin(x);
	ret = blocking ? ring_push(x->r, x->src, x->n, &nb)
		       : ring_try_push(x->r, x->src, x->n, x->flag);
	end(x);
	check_count(x, ret);
	FUZZ_CHECK(nb.peer_gone == 0);
	if (x->r->mode != RING_MODE_BYTES) {
		FUZZ_CHECK(ret == -EPROTO || (ret == 0 && x->n == 0));
		return;
	}
	if (!x->exact)
		return;
	room = b->cap - (b->tail - b->head);
	/* ring_push(): 1..atomic_max bytes, and at most the capacity, go in whole or not at all. */
	whole = blocking ? x->n <= nb.atomic_max && x->n <= b->cap : x->flag;
	if (x->n == 0)
		want = 0;
	else if (room == 0 || (whole && room < x->n))
		want = -EAGAIN;
	else
		want = (long)min_size(x->n, room);
	FUZZ_CHECK(ret == want);
	FUZZ_CHECK(a->head == b->head && a->cap == b->cap);
	FUZZ_CHECK(a->tail == b->tail + (uint64_t)(ret > 0 ? ret : 0));
	if (ret > 0)
		FUZZ_CHECK(is_buffered(x, b->tail, x->src, (size_t)ret));
}

static void byte_pop(struct call_ctx *x, bool blocking)
{
	const struct judgement *b = x->b, *a = x->a;
	struct ring_block nb = { .nonblock = 1 };
	uint64_t used;
	long ret, want;

	begin(x);
	ret = blocking ? ring_pop(x->r, x->dst, x->n, &nb) : ring_try_pop(x->r, x->dst, x->n);
	end(x);
	check_count(x, ret);
	FUZZ_CHECK(nb.peer_gone == 0);
	if (x->r->mode != RING_MODE_BYTES) {
		FUZZ_CHECK(ret == -EPROTO || (ret == 0 && x->n == 0));
		return;
	}
	if (!x->exact)
		return;
	used = b->tail - b->head;
	if (x->n == 0)
		want = 0;
	else
		want = used == 0 ? -EAGAIN : (long)min_size(x->n, used);
	FUZZ_CHECK(ret == want);
	FUZZ_CHECK(a->tail == b->tail && a->cap == b->cap);
	FUZZ_CHECK(a->head == b->head + (uint64_t)(ret > 0 ? ret : 0));
	if (ret > 0)
		FUZZ_CHECK(was_buffered(x, b->head, x->dst, (size_t)ret));
}

/* ---- record mode ---- */

/* The record a selector takes, by ring_record.h's SELECTING POPS: its index in b, or -1. */
static int pick(const struct judgement *b, const struct ring_rec_sel *sel)
{
	int best = -1;

	for (uint32_t i = 0; i < b->nrec; i++) {
		uint16_t t = b->rec[i].type;

		if (b->rec[i].kind != LAYOUT_KIND_DATA)
			continue;
		switch (sel->match) {
		case RING_REC_ANY: return (int)i;
		case RING_REC_EQ:
			if (t == sel->type)
				return (int)i;
			break;
		case RING_REC_NE:
			if (t != sel->type)
				return (int)i;
			break;
		case RING_REC_LE:
			/* Strictly lower only: the oldest of the lowest type wins. */
			if (t <= sel->type && (best < 0 || t < b->rec[best].type))
				best = (int)i;
			break;
		default: /* RING_REC_HIGHEST */
			if (best < 0 || t > b->rec[best].type)
				best = (int)i;
			break;
		}
	}
	return best;
}

enum push_kind { PUSH_TRY, PUSH_BLOCKING, PUSH_TYPED };

static void record_push(struct call_ctx *x, enum push_kind kind)
{
	const struct judgement *b = x->b, *a = x->a;
	struct ring_block nb = { .nonblock = 1 };
	uint16_t type = kind == PUSH_TYPED ? x->arg : 0;
	uint64_t used, room, size = layout_record_size(x->n);
	const struct judged_record *last;
	long ret;

	begin(x);
	if (kind == PUSH_TYPED)
		ret = ring_record_try_push_type(x->r, x->src, x->n, type);
	else if (kind == PUSH_BLOCKING)
		ret = ring_record_push(x->r, x->src, x->n, &nb);
	else
		ret = ring_record_try_push(x->r, x->src, x->n);
	end(x);
	FUZZ_CHECK(ret == (long)x->n || ret == -EPROTO || ret == -EUCLEAN || ret == -EAGAIN ||
		   ret == -EMSGSIZE || ret == -ENOMEM);
	if (x->r->mode != RING_MODE_RECORDS) {
		FUZZ_CHECK(ret == -EPROTO);
		return;
	}
	/* A record that fits no capacity of this data area never goes in. */
	FUZZ_CHECK(ret < 0 || x->n <= x->r->data_size - LAYOUT_REC_HDR);
	if (!x->exact)
		return;
	used = b->tail - b->head;
	room = b->cap - used;
	if (x->n > b->cap - LAYOUT_REC_HDR)
		FUZZ_CHECK(ret == -EMSGSIZE);
	else if (size <= room)
		FUZZ_CHECK(ret == (long)x->n);
	else /* only the holes can make room, and `gone`, a hint, says whether to try */
		FUZZ_CHECK(ret == -EAGAIN ||
			   (ret == (long)x->n && size <= room + (used - b->live_bytes)));
	/* Either head stayed, or a compaction moved it up to the live records (even if in vain). */
	FUZZ_CHECK(a->head == b->head || a->head == b->tail - b->live_bytes);
	FUZZ_CHECK(a->cap == b->cap);
	if (ret < 0) {
		FUZZ_CHECK(a->tail == b->tail && same_live(x, -1, false));
		return;
	}
	FUZZ_CHECK(a->tail == b->tail + size && a->nrec > 0);
	last = &a->rec[a->nrec - 1];
	FUZZ_CHECK(last->pos == b->tail && last->length == x->n && last->type == type &&
		   last->kind == LAYOUT_KIND_DATA);
	FUZZ_CHECK(is_buffered(x, last->pos + LAYOUT_REC_HDR, x->src, x->n));
	FUZZ_CHECK(same_live(x, -1, true));
}

/*
 * The exact outcome of a pop that selected with sel from b: -EAGAIN, the
 * short-buffer error `too_long`, or the record's length with its payload
 * (up to n bytes) in dst and everything else left as it was.
 */
static void check_taken(struct call_ctx *x, const struct ring_rec_sel *sel, long ret,
			long too_long, const uint16_t *type)
{
	int i = pick(x->b, sel);
	const struct judged_record *rec;

	if (i < 0) {
		FUZZ_CHECK(ret == -EAGAIN);
		FUZZ_CHECK(unmoved(x));
		return;
	}
	rec = &x->b->rec[i];
	if (rec->length > x->n && !(sel->flags & RING_REC_TRUNC)) {
		FUZZ_CHECK(ret == too_long);
		FUZZ_CHECK(unmoved(x));
		return;
	}
	FUZZ_CHECK(ret == (long)rec->length && (type == NULL || *type == rec->type));
	FUZZ_CHECK(was_buffered(x, rec->pos + LAYOUT_REC_HDR, x->dst, min_size(x->n, rec->length)));
	FUZZ_CHECK(x->a->tail == x->b->tail && x->a->cap == x->b->cap);
	FUZZ_CHECK(same_live(x, i, false));
}

/* Any record length: what the data area could hold in one record. */
static bool record_length_ok(const struct call_ctx *x, long ret)
{
	return ret >= 0 && ret <= (long)(x->r->data_size - LAYOUT_REC_HDR);
}

static const struct ring_rec_sel oldest = { .match = RING_REC_ANY };

static void record_pop(struct call_ctx *x, bool blocking)
{
	struct ring_block nb = { .nonblock = 1 };
	long ret;

	begin(x);
	ret = blocking ? ring_record_pop(x->r, x->dst, x->n, &nb)
		       : ring_record_try_pop(x->r, x->dst, x->n);
	end(x);
	FUZZ_CHECK(ret == -EPROTO || ret == -EUCLEAN || ret == -EAGAIN || ret == -EMSGSIZE ||
		   (record_length_ok(x, ret) && (size_t)ret <= x->n));
	FUZZ_CHECK(nb.peer_gone == 0);
	if (x->r->mode != RING_MODE_RECORDS) {
		FUZZ_CHECK(ret == -EPROTO);
		return;
	}
	if (x->exact)
		check_taken(x, &oldest, ret, -EMSGSIZE, NULL);
}

static void record_peek(struct call_ctx *x)
{
	long ret;
	int i;

	begin(x);
	ret = ring_record_peek(x->r);
	end(x);
	FUZZ_CHECK(ret == -EPROTO || ret == -EUCLEAN || ret == -EAGAIN || record_length_ok(x, ret));
	if (x->r->mode != RING_MODE_RECORDS) {
		FUZZ_CHECK(ret == -EPROTO);
		return;
	}
	if (!x->exact)
		return;
	i = pick(x->b, &oldest);
	FUZZ_CHECK(ret == (i < 0 ? -EAGAIN : (long)x->b->rec[i].length));
	FUZZ_CHECK(unmoved(x) && same_live(x, -1, false));
}

/* The selector comes from the argument byte: a match (one value in six is none), a type. */
static void record_pop_sel(struct call_ctx *x)
{
	struct ring_rec_sel sel = {
		.match = (enum ring_rec_match)(x->arg % 6),
		.type = (uint16_t)(x->arg >> 3),
		.flags = x->flag ? RING_REC_TRUNC : 0,
	};
	bool valid = (unsigned)sel.match <= RING_REC_HIGHEST;
	uint16_t type = 0xbeef;
	long ret;

	begin(x);
	ret = ring_record_try_pop_sel(x->r, x->dst, x->n, &sel, &type);
	end(x);
	/* The full length is returned: only truncation lets it exceed n. */
	FUZZ_CHECK(ret == -EPROTO || ret == -EUCLEAN || ret == -EAGAIN || ret == -EINVAL ||
		   ret == -E2BIG ||
		   (record_length_ok(x, ret) && ((size_t)ret <= x->n || (sel.flags & RING_REC_TRUNC))));
	FUZZ_CHECK(valid ? ret != -EINVAL : ret == -EINVAL || ret == -EPROTO);
	if (x->r->mode != RING_MODE_RECORDS) {
		FUZZ_CHECK(ret == -EPROTO || ret == -EINVAL);
		return;
	}
	if (x->exact && valid)
		check_taken(x, &sel, ret, -E2BIG, &type);
}

/* ---- capacity and counts ---- */

static void set_capacity(struct call_ctx *x)
{
	const struct judgement *b = x->b, *a = x->a;
	uint32_t req = 1u << (x->arg % 13);
	bool reset = x->flag;
	bool invalid = req > x->r->data_size ||
		       (x->r->mode == RING_MODE_RECORDS && req < LAYOUT_REC_MIN_CAPACITY);
	uint64_t used = b->tail - b->head;
	int ret;

	begin(x);
	ret = reset ? ring_reset(x->r, req) : ring_set_capacity(x->r, req);
	end(x);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EBUSY || ret == -EUCLEAN || ret == -ENOMEM);
	if (!x->exact)
		return;
	FUZZ_CHECK(ret == (invalid ? -EINVAL : !reset && used > req ? -EBUSY : 0));
	if (ret < 0) {
		FUZZ_CHECK(unmoved(x));
		return;
	}
	FUZZ_CHECK(a->cap == req && a->tail == b->tail);
	if (reset) {
		FUZZ_CHECK(a->head == a->tail);
		return;
	}
	/* Everything buffered stays, at its stream positions under the new capacity. */
	FUZZ_CHECK(a->head == b->head);
	layout_stream_copy(snap, b->cap, b->head, cmp_b, (size_t)used);
	FUZZ_CHECK(is_buffered(x, b->head, cmp_b, (size_t)used));
}

static void used_and_capacity(struct call_ctx *x)
{
	long used, cap;

	begin(x);
	used = ring_used(x->r);
	cap = ring_capacity(x->r);
	end(x);
	FUZZ_CHECK(used == -EUCLEAN || (used >= 0 && used <= (long)x->r->data_size));
	FUZZ_CHECK(cap == -EUCLEAN || (cap > 0 && cap <= (long)x->r->data_size && pow2((uint64_t)cap)));
	if (!x->exact)
		return;
	FUZZ_CHECK(used == (long)(x->b->tail - x->b->head) && cap == (long)x->b->cap);
	FUZZ_CHECK(unmoved(x));
}

bool hostile_call(struct hostile *h, uint8_t code, struct cursor *c,
		  const struct judgement *before, struct judgement *after)
{
	struct call_ctx x = { .h = h, .r = &h->r, .b = before, .a = after };

	x.n = size_arg(take8(c));
	x.arg = take8(c);
	x.flag = code & CALL_FLAG;
	x.dst = h->low ? io + FENCE : io + IO_LEN - FENCE - x.n;
	x.src = h->low ? input : input + IO_LEN - x.n;
	switch ((code & ~CALL_FLAG) % CALL_COUNT) {
	case CALL_BYTE_TRY_PUSH: byte_push(&x, false); break;
	case CALL_BYTE_TRY_POP: byte_pop(&x, false); break;
	case CALL_BYTE_PUSH: byte_push(&x, true); break;
	case CALL_BYTE_POP: byte_pop(&x, true); break;
	case CALL_RECORD_TRY_PUSH: record_push(&x, PUSH_TRY); break;
	case CALL_RECORD_TRY_POP: record_pop(&x, false); break;
	case CALL_RECORD_PUSH: record_push(&x, PUSH_BLOCKING); break;
	case CALL_RECORD_POP: record_pop(&x, true); break;
	case CALL_RECORD_PEEK: record_peek(&x); break;
	case CALL_SET_CAPACITY: set_capacity(&x); break;
	case CALL_RECORD_PUSH_TYPE: record_push(&x, PUSH_TYPED); break;
	case CALL_RECORD_POP_SEL: record_pop_sel(&x); break;
	default: used_and_capacity(&x); break;
	}
	return x.exact;
}
