/*
 * ref_iut.h -- the `ref` implementation: Linux pipe and FIFO semantics in
 * user space, over a byte ring in shared memory (impl/ring/ring.h).
 *
 * Handles are indices into a per-process table (fork copies it); the data
 * lives in a shared anonymous mapping (pipes) or a POSIX shm object named
 * after the FIFO node (FIFOs).  Readers and writers are counted per
 * process in a table in the shared memory, and a process that has died
 * (gone or zombie) counts as holding nothing, so end-of-file and EPIPE
 * follow a killed peer as they do in the kernel; a peer blocked in read or
 * write notices such a death within RING_SLICE_MS.
 *
 * Known differences from Linux (fs/pipe.c keeps data in page-sized
 * buffers; ref keeps a byte ring):
 *   - room is counted in bytes, not in page buffers: after a full pipe
 *     gives up one byte, ref accepts a 1-byte write where Linux still says
 *     EAGAIN (it frees space a page at a time), and a non-blocking write
 *     larger than PIPE_BUF takes every free byte, not whole pages;
 *   - a signal that arrives during a blocked call is acted on at the end
 *     of the current futex sleep (up to RING_SLICE_MS later);
 *   - O_NONBLOCK is shared with fork() children through a table of
 *     REF_OFDS words per pipe; open descriptions beyond that (more than 128
 *     opens of one FIFO alive at once) keep it per process;
 *   - handles do not survive exec(), and a process that exec()s keeps
 *     counting as a holder until it exits;
 *   - a parent killed between fork() and its child's first instruction
 *     leaves the child uncounted until the child runs;
 *   - a FIFO whose file system keeps no birth time loses its contents
 *     (not its open handles' stream) to a fresh one when chmod, link or
 *     rename changes the node's ctime; a FIFO made by plain mkfifo(3)
 *     gets its shm object on first open and loses it only to
 *     fifo.unlink;
 *   - fifo.open of a path that is not a FIFO fails (-ENXIO, -EISDIR).
 */
#ifndef IPCCONF_IMPL_REF_IUT_H
#define IPCCONF_IMPL_REF_IUT_H

#include "ipcconf/iut.h"

/* "ref": default capacity 65536, as Linux. */
__attribute__((visibility("default"))) const struct ipcconf_iut *ipcconf_ref_iut(void);

/*
 * "ref-small": legal but unusual, to shake out clauses that assume more
 * than POSIX promises: default capacity 4096 (one page, the least Linux
 * allows), and reads return at most 1000 bytes (short reads are legal).
 */
__attribute__((visibility("default"))) const struct ipcconf_iut *ipcconf_ref_small_iut(void);

#endif /* IPCCONF_IMPL_REF_IUT_H */
