/*
 * Broken: real-time signals do not queue: a sigqueue of a signal already
 * pending for the target process is dropped (and reported as sent).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conformance/broken/wrap.h"

/* The target's process-directed pending set, from /proc/PID/status (ShdPnd). */
static int pending_for(pid_t pid, uint64_t *bits)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int found = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "ShdPnd: %" SCNx64, bits) == 1) {
			found = 0;
			break;
		}
	fclose(f);
	return found;
}

static int queue_coalescing(const struct ipcconf_iut *self, pid_t pid, int sig, union sigval v)
{
	uint64_t bits;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX && pid > 0 && pending_for(pid, &bits) == 0 &&
	    (bits >> (sig - 1) & 1))
		return 0;
	return OS->signal->queue(OS, pid, sig, v);
}

const struct ipcconf_iut *broken_sig_rt_coalesced_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-sig-rt-coalesced", "real-time signals do not queue");
	b.signal.queue = queue_coalescing;
	return &b.iut;
}
