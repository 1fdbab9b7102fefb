/*
 * children.h -- the calling thread's child processes, as
 * /proc/self/task/TID/children lists them (a child stays listed while it
 * is a zombie, until it is reaped).
 *
 * fork.c compares the list before and after fork() to learn the new
 * child's pid, which pthread_atfork handlers are not told.
 */
#ifndef IPCCONF_REF_CHILDREN_H
#define IPCCONF_REF_CHILDREN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct children {
	pid_t *pid;
	size_t n;
	bool known;   /* false: the kernel does not provide the list */
};

/* Reads the list (allocating); children.known says whether it could. */
void children_read(struct children *c);

void children_free(struct children *c);

/*
 * The one pid in `after` that is not in `before`: > 0; 0 when there is
 * none; -1 when the answer is unknown (no list, or several new pids).
 */
pid_t children_new_one(const struct children *before, const struct children *after);

#endif /* IPCCONF_REF_CHILDREN_H */
