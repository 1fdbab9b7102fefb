/*
 * kill_fails.c -- LD_PRELOAD shim: every C library call that sends a signal
 * fails with EPERM and sends nothing: kill, killpg, raise, sigqueue, tgkill,
 * pthread_kill and pthread_sigqueue.
 *
 * Signal 0 (the existence check) fails the same way.  Nothing is resolved
 * from the real C library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>

static int refuse(void)
{
	errno = EPERM;
	return -1;
}

int kill(pid_t pid, int sig)
{
	return refuse();
}

int killpg(pid_t pgrp, int sig)
{
	return refuse();
}

int raise(int sig)
{
	return refuse();
}

int sigqueue(pid_t pid, int sig, const union sigval value)
{
	return refuse();
}

/* Declared by <signal.h> since glibc 2.30; exported by the C library since then. */
int tgkill(pid_t tgid, pid_t tid, int sig);
int tgkill(pid_t tgid, pid_t tid, int sig)
{
	return refuse();
}

/* The pthread functions return the error number rather than setting errno. */
int pthread_kill(pthread_t thread, int sig)
{
	return EPERM;
}

int pthread_sigqueue(pthread_t thread, int sig, const union sigval value)
{
	return EPERM;
}
