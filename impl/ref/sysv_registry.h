/*
 * sysv_registry.h -- the names of ref's System V shared memory segments
 * and semaphore sets in /dev/shm: one file per id, one link per key.
 *
 * The scheme is the one ref's message queues use (msgq.h NAMES), for any
 * kind of object given its prefix ("ipcconf-ref-shmseg-",
 * "ipcconf-ref-semset-"): the object is the file "<prefix><tag><id>",
 * where the id is a random positive int that no object of the kind has
 * (the name is taken with linkat(2), which refuses a name in use) and the
 * tag says the object's state ('i': live; segments also have 'd': removed
 * by IPC_RMID while still attached).  A keyed object also has the symbolic
 * link "<prefix>k<key, 8 hex digits>", whose target is the live name: it
 * is made only after the file exists, with symlink(2), which fails when
 * the key has an object already, and reading it needs no permission on
 * the object (as semget(key, 0, 0) needs none).  So ids and keys work
 * between unrelated processes, and a removed id is unknown once its file
 * has gone, while a new object for the key gets a new id.
 *
 * A link whose target is missing is what a removal killed half-way
 * leaves (creators make the file first): whoever finds it removes it.
 * A name that is not ours under the key's name makes the key unusable
 * (-ENOSPC, as a full table would).
 */
#ifndef IPCCONF_REF_SYSV_REGISTRY_H
#define IPCCONF_REF_SYSV_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "impl/ref/shm_obj.h"

#define SYSV_TAG_LIVE 'i'
#define SYSV_TAG_REMOVED 'd'

/* Room for any leaf name this file makes. */
#define SYSV_LEAF_LEN 80

/* "<prefix><tag><id>" into leaf. */
void sysv_leaf(const char *prefix, char tag, int id, char *leaf, size_t len);

/*
 * The id the key's link names: >= 0; -ENOENT (no link, or a dangling one,
 * which is removed); -ENOSPC (a name under the key that is not ours).
 */
int sysv_key_id(const char *prefix, int32_t key);

/*
 * Names a new object made with ref_shm_obj_create(): picks a free id,
 * calls stamp(base, id) (which writes the id into the header and then the
 * magic, release), links the file as "<prefix>i<id>" with `file_mode`,
 * and, for a key other than IPC_PRIVATE, makes the key's link.  Returns
 * the id; -EEXIST when the key got an object meanwhile (the new file's
 * name is removed again); -errno.  The caller keeps n either way.
 */
int sysv_publish(const char *prefix, int32_t key, struct shm_obj_new *n, mode_t file_mode,
		 void (*stamp)(void *base, int id));

/* Removes the key's link if it names live object `id`. */
void sysv_unlink_key(const char *prefix, int32_t key, int id);

/* unlink(2) of "<prefix><tag><id>": 0 or -errno. */
int sysv_unlink_id(const char *prefix, char tag, int id);

/* rename(2) of "<prefix><from><id>" to "<prefix><to><id>": 0 or -errno. */
int sysv_rename_id(const char *prefix, int id, char from, char to);

/*
 * Opens "<prefix><tag><id>" read-write for each tag of `tags` in turn:
 * the descriptor (close-on-exec) with its stat in *st, -ENOENT when no
 * such file is there, -EACCES when one is but cannot be opened, -EPROTO
 * for something that is not a regular file.
 */
int sysv_open_id(const char *prefix, const char *tags, int id, struct stat *st);

/*
 * For an object whose file the caller cannot open: ref_ipc_perms() of
 * `flag` against the file's owner, group and mode (the file mode is the
 * IPC mode widened, shm_obj.h FILE MODES, so a class that cannot open it
 * has neither read nor write).  0 or -EACCES.
 */
int sysv_file_perms(const char *prefix, const char *tags, int id, int flag);

/* Calls fn for every id whose name has `tag` (a snapshot of the directory). */
void sysv_each(const char *prefix, char tag, void (*fn)(int id, void *ctx), void *ctx);

#endif /* IPCCONF_REF_SYSV_REGISTRY_H */
