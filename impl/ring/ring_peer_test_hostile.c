/*
 * The hostile peer of ring_peer_test (ring_peer_test_hostile.h).
 */
#include "impl/ring/ring_peer_test_hostile.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "impl/ring/ring.h"
#include "impl/ring/ring_peer.h"
#include "impl/ring/ring_record.h"

/* Record header fields, by offset (ring_record.h, RECORD LAYOUT). */
#define REC_LENGTH_AT 0
#define REC_KIND_AT 4
#define REC_TAG_AT 6

static struct peer_target target;
static struct peer_variant variant;
static unsigned long strike_at;
static unsigned long calls;
static int struck_point = -1;
static unsigned long foreign_calls;
static int *point_mirror;

static const char *const field_names[PF_COUNT] = {
	"data_size", "capacity", "hdr_size", "mode", "head", "tail",
	"length", "kind", "tag", "all",
};

static const char *const value_names[PV_COUNT] = {
	"zero", "huge", "odd", "past", "maxed", "shrink",
};

int peer_variants(int record, struct peer_variant *out, int max)
{
	int n = 0;

	for (int f = 0; f < PF_COUNT; f++) {
		int is_rec = f == PF_REC_LENGTH || f == PF_REC_KIND || f == PF_REC_TAG;
		int indices = record && (is_rec || f == PF_ALL) ? 2 : 1;

		if (is_rec && !record)
			continue;
		for (int v = 0; v < PV_COUNT; v++)
			for (int i = 0; i < indices; i++) {
				if (n == max)
					return n;
				out[n].field = (enum peer_field)f;
				out[n].value = (enum peer_value)v;
				out[n].rec_index = i;
				n++;
			}
	}
	return n;
}

const char *peer_variant_name(const struct peer_variant *v, int record, char *buf, size_t len)
{
	int is_rec = v->field == PF_REC_LENGTH || v->field == PF_REC_KIND || v->field == PF_REC_TAG;

	if (is_rec || (v->field == PF_ALL && record))
		snprintf(buf, len, "%s(rec%d)=%s", field_names[v->field], v->rec_index,
			 value_names[v->value]);
	else
		snprintf(buf, len, "%s=%s", field_names[v->field], value_names[v->value]);
	return buf;
}

uint16_t peer_tag(uint64_t pos)
{
	uint64_t x = pos >> 3; /* records start at multiples of 8 */

	return (uint16_t)(x ^ (x >> 16) ^ (x >> 32) ^ (x >> 48));
}

/* Bytes of data[] at stream position pos, wrapping at data_size (the set-up capacity). */
static void data_write(uint64_t pos, const void *src, size_t n)
{
	unsigned char *data = target.region + RING_HDR_SIZE;
	const unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		data[(pos + i) & (target.data_size - 1)] = s[i];
}

static void data_read(uint64_t pos, void *dst, size_t n)
{
	const unsigned char *data = target.region + RING_HDR_SIZE;
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = data[(pos + i) & (target.data_size - 1)];
}

static uint32_t value32(enum peer_value v, uint32_t ds, uint32_t odd, uint32_t past,
			uint32_t shrink, uint32_t huge)
{
	switch (v) {
	case PV_ZERO: return 0;
	case PV_HUGE: return huge;
	case PV_ODD: return odd;
	case PV_PAST: return past;
	case PV_MAXED: return RING_DATA_MAX;
	case PV_SHRINK: return shrink;
	default: return ds;
	}
}

/* The other mode, with the flags word that makes it look genuine. */
static void flip_mode(struct ring_hdr *h, int with_flags)
{
	int records = h->mode == RING_MODE_RECORDS;

	h->mode = records ? RING_MODE_BYTES : RING_MODE_RECORDS;
	if (with_flags)
		h->flags = records ? 0 : RING_REC_FORMAT;
}

static void hit_mode(struct ring_hdr *h, enum peer_value v)
{
	switch (v) {
	case PV_ZERO: h->mode = 0; break;
	case PV_HUGE: h->mode = 0xffff; break;
	case PV_ODD: h->mode = 3; break;
	case PV_PAST: flip_mode(h, 1); break;
	case PV_MAXED: flip_mode(h, 0); break;
	case PV_SHRINK: flip_mode(h, 1); break;
	default: break;
	}
}

/* A counter moved against the other (read before any rewrite) and the capacity word. */
static uint64_t hit_counter(enum peer_value v, uint64_t self, uint64_t other, uint32_t cap,
			    int is_head)
{
	switch (v) {
	case PV_ZERO: return 0;
	case PV_HUGE: return is_head ? other - (UINT64_C(1) << 40) : other + (UINT64_C(1) << 40);
	case PV_ODD: return self + (is_head ? 3 : 5);
	case PV_PAST: return is_head ? other - cap - 8 : other + cap + 8;
	case PV_MAXED: return is_head ? other - RING_DATA_MAX : other + RING_DATA_MAX;
	case PV_SHRINK: return is_head ? other + 8 : other - 8;
	default: return self;
	}
}

