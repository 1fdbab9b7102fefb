/*
 * bench_proc.h -- the two processes of a measurement: the shared
 * mapping, CPU pinning, a start line, and what the child reports back.
 */
#ifndef IPCCONF_BENCH_PROC_H
#define IPCCONF_BENCH_PROC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The child's report, at the start of the shared mapping (its own cache lines). */
struct bench_ctl {
	_Alignas(64) _Atomic uint32_t ready; /* processes at the start line */
	_Alignas(64) int64_t end_ns;         /* CLOCK_MONOTONIC when the child finished */
	uint64_t count;                      /* messages the child received */
	uint64_t errors;                     /* messages out of order, or failed calls */
	int64_t cpu_ns;                      /* the child's CPU time in the measured part */
};

/* A zero-filled MAP_SHARED region of len bytes, pages populated; NULL on failure. */
void *bench_map(size_t len);
void bench_unmap(void *p, size_t len);

/* The first two CPUs this process may run on; -1 when there is only one. */
void bench_cpus(int *a, int *b);

/* Moves the calling process to one CPU: 0 or -errno. */
int bench_pin(int cpu);

/* Waits until both processes arrived.  Yields while waiting: the two may share one CPU. */
void bench_start_line(struct bench_ctl *ctl);

int64_t bench_now_ns(void);

/* This process's CPU time (user + system), in ns. */
int64_t bench_cpu_ns(void);

/* Waits for the child: 0 if it exited with status 0. */
int bench_reap(pid_t pid);

#endif /* IPCCONF_BENCH_PROC_H */
