/*
 * mq.h -- POSIX message queues in shared memory (the `mq` table), and
 * their open descriptions: objects of kind REF_OBJ_MQ (obj.h), so that
 * the handle table closes, dups and polls them.
 *
 * NAMES.  Queue "/name" is the file "ipcconf-ref-mq-name" in /dev/shm
 * (one namespace for both variants, as the kernel has one); a name too
 * long for that is "ipcconf-ref-mq-h<128-bit hash>", and the header
 * keeps the name to tell a collision.  mq_open(O_CREAT) makes the queue
 * unnamed and publishes it with linkat(2) (shm_obj.h), so two creators
 * race safely; mq_unlink() removes the name, and the file lives on until
 * the last process that maps it closes it or dies (the kernel's count of
 * mappings does what the mqueue inode's count does).
 *
 * LAYOUT of the file:
 *   0                  MQ_HDR_SIZE     struct mq_shared
 *   MQ_HDR_SIZE        RING_HDR_SIZE   a record ring (impl/ring/ring_record.h)
 *   + RING_HDR_SIZE    data_size       its data, room for mq_maxmsg records
 *                                      of mq_msgsize bytes
 * A message is one record, its priority the record's type, so that the
 * ring's RING_REC_HIGHEST selector takes the oldest of the highest
 * priority.  mq_curmsgs is kept beside the ring, under the queue lock
 * (qcore.h); poll and mq_getattr read it without the lock.
 *
 * NOTIFICATION (mq_notify).  The registration (process id, SIGEV_NONE or
 * SIGEV_SIGNAL, signal, value) lives in the header.  A send that makes
 * the queue non-empty while no receiver is blocked in it delivers it and
 * removes it: a real signal to the registered process, sent with
 * rt_sigqueueinfo(2) as the kernel sends it (si_code SI_MESGQ, the
 * sender's pid and uid, the registered value).  Blocked receivers are
 * counted in a holder set of their own, so that one killed while blocked
 * stops counting; a registration whose process has died is void, as the
 * kernel removes it when the process's descriptors close.
 *
 * The header is shared with processes that may be broken or hostile: the
 * fixed fields are read once at attach and validated; the mutable ones
 * are copied out under the lock, checked, and written back whole.
 */
#ifndef IPCCONF_REF_MQ_H
#define IPCCONF_REF_MQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ref/holders.h"
#include "impl/ref/obj.h"
#include "impl/ref/ofd_flags.h"
#include "impl/ring/ring.h"

#define MQ_MAGIC 0x4d515249u /* "IRQM" in memory on little-endian */
#define MQ_VERSION 1u
#define MQ_HDR_SIZE 8192u
#define MQ_LEAF_PREFIX "ipcconf-ref-mq-"
#define MQ_NAME_MAX 255      /* NAME_MAX: the longest name after the slash */
#define MQ_PRIO_LIMIT 32768u /* Linux's MQ_PRIO_MAX (sysconf(_SC_MQ_PRIO_MAX)) */
#define MQ_DATA_MIN 4096u
#define MQ_DATA_MAX (UINT32_C(1) << 30)

/* The notification registration: changed under the queue lock. */
struct mq_notify_reg {
	int32_t pid;   /* 0: none */
	int32_t kind;  /* SIGEV_NONE or SIGEV_SIGNAL */
	int32_t signo;
	int32_t reserved;
	uint64_t value; /* sigev_value, as the bits of sival_ptr */
};

struct mq_shared {
	_Atomic uint32_t magic; /* MQ_MAGIC, stored last (release) by the creator */
	uint16_t version;       /* MQ_VERSION */
	uint16_t hdr_size;      /* MQ_HDR_SIZE */
	uint32_t maxmsg, msgsize;
	uint32_t data_size;     /* the ring's data area: a power of two */
	uint32_t uid, gid, mode; /* owner and permission bits, fixed at creation */
	uint32_t name_len;
	char name[MQ_NAME_MAX + 1]; /* without the slash */
	_Atomic uint32_t lock;  /* the queue lock (qcore.h) */
	_Atomic uint32_t dirty;
	_Atomic uint32_t curmsgs; /* written under the lock */
	uint32_t reserved;
	struct mq_notify_reg notify;
	/* The open descriptions' holders (obj.h), and the receive calls blocked now. */
	struct ref_holders holders;
	struct ref_holders receivers;
	struct ref_ofd_flags ofd_flags;
};

_Static_assert(sizeof(struct mq_shared) <= MQ_HDR_SIZE, "mq header outgrew its pages");

/* A process's mapping of a queue, for one open (mq_open) and its dups and fork copies. */
struct mq_obj {
	struct ref_obj obj; /* first: obj.h's generic part */
	unsigned char *base;
	size_t size;
	int fd;
	struct mq_shared *sh;
	struct ring ring;
	/* Validated copies of the fixed header fields: trusted. */
	uint32_t maxmsg, msgsize, data_size;
	uint32_t uid, gid, mode;
};

static inline struct mq_obj *mq_obj_of(struct ref_obj *obj)
{
	return ref_container_of(obj, struct mq_obj, obj);
}

/*
 * The leaf name in /dev/shm for queue name `name` ("/..."): 0, -EINVAL
 * (no leading slash), -ENAMETOOLONG, -ENOENT ("/"), -EACCES (a slash
 * after the first, "/." or "/..") -- as Linux's mq_open and mq_unlink.
 */
int ref_mq_name_leaf(const char *name, char *leaf, size_t len);

/* Opens the existing queue of `leaf` (whose name is `name`): a mapped, validated object. */
int ref_mq_obj_attach(const char *leaf, const char *name, struct mq_obj **out);

/*
 * Makes and publishes a new queue: -EEXIST when the name was taken
 * meanwhile.  mode is final (umask applied).
 */
int ref_mq_obj_create(const char *leaf, const char *name, uint32_t maxmsg, uint32_t msgsize,
		  uint32_t mode, struct mq_obj **out);

/* Unmaps an object that never got on the process's list. */
void ref_mq_obj_free(struct mq_obj *q);

/*
 * The queue lock, with the count checked (recounted from the ring when a
 * holder died inside the lock, or the count is impossible) and a
 * registration whose fields are broken dropped.  *reg: a copy to use and
 * give back to ref_mq_unlock().
 */
void ref_mq_lock(struct mq_obj *q, struct mq_notify_reg *reg);
void ref_mq_unlock(struct mq_obj *q, const struct mq_notify_reg *reg);

/* Under the lock: a corrupted ring loses its messages (the count goes to 0). */
void ref_mq_recover_locked(struct mq_obj *q);

#endif /* IPCCONF_REF_MQ_H */
