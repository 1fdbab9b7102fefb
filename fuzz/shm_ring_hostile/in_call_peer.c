/*
 * The in-call hostile peer of in_call_peer.h: counting hook calls, and
 * rewriting fields of the region by the layout restated in ring_layout.h.
 */
#include "fuzz/shm_ring_hostile/in_call_peer.h"

#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"

static unsigned char *region;
static size_t region_len;
static uint32_t data_max; /* the largest power of two that fits in data[] */

static struct strike armed[PEER_MAX_STRIKES];
static bool fired[PEER_MAX_STRIKES];
static unsigned narmed;
static bool changed;
static unsigned calls[RING_PEER_POINT_COUNT + 1]; /* per point; [PEER_ANY_POINT]: all */

struct field {
	uint16_t off;  /* in the header, or in a record header for record targets */
	uint8_t width; /* bytes */
};

static const struct field fields[PEER_TARGET_COUNT] = {
	[PEER_MAGIC] = { OFF_MAGIC, 4 },
	[PEER_VERSION] = { OFF_VERSION, 2 },
	[PEER_MODE] = { OFF_MODE, 2 },
	[PEER_FLAGS] = { OFF_FLAGS, 4 },
	[PEER_HDR_SIZE] = { OFF_HDR_SIZE, 4 },
	[PEER_DATA_SIZE] = { OFF_DATA_SIZE, 4 },
	[PEER_CAPACITY] = { OFF_CAPACITY, 4 },
	[PEER_HEAD] = { OFF_HEAD, 8 },
	[PEER_TAIL] = { OFF_TAIL, 8 },
	[PEER_GONE] = { OFF_GONE, 4 },
	[PEER_REC_LENGTH] = { REC_OFF_LENGTH, 4 },
	[PEER_REC_KIND] = { REC_OFF_KIND, 2 },
	[PEER_REC_TAG] = { REC_OFF_TAG, 2 },
	[PEER_REC_TYPE] = { REC_OFF_TYPE, 2 },
	[PEER_REC_ZERO] = { REC_OFF_ZERO, 2 },
};

bool peer_record_target(uint8_t target)
{
	return target >= PEER_REC_LENGTH;
}

unsigned peer_value_bytes(uint8_t target, uint8_t how)
{
	switch (how) {
	case PEER_SET: return fields[target % PEER_TARGET_COUNT].width;
	case PEER_ADD: return 2;
	default: return 1;
	}
}

static void hook(enum ring_peer_point point, void *where);

void peer_install(unsigned char *mem, size_t len)
{
	region = mem;
	region_len = len;
	data_max = 0;
	if (len > LAYOUT_HDR_SIZE)
		for (data_max = 1; data_max <= (len - LAYOUT_HDR_SIZE) / 2; data_max *= 2)
			;
	peer_reset();
}

void peer_decode(struct cursor *c, struct strike *s)
{
	uint8_t what;

	memset(s, 0, sizeof *s);
	s->point = take8(c) % (RING_PEER_POINT_COUNT + 1);
	s->index = take8(c);
	what = take8(c);
	s->target = (what & 0x0f) % PEER_TARGET_COUNT;
	s->how = (what >> 4) & 3;
	if (peer_record_target(s->target))
		s->slot = (int8_t)take8(c);
	s->value = take(c, (int)peer_value_bytes(s->target, s->how));
	if (s->how == PEER_ADD)
		s->value = (uint64_t)(int64_t)(int16_t)s->value;
	else if (s->how != PEER_SET)
		s->value %= 64;
}

void peer_arm(const struct strike *s)
{
	if (narmed < PEER_MAX_STRIKES)
		armed[narmed++] = *s;
}

/*
 * The hook is installed only while a call with armed strikes runs: every
 * other call then skips the indirect call at each hook point, which under
 * libFuzzer costs a coverage callback too.
 */
void peer_reset(void)
{
	narmed = 0;
	ring_peer_hook = NULL;
}

void peer_begin(void)
{
	memset(calls, 0, sizeof calls);
	memset(fired, 0, sizeof fired);
	changed = false;
	ring_peer_hook = narmed > 0 ? hook : NULL;
}

bool peer_end(void)
{
	bool was = changed;

	peer_reset();
	changed = false;
	return was;
}

/* Where a record target's bytes are: data[] wraps at the capacity, as the ring's own do. */
static uint32_t record_lap(void)
{
	uint32_t cap = layout_get32(region + OFF_CAPACITY);

	return cap != 0 && (cap & (cap - 1)) == 0 && cap <= data_max ? cap : data_max;
}

/* The byte of the region that byte i of the target is. */
static unsigned char *target_byte(const struct strike *s, unsigned i)
{
	uint64_t pos;
	uint32_t lap;

	if (!peer_record_target(s->target))
		return region + fields[s->target].off + i;
	lap = record_lap();
	pos = layout_get64(region + OFF_HEAD) + (uint64_t)(int64_t)s->slot * LAYOUT_REC_ALIGN +
	      fields[s->target].off + i;
	return region + LAYOUT_HDR_SIZE + (pos & (lap - 1));
}

static void strike(const struct strike *s)
{
	unsigned width = fields[s->target].width;
	uint64_t old = 0, v;

	if (peer_record_target(s->target) && data_max == 0)
		return;
	for (unsigned i = 0; i < width; i++)
		old |= (uint64_t)*target_byte(s, i) << (8 * i);
	switch (s->how) {
	case PEER_SET: v = s->value; break;
	case PEER_ADD: v = old + s->value; break;
	case PEER_POW2: v = (uint64_t)1 << s->value; break;
	default: v = old ^ (uint64_t)1 << s->value; break;
	}
	for (unsigned i = 0; i < width; i++) {
		unsigned char *b = target_byte(s, i);
		unsigned char nb = (unsigned char)(v >> (8 * i));

		/* The peer is the one writer that may not stray either. */
		FUZZ_CHECK(b >= region && b < region + region_len);

		/* Only a change counts: a rewrite to the same value leaves the ring untouched. */
		if (*b != nb) {
			*b = nb;
			changed = true;
		}
	}
}

static void hook(enum ring_peer_point point, void *where)
{
	/* The ring hands over the header it reads; any other address is a bug in the hook points. */
	FUZZ_CHECK(where == region);
	FUZZ_CHECK((unsigned)point < RING_PEER_POINT_COUNT);
	for (unsigned i = 0; i < narmed; i++) {
		const struct strike *s = &armed[i];
		unsigned seen = calls[s->point];

		if (!fired[i] && seen == s->index && (s->point == PEER_ANY_POINT || s->point == point)) {
			fired[i] = true;
			strike(s);
		}
	}
	calls[point]++;
	calls[PEER_ANY_POINT]++;
}
