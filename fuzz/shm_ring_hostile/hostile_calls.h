/*
 * hostile_calls.h -- shm_ring_hostile's calls of a well-behaved process,
 * and the properties each result must have (see shm_ring_hostile.c).
 */
#ifndef IPCCONF_FUZZ_HOSTILE_CALLS_H
#define IPCCONF_FUZZ_HOSTILE_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz/shm_ring_hostile/input_cursor.h"
#include "fuzz/shm_ring_hostile/ring_judge.h"
#include "impl/ring/ring.h"

/* The harness's state for one input. */
struct hostile {
	unsigned char *mem;       /* the region */
	size_t mem_len;
	uint32_t region_data;     /* the data size it was laid out with */
	unsigned char *slack_end; /* end of the region's mapping (LAYOUT_LOW: a canary up to it) */
	struct ring r;            /* the process's handle */
	bool low;                 /* buffers against the lower guard, as the region */
};

/* Places the caller's buffers for this input's layout (mapped once). */
void hostile_buffers(struct hostile *h, bool low);

/*
 * Decodes one call's arguments from c (code picks the call), makes it
 * with the armed in-call strikes, and checks its result: *before is the
 * region as judged before the call, *after is filled with it after.
 * True when the call was judged exactly: the ring was sound for the
 * handle before it, the in-call peer changed nothing, and it still is.
 */
bool hostile_call(struct hostile *h, uint8_t code, struct cursor *c,
		  const struct judgement *before, struct judgement *after);

#endif /* IPCCONF_FUZZ_HOSTILE_CALLS_H */
