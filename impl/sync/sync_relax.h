/*
 * sync_relax.h -- the pause instruction for spin loops.
 *
 * A header of its own because both the lock (sync_lock.c) and the
 * spin policy (sync_spin.c) spin, and neither should pull in the other.
 */
#ifndef IPCCONF_SYNC_RELAX_H
#define IPCCONF_SYNC_RELAX_H

/* Tells the CPU this is a spin-wait: saves power, yields to the sibling hyperthread. */
static inline void sync_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

#endif /* IPCCONF_SYNC_RELAX_H */
