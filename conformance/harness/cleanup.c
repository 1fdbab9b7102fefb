/*
 * cleanup.c -- removing every object a clause left, after its processes
 * are gone (also after a kill): first through each mechanism's cleanup,
 * which reaches the implementation (it may keep state outside the file
 * system), then generically, by raw system calls.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/mechanism.h"
#include "conformance/harness/registry.h"
#include "conformance/harness/runner.h"
#include "conformance/harness/sys.h"

#define CLEANUP_BOUND_NS 2e9

struct object_list {
	struct ipcconf_object items[IPCCONF_MAX_OBJECTS + 64];
	char names[64][512];  /* storage for names found in the directory */
	size_t n;
};

static int listed(const struct object_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name))
			return 1;
	return 0;
}

/* What the page recorded, plus whatever else is in the clause directory. */
static void collect(struct ipcconf_page *page, const char *dir, struct object_list *l)
{
	unsigned n = atomic_load(&page->nobjects);
	l->n = 0;
	for (unsigned i = 0; i < n && i < IPCCONF_MAX_OBJECTS; i++) {
		int kind = atomic_load(&page->objects[i].kind);
		if (kind)
			l->items[l->n++] = (struct ipcconf_object){
				(enum ipcconf_object_kind)kind, page->objects[i].name
			};
	}
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	size_t extra = 0;
	while ((e = readdir(d)) != NULL && extra < 64) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(l->names[extra], sizeof l->names[extra], "%s/%s", dir, e->d_name);
		if (listed(l, l->names[extra]))
			continue;
		l->items[l->n++] = (struct ipcconf_object){ IPCCONF_OBJ_PATH, l->names[extra] };
		extra++;
	}
	closedir(d);
}

/* Runs every mechanism's cleanup in a child under a bound: a crash or hang there is reported. */
static void through_mechanisms(const struct ipcconf_run_config *cfg,
			       const struct object_list *l, struct ipcconf_result *out)
{
	size_t nm;
	const struct ipcconf_mechanism *const *mechs = ipcconf_all_mechanisms(&nm);
	int any = 0;
	for (size_t m = 0; m < nm; m++)
		any |= mechs[m]->cleanup != NULL;
	if (!any || l->n == 0)
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		setpgid(0, 0);
		ipcconf_sys_reset_signals();
		for (size_t m = 0; m < nm; m++)
			for (size_t i = 0; mechs[m]->cleanup && i < l->n; i++)
				mechs[m]->cleanup(cfg->impl->self, cfg->impl->iut, &l->items[i]);
		_exit(0);
	}
	setpgid(pid, pid);
	int st = 0;
	/*
	 * Cleanup is not judged: a short --timeout-mul (for quick runs that
	 * expect timeouts) must not cut it off and leave objects behind, so
	 * the bound only ever grows with it.
	 */
	double mul = cfg->timeout_mul > 1 ? cfg->timeout_mul : 1;
	int r = ipcconf_sys_wait_child(pid, &st, ipcconf_now_ns() + (int64_t)(CLEANUP_BOUND_NS * mul));
	const char *sep = out->detail[0] ? "\n" : "";
	if (r == 0)
		ipcconf_append(out->detail, sizeof out->detail,
			       "%swarning: the implementation's cleanup of the clause's objects did not return",
			       sep);
	else if (r == 1 && WIFSIGNALED(st))
		ipcconf_append(out->detail, sizeof out->detail,
			       "%swarning: the implementation's cleanup of the clause's objects crashed (SIG%s)",
			       sep, sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
	ipcconf_sys_kill(-pid, SIGKILL);
	ipcconf_kill_and_reap_all(ipcconf_now_ns() + (int64_t)CLEANUP_BOUND_NS);
}

/* Removes everything under `path` (a directory), then `path`. */
static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* A POSIX name may be a message queue, a shared memory object or a semaphore. */
static void remove_posix_name(const char *name)
{
	char path[512];
	syscall(SYS_mq_unlink, name + 1); /* the system call takes the name without its '/' */
	snprintf(path, sizeof path, "/dev/shm/%s", name + 1);
	unlink(path);
	snprintf(path, sizeof path, "/dev/shm/sem.%s", name + 1);
	unlink(path);
}

static void remove_sysv_key(const char *text)
{
	key_t key = (key_t)strtol(text, NULL, 10);
	long id;
	if ((id = syscall(SYS_msgget, key, 0)) >= 0)
		syscall(SYS_msgctl, id, IPC_RMID, NULL);
	if ((id = syscall(SYS_shmget, key, 0, 0)) >= 0)
		syscall(SYS_shmctl, id, IPC_RMID, NULL);
	if ((id = syscall(SYS_semget, key, 0, 0)) >= 0)
		syscall(SYS_semctl, id, 0, IPC_RMID, 0);
}

void ipcconf_cleanup_objects(const struct ipcconf_run_config *cfg, struct ipcconf_page *page,
			     const char *dir, struct ipcconf_result *out)
{
	static struct object_list l;
	collect(page, dir, &l);
	through_mechanisms(cfg, &l, out);
	for (size_t i = 0; i < l.n; i++) {
		switch (l.items[i].kind) {
		case IPCCONF_OBJ_PATH:
		case IPCCONF_OBJ_SOCKET_PATH:
			remove_tree(l.items[i].name);
			break;
		case IPCCONF_OBJ_POSIX_NAME:
			remove_posix_name(l.items[i].name);
			break;
		case IPCCONF_OBJ_SYSV_KEY:
			remove_sysv_key(l.items[i].name);
			break;
		}
	}
	remove_tree(dir);
}
