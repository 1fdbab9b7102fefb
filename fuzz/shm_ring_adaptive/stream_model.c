/*
 * The byte-stream oracle of stream_model.h.  Stream byte i (counted from
 * the counters' start) is pattern[i % PERIOD]: PERIOD is prime, so bytes
 * misplaced by a whole lap of any power-of-two capacity never look right.
 */
#include "fuzz/shm_ring_adaptive/stream_model.h"

#include <errno.h>
#include <string.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"

#define PERIOD 8191u

static unsigned char pattern[PERIOD + STREAM_SPAN_MAX];
static bool pattern_made;

static void make_pattern(void)
{
	for (uint32_t i = 0; i < sizeof pattern; i++) {
		uint32_t x = (i % PERIOD) * 2654435761u;

		pattern[i] = (unsigned char)(x >> 24 ^ x >> 11);
	}
	pattern_made = true;
}

void stream_init(struct stream_model *m, uint32_t data_size, uint32_t cap, uint64_t start)
{
	if (!pattern_made)
		make_pattern();
	m->data_size = data_size;
	m->cap = cap;
	m->start = m->head = m->tail = start;
}

const unsigned char *stream_bytes(const struct stream_model *m, uint64_t pos)
{
	return pattern + (pos - m->start) % PERIOD;
}

static uint64_t used(const struct stream_model *m)
{
	return m->tail - m->head;
}

/*
 * ring.h, ring_try_push(): 0 for nothing; -EAGAIN when full, or when it
 * must go whole and does not fit; else as many as fit.
 */
long stream_expect_push(const struct stream_model *m, size_t n, bool whole)
{
	uint64_t room = m->cap - used(m);

	if (n == 0)
		return 0;
	if (room == 0 || (whole && room < n))
		return -EAGAIN;
	return (long)(n < room ? n : room);
}

/* ring.h, ring_try_pop(): up to n of the bytes buffered, -EAGAIN when there are none. */
long stream_expect_pop(const struct stream_model *m, size_t n)
{
	uint64_t u = used(m);

	if (n == 0)
		return 0;
	if (u == 0)
		return -EAGAIN;
	return (long)(n < u ? n : u);
}

void stream_pushed(struct stream_model *m, long ret)
{
	if (ret > 0)
		m->tail += (uint64_t)ret;
}

void stream_popped(struct stream_model *m, const unsigned char *got, long ret)
{
	if (ret <= 0)
		return;
	/* The next bytes of the stream: none lost, none repeated, none invented. */
	FUZZ_CHECK(memcmp(got, stream_bytes(m, m->head), (size_t)ret) == 0);
	m->head += (uint64_t)ret;
}

static bool pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/*
 * ring.h: -EINVAL unless a power of two in 1..data_size; set_capacity
 * keeps the buffered bytes, so -EBUSY when they do not fit; reset
 * discards them.
 */
int stream_expect_resize(const struct stream_model *m, uint32_t capacity, bool discard)
{
	if (!pow2(capacity) || capacity > m->data_size)
		return -EINVAL;
	if (!discard && used(m) > capacity)
		return -EBUSY;
	return 0;
}

/*
 * A reset discards what is buffered: the consumers' counter catches up
 * with the producers' (tail counts the bytes produced since ring_init,
 * and a reset produces none).
 */
void stream_resized(struct stream_model *m, uint32_t capacity, bool discard)
{
	m->cap = capacity;
	if (discard)
		m->head = m->tail;
}

void stream_judge_header(const struct stream_model *m, const unsigned char *region)
{
	FUZZ_CHECK(layout_get64(region + OFF_HEAD) == m->head);
	FUZZ_CHECK(layout_get64(region + OFF_TAIL) == m->tail);
	FUZZ_CHECK(layout_get32(region + OFF_CAPACITY) == m->cap);
	FUZZ_CHECK(layout_get32(region + OFF_GONE) == 0);
}
