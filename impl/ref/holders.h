/*
 * holders.h -- who holds the ends of a pipe, across fork() and death.
 *
 * The kernel counts a pipe's readers and writers and drops a process's
 * share when the process exits.  In shared memory nothing does that for
 * us, so each holding process keeps its own counts in a slot of the table
 * in struct ref_shared, tagged with its process id, and a slot whose
 * process is dead (gone, or a zombie) is treated as empty by everyone
 * else.  Counting per process also makes fork() cheap: the child takes a
 * slot with the same counts as its parent (see fork.c).
 *
 * All functions are lock-free (compare-and-swap on whole slot words) and
 * may be called from any process concurrently.
 */
#ifndef IPCCONF_REF_HOLDERS_H
#define IPCCONF_REF_HOLDERS_H

#include <stdbool.h>
#include <stdint.h>

#include "impl/ref/ref_shared.h"

enum {
	HOLDER_READERS = 1,
	HOLDER_WRITERS = 2,
};

/* Takes a free (or dead) slot for `holder` with the given counts: its index, or -EMFILE. */
int holders_claim(struct ref_shared *sh, uint32_t holder, unsigned readers, unsigned writers);

/*
 * Adds to the counts of slot idx (negative deltas subtract).  A slot whose
 * counts reach zero becomes free, and then *idx is set to -1.  -EMFILE
 * when a count would overflow its 16 bits.
 */
int holders_adjust(struct ref_shared *sh, int *idx, int readers, int writers);

/* holders_adjust(), claiming a slot for `holder` first when *idx < 0. */
int holders_add(struct ref_shared *sh, int *idx, uint32_t holder, int readers, int writers);

/* Frees slot idx if `holder` still holds it. */
bool holders_drop(struct ref_shared *sh, int idx, uint32_t holder);

/* Renames slot idx's holder from `from` to `to` if `from` still holds it. */
bool holders_rename(struct ref_shared *sh, int idx, uint32_t from, uint32_t to);

/* Whether `holder` holds slot idx now. */
bool holders_held_by(const struct ref_shared *sh, int idx, uint32_t holder);

/*
 * True when a live process holds an end of the given kind(s): `which` is
 * HOLDER_READERS, HOLDER_WRITERS or both (either one).  The caller's own
 * process counts without further ado; another costs a liveness check
 * (ring_process_alive), and the slot of one found dead is freed.
 */
bool holders_any(struct ref_shared *sh, unsigned which);

/* Frees the slots of holders that are dead. */
void holders_forget_dead(struct ref_shared *sh);

#endif /* IPCCONF_REF_HOLDERS_H */
