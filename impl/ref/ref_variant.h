/*
 * ref_variant.h -- what distinguishes `ref` from `ref-small`, as run-time
 * context.  Both variants share every operation table; each table entry
 * gets the `self` pointer its variant's entry function returned and finds
 * the variant through it (ref_variant_of).  A pipe or FIFO records the
 * limits it was made with in its shared header, so that every process
 * that later holds it, through either variant, obeys the same ones.
 */
#ifndef IPCCONF_REF_VARIANT_H
#define IPCCONF_REF_VARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "ipcconf/iut.h"

struct ref_variant {
	/* Names of the shm objects this variant makes: "/ipcconf-ref-...". */
	const char *shm_prefix;
	/* A new pipe's capacity: a power of two in REF_MIN_CAPACITY..max_capacity. */
	uint32_t default_capacity;
	/*
	 * /proc/sys/fs/pipe-max-size of the system this variant plays:
	 * set_capacity() refuses to grow a pipe beyond it with EPERM, as
	 * Linux does for a caller without CAP_SYS_RESOURCE (ref has no
	 * privileged callers).  At most REF_MAX_CAPACITY.
	 */
	uint32_t max_capacity;
	/* PIPE_BUF of the pipes it makes: a power of two in 512..REF_MAX_PIPE_BUF. */
	uint32_t pipe_buf;
	/*
	 * Real-time signals sigqueue() may leave queued for one receiver
	 * before it says EAGAIN (also bounded by the receiver's
	 * RLIMIT_SIGPENDING, and by SIGM_QUEUE_CAP, signal_model.h).
	 */
	uint32_t sigqueue_max;
};

/* One implementation table and the variant it serves. */
struct ref_impl {
	struct ipcconf_iut iut; /* first: `self` points here */
	const struct ref_variant *variant;
};

static inline const struct ref_variant *ref_variant_of(const struct ipcconf_iut *self)
{
	const struct ref_impl *impl =
		(const struct ref_impl *)((const char *)self - offsetof(struct ref_impl, iut));

	return impl->variant;
}

/* Every variant, for operations that must recognise another's objects (fifo.unlink). */
extern const struct ref_variant *const ref_variants[];
extern const size_t ref_variant_count;

#endif /* IPCCONF_REF_VARIANT_H */
