/*
 * ref_iut.h -- the `ref` implementation: Linux pipe and FIFO semantics in
 * user space, over a byte ring in shared memory (impl/ring/ring.h).
 *
 * STRUCTURE.  Handles are indices into a per-process table (fork copies
 * it) naming open descriptions, which name objects; an object has a kind
 * (pipe, fifo; queues and sockets later) whose operations do everything
 * kind-specific (obj.h), so the handle table, fork handling and the
 * handle/stream/pipe tables of ipcconf/iut.h are written once.  `ref` and
 * `ref-small` are two variants of one set of tables, told apart through
 * `self` (ref_variant.h).  Readers and writers are counted per process in
 * holder sets in the shared memory, one per endpoint (holders.h), and a
 * process that has died (gone or zombie) counts as holding nothing, so
 * end-of-file and EPIPE follow a killed peer as they do in the kernel; a
 * peer blocked in read or write notices such a death within
 * SYNC_SLICE_MS.
 *
 * SHARED MEMORY.  A pipe lives in an unnamed file of the POSIX shm file
 * system (O_TMPFILE in /dev/shm, mode 0600), so it cannot outlive its
 * last holder, closed or killed; it can be given a unique POSIX shm name
 * for an unrelated process to attach (pipe.h: ref_pipe_publish and
 * ref_pipe_attach, ready for descriptor passing over sockets).  A FIFO
 * lives in a POSIX shm object named after the node (mode 0600) from its
 * first open to its last close.
 *
 * LIMITS.
 *                      ref (as Linux)   ref-small (POSIX's least)
 *   default capacity   65536            4096
 *   PIPE_BUF           4096             512 (_POSIX_PIPE_BUF)
 *   pipe-max-size      1048576          65536
 * set_capacity() rounds up to a power of two of at least 4096, as Linux
 * does; growing a pipe beyond pipe-max-size is EPERM (fcntl(2): "an
 * unprivileged process" -- ref has no privileged callers), a size above
 * 2^31 is EINVAL, shrinking below what is buffered is EBUSY.  A pipe keeps
 * the default capacity and PIPE_BUF of the variant that made it, also
 * when reached through the other; pipe-max-size is the calling variant's.
 * Both variants read as much as is there: a read returns less than asked
 * only when less is available.
 *
 * Known differences from Linux (fs/pipe.c keeps data in page-sized
 * buffers; ref keeps a byte ring):
 *   - room is counted in bytes, not in page buffers: after a full pipe
 *     gives up one byte, ref accepts a 1-byte write where Linux still says
 *     EAGAIN (it frees space a page at a time), and a non-blocking write
 *     larger than PIPE_BUF takes every free byte, not whole pages;
 *   - POLLOUT means room for PIPE_BUF bytes (Linux: a free page buffer);
 *   - no packet mode: pipe.create with O_DIRECT is EINVAL, and
 *     IPCCONF_PIPE_CAP_PACKET is not declared;
 *   - a signal that arrives during a blocked call is acted on at the end
 *     of the current futex sleep (up to SYNC_SLICE_MS later);
 *   - poll over several handles sleeps on the first one's futex word and
 *     looks at the others at least every SYNC_SLICE_MS, so an event on a
 *     later handle may be seen up to that much late;
 *   - O_NONBLOCK is shared with fork() children through a table of
 *     REF_OFDS words per pipe; open descriptions beyond that (more than 128
 *     opens of one FIFO alive at once) keep it per process;
 *   - handles do not survive exec(), and a process that exec()s keeps
 *     counting as a holder until it exits;
 *   - each process keeps one close-on-exec file descriptor per pipe it
 *     holds (the region's file, for publishing; left alone if the program
 *     closes it);
 *   - a parent killed between fork() and its child's first instruction
 *     leaves the child uncounted until the child runs;
 *   - a FIFO's shm object whose last holder was killed stays in /dev/shm
 *     until the node is next opened (which adopts and empties it) or
 *     removed with fifo.unlink; a node removed by plain unlink(2) then
 *     leaves it behind;
 *   - a FIFO whose file system keeps no birth time loses its contents
 *     (not its open handles' stream) to a fresh object when chmod, link
 *     or rename changes the node's ctime while it is open;
 *   - fifo.open of a path that is not a FIFO fails (-ENXIO, -EISDIR).
 */
#ifndef IPCCONF_IMPL_REF_IUT_H
#define IPCCONF_IMPL_REF_IUT_H

#include "ipcconf/iut.h"

/* "ref": Linux's limits. */
__attribute__((visibility("default"))) const struct ipcconf_iut *ipcconf_ref_iut(void);

/*
 * "ref-small": legal but unusual, to shake out clauses that assume more
 * than POSIX promises: 4096-byte pipes that grow to 64 KiB at most, and
 * PIPE_BUF 512.
 */
__attribute__((visibility("default"))) const struct ipcconf_iut *ipcconf_ref_small_iut(void);

#endif /* IPCCONF_IMPL_REF_IUT_H */
