/*
 * stream_model.h -- shm_ring_adaptive's oracle for the byte stream: the
 * counters and the capacity as ring.h defines them, what each call must
 * return by the documented rules of ring_try_push(), ring_try_pop(),
 * ring_set_capacity() and ring_reset() (which every path of the adaptive
 * ring follows, whatever the modes), and the bytes of the stream.
 *
 * Restated from the documentation; nothing here comes from impl/ring, so
 * a bug there cannot move the model with it.  The header is read through
 * ring_layout.h's offsets.
 */
#ifndef IPCCONF_FUZZ_STREAM_MODEL_H
#define IPCCONF_FUZZ_STREAM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest run of stream bytes stream_bytes() hands out at once. */
#define STREAM_SPAN_MAX 8192u

struct stream_model {
	uint32_t data_size;
	uint32_t cap;
	uint64_t start; /* the counters' value at ring_init (the stream's byte 0) */
	uint64_t head;  /* bytes consumed (ring.h: head) */
	uint64_t tail;  /* bytes produced (ring.h: tail) */
};

void stream_init(struct stream_model *m, uint32_t data_size, uint32_t cap, uint64_t start);

/* The stream's bytes from position pos on, STREAM_SPAN_MAX of them. */
const unsigned char *stream_bytes(const struct stream_model *m, uint64_t pos);

/* What a push of n bytes returns; whole: all of it or -EAGAIN. */
long stream_expect_push(const struct stream_model *m, size_t n, bool whole);

/* What a pop of up to n bytes returns (-EAGAIN when empty). */
long stream_expect_pop(const struct stream_model *m, size_t n);

/* A push returned ret (as expected): the producers' counter moves. */
void stream_pushed(struct stream_model *m, long ret);

/* A pop returned ret bytes into got: they must be the next ones of the stream. */
void stream_popped(struct stream_model *m, const unsigned char *got, long ret);

/*
 * What ring_set_capacity(capacity) (discard false) or ring_reset(capacity)
 * (discard true) returns: 0, -EINVAL or -EBUSY.  stream_resized() applies
 * a 0.
 */
int stream_expect_resize(const struct stream_model *m, uint32_t capacity, bool discard);
void stream_resized(struct stream_model *m, uint32_t capacity, bool discard);

/* The region's head, tail, capacity and gone (0 in byte mode) are the model's. */
void stream_judge_header(const struct stream_model *m, const unsigned char *region);

#endif