static void hit_record(enum peer_field f, enum peer_value v, uint64_t pos, uint32_t cap)
{
	uint32_t length;
	uint16_t kind, tag;

	data_read(pos + REC_LENGTH_AT, &length, sizeof length);
	data_read(pos + REC_KIND_AT, &kind, sizeof kind);
	data_read(pos + REC_TAG_AT, &tag, sizeof tag);
	if (f == PF_REC_LENGTH || f == PF_ALL) {
		switch (v) {
		case PV_ZERO: length = 0; break;
		case PV_HUGE: length = 0xfffffff8u; break;
		case PV_ODD: length += 1; break;
		case PV_PAST: length = cap - RING_REC_HDR_SIZE + 8; break;
		case PV_MAXED: length = RING_DATA_MAX - RING_REC_HDR_SIZE; break;
		case PV_SHRINK: length = length >= 8 ? length - 8 : target.data_size / 2; break;
		default: break;
		}
		data_write(pos + REC_LENGTH_AT, &length, sizeof length);
	}
	if (f == PF_REC_KIND || f == PF_ALL) {
		switch (v) {
		case PV_ZERO: kind = 0; break;
		case PV_HUGE: kind = 0xffff; break;
		case PV_ODD: kind ^= 1; break;
		case PV_PAST: kind = kind == RING_REC_DATA ? RING_REC_GONE : RING_REC_DATA; break;
		case PV_MAXED: kind = RING_REC_DATA; break;
		case PV_SHRINK: kind = RING_REC_GONE; break;
		default: break;
		}
		data_write(pos + REC_KIND_AT, &kind, sizeof kind);
	}
	if (f == PF_REC_TAG || f == PF_ALL) {
		switch (v) {
		case PV_ZERO: tag = 0; break;
		case PV_HUGE: tag = 0xffff; break;
		case PV_ODD: tag ^= 1; break;
		case PV_PAST: tag = peer_tag(pos + target.data_size); break;
		case PV_MAXED: tag = peer_tag(pos + RING_DATA_MAX); break;
		case PV_SHRINK: tag = peer_tag(pos - target.data_size); break;
		default: break;
		}
		data_write(pos + REC_TAG_AT, &tag, sizeof tag);
	}
}

static void rewrite(void)
{
	struct ring_hdr *h = (struct ring_hdr *)target.region;
	enum peer_field f = variant.field;
	enum peer_value v = variant.value;
	uint32_t ds = target.data_size;
	uint64_t head = atomic_load_explicit(&h->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
	uint32_t cap = atomic_load_explicit(&h->capacity, memory_order_relaxed);
	int all = f == PF_ALL;

	/* Record headers first: they are found through the counters as set up. */
	if (target.record && variant.rec_index < target.nrec &&
	    (all || f == PF_REC_LENGTH || f == PF_REC_KIND || f == PF_REC_TAG))
		hit_record(f, v, target.rec_pos[variant.rec_index], cap);
	if (all || f == PF_DATA_SIZE)
		h->data_size = value32(v, ds, ds / 2 + ds / 4, 2 * ds, ds / 2, UINT32_C(1) << 31);
	if (all || f == PF_CAPACITY)
		atomic_store_explicit(&h->capacity,
				      value32(v, ds, ds / 2 + ds / 4, 2 * ds, ds / 2,
					      UINT32_C(1) << 31),
				      memory_order_relaxed);
	if (all || f == PF_HDR_SIZE)
		h->hdr_size = value32(v, ds, RING_HDR_SIZE + 1, RING_HDR_SIZE + ds,
				      RING_HDR_SIZE / 2, UINT32_MAX);
	if (all || f == PF_MODE)
		hit_mode(h, v);
	if (all || f == PF_HEAD)
		atomic_store_explicit(&h->head, hit_counter(v, head, tail, cap, 1),
				      memory_order_relaxed);
	if (all || f == PF_TAIL)
		atomic_store_explicit(&h->tail, hit_counter(v, tail, head, cap, 0),
				      memory_order_relaxed);
}

static void hook(enum ring_peer_point point, void *region)
{
	if (++calls != strike_at)
		return;
	struck_point = (int)point;
	if (point_mirror != NULL)
		*point_mirror = struck_point;
	/* The hook is told the region; it must be the one the test set up. */
	if ((unsigned char *)region != target.region) {
		foreign_calls++;
		return;
	}
	rewrite();
}

void peer_arm(const struct peer_target *t, const struct peer_variant *v, unsigned long strike)
{
	target = *t;
	variant = *v;
	strike_at = strike;
	calls = 0;
	foreign_calls = 0;
	struck_point = -1;
	ring_peer_hook = hook;
}

void peer_disarm(void)
{
	ring_peer_hook = NULL;
}

unsigned long peer_calls(void)
{
	return calls;
}

int peer_struck_point(void)
{
	return struck_point;
}

unsigned long peer_foreign_calls(void)
{
	return foreign_calls;
}

void peer_report_to(int *point_out)
{
	point_mirror = point_out;
}
