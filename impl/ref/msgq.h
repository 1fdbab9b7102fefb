/*
 * msgq.h -- System V message queues in shared memory (the `msgq` table).
 *
 * NAMES.  A queue is a file in /dev/shm named after its id,
 * "ipcconf-ref-msgq-i<id>", where the id is a random positive int that
 * no live queue has (the name is taken with linkat(2), which refuses a
 * name in use).  A keyed queue also has a symbolic link named after its
 * key, "ipcconf-ref-msgq-k<key, 8 hex digits>", whose target is the id's
 * name: msgget() reads the link (which needs no permission on the queue,
 * as msgget(key, 0) needs none), and the link is made only after the
 * queue file exists, with symlink(2), which fails if the key has a queue
 * already.  So any process, related or not, finds a queue by key or id,
 * and an id outlives nothing: once IPC_RMID has removed the file, the id
 * is unknown (-EINVAL), and a new queue for the same key has a new id.
 * Both variants share the one namespace, as keys are system-wide.
 *
 * REMOVAL.  IPC_RMID, under the queue lock: marks the header removed
 * (every process blocked on the queue wakes and returns -EIDRM), then
 * removes the id's file, then the key's link if it still names this
 * queue.  A remover killed after marking leaves names that the next
 * msgget() of the key removes (it finds the queue marked removed); one
 * killed between the two removals leaves a link to no file, which
 * msgget() also removes.  The file itself goes when the last process
 * that maps it unmaps it or exits.
 *
 * LAYOUT of the file:
 *   0                  MSGQ_HDR_SIZE   struct msgq_shared
 *   MSGQ_HDR_SIZE      RING_HDR_SIZE   a record ring (impl/ring/ring_record.h)
 *   + RING_HDR_SIZE    data_size       its data
 * Each message is one record: the payload is the caller's buffer as
 * msgsnd(2) takes it (the long mtype, then mtext), and the record's
 * 16-bit type is mtype, or MSGQ_BIG_TYPE for an mtype that does not fit,
 * so that the ring's selectors (EQ, LE, NE) do msgrcv's work for types
 * below MSGQ_BIG_TYPE.  The rest (big types, MSG_COPY) takes every record
 * out under the lock, chooses, and puts the others back in order
 * (qcore.h).
 *
 * The header is shared with processes that may be broken or hostile:
 * the fixed fields are read once at attach and validated; the mutable
 * ones (struct msgq_state) are copied out under the lock, checked, used
 * from the copy and written back whole.
 */
#ifndef IPCCONF_REF_MSGQ_H
#define IPCCONF_REF_MSGQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ring/ring.h"

#define MSGQ_MAGIC 0x5153474du /* "MGSQ" in memory on little-endian */
#define MSGQ_VERSION 1u
#define MSGQ_HDR_SIZE 4096u
#define MSGQ_LEAF_PREFIX "ipcconf-ref-msgq-"
#define MSGQ_BIG_TYPE 0xffffu
/* The ring's data area is sized for 32 bytes per byte of msg_qbytes (msgq.c). */
#define MSGQ_DATA_MIN (UINT32_C(1) << 19)
#define MSGQ_DATA_MAX (UINT32_C(1) << 27)

/* What changes under the queue lock: copied out, checked, written back whole. */
struct msgq_state {
	uint64_t qnum, cbytes, qbytes;
	int64_t stime, rtime, ctime;
	int32_t lspid, lrpid;
	uint32_t uid, gid, cuid, cgid, mode;
	uint32_t reserved;
};

struct msgq_shared {
	_Atomic uint32_t magic; /* MSGQ_MAGIC, stored last (release) by the creator */
	uint16_t version;       /* MSGQ_VERSION */
	uint16_t hdr_size;      /* MSGQ_HDR_SIZE */
	int32_t id;
	int32_t key;
	uint32_t data_size;     /* the ring's data area: a power of two */
	uint32_t reserved;
	_Atomic uint32_t lock;    /* the queue lock (qcore.h) */
	_Atomic uint32_t dirty;   /* set while the lock is held (qcore.h) */
	_Atomic uint32_t removed; /* IPC_RMID happened: set under the lock, never cleared */
	uint32_t reserved2;
	struct msgq_state st;
};

_Static_assert(sizeof(struct msgq_shared) <= MSGQ_HDR_SIZE, "msgq header outgrew its page");

/* A process's mapping of one queue, cached by id (msgq_map.c). */
struct msgq_map {
	struct msgq_map *next;
	int id;
	int32_t key;        /* validated copies of the fixed header fields */
	uint32_t data_size;
	unsigned refs;      /* calls using it now */
	bool stale;         /* the queue was removed: dropped once unused */
	uint64_t used;      /* for eviction: the cache's clock when last taken */
	int fd;
	unsigned char *base;
	size_t size;
	struct msgq_shared *sh;
	struct ring ring;
};

/*
 * The mapping of queue `id`, kept until ref_msgq_map_put(): -EINVAL when no
 * such queue exists, -EACCES when the caller may not open its file.
 */
int ref_msgq_map_get(int id, struct msgq_map **out);
void ref_msgq_map_put(struct msgq_map *m);

/* The queue was removed: nobody gets this mapping from the cache again. */
void ref_msgq_map_forget(struct msgq_map *m);

/*
 * Makes a new queue for `key` (IPC_PRIVATE: without a key link), with
 * permission bits `mode` and msg_qbytes `qbytes`: its id, or -EEXIST
 * when the key got a queue meanwhile, or -errno.
 */
int ref_msgq_create(int32_t key, uint32_t mode, uint64_t qbytes);

/*
 * The id that the key's link names: >= 0, or -ENOENT (no link, or a
 * dangling one, which is removed), or -errno.
 */
int ref_msgq_key_id(int32_t key);

/* Removes the names of a queue marked removed, under its lock (idempotent). */
void ref_msgq_unlink_names(const struct msgq_map *m);

/* "ipcconf-ref-msgq-i<id>" */
void ref_msgq_id_leaf(int id, char *leaf, size_t len);

#endif /* IPCCONF_REF_MSGQ_H */
