/*
 * ref_iut.h -- the `ref` implementation: Linux pipe and FIFO semantics in
 * user space, over a byte ring in shared memory (impl/ring/ring.h); System
 * V and POSIX message queues over the typed record ring (MESSAGE QUEUES
 * below); a model of the kernel's signal rules (SIGNALS below); POSIX and
 * System V shared memory under names and ids of its own (SHARED MEMORY
 * (the shm table) below); POSIX and System V semaphores over futexes
 * (SEMAPHORES (the sem table) below); and AF_UNIX sockets over pairs of
 * rings (SOCKETS (the socket table) below).
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
 * THE RING UNDER A PIPE is the adaptive one (impl/ring/ring_adaptive.h):
 * while one process holds the write end and one the read end -- a pipe
 * forked and each side closing the end it does not use, a FIFO opened
 * once each way -- each side streams on the lock-free SPSC path (no lock,
 * no system call while the other side keeps up); when a side gains a
 * holder (fork, a dup passed to another process, a second open of a FIFO,
 * a process attaching a published pipe) it falls back to the locked path
 * at that holder's first read or write, and it goes back to the SPSC path
 * when the holders drop to one again (a close says so at once; a holder's
 * death is noticed within a few hundred calls).  Threads of one process
 * that read (or write) one end take turns on the locked path.  Nothing
 * scans the holders on a call that moves data, except as pipe_end.h
 * explains for EPIPE.  This is the code bench/ring_bench measures in its
 * `ref` column.
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
 *   - a real signal that arrives during a blocked call is acted on at the
 *     end of the current futex sleep (up to SYNC_SLICE_MS later; the
 *     signal table's own signals come in at once, SIGNALS below);
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
 *   - a reader killed (not closing) while a writer streams to it is
 *     noticed by that writer within two budgets of its evidence that the
 *     reader consumes (pipe_end.h, EPIPE): up to 128 writes of 64 bytes,
 *     or two of 64 KiB, succeed after the death and are lost, where Linux
 *     fails the first with EPIPE.  A write after the only reader died and
 *     before anybody consumed anything more is EPIPE at once, as is every
 *     write after a close of the last read end;
 *   - a FIFO's shm object whose last holder was killed stays in /dev/shm
 *     until the node is next opened (which adopts and empties it) or
 *     removed with fifo.unlink; a node removed by plain unlink(2) then
 *     leaves it behind;
 *   - a FIFO whose file system keeps no birth time loses its contents
 *     (not its open handles' stream) to a fresh object when chmod, link
 *     or rename changes the node's ctime while it is open;
 *   - fifo.open of a path that is not a FIFO fails (-ENXIO, -EISDIR).
 *
 * SIGNALS.  The `signal` table models the kernel's signal rules in user
 * space (signal_model.h lists the files).  Processes are real processes,
 * named by their real pids.  Each process that uses the table has a slot
 * in a table of SIGM_SLOTS (1024) slots in one anonymous shared mapping,
 * made by the entry function before the suite forks anything, so every
 * process of the run inherits it and nothing outlives the run.  A slot
 * holds what senders need: the mask (with the set a `wait` is taking),
 * which signals the actions ignore, the pending standard signals with the
 * siginfo of the instance that made each pending, and the queue of
 * real-time instances (si_code, si_pid, si_uid, si_value, si_status).
 * The actions themselves (handler, sa_flags, sa_mask) stay in the
 * process's private memory, where fork() copies them and where only the
 * process that installed a handler calls it.  A sender finds its target's
 * slot by pid and /proc start time, changes it under the slot's lock
 * (sync_lock.h), and rings a doorbell: the real signal SIGRTMAX (64),
 * whose real handler, installed when a process first uses the table,
 * runs the model's delivery.  A slot of a process that is gone or a
 * zombie (start time compared, so a reused pid is told apart) is reclaimed
 * by the next registration.  Every field of shared memory is read once,
 * into private memory, and checked before use.
 *
 * Generation follows Linux: existence and permission are the real kill's
 * (kill(pid, 0): ESRCH for a reaped pid, EPERM for another user's process
 * without privilege); an unblocked signal whose action ignores it is
 * discarded, a blocked one is kept (Linux sig_ignored(); sigwait takes it
 * whatever its action); a standard signal already pending is not pending
 * twice; real-time signals queue each instance, and sigqueue gives EAGAIN
 * once the receiver holds as many as the smallest of its RLIMIT_SIGPENDING
 * (read with prlimit), the variant's limit (ref 1024, ref-small
 * _POSIX_SIGQUEUE_MAX, 32) and SIGM_QUEUE_CAP (1024); SIGCONT discards
 * pending stop signals and a stop signal pending SIGCONT.  Setting an
 * action that ignores a signal discards its pending instances.
 *
 * Delivery happens where the kernel's would: before kill, raise or queue
 * return when they signalled the own process; before mask returns when
 * it unblocked something; on entering and during the model's own waits
 * (suspend, pause, wait, wait_pid, wait_id); at once in a running process,
 * or one asleep in a system call, through the doorbell's handler; and in
 * a ref pipe read or write, FIFO open or poll, whose futex sleeps let the
 * doorbell in (sync_waiter.h, SIGNALS OF A MODEL): there the handlers the
 * model ran decide between -EINTR (one lacked SA_RESTART, and nothing was
 * transferred; poll always) and waiting on.  As Linux does on a return
 * to user mode, delivery takes the pending unblocked signals lowest first
 * (the synchronous ones before), sets up a handler frame for each caught
 * one with that handler's mask (the signal unless SA_NODEFER, and
 * sa_mask) in force at once, then runs the handlers last set up first;
 * each one's return restores the mask its frame saved and delivers
 * again.  An SA_SIGINFO handler gets a siginfo_t
 * filled from the slot, and a NULL ucontext.  SA_RESETHAND resets the
 * action to SIG_DFL on entry (keeping the flags, as Linux does).
 * suspend's first frame returns to the caller's old mask.
 *
 * Default actions are carried out by the kernel, so that parents see the
 * real wait status, SIGCHLD and core dump: for Term and Core the process
 * sets the real signal to SIG_DFL, unblocks it and sends it to itself
 * (tgkill); for Stop the same with the real stop signal (the kernel's
 * rules, an orphaned process group included, apply); Ign and Cont do
 * nothing more.  SIGKILL is sent for real by the sender, and so is
 * SIGCONT, whose model side (its handler, if caught) runs once the target
 * goes on.  SIGSTOP to a process with a slot goes through its slot like
 * any signal and the process stops itself, outside any lock of the
 * model's: a process stopped by a real SIGSTOP while holding its slot's
 * lock would hold up every sender until continued.  A process that never
 * used the table (and whose parent had not either) has every action
 * SIG_DFL and an empty mask: the sender carries out the default action
 * with the real signal (or drops an Ign one).
 *
 * fork(): the child of a process with a slot gets one before fork()
 * returns in the parent (pthread_atfork; the child is found through
 * /proc/self/task/TID/children), with the parent's mask and actions and
 * nothing pending; the child's real handlers are its parent's.
 *
 * Children: wait_pid and wait_id poll the real waitpid and waitid with
 * WNOHANG between model sleeps, so a modelled handler, not the real one,
 * decides -EINTR (without SA_RESTART) or waiting on.  The kernel's real
 * SIGCHLD is caught by a real handler that makes the modelled SIGCHLD
 * pending with the kernel's si_code, si_pid, si_uid and si_status, and
 * wakes those sleeps.  The modelled SIGCHLD's SIG_IGN and SA_NOCLDWAIT are
 * put on the real SIGCHLD (SA_NOCLDWAIT on the real handler), so the
 * kernel reaps as it would; so is SA_NOCLDSTOP, so that a stop's notice
 * the model would drop cannot swallow an exit's (SIGCHLD does not queue).
 *
 * kill(pid): pid > 0 one process; 0 and < -1 a process group, whose
 * members are found in /proc (every member that may be signalled gets the
 * signal; the kernel's kill(-pgrp, 0) answers ESRCH and EPERM); -1 every
 * live process of the model's table but the sender (never anything
 * else: Linux would signal every process the sender may signal).
 *
 * Capabilities: QUEUE, WAIT, SUSPEND, CHILD, STOP, CORE and CREDENTIALS
 * (the permission check is the kernel's).  Not EXEC: ref has no exec, so
 * the three signal.exec.* clauses are SKIPs.
 *
 * Known differences from Linux:
 *   - one mask and one pending set per process: a process is treated as
 *     one thread (clause processes have one); a signal raised (thread
 *     directed) and one killed (process directed) share one pending bit,
 *     where Linux keeps a standard signal pending once in each set;
 *   - the queue limit counts the receiver's queued real-time signals, not
 *     every signal pending for the user; real-time signals sent by kill
 *     are dropped beyond SIGM_QUEUE_CAP (Linux: no limit);
 *   - a modelled handler must return: one that leaves by siglongjmp
 *     leaves the model's mask as the handler had it;
 *   - SA_RESTORER is not reported in a queried action's sa_flags;
 *   - the ucontext argument of an SA_SIGINFO handler is NULL;
 *   - sigtimedwait does not fail with EINTR after a stop and a continue
 *     (signal(7)'s Linux peculiarity);
 *   - a stopped process that gets a signal whose default action is Term
 *     dies when it is continued, as POSIX 2.4.3 has it (Linux kills it at
 *     once);
 *   - a process that used the table must not exec: its slot outlives the
 *     exec, and a doorbell would then meet SIGRTMAX's default action;
 *   - wait_pid and wait_id for stopped or continued children, with
 *     SA_NOCLDSTOP set, look again every SYNC_SLICE_MS (no notice comes);
 *   - a process forked other than through fork() (raw clone, vfork) gets
 *     no slot until it uses the table, and one whose slot could not be
 *     had (all 1024 held by live processes) is treated as never having
 *     used the table; its operations fail with -EAGAIN;
 *   - the modelled signals' real counterparts are left alone, except the
 *     doorbell (SIGRTMAX), SIGCHLD, and a signal whose default action the
 *     process carries out (set to SIG_DFL, and left so).
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
 *
 * SHARED MEMORY (the shm table; shmem.h, shmem_posix.c, shmem_sysv.h).
 * The memory is plain memory shared through files of the POSIX shm file
 * system, which is the mechanism (seed:M1); what ref models is the rest:
 * names, ids, handles, attachment counts and lifetimes.
 *   POSIX: object "/name" is the file "ipcconf-ref-shm-name" in /dev/shm
 * (names read as glibc reads them: leading slashes skipped, a slash
 * inside or "."/".." EINVAL, more than NAME_MAX bytes ENAMETOOLONG),
 * opened with open(2) and the flags and mode given, so O_CREAT | O_EXCL
 * is atomic, the umask applies, and the kernel checks the mode against
 * the caller's user.  The file holds the object's bytes and nothing
 * else: map is mmap(2) of it (MAP_SHARED shares, MAP_PRIVATE copies on
 * write, a writable shared mapping of an O_RDONLY handle is EACCES),
 * truncate is ftruncate(2) (growth reads as zeros), and whole pages past
 * the end fault with SIGBUS, all by the kernel's own rules.  An open
 * object is a ref handle of kind REF_OBJ_SHM (close, dup, fork
 * inheritance; the stream table reads and writes it at its offset);
 * unlink removes the name, and the file lives while a handle or mapping
 * holds it.
 *   System V: a segment is the file "ipcconf-ref-shmseg-i<id>" (random
 * ids; a key's link "...k<key>", sysv_registry.h), a header page and the
 * segment's pages; shmat maps the segment part (PROT_READ with
 * SHM_RDONLY: a write faults with SIGSEGV).  shm_nattch counts each
 * process's attachments in a slot of the header tagged with its pid
 * (holders.h), so exit and death by any signal detach at once, and a
 * fork child's inherited attachments count from before fork() returns
 * (fork.c, through an object of kind REF_OBJ_SHMSEG).  IPC_RMID marks the
 * segment (SHM_DEST, __key IPC_PRIVATE), frees the key at once and
 * renames the file "...d<id>"; the last shmdt destroys it.  One whose
 * last attacher exited or was killed is destroyed by the next shmget of
 * any process (which sweeps the "...d" names first) or the next call
 * that names its id.  Sizes follow Linux: SHMMIN 1, SHMMAX and SHMALL
 * from /proc/sys/kernel (EINVAL, ENOSPC), EINVAL for a size above an
 * existing segment's (before the permission check); IPC_STAT, IPC_SET
 * (uid, gid, mode; EPERM for a non-owner) and IPC_RMID as shmctl(2);
 * permissions are checked against the caller's user and groups.
 *   Capabilities: SHM_CAP_POSIX, SHM_CAP_SYSV, SHM_CAP_CREDENTIALS; no
 * shm clause is a SKIP of ref's making, and ref-small has the same
 * shared memory (its limits are the system's).
 *
 * Known differences from Linux (mm/shmem.c, ipc/shm.c):
 *   - POSIX objects have names of their own, apart from the system's
 *     shm_open names; a name too long to follow the prefix in a file
 *     name is stored under a 128-bit hash of it (a collision would name
 *     one object twice);
 *   - a POSIX handle holds a close-on-exec file descriptor; O_NONBLOCK
 *     set on it is not seen by a fork child (it changes nothing for
 *     shared memory); handles do not survive exec();
 *   - exit and death detach without setting shm_lpid and shm_dtime (no
 *     code of the dying process runs), and fork() leaves shm_atime and
 *     shm_lpid (Linux's shm_open() of the child's mapping sets them);
 *   - an attachment removed by munmap(2) instead of shmdt, or by
 *     exec(), counts until shmdt or exit; a fork() in one thread while
 *     another is inside shmat may leave the child without that
 *     attachment's count;
 *   - a removed segment whose last attacher exited or died keeps its
 *     "...d" file (and its memory) until the next shmget or call on its
 *     id; kernel.shm_rmid_forced is not followed;
 *   - 256 processes at most attach one segment at once, and one process
 *     65535 times (shmat: ENOMEM beyond); SHMMNI is not enforced and
 *     SHMALL bounds one segment's pages, not the sum of all segments'
 *     (the memory is charged to /dev/shm instead); segments beyond 2^46
 *     bytes are ENOSPC;
 *   - shmat always chooses the address (the table has no address
 *     argument): SHM_REMAP is EINVAL, SHM_RND means nothing;
 *   - IPC_INFO, SHM_INFO, SHM_STAT, SHM_STAT_ANY, SHM_LOCK and SHM_UNLOCK
 *     are EINVAL; shm_perm.__seq is 0;
 *   - permissions of segments are a check in user space, as for ref's
 *     queues (MESSAGE QUEUES above): a process that may open the file can
 *     change anything in it, shrinking the file makes the header fault
 *     (SIGBUS), and shmget(key, size, mode) of a segment whose file the
 *     caller cannot open checks the mode only, not the size;
 *   - a creator killed between a segment's file and its key's link
 *     leaves the file, unreachable; a remover killed half-way leaves a
 *     "...d" file, destroyed by the next sweep once nobody is attached.
 *
 * SEMAPHORES (the sem table; sem.h, sem_posix.c, sem_sysv.h).
 *   POSIX: a semaphore is a struct ref_psem (unnamed_size 16,
 * unnamed_align 4): the value, the count of waits asleep, and a magic
 * word.  A wait takes the value by compare-and-swap (it never goes below
 * 0, and getvalue never reads a negative value) and at 0 sleeps on the
 * value word as a futex; a post raises it and wakes one sleeper.
 * Sleeper and poster each store, then read the other's word, all
 * sequentially consistent, so no wake-up is lost.  pshared 0 and 1 are
 * both process-shared futexes.  sem_timedwait takes an absolute
 * CLOCK_REALTIME time (EINVAL for a bad tv_nsec only when it would wait;
 * ETIMEDOUT once it has passed), post is EOVERFLOW at SEM_VALUE_MAX
 * (INT_MAX), and a wait interrupted by a caught signal returns EINTR,
 * SA_RESTART or not (ipcconf/iut.h).  A named semaphore "/name" is the
 * file "ipcconf-ref-sem-name" in /dev/shm holding one, made complete and
 * then linked under its name, with the mode given less the umask; opening
 * it needs read and write permission on it (EACCES, by the kernel, as
 * glibc's files); a process gets one address per semaphore however often
 * it opens it, unmapped at its last sem_close.
 *   System V: a set is the file "ipcconf-ref-semset-i<id>" (random ids, a
 * key's link; sem_sysv.h has the layout): the values with their sempid,
 * a table of the semop calls asleep, and a table of undo slots.  Every
 * call runs under the set's lock (taken over from a holder that died)
 * and reads what it uses once, into private memory.  semop applies the
 * whole list in array order on the running values or nothing (Linux's
 * perform_atomic_semop_slow: ERANGE above SEMVMX 32767 and for an
 * adjustment outside -32768..32767, EAGAIN with IPC_NOWAIT on the
 * operation that would wait, E2BIG above SEMOPM, EFBIG for a sem_num
 * beyond the set); one that must wait records what it waits for (its
 * blocking operation: GETNCNT and GETZCNT count the records of live
 * processes), sleeps on the set's change counter, and tries again when
 * a value changes; IPC_RMID wakes it with EIDRM, a semtimedop timeout
 * ends it with EAGAIN, a caught signal with EINTR (never restarted).
 * semget, semctl (GETVAL, SETVAL, GETALL, SETALL, GETPID, GETNCNT,
 * GETZCNT, IPC_STAT, IPC_SET, IPC_RMID) and their errors follow ipc/sem.c,
 * the order of the checks included; SETVAL and SETALL clear every
 * process's adjustments of what they set.
 *   SEM_UNDO: a process's adjustments for a set are a slot in the set,
 * tagged with its pid and start time (/proc/PID/stat), claimed at its
 * first SEM_UNDO operation there (a fork child starts with none, as in
 * Linux).  When exactly they are applied: after the process has died
 * (exited, or killed by any signal), by the first call on the set of
 * any process -- semget finding it, semop, semctl -- under the set's
 * lock, before that call does anything else; a semop asleep on the set
 * looks at least every SYNC_SLICE_MS.  Each value becomes value plus
 * adjustment kept within 0..SEMVMX, its sempid the dead process, as
 * Linux's exit_sem(); the slot is freed.  So no call ever sees the set
 * as it was before the death, and a process waiting for what the dead
 * one held is released at most SYNC_SLICE_MS after the death.
 *   Capabilities: SEM_CAP_UNNAMED, SEM_CAP_NAMED, SEM_CAP_SYSV,
 * SEM_CAP_UNDO, SEM_CAP_CREDENTIALS; no sem clause is a SKIP of ref's
 * making, and ref-small has the same semaphores (its limits are the
 * system's).
 *
 * Known differences from Linux (glibc's nptl semaphores, ipc/sem.c):
 *   - a signal during a wait is acted on at the end of the current futex
 *     sleep (up to SYNC_SLICE_MS later), and sem_wait is not restarted
 *     after an SA_RESTART handler (Linux restarts it);
 *   - timed waits turn the deadline into whole milliseconds (rounded up)
 *     when they start to sleep: a step of CLOCK_REALTIME meanwhile is not
 *     followed; semtimedop's timeout is rounded up to milliseconds too;
 *   - memory sem_init never set up, or sem_destroy took down, or holding
 *     a value above SEM_VALUE_MAX is EINVAL for every call (glibc acts
 *     on it); sem_destroy does not refuse a semaphore with waiters;
 *   - a sem_wait or semop killed while asleep leaves its semaphore's or
 *     set's count of sleepers raised, so later posts and changes make a
 *     futex wake call needlessly;
 *   - a named semaphore's name too long for a file name of ours is
 *     stored under a 128-bit hash of it; sem_close of an address sem_open
 *     did not give is EINVAL; named semaphores do not survive exec();
 *   - every change of a value wakes every semop asleep on the set, which
 *     tries its list again: which of several waiters gets a value is the
 *     scheduler's choice, not Linux's queue order; a list that becomes
 *     possible just as a caught signal arrives fails with EINTR;
 *   - the adjustments of a dead process are applied when the set is next
 *     used (see SEM_UNDO), not at the exit itself: a set nobody touches
 *     keeps the dead process's operations; without /proc a reused pid
 *     is taken for the process that died;
 *   - 128 processes with adjustments on one set at once (then SEM_UNDO is
 *     ENOMEM), and 256 sleeping semop calls per set counted by GETNCNT
 *     and GETZCNT (more wait uncounted); SEMMNS and SEMMNI are not
 *     enforced; SEMOPM is read once per process, SEMMSL at each semget;
 *   - a process killed inside the set lock may leave an operation list
 *     half applied (the values are written one by one at its end); a
 *     value outside 0..SEMVMX, which only a broken peer writes, makes the
 *     calls that read it fail with EUCLEAN until SETVAL or SETALL;
 *   - IPC_INFO, SEM_INFO, SEM_STAT and SEM_STAT_ANY are EINVAL;
 *     sem_perm.__seq is 0; permissions are a check in user space as for
 *     segments (above), and semget(key, nsems, mode) of a set whose file
 *     the caller cannot open checks the mode only, not nsems.
 *
 * SOCKETS (the socket table; socket.h has the layout).  AF_UNIX only:
 * SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM (SOCK_RAW taken as DGRAM,
 * as Linux does).  A connection is an unnamed file in /dev/shm (O_TMPFILE,
 * mode 0600) holding one ring per direction and one holder set per
 * endpoint (holders.h): a stream connection byte rings (ring.h) with the
 * variant's pipe capacity (ref 64 KiB, ref-small 4 KiB) each way;
 * seqpacket and datagram connections record rings (ring_record.h) of four
 * times that, whose records are the boundaries (no framing codec is
 * needed: the record ring keeps them; a byte stream has none to keep).
 * socketpair() makes one and gives each end one endpoint.  A process that
 * holds a socket counts in its endpoint's holder set, fork() children
 * included, so a peer closed or killed gives end-of-file, EPIPE,
 * ECONNREFUSED as Linux's release does (a death noticed within
 * SYNC_SLICE_MS by a blocked peer).  Names: bind() makes a socket node
 * at the path (mknod S_IFSOCK | 0777 less the umask; -EADDRINUSE if
 * anything is there, a symlink included) and a region for the bound
 * socket, an unnamed file in /dev/shm named after the node's device,
 * inode and a random modification-time nanosecond that bind sets
 * (socket.h): a listener's backlog, a datagram socket's receive queue.
 * connect() of a stream or seqpacket socket makes the connection, gives
 * it a unique, unguessable shm name and queues that name in the
 * listener's backlog (at most backlog + 1 pending, as Linux; blocking,
 * or -EAGAIN, while full); it completes before accept().  accept() takes
 * the oldest name, maps the file and removes the name.  A listener's
 * last close drops its pending connections (their connectors see the
 * peer gone).  Errors follow net/unix/af_unix.c: -ENOENT for a missing
 * path, -ECONNREFUSED for a node nobody listens on (or not a socket),
 * -EPROTOTYPE for another type, -EACCES without write permission on the
 * node; recv on an unconnected stream socket -EINVAL, seqpacket
 * -ENOTCONN; send -ENOTCONN; shutdown succeeds unconnected; SHUT_RD and
 * SHUT_WR are mirrored to a connected peer (our SHUT_RD is its EPIPE);
 * EPIPE raises SIGPIPE (unless MSG_NOSIGNAL) on stream sockets only --
 * Linux's seqpacket and datagram sends return EPIPE without it; a
 * connection whose peer went with bytes we sent unread gives ECONNRESET
 * once (recv, SO_ERROR, POLLERR), then end-of-file; a datagram pair whose
 * peer is gone gives ECONNREFUSED once, then ENOTCONN; MSG_PEEK,
 * MSG_DONTWAIT, MSG_WAITALL (stream), MSG_TRUNC (the real length of a
 * datagram or seqpacket record), MSG_NOSIGNAL; zero-length records are
 * messages, and a zero-length recv is a recv like any other (it waits,
 * fails, reports end of file, or takes a record, as a longer one would);
 * FIONREAD as unix_inq_len(); poll as unix_poll() and unix_dgram_poll()
 * (POLLOUT while at most a quarter of the ring is in flight; what a gone
 * peer left unread is not, as Linux frees it at the close).  Options: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR,
 * SO_ACCEPTCONN, SO_SNDBUF and SO_RCVBUF (the ring size; setting them is
 * accepted and changes nothing).  recvfrom reports a named sender's path
 * and a length of 0 for an unnamed one, as Linux.  Every shared header
 * field is read once and judged as a private copy; a backlog record that
 * is not a name of ours is skipped.
 *   Capabilities: SOCKET_CAP_DGRAM and SOCKET_CAP_SEQPACKET.  Not INET or
 * INET6 (TCP and UDP are not modelled: socket() of another domain is
 * -EAFNOSUPPORT), not ABSTRACT (abstract names and autobind: bind,
 * connect and sendto with one are -EOPNOTSUPP; an abstract name has no
 * node in the file system for a connect to find the region by and for the
 * runner to clean up after, so a name ref kept for it would outlive a
 * killed holder), not PEERCRED,
 * CREDENTIALS or RIGHTS (credentials are not carried, and a kernel
 * descriptor cannot be passed: send_msg and recv_msg are absent); the
 * clauses that need them are SKIPs that name the capability.
 *
 * Known differences from Linux (net/unix/af_unix.c):
 *   - the shm names of bound sockets and of pending connections stay in
 *     /dev/shm when every holder exits or is killed without closing (a
 *     clause's process exiting is such an exit), until a connect to the
 *     path finds nobody holds the socket (it then removes the name and
 *     the pending connections' names, and is refused), or the next bind
 *     of any ref process sweeps them; ipcconf's runner makes that connect
 *     for every socket path a clause made, once the clause's processes
 *     are gone (conformance/socket/socket_mechanism.c), so a run leaves
 *     nothing behind;
 *   - the socket node's modification time is set by bind (its
 *     nanoseconds name the region); a node whose mtime is changed later
 *     (utime, touch) can no longer be connected to (ECONNREFUSED); a
 *     region of another user is never believed;
 *   - bind, listen and connect change the socket in the calling process
 *     only: a fork() child made before them keeps the socket as it was;
 *     the other state (data, shutdown, O_NONBLOCK, peer death) is shared;
 *   - a datagram socket from socketpair() cannot be bound or connected
 *     (-EINVAL); a connected datagram socket accepts datagrams from any
 *     sender (Linux: only its peer, EPERM for others);
 *   - listen(2)'s backlog is cut to 128 (Linux: somaxconn, 4096);
 *   - buffer sizes are fixed per variant; SO_SNDBUF and SO_RCVBUF are
 *     accepted and ignored; MSG_OOB is -EOPNOTSUPP, SO_RCVTIMEO and
 *     SO_SNDTIMEO -ENOPROTOOPT; getsockopt at another level -EOPNOTSUPP;
 *   - a datagram costs its payload plus a 16-byte header and the sender's
 *     path in its receiver's ring, and the largest datagram is the ring
 *     less 126 bytes whatever the sender's name;
 *   - a datagram pair's send that finds the peer gone (ECONNREFUSED)
 *     leaves the sender's own queue as it was (Linux drops it);
 *   - a seqpacket socket whose peer went with data unread reports the
 *     ECONNRESET after the data queued for it, and to recv (or SO_ERROR,
 *     POLLERR) only: a send meanwhile is EPIPE (Linux: ECONNRESET first,
 *     before queued data, and to whichever call comes first, send too);
 *   - poll never reports POLLWRBAND (Linux sets it with POLLOUT);
 *   - handles do not survive exec(), and a signal during a blocked call
 *     is acted on at the end of the current futex sleep (as for pipes).
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
