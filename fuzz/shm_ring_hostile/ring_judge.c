/*
 * The soundness oracle of ring_judge.h: the invariants of ring.h's
 * INVARIANTS and ring_record.h's INVARIANTS, checked one by one on the
 * region's bytes.
 */
#include "fuzz/shm_ring_hostile/ring_judge.h"

#include "fuzz/shm_ring_hostile/ring_layout.h"

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The smallest capacity of a mode: a record header must fit in one lap. */
static uint32_t least_capacity(uint16_t mode)
{
	return mode == LAYOUT_MODE_RECORDS ? LAYOUT_REC_MIN_CAPACITY : 1;
}

static bool identity_ok(const unsigned char *mem, size_t len, struct judgement *j)
{
	uint32_t flags = layout_get32(mem + OFF_FLAGS);

	j->mode = layout_get16(mem + OFF_MODE);
	j->data_size = layout_get32(mem + OFF_DATA_SIZE);
	if (layout_get32(mem + OFF_MAGIC) != LAYOUT_MAGIC ||
	    layout_get16(mem + OFF_VERSION) != LAYOUT_VERSION ||
	    layout_get32(mem + OFF_HDR_SIZE) != LAYOUT_HDR_SIZE)
		return false;
	if (!((j->mode == LAYOUT_MODE_BYTES && flags == 0) ||
	      (j->mode == LAYOUT_MODE_RECORDS && flags == LAYOUT_REC_FORMAT)))
		return false;
	/* A data area no capacity of the mode fits in is no usable geometry either. */
	return pow2(j->data_size) && j->data_size <= LAYOUT_DATA_MAX &&
	       j->data_size >= least_capacity(j->mode) &&
	       (uint64_t)LAYOUT_HDR_SIZE + j->data_size <= len;
}

static bool counters_ok(const unsigned char *mem, struct judgement *j)
{
	uint64_t used;

	j->cap = layout_get32(mem + OFF_CAPACITY);
	j->head = layout_get64(mem + OFF_HEAD);
	j->tail = layout_get64(mem + OFF_TAIL);
	used = j->tail - j->head; /* free-running: only the difference means anything */
	if (!pow2(j->cap) || j->cap > j->data_size || j->cap < least_capacity(j->mode) ||
	    used > j->cap)
		return false;
	return j->mode != LAYOUT_MODE_RECORDS ||
	       ((j->head | j->tail) & (LAYOUT_REC_ALIGN - 1)) == 0;
}

static bool records_ok(const unsigned char *mem, struct judgement *j)
{
	uint64_t pos = j->head;

	j->nrec = 0;
	j->live_bytes = 0;
	while (pos != j->tail) {
		unsigned char h[LAYOUT_REC_HDR];
		uint64_t left = j->tail - pos, size;
		struct judged_record *rec;

		if (left < LAYOUT_REC_HDR || j->nrec == JUDGE_MAX_RECORDS)
			return false;
		/* A header may wrap. */
		layout_stream_copy(mem + LAYOUT_HDR_SIZE, j->cap, pos, h, sizeof h);
		rec = &j->rec[j->nrec];
		rec->pos = pos;
		rec->length = layout_get32(h + REC_OFF_LENGTH);
		rec->kind = layout_get16(h + REC_OFF_KIND);
		rec->type = layout_get16(h + REC_OFF_TYPE);
		size = layout_record_size(rec->length);
		if ((rec->kind != LAYOUT_KIND_DATA && rec->kind != LAYOUT_KIND_GONE) ||
		    layout_get16(h + REC_OFF_TAG) != layout_record_tag(pos) ||
		    layout_get16(h + REC_OFF_ZERO) != 0 || layout_get32(h + REC_OFF_ZERO + 2) != 0 ||
		    rec->length > j->cap - LAYOUT_REC_HDR || size > left)
			return false;
		if (rec->kind == LAYOUT_KIND_DATA)
			j->live_bytes += size;
		j->nrec++;
		pos += size;
	}
	return true;
}

void judge_ring(const unsigned char *mem, size_t len, struct judgement *j)
{
	j->nrec = 0;
	j->live_bytes = 0;
	if (len < LAYOUT_HDR_SIZE || !identity_ok(mem, len, j))
		j->verdict = NOT_A_RING;
	else if (!counters_ok(mem, j))
		j->verdict = HEADER_CORRUPT;
	else if (j->mode == LAYOUT_MODE_RECORDS && !records_ok(mem, j))
		j->verdict = RECORDS_CORRUPT;
	else
		j->verdict = SOUND;
}

const struct judged_record *judged_first_live(const struct judgement *j)
{
	for (uint32_t i = 0; i < j->nrec; i++)
		if (j->rec[i].kind == LAYOUT_KIND_DATA)
			return &j->rec[i];
	return NULL;
}
