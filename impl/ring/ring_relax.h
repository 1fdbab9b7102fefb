/* ring_relax.h -- the pause instruction for spin loops (internal). */
#ifndef IPCCONF_RING_RELAX_H
#define IPCCONF_RING_RELAX_H

/* Tells the CPU this is a spin-wait: saves power, yields to the sibling hyperthread. */
static inline void ring_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

#endif /* IPCCONF_RING_RELAX_H */
