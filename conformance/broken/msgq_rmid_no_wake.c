/*
 * Broken: IPC_RMID does not wake the processes waiting on the queue.  Over
 * os this is modelled from the waiter's side: a send or receive that the
 * removal woke (-EIDRM) goes back to sleep, for good, as a waiter that
 * nobody wakes would (XSH msgsnd(), msgrcv() [EIDRM]).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "conformance/broken/wrap.h"

static _Noreturn void sleep_forever(void)
{
	/* Ended by the runner's kill of the clause's process group. */
	for (;;)
		pause();
}

static int send_unwoken(const struct ipcconf_iut *self, int id, const void *msg, size_t size,
			int flags)
{
	(void)self;
	int r = OS->msgq->send(OS, id, msg, size, flags);
	if (r == -EIDRM)
		sleep_forever();
	return r;
}

static ssize_t receive_unwoken(const struct ipcconf_iut *self, int id, void *msg, size_t size,
			       long type, int flags)
{
	(void)self;
	ssize_t n = OS->msgq->receive(OS, id, msg, size, type, flags);
	if (n == -EIDRM)
		sleep_forever();
	return n;
}

const struct ipcconf_iut *broken_msgq_rmid_no_wake_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-msgq-rmid-no-wake",
		       "IPC_RMID leaves the senders and receivers waiting on the queue asleep");
	b.msgq.send = send_unwoken;
	b.msgq.receive = receive_unwoken;
	return &b.iut;
}
