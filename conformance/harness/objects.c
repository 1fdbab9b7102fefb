/*
 * objects.c -- names for every IPC object a clause makes, recorded in the
 * shared page before they are handed out, so that the runner can remove
 * them after the clause's processes are gone, even after a kill.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/mechanism.h"
#include "conformance/harness/page.h"

#define SUN_PATH_MAX 107 /* sizeof(sun_path) - 1: the name and its NUL fit */

static const char *record(struct ipcconf_t *t, enum ipcconf_object_kind kind, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));
static const char *record(struct ipcconf_t *t, enum ipcconf_object_kind kind, const char *fmt,
			  ...)
{
	unsigned i = atomic_fetch_add(&t->page->nobjects, 1);
	if (i >= IPCCONF_MAX_OBJECTS)
		BROKEN(t, "more than %d named objects in one clause", IPCCONF_MAX_OBJECTS);
	struct ipcconf_object_slot *slot = &t->page->objects[i];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(slot->name, sizeof slot->name, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof slot->name)
		BROKEN(t, "a name longer than %zu bytes: %s...", sizeof slot->name - 1, slot->name);
	/* The kind goes last: a slot the runner sees with a kind is complete. */
	atomic_store(&slot->kind, (int)kind);
	return slot->name;
}

const char *ipcconf_path(struct ipcconf_t *t, const char *leaf)
{
	return record(t, IPCCONF_OBJ_PATH, "%s/%s", t->dir, leaf);
}

const char *ipcconf_posix_name(struct ipcconf_t *t, const char *leaf)
{
	const char *name = record(t, IPCCONF_OBJ_POSIX_NAME, "/ipcconf-%s-%u-%s",
				  t->page->run_tag, t->page->clause_index, leaf);
	if (strlen(name) > 255 || strchr(name + 1, '/'))
		BROKEN(t, "not a valid POSIX IPC name: %s", name);
	return name;
}

const char *ipcconf_socket_path(struct ipcconf_t *t, const char *leaf)
{
	if (!t->page->socket_dir[0])
		BROKEN(t, "no private directory for socket paths in this run");
	const char *path = record(t, IPCCONF_OBJ_SOCKET_PATH, "%s/%u-%s", t->page->socket_dir,
				  t->page->clause_index, leaf);
	if (strlen(path) > SUN_PATH_MAX)
		BROKEN(t, "socket path of %zu bytes does not fit sun_path: %s", strlen(path), path);
	return path;
}

/* Whether any System V queue, segment or semaphore set has this key now. */
static int sysv_key_used(key_t key)
{
	if (syscall(SYS_msgget, key, 0) >= 0 || errno != ENOENT)
		return 1;
	if (syscall(SYS_shmget, key, 0, 0) >= 0 || errno != ENOENT)
		return 1;
	if (syscall(SYS_semget, key, 0, 0) >= 0 || errno != ENOENT)
		return 1;
	return 0;
}

key_t ipcconf_sysv_key(struct ipcconf_t *t)
{
	for (int attempt = 0; attempt < 32; attempt++) {
		key_t key;
		if (getrandom(&key, sizeof key, 0) != sizeof key)
			BROKEN(t, "getrandom: %s", strerror(errno));
		if (key == IPC_PRIVATE || sysv_key_used(key))
			continue;
		record(t, IPCCONF_OBJ_SYSV_KEY, "%d", (int)key);
		return key;
	}
	BROKEN(t, "no unused System V key found in 32 random tries");
}
