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
 *
 * MESSAGE QUEUES (msgq.h, mq.h, qcore.h, shm_obj.h).  System V queues
 * (msgq table) and POSIX queues (mq table) are files in /dev/shm, each a
 * header and a typed record ring (impl/ring/ring_record.h): a message is
 * one record whose 16-bit type is the System V mtype or the POSIX
 * priority, and the ring's selectors pick what msgrcv (msgtyp 0, > 0,
 * < 0, MSG_EXCEPT) and mq_receive (highest priority, oldest first) take.
 * Every operation runs under a lock in the header that a killed holder
 * loses, with a mark that makes the next holder recount the queue from
 * the ring when the killed one was inside.  Blocked calls sleep on the
 * ring's futex words (a send wakes every blocked receiver, which looks
 * and sleeps again if nothing matches) in SYNC_SLICE_MS slices.
 *   System V: a queue is "ipcconf-ref-msgq-i<id>" (a random positive
 * id), and a keyed one also has the link "ipcconf-ref-msgq-k<key>" to
 * it, so ids and keys work between unrelated processes; it persists,
 * creator gone or not, until IPC_RMID, which wakes its waiters with
 * EIDRM and removes both names (a stale id is then EINVAL).  msg_qbytes
 * bounds both the bytes and the number of messages, as in Linux; IPC_STAT,
 * IPC_SET (msg_qbytes, uid, gid, mode; EPERM above msgmnb) and IPC_RMID
 * follow msgctl(2); the modes are checked against the caller's user and
 * groups (ipcperms(), with CAP_IPC_OWNER, CAP_SYS_ADMIN and
 * CAP_SYS_RESOURCE read from the caller's effective set).
 *   POSIX: a queue "/name" is "ipcconf-ref-mq-name"; its handles are
 * ref handles of kind REF_OBJ_MQ (close, dup, poll with POLLIN/POLLOUT,
 * O_NONBLOCK per open description shared with fork children); the file
 * outlives mq_unlink until its last holder closes or dies.  mq_notify
 * registers a process; a send that makes the queue non-empty while no
 * receiver is blocked sends the signal with rt_sigqueueinfo (SI_MESGQ,
 * the sender's pid and uid, the registered value) and drops the
 * registration; a registration of a dead process is void.
 *   Limits are the system's, read when used: msgmnb (a new queue's
 * msg_qbytes, IPC_SET's bound), msgmax (read once per process), and
 * /proc/sys/fs/mqueue's msg_max, msgsize_max, msg_default and
 * msgsize_default (bypassed up to Linux's hard limits with
 * CAP_SYS_RESOURCE); MQ_PRIO_MAX is Linux's 32768.  ref-small has the
 * same queue limits: the rules name the system's limits, so other values
 * would model another system, not a smaller legal one.
 *   Capabilities: MSGQ_CAP_EXCEPT, MSGQ_CAP_COPY, MSGQ_CAP_CREDENTIALS,
 * MQ_CAP_NOTIFY, MQ_CAP_POLL, MQ_CAP_SETATTR: no queue clause is a SKIP
 * of ref's making.
 *
 * Known differences from Linux (ipc/msg.c, ipc/mqueue.c):
 *   - a message is queued and the blocked receivers woken, where Linux
 *     hands it to the first one (pipelined_send); so a second message
 *     sent before that receiver runs finds the queue non-empty and sends
 *     no notification, where Linux's would;
 *   - System V types of 65535 and more (and MSG_COPY) do not fit the
 *     ring's 16-bit types: such a receive takes every message out of the
 *     ring and puts the others back, and a process killed in the middle
 *     of that loses the queue's messages;
 *   - msgget never fails with ENOSPC (no msgmni); mq_open counts
 *     queues_max (ENOSPC) and RLIMIT_MSGQUEUE (EMFILE, with Linux's
 *     charge per queue) over the queue names in /dev/shm when it creates
 *     one: a queue unlinked but still open no longer counts (Linux counts
 *     it until its last close), and two creators racing may both pass;
 *     MSG_STAT, MSG_INFO and IPC_INFO are EINVAL; msg_perm.__seq is 0;
 *   - a queue's ring is sized for the msgmnb in force at msgget (32 bytes
 *     per byte, 512 KiB to 128 MiB): msg_qbytes raised beyond that later
 *     (msgmnb raised meanwhile) blocks senders before it is reached;
 *   - permissions are a check in user space: the file's mode only keeps
 *     out the classes that have neither read nor write (shm_obj.h), and a
 *     process that may open the file can change anything in it (as for
 *     every ref object); msgget(key, mode) of a queue whose file the
 *     caller cannot open checks `mode` against the file's mode; IPC_SET
 *     gives the file to a new owner only when the caller may chown(2);
 *   - timed mq calls turn the absolute CLOCK_REALTIME timeout into a
 *     wait of whole milliseconds (rounded up) when they start to block:
 *     a clock step during the wait is not followed;
 *   - mq_notify(SIGEV_THREAD) is EINVAL; the notification signal is
 *     subject to kill(2)'s permission check (the kernel's is not), and
 *     the registration goes when the registered process closes the open
 *     description it registered through or another of that queue (Linux:
 *     any close of a descriptor of the queue, dups included);
 *   - read(2) of a queue handle is EINVAL (Linux: a status line), and
 *     mq_open with O_RDWR | O_WRONLY is EINVAL also when it would create;
 *   - a name whose file name would exceed NAME_MAX is stored under a
 *     128-bit hash of it;
 *   - a creator killed between making a System V queue's file and its
 *     key's link leaves the file, unreachable, in /dev/shm; a killed
 *     IPC_RMID leaves names that the next msgget of the key removes;
 *   - a POSIX queue's O_NONBLOCK words (ofd_flags.h) of killed holders
 *     are freed only when a process opens the queue that nobody holds.
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
