/*
 * holders.h -- who holds an endpoint, across fork() and death.
 *
 * The kernel counts a pipe's readers and writers and drops a process's
 * share when the process exits.  In shared memory nothing does that for
 * us, so each holding process keeps its own counts in a slot of a holder
 * set, tagged with its process id, and a slot whose process is dead (gone,
 * or a zombie) is treated as empty by everyone else.  Counting per process
 * also makes fork() cheap: the child takes a slot with the same counts as
 * its parent (see fork.c).
 *
 * A holder set is one `struct ref_holders`, embedded in an object's shared
 * region once per endpoint: a pipe or FIFO has one (its readers and its
 * writers), a socket pair will have one per end.  Each slot keeps two
 * counts, "readers" and "writers": what they mean is the endpoint's
 * business (a socket end may count only one).
 *
 * A holder slot is one 64-bit word, so that it is read and changed as a
 * whole and nobody ever pairs one process's id with another's counts:
 *
 *   bits  0-31  holder: the process id, with REF_HOLDER_PENDING while a
 *               fork() is handing the slot to a child not yet running
 *   bits 32-47  open descriptions that read
 *   bits 48-63  open descriptions that write
 *
 * 0 is a free slot.  A slot whose holder no longer lives counts as free.
 *
 * All functions are lock-free (compare-and-swap on whole slot words) and
 * may be called from any process concurrently.
 */
#ifndef IPCCONF_REF_HOLDERS_H
#define IPCCONF_REF_HOLDERS_H

#include <stdbool.h>
#include <stdint.h>

#include <stdatomic.h>

/* Processes holding one endpoint at once; a dead holder's slot is reused. */
#define REF_SLOTS 256

#define REF_HOLDER_PENDING 0x80000000u

struct ref_holders {
	_Alignas(64) _Atomic uint64_t slot[REF_SLOTS];
};

enum {
	HOLDER_READERS = 1,
	HOLDER_WRITERS = 2,
};

/* Takes a free (or dead) slot for `holder` with the given counts: its index, or -EMFILE. */
int holders_claim(struct ref_holders *hs, uint32_t holder, unsigned readers, unsigned writers);

/*
 * Adds to the counts of slot idx (negative deltas subtract).  A slot whose
 * counts reach zero becomes free, and then *idx is set to -1.  -EMFILE
 * when a count would overflow its 16 bits.
 */
int holders_adjust(struct ref_holders *hs, int *idx, int readers, int writers);

/* holders_adjust(), claiming a slot for `holder` first when *idx < 0. */
int holders_add(struct ref_holders *hs, int *idx, uint32_t holder, int readers, int writers);

/* Frees slot idx if `holder` still holds it. */
bool holders_drop(struct ref_holders *hs, int idx, uint32_t holder);

/* Renames slot idx's holder from `from` to `to` if `from` still holds it. */
bool holders_rename(struct ref_holders *hs, int idx, uint32_t from, uint32_t to);

/* Whether `holder` holds slot idx now. */
bool holders_held_by(const struct ref_holders *hs, int idx, uint32_t holder);

/*
 * True when a live process holds an end of the given kind(s): `which` is
 * HOLDER_READERS, HOLDER_WRITERS or both (either one).  The caller's own
 * process counts without further ado; another costs a liveness check
 * (sync_process_alive), and the slot of one found dead is freed.
 */
bool holders_any(struct ref_holders *hs, unsigned which);

/*
 * True when `holder` (a process id) is the only live process holding an
 * end of the given kind(s): it holds one, and every other slot counting
 * one belongs to a dead process (and is freed).  A pending slot (a fork in
 * progress, even our own) counts as another holder while its forking
 * process lives: the child will hold what it holds.
 */
bool holders_only(struct ref_holders *hs, unsigned which, uint32_t holder);

/* Frees the slots of holders that are dead. */
void holders_forget_dead(struct ref_holders *hs);

#endif /* IPCCONF_REF_HOLDERS_H */
