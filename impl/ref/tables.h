/*
 * tables.h -- ref's operation tables of ipcconf/iut.h, one of each,
 * shared by every variant (ref_iut.c puts them in the variants' tables).
 * Handle operations dispatch on the object's kind (obj.h); creation
 * operations find their variant through `self` (ref_variant.h).
 */
#ifndef IPCCONF_REF_TABLES_H
#define IPCCONF_REF_TABLES_H

#include "ipcconf/iut.h"

extern const struct ipcconf_handle_ops ref_handle_ops; /* handle_ops.c */
extern const struct ipcconf_stream_ops ref_stream_ops; /* stream_ops.c */
extern const struct ipcconf_pipe_ops ref_pipe_ops;     /* pipe_ops.c */
extern const struct ipcconf_fifo_ops ref_fifo_ops;     /* fifo_ops.c */
extern const struct ipcconf_signal_ops ref_signal_ops; /* signal_ops.c */

/* Maps the signal model's shared table, before anything forks (signal_fork.c). */
void sigm_init(void);
extern const struct ipcconf_msgq_ops ref_msgq_ops;     /* msgq_ops.c */
extern const struct ipcconf_mq_ops ref_mq_ops;         /* mq_ops.c */
extern const struct ipcconf_shm_ops ref_shm_ops;       /* shmem_ops.c */
extern const struct ipcconf_sem_ops ref_sem_ops;       /* sem_ops.c */
extern const struct ipcconf_socket_ops ref_socket_ops; /* socket_ops.c */

#endif /* IPCCONF_REF_TABLES_H */
