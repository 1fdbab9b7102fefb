/*
 * pid1.c -- as PID 1 (`runsc do`, a container), default signal actions
 * differ and every orphan of the system is ours to reap.  So PID 1 only
 * reaps and forwards; the real work, clause bodies included, runs in a
 * child.  Raw system calls throughout (sys.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/cli.h"
#include "conformance/harness/clock.h"
#include "conformance/harness/sys.h"

static volatile pid_t worker_pid;

static void forward_to_worker(int sig)
{
	if (worker_pid > 0)
		ipcconf_sys_kill(worker_pid, sig);
}

void ipcconf_stay_out_of_pid_1(void)
{
	if (getpid() != 1)
		return;
	pid_t worker = fork();
	if (worker < 0) {
		perror("ipcconf: fork");
		exit(2);
	}
	if (worker == 0)
		return;
	worker_pid = worker;
	/* PID 1 ignores signals it has no handler for: pass the stop requests on. */
	ipcconf_sys_sigaction(SIGINT, forward_to_worker, SA_RESTART, 0);
	ipcconf_sys_sigaction(SIGTERM, forward_to_worker, SA_RESTART, 0);
	ipcconf_sys_sigaction(SIGHUP, forward_to_worker, SA_RESTART, 0);
	for (;;) {
		int st = 0;
		/* Wait for the worker, reaping every other orphan on the way. */
		int r = ipcconf_sys_wait_child(worker, &st, ipcconf_now_ns() + 100000000LL);
		int other;
		while (ipcconf_sys_reap_any(&other) > 0)
			;
		if (r == 1)
			exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (r < 0 && r != -EINTR)
			exit(2);
	}
}
