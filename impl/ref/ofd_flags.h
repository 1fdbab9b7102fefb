/*
 * ofd_flags.h -- status flags (O_NONBLOCK) of open descriptions, kept in
 * the shared region so that a fork() child and its parent see each other's
 * fcntl(F_SETFL), as they share one struct file in the kernel.
 *
 * Each open (or pipe creation) takes one word of the object's table; handles
 * made by dup() or inherited by fork() use the same word.  A word counts
 * the processes using it, so that it is freed when the last one closes:
 *
 *   bits  0-15  processes holding the open description
 *   bit   16    O_NONBLOCK
 *
 * 0 is a free word.  A holder that dies without closing leaves its count
 * behind; the words are all freed when a FIFO is left by every holder
 * (ofd_flags_reset), and a pipe's region goes away with its last holder.
 * When every word is taken, an open description keeps its flags in
 * process memory instead (not shared across fork: see ref_iut.h).
 */
#ifndef IPCCONF_REF_OFD_FLAGS_H
#define IPCCONF_REF_OFD_FLAGS_H

#include <stdbool.h>

#include <stdatomic.h>
#include <stdint.h>

/* Open descriptions of one object with shared status flags. */
#define REF_OFDS 128

/* Embedded in an object's shared region. */
struct ref_ofd_flags {
	_Atomic uint32_t word[REF_OFDS];
};

/* A word for a new open description used by this process: its index, or -1. */
int ofd_flags_claim(struct ref_ofd_flags *t, bool nonblock);

/* One process more (fork) or fewer (close) uses word idx; at none it is freed. */
void ofd_flags_hold(struct ref_ofd_flags *t, int idx, int delta);

bool ofd_flags_nonblock(const struct ref_ofd_flags *t, int idx);
void ofd_flags_set_nonblock(struct ref_ofd_flags *t, int idx, bool on);

/* Frees every word: only when no live process holds the pipe. */
void ofd_flags_reset(struct ref_ofd_flags *t);

#endif /* IPCCONF_REF_OFD_FLAGS_H */
