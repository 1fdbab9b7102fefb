/* The two ref tables: see ref_iut.h. */
#define _GNU_SOURCE
#include "impl/ref/ref_iut.h"

#include "impl/ref/fifo.h"
#include "impl/ref/pipe.h"
#include "impl/ref/ref_variant.h"
#include "impl/ref/stream.h"

const struct ref_variant ref_variant_default = {
	.shm_prefix = "/ipcconf-ref-",
	.default_capacity = 65536,
	.read_max = 0,
};

const struct ref_variant ref_variant_small = {
	.shm_prefix = "/ipcconf-refsmall-",
	.default_capacity = 4096,
	.read_max = 1000,
};

#define REF_CAPS                                                                       \
	(IPCCONF_CAP_PIPE | IPCCONF_CAP_FIFO | IPCCONF_CAP_FORK_INHERIT |              \
	 IPCCONF_CAP_PEER_DEATH | IPCCONF_CAP_NONBLOCK | IPCCONF_CAP_CAPACITY_GET |   \
	 IPCCONF_CAP_CAPACITY_SET | IPCCONF_CAP_NREAD | IPCCONF_CAP_POLL |            \
	 IPCCONF_CAP_DUP | IPCCONF_CAP_SEEK | IPCCONF_CAP_SIGPIPE | IPCCONF_CAP_EINTR)

/* One pipe table, one fifo table and one iut table per variant. */
#define REF_TABLES(var, iut_name, desc, entry)                                         \
	static int var##_pipe_create(int ends[2], int flags)                           \
	{                                                                              \
		return ref_pipe_create(&ref_variant_##var, ends, flags);               \
	}                                                                              \
	static int var##_mkfifo(const char *path, mode_t mode)                         \
	{                                                                              \
		return ref_fifo_mkfifo(&ref_variant_##var, path, mode);                \
	}                                                                              \
	static int var##_open(const char *path, int flags)                             \
	{                                                                              \
		return ref_fifo_open(&ref_variant_##var, path, flags);                 \
	}                                                                              \
	static const struct ipcconf_pipe_ops var##_pipe = {                            \
		.struct_size = sizeof(struct ipcconf_pipe_ops),                        \
		.create = var##_pipe_create,                                           \
	};                                                                             \
	static const struct ipcconf_fifo_ops var##_fifo = {                            \
		.struct_size = sizeof(struct ipcconf_fifo_ops),                        \
		.mkfifo = var##_mkfifo,                                                \
		.open = var##_open,                                                    \
		.unlink = ref_fifo_unlink,                                             \
	};                                                                             \
	static const struct ipcconf_iut var##_iut = {                                  \
		.abi_version = IPCCONF_IUT_ABI_VERSION,                                \
		.struct_size = sizeof(struct ipcconf_iut),                             \
		.name = iut_name,                                                      \
		.description = desc,                                                   \
		.caps = REF_CAPS,                                                      \
		.stream = &ref_stream_ops,                                             \
		.pipe = &var##_pipe,                                                   \
		.fifo = &var##_fifo,                                                   \
	};                                                                             \
	const struct ipcconf_iut *entry(void)                                          \
	{                                                                              \
		return &var##_iut;                                                     \
	}

REF_TABLES(default, "ref",
	   "pipes and FIFOs in user space over a shared-memory byte ring",
	   ipcconf_ref_iut)

REF_TABLES(small, "ref-small",
	   "ref with a 4096-byte default capacity and reads of at most 1000 bytes",
	   ipcconf_ref_small_iut)
