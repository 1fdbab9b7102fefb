/*
 * pipe.h -- anonymous pipes.
 *
 * A pipe's region is an unnamed file in the POSIX shm file system
 * (open(O_TMPFILE) in /dev/shm, mode 0600), mapped shared and inherited
 * across fork().  Unnamed, it cannot be left behind: the kernel frees it
 * when the last process holding it closes it or dies.  Each process keeps
 * the file open (close-on-exec) so that it can *publish* the region: give
 * it a POSIX shm name for the moment an unrelated process needs to attach
 * it (descriptor passing over sockets), which then takes the name away
 * again.  Where O_TMPFILE is unavailable the region is a shared anonymous
 * mapping instead, and cannot be published (-EOPNOTSUPP).
 */
#ifndef IPCCONF_REF_PIPE_H
#define IPCCONF_REF_PIPE_H

#include "impl/ref/obj.h"
#include "impl/ref/ref_variant.h"

/* pipe2(): flags 0, O_NONBLOCK, O_CLOEXEC (accepted; handles never survive exec). */
int ref_pipe_create(const struct ref_variant *v, int ends[2], int flags);

#define REF_PIPE_NAME_MAX 96

/*
 * Gives the region of pipe object obj a new POSIX shm name, unique
 * ("<prefix>pipe-<pid>-<seq>-<random>"), under which ref_pipe_attach()
 * finds it.  The name is the caller's to remove (ref_pipe_attach() does)
 * if nobody attaches.  -EOPNOTSUPP: the region has no file; -EINVAL: obj
 * is not a pipe.
 */
int ref_pipe_publish(struct ref_obj *obj, const char *prefix, char name[REF_PIPE_NAME_MAX]);

/*
 * Maps the pipe published as `name`, removes the name, and returns the
 * process's object for it, registered but not yet held: the caller makes
 * open descriptions of it (ref_ofd_new_locked), or abandons it.
 */
int ref_pipe_attach(const char *name, struct ref_obj **out);

#endif /* IPCCONF_REF_PIPE_H */
