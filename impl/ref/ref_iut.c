/*
 * The two ref implementations: one set of operation tables (tables.h),
 * two variants as run-time context (ref_variant.h).  See ref_iut.h.
 */
#define _GNU_SOURCE
#include "impl/ref/ref_iut.h"

#include <limits.h>

#include "impl/ref/pipe_region.h"
#include "impl/ref/ref_variant.h"
#include "impl/ref/tables.h"

/* Linux's defaults: a 16-page pipe, PIPE_BUF of a page, pipe-max-size 1 MiB. */
static const struct ref_variant variant_default = {
	.shm_prefix = "/ipcconf-ref-",
	.default_capacity = 65536,
	.max_capacity = REF_MAX_CAPACITY,
	.pipe_buf = 4096,
	.sigqueue_max = 1024,
};

/* The least a system may offer and still be POSIX (and Linux-like). */
static const struct ref_variant variant_small = {
	.shm_prefix = "/ipcconf-refsmall-",
	.default_capacity = 4096,
	.max_capacity = 65536,
	.pipe_buf = REF_MIN_PIPE_BUF,
	.sigqueue_max = _POSIX_SIGQUEUE_MAX,
};

const struct ref_variant *const ref_variants[] = { &variant_default, &variant_small };
const size_t ref_variant_count = sizeof(ref_variants) / sizeof(ref_variants[0]);

#define REF_CAPS                                                                               \
	(IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH | IPCCONF_CAP_SIGPIPE |             \
	 IPCCONF_CAP_EINTR)

#define REF_IUT(iut_name, desc)                                                                \
	{                                                                                      \
		.abi_version = IPCCONF_IUT_ABI_VERSION,                                        \
		.struct_size = sizeof(struct ipcconf_iut),                                     \
		.name = iut_name,                                                              \
		.description = desc,                                                           \
		.caps = REF_CAPS,                                                              \
		.handle = &ref_handle_ops,                                                     \
		.stream = &ref_stream_ops,                                                     \
		.pipe = &ref_pipe_ops,                                                         \
		.fifo = &ref_fifo_ops,                                                         \
		.signal = &ref_signal_ops,                                                     \
		.msgq = &ref_msgq_ops,                                                         \
		.mq = &ref_mq_ops,                                                             \
		.shm = &ref_shm_ops,                                                           \
		.sem = &ref_sem_ops,                                                           \
		.socket = &ref_socket_ops,                                                     \
	}

static const struct ref_impl impl_default = {
	.iut = REF_IUT("ref", "pipes, FIFOs, message queues, shared memory, semaphores, AF_UNIX "
			      "sockets and a signal model in user space over shared memory"),
	.variant = &variant_default,
};

static const struct ref_impl impl_small = {
	.iut = REF_IUT("ref-small", "ref with POSIX's least limits: 4096-byte pipes growing to "
				    "64 KiB, PIPE_BUF 512, 32 queued signals"),
	.variant = &variant_small,
};

/*
 * The suite calls the entry function before it forks anything: the signal
 * model's table is mapped then, so that every process of the run shares it.
 */
const struct ipcconf_iut *ipcconf_ref_iut(void)
{
	sigm_init();
	return &impl_default.iut;
}

const struct ipcconf_iut *ipcconf_ref_small_iut(void)
{
	sigm_init();
	return &impl_small.iut;
}
