/* pipe.h -- anonymous pipes: a shared anonymous mapping, inherited across fork(). */
#ifndef IPCCONF_REF_PIPE_H
#define IPCCONF_REF_PIPE_H

#include "impl/ref/ref_variant.h"

/* pipe2(): flags 0, O_NONBLOCK, O_CLOEXEC (accepted; handles never survive exec). */
int ref_pipe_create(const struct ref_variant *v, int ends[2], int flags);

#endif /* IPCCONF_REF_PIPE_H */
