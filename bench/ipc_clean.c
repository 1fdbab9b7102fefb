/* The IPC objects of ipc_bench and their removal (ipc_clean.h). */
#define _GNU_SOURCE
#include "bench/ipc_clean.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

/* Queues alive at once: a round trip uses two channels. */
#define MAX_QUEUES 8

/*
 * The longest $TMPDIR used: the directory's name and a path in it must
 * fit a socket address (sun_path, 108 bytes) with room to spare.
 */
#define MAX_BASE 40

static char dir[MAX_BASE + 32];
static pid_t owner;
static unsigned long counter;
/* Read by the signal handlers: changed only while ipc_clean_hold() holds them. */
static volatile sig_atomic_t queue_ids[MAX_QUEUES];
static volatile sig_atomic_t child;

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Async-signal-safe: system calls only. */
static void remove_queues(void)
{
	for (int i = 0; i < MAX_QUEUES; i++) {
		int id = queue_ids[i];

		if (id >= 0) {
			msgctl(id, IPC_RMID, NULL);
			queue_ids[i] = -1;
		}
	}
}

static void kill_child(void)
{
	pid_t c = child;

	if (c > 0)
		kill(c, SIGKILL);
}

static void on_fatal(int sig)
{
	int saved = errno;

	if (getpid() == owner) {
		kill_child();
		remove_queues();
		/* Empty whenever a handler can run: names exist only while signals are held. */
		rmdir(dir);
	}
	signal(sig, SIG_DFL);
	raise(sig); /* delivered, with the default action, when this handler returns */
	errno = saved;
}

/*
 * A child that died of a signal or exited non-zero will never send or
 * receive again: removing the queues wakes a parent blocked in msgsnd or
 * msgrcv (EIDRM).  A clean exit follows the last message, so it must not
 * remove a queue that still holds the child's reply.
 */
static void on_child(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (getpid() == owner && (si->si_code != CLD_EXITED || si->si_status != 0))
		remove_queues();
	errno = saved;
}

/* At exit(): also removes what an error path may have left in the directory. */
static void at_exit(void)
{
	DIR *d;

	if (getpid() != owner || dir[0] == '\0')
		return;
	kill_child();
	remove_queues();
	d = opendir(dir);
	if (d != NULL) {
		struct dirent *e;

		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
	dir[0] = '\0';
}

static int random64(uint64_t *v)
{
	ssize_t n = getrandom(v, sizeof(*v), 0);

	return n == (ssize_t)sizeof(*v) ? 0 : n < 0 ? -errno : -EIO;
}

static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");

	/* Bazel's test TMPDIR is far too long for a socket address: then /tmp. */
	if (t == NULL || t[0] != '/' || strlen(t) > MAX_BASE)
		return "/tmp";
	return t;
}

int ipc_clean_init(void)
{
	struct sigaction fatal = { .sa_handler = on_fatal };
	struct sigaction chld = { .sa_sigaction = on_child,
				  .sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP };
	const char *base = tmp_base();

	owner = getpid();
	for (int i = 0; i < MAX_QUEUES; i++)
		queue_ids[i] = -1;
	snprintf(dir, sizeof(dir), "%s/ipcconf-bench.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		int err = -errno;

		dir[0] = '\0';
		return err;
	}
	if (atexit(at_exit) != 0)
		return -ENOMEM;
	/* One fatal signal at a time: the handler must not be interrupted by another. */
	sigemptyset(&fatal.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&fatal.sa_mask, fatal_signals[i]);
	sigaddset(&fatal.sa_mask, SIGCHLD);
	chld.sa_mask = fatal.sa_mask;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (sigaction(fatal_signals[i], &fatal, NULL) != 0)
			return -errno;
	if (sigaction(SIGCHLD, &chld, NULL) != 0)
		return -errno;
	return 0;
}

const char *ipc_clean_dir(void)
{
	return dir;
}

int ipc_clean_path(char *out, size_t len, const char *what)
{
	uint64_t r;
	int err = random64(&r);
	int n;

	if (err < 0)
		return err;
	n = snprintf(out, len, "%s/%s.%lu.%016llx", dir, what, ++counter, (unsigned long long)r);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int ipc_clean_posix_name(char *out, size_t len)
{
	uint64_t r[2];
	int err = random64(&r[0]);
	int n;

	if (err == 0)
		err = random64(&r[1]);
	if (err < 0)
		return err;
	n = snprintf(out, len, "/ipcconf-bench.%d.%016llx%016llx", (int)getpid(),
		     (unsigned long long)r[0], (unsigned long long)r[1]);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void ipc_clean_hold(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&s, fatal_signals[i]);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, old);
}

void ipc_clean_release(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

int ipc_clean_msgget(void)
{
	sigset_t old;
	int id, slot = -1;

	ipc_clean_hold(&old);
	for (int i = 0; i < MAX_QUEUES && slot < 0; i++)
		if (queue_ids[i] < 0)
			slot = i;
	if (slot < 0) {
		ipc_clean_release(&old);
		return -ENOSPC;
	}
	id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		id = -errno;
	else
		queue_ids[slot] = id;
	ipc_clean_release(&old);
	return id;
}

void ipc_clean_msgq_remove(int id)
{
	sigset_t old;

	ipc_clean_hold(&old);
	/* Only while registered: once removed, the id may come back as someone else's queue. */
	for (int i = 0; i < MAX_QUEUES; i++)
		if (queue_ids[i] == id) {
			msgctl(id, IPC_RMID, NULL);
			queue_ids[i] = -1;
		}
	ipc_clean_release(&old);
}

void ipc_clean_set_child(pid_t pid)
{
	child = pid;
}

int ipc_clean_in_child(pid_t parent)
{
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		signal(fatal_signals[i], SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		return -1;
	/* The parent may have died before the request took effect. */
	return getppid() == parent ? 0 : -1;
}
