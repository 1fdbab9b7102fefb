/* stream.h -- the operations on an open end, shared by pipes, FIFOs and both variants. */
#ifndef IPCCONF_REF_STREAM_H
#define IPCCONF_REF_STREAM_H

#include "ipcconf/iut.h"

extern const struct ipcconf_stream_ops ref_stream_ops;

#endif /* IPCCONF_REF_STREAM_H */
