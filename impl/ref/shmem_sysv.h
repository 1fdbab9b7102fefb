/*
 * shmem_sysv.h -- System V shared memory segments (the System V half of
 * the `shm` table).
 *
 * NAMES.  A segment is a file in /dev/shm named by sysv_registry.h with
 * the prefix "ipcconf-ref-shmseg-": "...i<id>" while live, and a key's
 * link "...k<key>" to it.  IPC_RMID, under the segment lock, renames the
 * file "...d<id>" (removed: SHM_DEST), marks the header, and removes the
 * key's link, so the key is free at once while the id still reaches the
 * segment; when the segment has no attachment left it is destroyed (the
 * name goes; the memory goes with the last mapping, which the kernel
 * counts).  The last shmdt destroys a removed segment; one whose last
 * attacher exited or was killed is destroyed by the next shmget of any
 * process, which first sweeps the "...d" names (shmseg_sweep), and by
 * any call that finds it by id.
 *
 * LAYOUT of the file:
 *   0           hdr_size     struct shmseg_shared, page-rounded
 *   hdr_size    data_len     the segment: segsz rounded up to pages
 * shmat maps the segment part only (MAP_SHARED, PROT_READ with
 * SHM_RDONLY): plain memory, shared with every attacher as the kernel's
 * segment is.
 *
 * ATTACHMENTS.  shm_nattch counts attachments per process in the
 * header's holder set (holders.h: one slot per process, the count in its
 * "readers"), so a process that dies, killed or not, stops counting at
 * once.  fork() gives the child its parent's attachments, as the kernel
 * does: each process's segment is a ref_obj of kind REF_OBJ_SHMSEG on the
 * process's object list, whose holding counts this process's attachments,
 * so fork.c claims the child's slot before fork() returns.  The addresses
 * and lengths of this process's attachments are a private list (fork
 * copies it with the mappings).
 *
 * The header is shared with processes that may be broken or hostile: the
 * fixed fields are read once when a process maps the segment and
 * validated against the file's size; the mutable ones (struct
 * shmseg_state) are copied out under the lock, used from the copy and
 * written back whole; holder slots are whole words (holders.h).
 */
#ifndef IPCCONF_REF_SHMEM_SYSV_H
#define IPCCONF_REF_SHMEM_SYSV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "impl/ref/holders.h"
#include "impl/ref/obj.h"
#include "impl/ref/sysv_cache.h"

#define SHMSEG_PREFIX "ipcconf-ref-shmseg-"
#define SHMSEG_MAGIC 0x47455348u /* "HSEG" in memory on little-endian */
#define SHMSEG_VERSION 1u
/* The largest segment ref makes: the files live in tmpfs, whose files stop at 2^63. */
#define SHMSEG_MAX ((uint64_t)1 << 46)

/* What changes under the segment lock: copied out, used, written back whole. */
struct shmseg_state {
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint32_t uid, gid, cuid, cgid, mode;
	uint32_t reserved;
};

struct shmseg_shared {
	_Atomic uint32_t magic; /* SHMSEG_MAGIC, stored last (release) by the creator */
	uint16_t version;       /* SHMSEG_VERSION */
	uint16_t reserved0;
	uint32_t hdr_size;      /* where the segment starts in the file: whole pages */
	int32_t id;
	int32_t key;
	uint32_t reserved1;
	uint64_t segsz;         /* the size shmget was asked for */
	_Atomic uint32_t lock;      /* the segment lock (qcore.h: taken over from a dead holder) */
	_Atomic uint32_t dirty;
	_Atomic uint32_t removed;   /* IPC_RMID happened (SHM_DEST): set under the lock */
	_Atomic uint32_t destroyed; /* the names are gone: nobody attaches again; under the lock */
	struct shmseg_state st;
	struct ref_holders attached; /* per process: its attachments */
};

/* A process's mapping of one segment's header, cached by id (shmem_seg.c). */
struct shmseg_map {
	struct ref_obj obj;     /* first; hold[0] counts this process's attachments */
	struct sysv_cached c;   /* the id, and the cache's bookkeeping (pinned while attached) */
	int32_t key;            /* validated copies of the fixed header fields */
	uint64_t segsz;
	size_t hdr_size, data_len;
	int fd;
	struct shmseg_shared *sh;
};

/* The header size for this system's page size. */
size_t shmseg_hdr_size(void);

/* The segment of `id`, kept until shmseg_put(): -EINVAL when there is none, -EACCES. */
int shmseg_get(int id, struct shmseg_map **out);
void shmseg_put(struct shmseg_map *m);

/* The segment was destroyed: nobody gets this mapping from the cache again. */
void shmseg_forget(struct shmseg_map *m);

/*
 * A new segment for `key` (0: IPC_PRIVATE) of segsz bytes with permission
 * bits `mode`: its id, -EEXIST when the key got a segment meanwhile,
 * -ENOSPC when the file system has no room, or -errno.
 */
int shmseg_create(int32_t key, uint64_t segsz, uint32_t mode);

/* The segment lock, with the state copied out (and back in by shmseg_unlock). */
void shmseg_lock(struct shmseg_map *m, struct shmseg_state *st);
void shmseg_unlock(struct shmseg_map *m, const struct shmseg_state *st);

/* shm_nattch: attachments of processes that live (dead ones' slots are freed). */
unsigned long shmseg_nattch(struct shmseg_map *m);

/*
 * Under the lock: IPC_RMID (the "...d" name, the mark, the key's link
 * gone), and the destruction at once when nothing is attached.
 */
void shmseg_remove_locked(struct shmseg_map *m);

/* Under the lock: a removed segment with no attachment left loses its names for good. */
void shmseg_destroy_if_unused_locked(struct shmseg_map *m);

/* Destroys every removed segment nobody attaches any more (see NAMES). */
void shmseg_sweep(void);

/*
 * This process's attachments (locked by ref_lock()): adds one at addr
 * (len bytes) and counts it in the header, or -ENOMEM when the segment's
 * holder set is full.
 */
int shmseg_attach_add(struct shmseg_map *m, void *addr, size_t len);

/*
 * Takes the attachment that starts at addr off the list, with its
 * segment (kept: shmseg_put() it) and length: 0, or -EINVAL when no
 * attachment starts there.  Its count in the header stays until
 * shmseg_attach_drop().
 */
int shmseg_attach_take(const void *addr, struct shmseg_map **m, size_t *len);
void shmseg_attach_drop(struct shmseg_map *m);

#endif /* IPCCONF_REF_SHMEM_SYSV_H */
