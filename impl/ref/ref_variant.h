/*
 * ref_variant.h -- what distinguishes `ref` from `ref-small`.  Both share
 * the handle table and the stream operations; a pipe or FIFO records its
 * variant's limits in its shared header when it is created.
 */
#ifndef IPCCONF_REF_VARIANT_H
#define IPCCONF_REF_VARIANT_H

#include <stdint.h>

struct ref_variant {
	const char *shm_prefix;     /* FIFO backing objects: "<prefix><dev>-<ino>-<time>" */
	uint32_t default_capacity;  /* a power of two in REF_MIN..REF_MAX_CAPACITY */
	uint32_t read_max;          /* longest read; 0: no limit */
};

extern const struct ref_variant ref_variant_default;
extern const struct ref_variant ref_variant_small;

#endif /* IPCCONF_REF_VARIANT_H */
